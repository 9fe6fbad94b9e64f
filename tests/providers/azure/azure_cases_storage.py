"""Pass/fail tables of the Azure Storage checks."""

from __future__ import annotations

from typing import Any

from azure_cases import COMMON, GROUP, SUBSCRIPTION, CheckCase, case
from cloudaudit.model.enums import Severity
from cloudaudit_azure.assets_storage import BlobContainer, StorageAccount
from cloudaudit_azure.fake.model_storage import account_id

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
LISTABLE = BlobContainer(name="site", public_access="Container")
READABLE = BlobContainer(name="images", public_access="Blob")
PRIVATE = BlobContainer(name="backups")
DENIED = "AuthorizationFailed on blobContainers.list"


def account(name: str, **fields: Any) -> StorageAccount:
    """A hardened StorageV2 account (firewall Deny, no IP rule) unless ``fields`` say otherwise."""
    settings: dict[str, Any] = {
        "account_kind": "StorageV2",
        "allow_blob_public_access": False,
        "minimum_tls_version": "TLS1_2",
        "https_only": True,
        "allow_shared_key_access": False,
        "public_network_access": "Enabled",
        "network_default_action": "Deny",
        "blob_endpoint": f"{name}.blob.core.windows.net",
        "blob_soft_delete_days": 7,
        "container_soft_delete_days": 7,
        "versioning": True,
        **fields,
    }
    return StorageAccount(
        **COMMON, region="eastus", id=aid(name), name=name, resource_group=GROUP, **settings
    )


def aid(name: str) -> str:
    return account_id(SUBSCRIPTION, GROUP, name)


OPEN: dict[str, Any] = {"network_default_action": "Allow"}

_ANONYMOUS = case(
    account("anonlist", allow_blob_public_access=None, containers=(LISTABLE, PRIVATE), **OPEN),
    account("anonblob", allow_blob_public_access=True, containers=(READABLE,), **OPEN),
    account("anoniprule", allow_blob_public_access=True, containers=(LISTABLE,), ip_rules=("203.0.113.7",)),
    account(
        "anonprivnet", allow_blob_public_access=None, containers=(LISTABLE,), public_network_access="Disabled"
    ),
    account(
        "anonipblob", allow_blob_public_access=None, containers=(READABLE,), ip_rules=("198.51.100.0/24",)
    ),
    account("anondeny", allow_blob_public_access=True, containers=(READABLE,)),
    account("anonneutral", containers=(LISTABLE, READABLE), **OPEN),
    account("anonprivate", allow_blob_public_access=None, containers=(PRIVATE,), **OPEN),
    account("anonempty", allow_blob_public_access=None, **OPEN),
    account("anonunread", allow_blob_public_access=None, unread={"containers": DENIED}, **OPEN),
    failing={
        aid("anonlist"): C,
        aid("anonblob"): H,
        aid("anoniprule"): H,
        aid("anonipblob"): M,
        aid("anonprivnet"): M,
        aid("anondeny"): M,
    },
    passing=[aid("anonneutral"), aid("anonprivate"), aid("anonempty")],
    unknown=[aid("anonunread")],
    messages={
        aid("anonlist"): "Anyone can list and read the blobs of storage account anonlist from the Internet",
        aid("anonblob"): "Anyone can read the blobs",
        aid("anoniprule"): "from the addresses its firewall admits (203.0.113.7): site (Container)",
        aid("anonprivnet"): "from the networks its firewall admits",
        aid("anonneutral"): "neutralised",
    },
)

_BLOB_PUBLIC = case(
    account("bpatrue", allow_blob_public_access=True),
    account("bpaunset", allow_blob_public_access=None),
    account("bpafalse"),
    account("bpafiles", account_kind="FileStorage", allow_blob_public_access=None),
    failing={aid("bpatrue"): M, aid("bpaunset"): M},
    passing=[aid("bpafalse")],
    silent=[aid("bpafiles")],
    messages={aid("bpaunset"): "allowBlobPublicAccess: not set"},
)

