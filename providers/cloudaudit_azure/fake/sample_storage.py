"""The sample subscription's storage accounts: a hardened one and a weak one.

``sthardened01`` refuses anonymous access and Shared Key, requires TLS 1.2 over HTTPS, admits only a
documentation range and a subnet, and keeps deleted and overwritten blobs. ``stweakpublic01`` is what
the checks exist for: a listable anonymous container on an account open to every network, TLS 1.0, plain
HTTP and Shared Key allowed (settings left unset, as older accounts have them), no soft delete and no
versioning; its ``backups`` container is private.
"""

from __future__ import annotations

from cloudaudit_azure.fake.model_storage import (
    UNSET,
    account_id,
    blob_service,
    container,
    storage_account,
)
from cloudaudit_azure.fake.state import FakeSubscription, arm_id

GROUP = "rg-storage"
HARDENED = "sthardened01"
WEAK = "stweakpublic01"


def add_storage(sub: FakeSubscription) -> None:
    """Add the sample storage accounts, their blob services and containers to ``sub``."""
    subnet = arm_id(
        sub.id, "rg-network", "Microsoft.Network", "virtualNetworks", "vnet-app", "subnets", "app"
    )
    hardened = account_id(sub.id, GROUP, HARDENED)
    sub.add(
        storage_account(
            sub.id,
            GROUP,
            HARDENED,
            location="westeurope",
            ip_rules=("203.0.113.0/24",),
            subnets=(subnet,),
            private_endpoints=("pe-sthardened01-blob",),
            tags={"env": "prod", "data": "confidential"},
        ),
        blob_service(hardened, soft_delete_days=14, container_soft_delete_days=14, versioning=True),
        container(hardened, "reports"),
    )
    weak = account_id(sub.id, GROUP, WEAK)
    sub.add(
        storage_account(
            sub.id,
            GROUP,
            WEAK,
            allow_blob_public_access=UNSET,
            minimum_tls_version="TLS1_0",
            https_only=False,
            allow_shared_key_access=UNSET,
            public_network_access=UNSET,
            default_action="Allow",
            tags={"env": "dev"},
        ),
        blob_service(weak, soft_delete_days=None, container_soft_delete_days=None, versioning=False),
        container(weak, "public-assets", "Container"),
        container(weak, "backups"),
    )
