"""ARM JSON of Azure Storage resources, as the REST API writes them (camelCase, ``properties: {...}``).

A storage account always has its blob service (``.../blobServices/default``), so :func:`storage_account`
returns both; containers live under ``.../blobServices/default/containers/{name}``.
"""

from __future__ import annotations

from typing import Any

from cloudaudit_azure.fake.state import JSON, arm_id

NAMESPACE = "Microsoft.Storage"
UNSET: Any = object()
"""A setting the account JSON leaves out (how ARM answers for a property nobody set)."""


def account_id(subscription: str, group: str, name: str) -> str:
    """``/subscriptions/S/resourceGroups/G/providers/Microsoft.Storage/storageAccounts/{name}``."""
    return arm_id(subscription, group, NAMESPACE, "storageAccounts", name)


def blob_service_id(account: str) -> str:
    """The blob service of an account id."""
    return f"{account}/blobServices/default"


def storage_account(
    subscription: str,
    group: str,
    name: str,
    *,
    location: str = "eastus",
    kind: str = "StorageV2",
    sku: str = "Standard_LRS",
    allow_blob_public_access: Any = False,
    minimum_tls_version: Any = "TLS1_2",
    https_only: Any = True,
    allow_shared_key_access: Any = False,
    public_network_access: Any = "Enabled",
    default_action: str = "Deny",
    bypass: str = "AzureServices",
    ip_rules: tuple[str, ...] = (),
    subnets: tuple[str, ...] = (),
    private_endpoints: tuple[str, ...] = (),
    hns: bool = False,
    tags: dict[str, str] | None = None,
) -> JSON:
    """A storage account's JSON (``UNSET`` leaves a setting out, as ARM does for unset properties)."""
    rid = account_id(subscription, group, name)
    settings = {
        "allowBlobPublicAccess": allow_blob_public_access,
        "minimumTlsVersion": minimum_tls_version,
        "supportsHttpsTrafficOnly": https_only,
        "allowSharedKeyAccess": allow_shared_key_access,
        "publicNetworkAccess": public_network_access,
    }
    endpoints = {
        "blob": f"https://{name}.blob.core.windows.net/",
        "queue": f"https://{name}.queue.core.windows.net/",
        "table": f"https://{name}.table.core.windows.net/",
        "file": f"https://{name}.file.core.windows.net/",
    }
    if kind == "StorageV2":
        endpoints["web"] = f"https://{name}.z13.web.core.windows.net/"
    if hns:
        endpoints["dfs"] = f"https://{name}.dfs.core.windows.net/"
    if kind == "FileStorage":
        endpoints = {"file": endpoints["file"]}
    properties: JSON = {
        "provisioningState": "Succeeded",
        "creationTime": "2024-03-01T09:00:00.0000000Z",
        "primaryLocation": location,
        "statusOfPrimary": "available",
        "primaryEndpoints": endpoints,
        "encryption": {
            "keySource": "Microsoft.Storage",
            "services": {"blob": {"enabled": True, "keyType": "Account"}},
        },
        "accessTier": "Hot",
        "isHnsEnabled": hns,
        "networkAcls": {
            "bypass": bypass,
            "defaultAction": default_action,
            "ipRules": [{"value": ip, "action": "Allow"} for ip in ip_rules],
            "virtualNetworkRules": [{"id": s, "action": "Allow", "state": "Succeeded"} for s in subnets],
            "resourceAccessRules": [],
        },
        "privateEndpointConnections": [_private_endpoint(rid, group, pe) for pe in private_endpoints],
        **{key: value for key, value in settings.items() if value is not UNSET},
    }
    return {
        "id": rid,
        "name": name,
        "type": f"{NAMESPACE}/storageAccounts",
        "location": location,
        "kind": kind,
        "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
        "tags": dict(tags or {}),
        "properties": properties,
    }


def _private_endpoint(account: str, group: str, name: str) -> JSON:
    subscription = account.split("/")[2]
    endpoint = arm_id(subscription, group, "Microsoft.Network", "privateEndpoints", name)
    return {
        "id": f"{account}/privateEndpointConnections/{name}.conn",
        "name": f"{name}.conn",
        "type": f"{NAMESPACE}/storageAccounts/privateEndpointConnections",
        "properties": {
            "privateEndpoint": {"id": endpoint},
            "privateLinkServiceConnectionState": {
                "status": "Approved",
                "description": "",
                "actionRequired": "",
            },
            "provisioningState": "Succeeded",
        },
    }


def blob_service(
    account: str,
    *,
    soft_delete_days: int | None = 7,
    container_soft_delete_days: int | None = 7,
    versioning: bool | None = True,
) -> JSON:
    """The blob service properties of an account (``None`` days: that soft delete is off)."""
    properties: JSON = {
        "cors": {"corsRules": []},
        "deleteRetentionPolicy": _retention(soft_delete_days),
        "containerDeleteRetentionPolicy": _retention(container_soft_delete_days),
    }
    if versioning is not None:
        properties["isVersioningEnabled"] = versioning
    return {
        "id": blob_service_id(account),
        "name": "default",
        "type": f"{NAMESPACE}/storageAccounts/blobServices",
        "sku": {"name": "Standard_LRS", "tier": "Standard"},
        "properties": properties,
    }


def _retention(days: int | None) -> JSON:
    if days is None:
        return {"allowPermanentDelete": False, "enabled": False}
    return {"allowPermanentDelete": False, "enabled": True, "days": days}


def container(account: str, name: str, public_access: str = "None") -> JSON:
    """A blob container as ``blobContainers.list`` lists it (``None``, ``Blob`` or ``Container``)."""
    return {
        "id": f"{blob_service_id(account)}/containers/{name}",
        "name": name,
        "type": f"{NAMESPACE}/storageAccounts/blobServices/containers",
        "etag": '"0x8DC0000000000000"',
        "properties": {
            "publicAccess": public_access,
            "leaseStatus": "Unlocked",
            "leaseState": "Available",
            "lastModifiedTime": "2024-03-01T09:00:00.0000000Z",
            "hasImmutabilityPolicy": False,
            "hasLegalHold": False,
            "deleted": False,
            "remainingRetentionDays": 0,
        },
    }
