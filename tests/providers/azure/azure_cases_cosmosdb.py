"""Pass/fail tables of the Cosmos DB checks: all networks, the 0.0.0.0 IP rule, keys, minimum TLS."""

from __future__ import annotations

from typing import Any

from azure_cases import COMMON, GROUP, REGION, SUBSCRIPTION, CheckCase, case
from cloudaudit.model.enums import Severity
from cloudaudit_azure.assets_cosmosdb import CosmosAccount
from cloudaudit_azure.db_firewall import FirewallRule
from cloudaudit_azure.fake.state import arm_id

H, M = Severity.HIGH, Severity.MEDIUM
SUBNET = arm_id(SUBSCRIPTION, "rg-net", "Microsoft.Network", "virtualNetworks", "vnet", "subnets", "app")


def account(name: str, *ip_rules: str, **fields: Any) -> CosmosAccount:
    """An account with ``ip_rules`` (their IPv4 ranges too), public network access on by default."""
    return CosmosAccount(
        **COMMON,
        region=REGION,
        id=arm_id(SUBSCRIPTION, GROUP, "Microsoft.DocumentDB", "databaseAccounts", name),
        name=name,
        document_endpoint=f"https://{name}.documents.azure.com:443/",
        public_network_access=fields.pop("public_network_access", "Enabled"),
        ip_rules=ip_rules,
        firewall_rules=tuple(r for r in map(FirewallRule.from_cidr, ip_rules) if r is not None),
        min_tls=fields.pop("min_tls", "1.2"),
        **fields,
    )


ALL = account("all-networks")
UNSET = account("switch-unset", public_network_access="")
EVERY_ADDRESS = account("every-address", "0.0.0.0/0")
RULES = account("ip-rules", "203.0.113.0/24", "198.51.100.7")
SUBNETS = account("subnets", virtual_network_filter=True, virtual_network_rules=(SUBNET,))
FILTER_ONLY = account("filter-no-rules", virtual_network_filter=True)
DISABLED = account("disabled", public_network_access="Disabled")
AZURE = account("azure-datacenters", "0.0.0.0", "203.0.113.0/24")
AZURE_DISABLED = account("azure-disabled", "0.0.0.0", public_network_access="Disabled")
NETWORK_UNREAD = account("unread", unread={"ip_rules": "not returned"})

CASES: dict[str, CheckCase] = {
    "azure.cosmosdb.open_to_all_networks": case(
        ALL,
        UNSET,
        EVERY_ADDRESS,
        RULES,
        SUBNETS,
        FILTER_ONLY,
        DISABLED,
        NETWORK_UNREAD,
        failing={ALL.id: H, UNSET.id: H, EVERY_ADDRESS.id: H},
        passing=[RULES.id, SUBNETS.id, FILTER_ONLY.id, DISABLED.id],
        unknown=[NETWORK_UNREAD.id],
        messages={
            ALL.id: "accepts requests from all networks on all-networks.documents.azure.com:443",
            EVERY_ADDRESS.id: "cover every public address",
            RULES.id: "selected networks only (IP rules 203.0.113.0/24, 198.51.100.7; 0 virtual network",
            DISABLED.id: "public network access disabled",
        },
    ),
    "azure.cosmosdb.allows_azure_services": case(
        AZURE,
        AZURE_DISABLED,
        RULES,
        ALL,
        failing={AZURE.id: M},
        passing=[AZURE_DISABLED.id, RULES.id, ALL.id],
        messages={
            AZURE.id: "azure-datacenters.documents.azure.com:443",
            AZURE_DISABLED.id: "is neutralised",
        },
    ),
    "azure.cosmosdb.local_auth_enabled": case(
        account("keys"),
        account("entra-only", disable_local_auth=True),
        failing={account("keys").id: M},
        passing=[account("entra-only").id],
        messages={account("keys").id: "disableLocalAuth is false"},
    ),
    "azure.cosmosdb.min_tls_below_1_2": case(
        account("tls-1-0", min_tls="1.0", tls_setting="Tls"),
        account("tls-1-1", min_tls="1.1", tls_setting="Tls11"),
        account("tls-1-2", min_tls="1.2", tls_setting="Tls12"),
        account("tls-unread", min_tls="", unread={"min_tls": "not returned"}),
        failing={account("tls-1-0").id: M, account("tls-1-1").id: M},
        passing=[account("tls-1-2").id],
        unknown=[account("tls-unread").id],
        messages={account("tls-1-0").id: "accepts TLS 1.0 connections (minimalTlsVersion Tls)"},
    ),
}