_TLS = case(
    account("tls10", minimum_tls_version="TLS1_0"),
    account("tls11", minimum_tls_version="TLS1_1"),
    account("tlsunset", minimum_tls_version=""),
    account("tls12"),
    account("tls13", minimum_tls_version="TLS1_3"),
    failing={aid("tls10"): M, aid("tls11"): M, aid("tlsunset"): M},
    passing=[aid("tls12"), aid("tls13")],
    messages={aid("tlsunset"): "minimum TLS version: not set", aid("tls11"): "TLS1_1"},
)

_HTTP = case(
    account("httpopen", https_only=False, **OPEN),
    account("httpiprule", https_only=False, ip_rules=("198.51.100.0/24",)),
    account("httpprivate", https_only=False, public_network_access="Disabled", **OPEN),
    account("httpsonly", **OPEN),
    failing={aid("httpopen"): H, aid("httpiprule"): H, aid("httpprivate"): M},
    passing=[aid("httpsonly")],
    messages={aid("httpopen"): "secure transfer required is off"},
)

_SHARED_KEY = case(
    account("skunset", allow_shared_key_access=None),
    account("sktrue", allow_shared_key_access=True),
    account("skfalse"),
    failing={aid("skunset"): M, aid("sktrue"): M},
    passing=[aid("skfalse")],
    messages={aid("skunset"): "allowSharedKeyAccess: not set"},
)

_NETWORK = case(
    account("netallow", **OPEN),
    account("netunset", public_network_access="", **OPEN),
    account("netperimeter", public_network_access="SecuredByPerimeter", **OPEN),
    account("netdeny", ip_rules=("203.0.113.0/24",)),
    account("netdisabled", public_network_access="Disabled", **OPEN),
    failing={aid("netallow"): M, aid("netunset"): M, aid("netperimeter"): M},
    passing=[aid("netdeny"), aid("netdisabled")],
    messages={
        aid("netunset"): "public network access not set, firewall default action Allow",
        aid("netdeny"): "admits only 1 IP rule(s) and 0 virtual network rule(s)",
        aid("netdisabled"): "public network access disabled",
    },
)

_SOFT_DELETE = case(
    account("sdon"),
    account("sdbloboff", blob_soft_delete_days=None),
    account("sdbothoff", blob_soft_delete_days=None, container_soft_delete_days=None),
    account("sdunread", unread={"blob_soft_delete_days": "denied", "container_soft_delete_days": "denied"}),
    account(
        "sdfiles", account_kind="FileStorage", blob_soft_delete_days=None, container_soft_delete_days=None
    ),
    failing={aid("sdbloboff"): L, aid("sdbothoff"): L},
    passing=[aid("sdon")],
    unknown=[aid("sdunread")],
    silent=[aid("sdfiles")],
    messages={
        aid("sdbloboff"): "has blob soft delete off",
        aid("sdbothoff"): "blob and container soft delete",
    },
)

_VERSIONING = case(
    account("veron"),
    account("veroff", versioning=False),
    account("vergpv1", account_kind="Storage", versioning=False),
    account(
        "verunread", versioning=False, unread={"versioning": "HTTP 500 on blobServices.getServiceProperties"}
    ),
    failing={aid("veroff"): L},
    passing=[aid("veron")],
    unknown=[aid("verunread")],
    silent=[aid("vergpv1")],
)

CASES: dict[str, CheckCase] = {
    "azure.storage.anonymous_container": _ANONYMOUS,
    "azure.storage.blob_public_access_allowed": _BLOB_PUBLIC,
    "azure.storage.minimum_tls_below_1_2": _TLS,
    "azure.storage.http_allowed": _HTTP,
    "azure.storage.shared_key_access_allowed": _SHARED_KEY,
    "azure.storage.network_open_to_all": _NETWORK,
    "azure.storage.blob_soft_delete_disabled": _SOFT_DELETE,
    "azure.storage.blob_versioning_disabled": _VERSIONING,
}
