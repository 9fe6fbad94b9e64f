"""ARM JSON of Azure SQL servers, PostgreSQL / MySQL flexible servers and Cosmos DB accounts, as the REST
API writes them (field names from the azure-mgmt-sql, -postgresqlflexibleservers,
-mysqlflexibleservers and -cosmosdb models), with their firewall rules, Entra-only setting and server
parameters as child resources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from cloudaudit_azure.fake.state import JSON, arm_id

Flexible = Literal["postgresql", "mysql"]

_FLEXIBLE = {
    "postgresql": ("Microsoft.DBforPostgreSQL", "postgres.database.azure.com", "16", "on", "TLSv1.2"),
    "mysql": ("Microsoft.DBforMySQL", "mysql.database.azure.com", "8.0.21", "ON", "TLSv1.2,TLSv1.3"),
}
"""Engine -> namespace, DNS suffix, default version, require_secure_transport and TLS parameter."""
TLS_PARAMETER = {"postgresql": "ssl_min_protocol_version", "mysql": "tls_version"}


def _child(parent: JSON, kind: str, name: str, properties: JSON) -> JSON:
    return {
        "id": f"{parent['id']}/{kind}/{name}",
        "name": name,
        "type": f"{parent['type']}/{kind}",
        "properties": properties,
    }


def firewall_rule(server: JSON, name: str, start: str, end: str) -> JSON:
    """A server-level firewall rule admitting ``start``-``end`` (any engine)."""
    return _child(server, "firewallRules", name, {"startIpAddress": start, "endIpAddress": end})


def firewall_rules(server: JSON, rules: Iterable[tuple[str, str, str]]) -> list[JSON]:
    """``(name, start, end)`` rules of a server."""
    return [firewall_rule(server, name, start, end) for name, start, end in rules]


def sql_server(
    subscription: str,
    group: str,
    name: str,
    *,
    location: str = "eastus",
    public_network_access: str | None = "Enabled",
    minimal_tls: str | None = "1.2",
    tags: dict[str, str] | None = None,
) -> JSON:
    """A ``Microsoft.Sql/servers`` logical server (None leaves a property out)."""
    properties: JSON = {
        "administratorLogin": "sqladmin",
        "version": "12.0",
        "state": "Ready",
        "fullyQualifiedDomainName": f"{name}.database.windows.net",
        "restrictOutboundNetworkAccess": "Disabled",
    }
    if public_network_access is not None:
        properties["publicNetworkAccess"] = public_network_access
    if minimal_tls is not None:
        properties["minimalTlsVersion"] = minimal_tls
    return {
        "id": arm_id(subscription, group, "Microsoft.Sql", "servers", name),
        "name": name,
        "type": "Microsoft.Sql/servers",
        "location": location,
        "kind": "v12.0",
        "tags": tags or {},
        "properties": properties,
    }


def sql_entra_only(server: JSON, enabled: bool) -> JSON:
    """The server's ``azureADOnlyAuthentications/Default`` resource."""
    return _child(server, "azureADOnlyAuthentications", "Default", {"azureADOnlyAuthentication": enabled})


def flexible_server(
    engine: Flexible,
    subscription: str,
    group: str,
    name: str,
    *,
    location: str = "eastus",
    public_network_access: str = "Enabled",
    delegated_subnet: str = "",
    state: str = "Ready",
    auth: tuple[str, str] | None = ("Disabled", "Enabled"),
    tags: dict[str, str] | None = None,
) -> JSON:
    """A PostgreSQL or MySQL flexible server; ``auth`` is PostgreSQL's (Entra ID, password) authConfig."""
    namespace, suffix, version, _, _ = _FLEXIBLE[engine]
    network: JSON = {"publicNetworkAccess": public_network_access}
    if delegated_subnet:
        network["delegatedSubnetResourceId"] = delegated_subnet
    properties: JSON = {
        "administratorLogin": "dbadmin",
        "version": version,
        "state": state,
        "fullyQualifiedDomainName": f"{name}.{suffix}",
        "storage": {"storageSizeGB": 128},
        "network": network,
    }
    if engine == "postgresql" and auth is not None:
        properties["authConfig"] = {
            "activeDirectoryAuth": auth[0],
            "passwordAuth": auth[1],
            "tenantId": "00000000-0000-0000-0000-00000000c0de",
        }
    return {
        "id": arm_id(subscription, group, namespace, "flexibleServers", name),
        "name": name,
        "type": f"{namespace}/flexibleServers",
        "location": location,
        "sku": {"name": "Standard_D2ds_v4", "tier": "GeneralPurpose"},
        "tags": tags or {},
        "properties": properties,
    }


def parameter(server: JSON, name: str, value: str, default: str = "") -> JSON:
    """A server parameter (``configurations/NAME``) of a flexible server."""
    source = "user-override" if default and value != default else "system-default"
    return _child(
        server, "configurations", name, {"value": value, "defaultValue": default or value, "source": source}
    )


def tls_parameters(
    engine: Flexible, server: JSON, *, secure_transport: str | None = None, tls: str | None = None
) -> list[JSON]:
    """``require_secure_transport`` and the engine's TLS version parameter (default: the engine's
    defaults, on and TLS 1.2)."""
    _, _, _, secure_default, tls_default = _FLEXIBLE[engine]
    return [
        parameter(server, "require_secure_transport", secure_transport or secure_default, secure_default),
        parameter(server, TLS_PARAMETER[engine], tls or tls_default, tls_default),
    ]


def cosmos_account(
    subscription: str,
    group: str,
    name: str,
    *,
    location: str = "West US",
    public_network_access: str = "Enabled",
    ip_rules: Iterable[str] = (),
    virtual_network_filter: bool = False,
    virtual_network_rules: Iterable[str] = (),
    disable_local_auth: bool = False,
    minimal_tls: str | None = "Tls12",
    tags: dict[str, str] | None = None,
) -> JSON:
    """A ``Microsoft.DocumentDB/databaseAccounts`` account (NoSQL API)."""
    properties: JSON = {
        "provisioningState": "Succeeded",
        "documentEndpoint": f"https://{name}.documents.azure.com:443/",
        "databaseAccountOfferType": "Standard",
        "ipRules": [{"ipAddressOrRange": r} for r in ip_rules],
        "isVirtualNetworkFilterEnabled": virtual_network_filter,
        "virtualNetworkRules": [
            {"id": s, "ignoreMissingVNetServiceEndpoint": False} for s in virtual_network_rules
        ],
        "publicNetworkAccess": public_network_access,
        "disableLocalAuth": disable_local_auth,
        "networkAclBypass": "None",
        "consistencyPolicy": {"defaultConsistencyLevel": "Session"},
        "locations": [{"locationName": location, "failoverPriority": 0}],
    }
    if minimal_tls is not None:
        properties["minimalTlsVersion"] = minimal_tls
    return {
        "id": arm_id(subscription, group, "Microsoft.DocumentDB", "databaseAccounts", name),
        "name": name,
        "type": "Microsoft.DocumentDB/databaseAccounts",
        "location": location,
        "kind": "GlobalDocumentDB",
        "tags": tags or {},
        "properties": properties,
    }
