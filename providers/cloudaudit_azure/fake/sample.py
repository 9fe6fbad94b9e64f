"""The sample subscription: a good and a bad example of every resource kind cloudaudit reads.

Each service adds its resources in :func:`sample_subscription` (documentation addresses only:
192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
"""

from __future__ import annotations

from cloudaudit_azure.fake.sample_apim import add_apim
from cloudaudit_azure.fake.sample_databases import add_databases
from cloudaudit_azure.fake.sample_network import add_network
from cloudaudit_azure.fake.sample_storage import add_storage
from cloudaudit_azure.fake.state import FakeSubscription

DEMO_SUBSCRIPTION = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"


def sample_subscription(subscription: str = DEMO_SUBSCRIPTION) -> FakeSubscription:
    """The sample subscription served by ``cloudaudit demo --provider azure``."""
    sub = FakeSubscription(subscription, display_name="cloudaudit demo subscription")
    add_storage(sub)
    add_databases(sub)
    add_apim(sub)
    add_network(sub)
    return sub
