"""``cloudaudit demo --provider azure``: the sample subscription served by the local HTTPS fake of Azure
Resource Manager.

Every setting is local to the run: the fake's URL, its CA and a token travel in the target's settings,
and nothing in ``os.environ`` changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cloudaudit.plugins import CollectOptions, DemoAccount, Target
from cloudaudit_azure.fake import FakeArm
from cloudaudit_azure.fake.sample import DEMO_SUBSCRIPTION, sample_subscription

DEMO_TOKEN = "demo-token"  # the fake accepts any bearer token


@contextmanager
def demo_subscription(probe: bool = False) -> Iterator[DemoAccount]:
    """Serve the sample subscription on 127.0.0.1 and yield how to audit it."""
    with FakeArm([sample_subscription()]) as arm:
        settings = (("endpoint_url", arm.url), ("access_token", DEMO_TOKEN), ("ca_bundle", str(arm.ca_path)))
        target = Target("subscription", DEMO_SUBSCRIPTION, settings)
        yield DemoAccount(options=CollectOptions(target=target))
