"""Azure Storage assets: storage accounts with their blob containers and blob service settings.

Absent settings keep Azure's documented meaning (Microsoft Learn, "Remediate anonymous read access to
blob data" and "Prevent Shared Key authorization"): ``allowBlobPublicAccess`` and
``allowSharedKeyAccess`` are not returned until someone sets them, and an unset (null) value
*permits* anonymous access / Shared Key authorization, like ``true``. Accounts created since late 2023
have ``allowBlobPublicAccess: false`` written explicitly; older ones often have no value. An unset
``minimumTlsVersion`` accepts TLS 1.0; an unset ``publicNetworkAccess`` leaves the network rules
(``networkAcls``) in charge, as ``Enabled`` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from cloudaudit.model.asset import Asset, Endpoint, asset_kind
from cloudaudit_azure.assets import Frozen

PublicAccess = Literal["None", "Blob", "Container"]

ANONYMOUS: frozenset[str] = frozenset({"Blob", "Container"})
"""Container access levels that admit anonymous reads: ``Blob`` (read blobs by URL) and ``Container``
(also list the container's blobs)."""
MODERN_TLS = frozenset({"TLS1_2", "TLS1_3"})
NO_BLOB_SERVICE = frozenset({"FileStorage"})
"""Account kinds without a blob service (premium file shares): no containers, no blob settings."""
NO_VERSIONING = frozenset({"Storage", *NO_BLOB_SERVICE})
"""Account kinds where blob versioning is not available (general-purpose v1, file shares)."""


class BlobContainer(Frozen):
    """One blob container of an account and its anonymous access level."""

    name: str
    public_access: str = "None"
    """``None`` (private), ``Blob`` or ``Container`` (``publicAccess``; absent means ``None``)."""

    @property
    def anonymous(self) -> bool:
        """The container admits anonymous reads (if the account allows blob public access)."""
        return self.public_access in ANONYMOUS


class PrivateEndpointConnection(Frozen):
    """A private endpoint connected to the account."""

    name: str
    status: str = ""
    """``Approved``, ``Pending``, ``Rejected`` or ``Disconnected``."""


@asset_kind("azure.storage.account", service="storage")
class StorageAccount(Asset):
    """A storage account (``region`` is its normalised location; ``id`` its ARM id).

    ``endpoints`` are its public blob and static website hostnames on 443 (and 80 when HTTP is
    allowed) when the Internet reaches it: public network access not disabled, and the firewall's
    default action Allow or IP rules (see :func:`internet_endpoints`).
    """

    resource_group: str = ""
    account_kind: str = ""
    """``StorageV2``, ``BlobStorage``, ``BlockBlobStorage``, ``FileStorage``, ``Storage``."""
    sku: str = ""
    allow_blob_public_access: bool | None = None
    """``allowBlobPublicAccess``; None (not set) permits anonymous access like True."""
    minimum_tls_version: str = ""
    """``TLS1_0`` ... ``TLS1_3``; empty (not set) accepts TLS 1.0."""
    https_only: bool = True
    """``supportsHttpsTrafficOnly`` (SDK ``enable_https_traffic_only``): secure transfer required;
    true by default since API version 2019-04-01."""
    allow_shared_key_access: bool | None = None
    """``allowSharedKeyAccess``; None (not set) permits Shared Key (account key and SAS) like True."""
    public_network_access: str = ""
    """``Enabled``, ``Disabled``, ``SecuredByPerimeter``; empty: not set (the firewall decides)."""
    network_default_action: str = "Allow"
    """``networkAcls.defaultAction``: ``Allow`` admits every network, ``Deny`` only the rules below."""
    network_bypass: str = ""
    """``networkAcls.bypass``: ``AzureServices``, ``Logging``, ``Metrics`` or ``None``."""
    ip_rules: tuple[str, ...] = ()
    """Addresses and CIDR ranges the firewall admits (``networkAcls.ipRules``)."""
    virtual_network_rules: tuple[str, ...] = ()
    """Subnet ids the firewall admits (``networkAcls.virtualNetworkRules``)."""
    private_endpoints: tuple[PrivateEndpointConnection, ...] = ()
    blob_endpoint: str = ""
    """Hostname of the blob endpoint (``acct.blob.core.windows.net``)."""
    web_endpoint: str = ""
    """Hostname of the static website endpoint, when the account has one."""
    dfs_endpoint: str = ""
    """Hostname of the Data Lake Storage endpoint, when the account has one."""
    hierarchical_namespace: bool = False
    containers: tuple[BlobContainer, ...] = ()
    blob_soft_delete_days: int | None = None
    """Retention of deleted blobs (``deleteRetentionPolicy``); None: blob soft delete is off."""
    container_soft_delete_days: int | None = None
    """Retention of deleted containers (``containerDeleteRetentionPolicy``); None: off."""
    versioning: bool = False
    """``isVersioningEnabled`` of the blob service."""

    @property
    def has_blob_service(self) -> bool:
        """The account kind has a blob service (every kind but premium file shares)."""
        return self.account_kind not in NO_BLOB_SERVICE

    @property
    def supports_versioning(self) -> bool:
        """Blob versioning is available (general-purpose v2, block blob and blob storage accounts)."""
        return self.account_kind not in NO_VERSIONING

    @property
    def blob_public_access_allowed(self) -> bool:
        """The account lets containers be anonymous (``allowBlobPublicAccess`` true or not set)."""
        return self.allow_blob_public_access is not False

    @property
    def shared_key_allowed(self) -> bool:
        """Shared Key authorization works (``allowSharedKeyAccess`` true or not set)."""
        return self.allow_shared_key_access is not False

    @property
    def public_network_enabled(self) -> bool:
        """Public network access is not disabled, so the firewall rules decide (see the module doc)."""
        return self.public_network_access.lower() != "disabled"

    @property
    def open_to_all_networks(self) -> bool:
        """Every network, the whole Internet included, reaches the account's public endpoints."""
        return self.public_network_enabled and self.network_default_action.lower() != "deny"

    @property
    def internet_reachable(self) -> bool:
        """Some Internet address reaches the public endpoints (every network, or IP rules)."""
        return self.open_to_all_networks or (self.public_network_enabled and bool(self.ip_rules))

    @property
    def anonymous_containers(self) -> tuple[BlobContainer, ...]:
        """Containers set to ``Blob`` or ``Container`` access."""
        return tuple(c for c in self.containers if c.anonymous)

    @property
    def modern_tls(self) -> bool:
        """TLS 1.2 or later is the minimum."""
        return self.minimum_tls_version.upper() in MODERN_TLS

    def network_path(self) -> str:
        """Why the Internet reaches the public endpoints, in words (empty when it does not)."""
        access = f"public network access {self.public_network_access or 'not set'}"
        if self.open_to_all_networks:
            return f"{access}, firewall default action {self.network_default_action or 'Allow'}"
        if self.internet_reachable:
            return f"{access}, firewall IP rules {', '.join(self.ip_rules)}"
        return ""


def internet_endpoints(
    hosts: Iterable[str], https_only: bool, reachable: bool, via: str
) -> tuple[Endpoint, ...]:
    """HTTPS (443) on each public hostname, and HTTP (80) when secure transfer is not required;
    none when the Internet does not reach the account."""
    if not reachable:
        return ()
    found: list[Endpoint] = []
    for host in dict.fromkeys(h for h in hosts if h):
        found.append(Endpoint(host=host, from_port=443, to_port=443, via=via, application="https"))
        if not https_only:
            found.append(Endpoint(host=host, from_port=80, to_port=80, via=via, application="http"))
    return tuple(found)
