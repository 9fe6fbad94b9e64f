"""Azure Storage: fetch storage accounts and their blob settings (SDK), then map them to assets (pure).

One subscription-wide ``storageAccounts.list`` (paged), then per wanted account, in the detail pool,
``blobContainers.list`` (each container's ``publicAccess``) and ``blobServices.getServiceProperties``
(soft delete, versioning). Keys are never listed. A failed listing of accounts is a gap and no asset; a
failed detail read leaves the fields it feeds in the account's ``unread``, so their checks say UNKNOWN.
Premium file share accounts (``FileStorage``) have no blob service and get no blob calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from azure.mgmt.storage import StorageManagementClient

from cloudaudit.collect.guard import Failed, Raw
from cloudaudit.model.asset import Asset
from cloudaudit_azure.assets import PROVIDER, normal_location, parse_id, text
from cloudaudit_azure.assets_storage import (
    NO_BLOB_SERVICE,
    BlobContainer,
    PrivateEndpointConnection,
    StorageAccount,
    internet_endpoints,
)
from cloudaudit_azure.collect.context import CollectContext, ServiceCollector
from cloudaudit_azure.collect.sdk_json import rest_json

SERVICE = "storage"
GLOBAL = "global"
LIST_ACCOUNTS = "storageAccounts.list"
LIST_CONTAINERS = "blobContainers.list"
BLOB_PROPERTIES = "blobServices.getServiceProperties"
BLOB_FIELDS = ("blob_soft_delete_days", "container_soft_delete_days", "versioning")
"""The account fields read from the blob service properties."""
ACTIONS = (
    "Microsoft.Storage/storageAccounts/read",
    "Microsoft.Storage/storageAccounts/blobServices/read",
    "Microsoft.Storage/storageAccounts/blobServices/containers/read",
)

# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_accounts(ctx: CollectContext) -> list[Raw] | Failed:
    """Every storage account of the subscription as its ARM JSON."""
    client = ctx.azure.client(StorageManagementClient, ctx.subscription)
    listed = ctx.guard.items(
        client.storage_accounts.list, service=SERVICE, region=GLOBAL, operation=LIST_ACCOUNTS
    )
    if isinstance(listed, Failed):
        return listed
    return [rest_json(item) for item in listed]


def fetch_details(ctx: CollectContext, raw: Raw) -> dict[str, Any]:
    """The containers and blob service properties of one account (none for a file-only account)."""
    if str(raw.get("kind") or "") in NO_BLOB_SERVICE:
        return {}
    client = ctx.azure.client(StorageManagementClient, ctx.subscription)
    rid = str(raw["id"])
    parts = parse_id(rid)
    region = normal_location(str(raw.get("location") or "")) or GLOBAL
    where: dict[str, Any] = {"service": SERVICE, "region": region, "resource_id": rid}
    containers = ctx.guard.items(
        lambda: client.blob_containers.list(parts.resource_group, parts.name),
        operation=LIST_CONTAINERS,
        **where,
    )
    blob = ctx.guard.fetch(
        lambda: client.blob_services.get_service_properties(parts.resource_group, parts.name),
        operation=BLOB_PROPERTIES,
        **where,
    )
    return {
        "containers": containers if isinstance(containers, Failed) else [rest_json(c) for c in containers],
        "blob": blob if isinstance(blob, Failed) else rest_json(blob),
    }


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every storage account of the subscription in the wanted locations."""
    listed = fetch_accounts(ctx)
    if isinstance(listed, Failed):
        return []
    wanted = [raw for raw in listed if ctx.wanted(str(raw.get("location") or ""))]
    details = list(ctx.detail_pool.map(lambda raw: fetch_details(ctx, raw), wanted))
    return [to_account(ctx.subscription, raw, extra) for raw, extra in zip(wanted, details, strict=True)]


# ---------------------------------------------------------------- translate (pure)


def hostname(url: Any) -> str:
    """``https://acct.blob.core.windows.net/`` -> ``acct.blob.core.windows.net``."""
    return urlsplit(str(url)).hostname or "" if url else ""


