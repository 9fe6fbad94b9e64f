"""Azure Cosmos DB accounts (azure-mgmt-cosmosdb): one subscription-wide listing, translated to assets
(pure). Keys and connection strings are never asked for (they are POSTs: ``listKeys``...)."""

from __future__ import annotations

from azure.mgmt.cosmosdb import CosmosDBManagementClient

from cloudaudit.collect.guard import Failed
from cloudaudit.model.asset import Asset
from cloudaudit_azure.assets import text
from cloudaudit_azure.assets_cosmosdb import CosmosAccount, account_endpoints
from cloudaudit_azure.collect.context import CollectContext, ServiceCollector
from cloudaudit_azure.collect.databases import GLOBAL, identity, props, tls_version
from cloudaudit_azure.collect.sdk_json import JSON, rest_json
from cloudaudit_azure.db_firewall import FirewallRule

SERVICE = "cosmosdb"
NAMESPACE = "Microsoft.DocumentDB"
ACTIONS = ("Microsoft.DocumentDB/databaseAccounts/read",)
LIST_ACCOUNTS = "databaseAccounts.list"


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every Cosmos DB account of the wanted locations."""
    client = ctx.azure.client(CosmosDBManagementClient, ctx.subscription)
    listed = ctx.guard.items(
        client.database_accounts.list, service=SERVICE, region=GLOBAL, operation=LIST_ACCOUNTS
    )
    if isinstance(listed, Failed):
        return []
    accounts = (rest_json(a) for a in listed)
    return [
        to_account(ctx.subscription, raw) for raw in accounts if ctx.wanted(str(raw.get("location") or ""))
    ]


def to_account(subscription: str, raw: JSON) -> CosmosAccount:
    """A :class:`CosmosAccount` from its ``DatabaseAccountGetResults``."""
    properties = props(raw)
    ip_rules = tuple(
        text(r.get("ipAddressOrRange")) for r in properties.get("ipRules") or () if r.get("ipAddressOrRange")
    )
    ranges = tuple(rule for rule in map(FirewallRule.from_cidr, ip_rules) if rule is not None)
    setting = text(properties.get("minimalTlsVersion"))
    min_tls = tls_version(setting) if setting else None
    unread = {}
    if min_tls is None:
        unread["min_tls"] = f"minimalTlsVersion {setting!r} not understood" if setting else "not returned"
    account = CosmosAccount(
        **identity(subscription, raw),
        api_kind=text(raw.get("kind")),
        document_endpoint=text(properties.get("documentEndpoint")),
        public_network_access=text(properties.get("publicNetworkAccess")),
        ip_rules=ip_rules,
        firewall_rules=ranges,
        virtual_network_filter=properties.get("isVirtualNetworkFilterEnabled") is True,
        virtual_network_rules=tuple(
            text(r.get("id")) for r in properties.get("virtualNetworkRules") or () if r.get("id")
        ),
        disable_local_auth=properties.get("disableLocalAuth") is True,
        min_tls=min_tls or "",
        tls_setting=setting,
        unread=unread,
    )
    endpoints = account_endpoints(account)
    return account.model_copy(update={"endpoints": endpoints}) if endpoints else account


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=False, collect=collect, actions=ACTIONS, namespace=NAMESPACE
)
