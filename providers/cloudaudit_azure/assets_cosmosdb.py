"""Azure Cosmos DB accounts: who reaches the account endpoint, and how clients authenticate.

An account with public network access enabled, no IP rule and no virtual network filter accepts
requests from every network ("All networks" in the portal): only its keys or Entra ID tokens protect
the data. IP rules (``ipAddressOrRange``: one address or a CIDR) and virtual network rules narrow
it; the IP rule ``0.0.0.0`` admits every Azure datacenter, so any Azure customer's resources (see
:mod:`cloudaudit_azure.db_firewall`). ``disableLocalAuth`` turns off the account keys and resource
tokens, leaving Entra ID (RBAC) as the only way in.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlsplit

from cloudaudit.model.asset import Asset, Endpoint, asset_kind
from cloudaudit_azure.db_firewall import FirewallRule, covers_internet

HTTPS = 443


@asset_kind("azure.cosmosdb.account", service="cosmosdb")
class CosmosAccount(Asset):
    """A Cosmos DB database account (any API: NoSQL, MongoDB, Cassandra, Gremlin, Table)."""

    label: ClassVar[str] = "Cosmos DB"
    noun: ClassVar[str] = "Cosmos DB account"

    api_kind: str = ""
    """``GlobalDocumentDB``, ``MongoDB``, ``Parse``."""
    document_endpoint: str = ""
    public_network_access: str = ""
    """``Enabled``, ``Disabled``, ``SecuredByPerimeter``; empty when not returned (enabled)."""
    ip_rules: tuple[str, ...] = ()
    """The ``ipAddressOrRange`` values as written."""
    firewall_rules: tuple[FirewallRule, ...] = ()
    """The IPv4 IP rules as ranges (for the firewall checks shared with the database servers)."""
    virtual_network_filter: bool = False
    """``isVirtualNetworkFilterEnabled``."""
    virtual_network_rules: tuple[str, ...] = ()
    """Subnet ids allowed through service endpoints."""
    disable_local_auth: bool = False
    min_tls: str = ""
    """Normalised minimum TLS version (``1.0``..``1.2``)."""
    tls_setting: str = ""
    """``minimalTlsVersion`` as written (``Tls``, ``Tls11``, ``Tls12``)."""

    @property
    def public(self) -> bool:
        """Public network access is on; an unset switch is on."""
        return self.public_network_access.lower() in ("enabled", "")

    @property
    def all_networks(self) -> bool:
        """Public, with no IP rule and no virtual network filter: every network reaches the account."""
        return self.public and not self.ip_rules and not self.virtual_network_filter

    @property
    def open_to_internet(self) -> bool:
        """Every network reaches it, or its IP rules cover every public address."""
        return self.all_networks or (self.public and covers_internet(self.firewall_rules))

    @property
    def host(self) -> str:
        """The host of the document endpoint (``acct.documents.azure.com``)."""
        return urlsplit(self.document_endpoint).hostname or ""

    @property
    def address(self) -> str:
        """``host:443`` of the document endpoint."""
        return f"{self.host}:{HTTPS}" if self.host else "its endpoint"

    @property
    def subject(self) -> str:
        """``Cosmos DB account orders``: how messages name it."""
        return f"{self.noun} {self.name}"

    def azure_rules(self) -> tuple[FirewallRule, ...]:
        """The ``0.0.0.0`` IP rule (every Azure datacenter)."""
        return tuple(r for r in self.firewall_rules if r.azure_services)


def account_endpoints(account: CosmosAccount) -> tuple[Endpoint, ...]:
    """HTTPS at the document endpoint when the public network, or IP rules, reach it."""
    if not (account.public and account.host) or not (account.all_networks or account.ip_rules):
        return ()
    via = "all networks" if account.all_networks else "IP rules " + ", ".join(account.ip_rules)
    return (Endpoint(host=account.host, from_port=HTTPS, to_port=HTTPS, via=via, application="https"),)