def to_account(subscription: str, raw: Raw, details: Mapping[str, Any]) -> StorageAccount:
    """A :class:`StorageAccount` from its ARM JSON and detail reads (Failed reads become ``unread``)."""
    props: Raw = raw.get("properties") or {}
    acls: Raw = props.get("networkAcls") or {}
    endpoints: Raw = props.get("primaryEndpoints") or {}
    unread: dict[str, str] = {}
    containers = _containers(details.get("containers"), unread)
    blob = _blob_settings(details.get("blob"), unread)
    https_only = props.get("supportsHttpsTrafficOnly") is not False
    account = StorageAccount(
        provider=PROVIDER,
        account=subscription,
        region=normal_location(str(raw.get("location") or "")) or GLOBAL,
        id=str(raw["id"]),
        name=str(raw.get("name") or parse_id(str(raw["id"])).name),
        tags={str(k): str(v) for k, v in (raw.get("tags") or {}).items()},
        resource_group=parse_id(str(raw["id"])).resource_group,
        account_kind=text(raw.get("kind")),
        sku=text((raw.get("sku") or {}).get("name")),
        allow_blob_public_access=_flag(props.get("allowBlobPublicAccess")),
        minimum_tls_version=text(props.get("minimumTlsVersion")),
        https_only=https_only,
        allow_shared_key_access=_flag(props.get("allowSharedKeyAccess")),
        public_network_access=text(props.get("publicNetworkAccess")),
        network_default_action=text(acls.get("defaultAction")) or "Allow",
        network_bypass=text(acls.get("bypass")),
        ip_rules=tuple(str(r.get("value") or "") for r in acls.get("ipRules") or ()),
        virtual_network_rules=tuple(str(r.get("id") or "") for r in acls.get("virtualNetworkRules") or ()),
        private_endpoints=tuple(_private_endpoint(c) for c in props.get("privateEndpointConnections") or ()),
        blob_endpoint=hostname(endpoints.get("blob")),
        web_endpoint=hostname(endpoints.get("web")),
        dfs_endpoint=hostname(endpoints.get("dfs")),
        hierarchical_namespace=bool(props.get("isHnsEnabled")),
        containers=containers,
        unread=unread,
        **blob,
    )
    reachable = account.internet_reachable
    found = internet_endpoints(
        (account.blob_endpoint, account.web_endpoint), https_only, reachable, account.network_path()
    )
    return account.model_copy(update={"endpoints": found}) if found else account


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _containers(read: Any, unread: dict[str, str]) -> tuple[BlobContainer, ...]:
    if isinstance(read, Failed):
        unread["containers"] = read.reason(LIST_CONTAINERS)
        return ()
    return tuple(
        BlobContainer(
            name=str(c.get("name") or ""),
            public_access=text((c.get("properties") or {}).get("publicAccess")) or "None",
        )
        for c in read or ()
    )


def _blob_settings(read: Any, unread: dict[str, str]) -> dict[str, Any]:
    if isinstance(read, Failed):
        unread.update(dict.fromkeys(BLOB_FIELDS, read.reason(BLOB_PROPERTIES)))
        return {}
    props: Raw = (read or {}).get("properties") or {}
    return {
        "blob_soft_delete_days": _retention(props.get("deleteRetentionPolicy")),
        "container_soft_delete_days": _retention(props.get("containerDeleteRetentionPolicy")),
        "versioning": bool(props.get("isVersioningEnabled")),
    }


def _retention(policy: Any) -> int | None:
    """The days a soft delete policy keeps deleted data (0: not said); None when the policy is off."""
    if not isinstance(policy, Mapping) or not policy.get("enabled"):
        return None
    return int(policy.get("days") or 0)


def _private_endpoint(raw: Raw) -> PrivateEndpointConnection:
    state = (raw.get("properties") or {}).get("privateLinkServiceConnectionState") or {}
    return PrivateEndpointConnection(name=str(raw.get("name") or ""), status=text(state.get("status")))


COLLECTOR = ServiceCollector(
    service=SERVICE,
    regional=False,
    collect=collect,
    actions=ACTIONS,
    namespace="Microsoft.Storage",
)
