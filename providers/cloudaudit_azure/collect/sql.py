"""Azure SQL logical servers: fetch (azure-mgmt-sql, GET only), then translate to assets (pure).

``servers.list`` is subscription-wide; ``--regions`` keeps the servers of the locations asked for. Per
server, in the detail pool: its firewall rules and its Microsoft Entra-only authentication setting. A
failed detail call leaves that field unread on that server (its checks say UNKNOWN), with a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.mgmt.sql import SqlManagementClient

from cloudaudit.collect.guard import Failed
from cloudaudit.model.asset import Asset
from cloudaudit_azure.assets import normal_location, parse_id, text
from cloudaudit_azure.assets_databases import SqlServer, public_endpoints
from cloudaudit_azure.collect.context import CollectContext, ServiceCollector
from cloudaudit_azure.collect.databases import GLOBAL, identity, props, read_rules, tls_version
from cloudaudit_azure.collect.sdk_json import JSON, rest_json

SERVICE = "sql"
NAMESPACE = "Microsoft.Sql"
ACTIONS = (
    "Microsoft.Sql/servers/read",
    "Microsoft.Sql/servers/firewallRules/read",
    "Microsoft.Sql/servers/azureADOnlyAuthentications/read",
)
LIST_SERVERS = "servers.list"
LIST_RULES = "firewallRules.listByServer"
LIST_ENTRA_ONLY = "serverAzureADOnlyAuthentications.listByServer"


@dataclass(frozen=True)
class Details:
    """What is read per server: its firewall rules and Entra-only authentication resources."""

    rules: list[JSON] | Failed
    entra_only: list[JSON] | Failed


# ---------------------------------------------------------------- fetch (SDK I/O)


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every SQL server of the wanted locations, with its firewall rules and Entra-only setting."""
    client = ctx.azure.client(SqlManagementClient, ctx.subscription)
    listed = ctx.guard.items(client.servers.list, service=SERVICE, region=GLOBAL, operation=LIST_SERVERS)
    if isinstance(listed, Failed):
        return []
    servers = [raw for raw in map(rest_json, listed) if ctx.wanted(str(raw.get("location") or ""))]
    details = list(ctx.detail_pool.map(lambda raw: fetch_details(ctx, client, raw), servers))
    return [to_server(ctx.subscription, raw, found) for raw, found in zip(servers, details, strict=True)]


def fetch_details(ctx: CollectContext, client: Any, raw: JSON) -> Details:
    """The firewall rules and Entra-only authentication of one server."""
    rid = str(raw.get("id", ""))
    parts = parse_id(rid)
    region = normal_location(str(raw.get("location") or ""))
    rules = ctx.guard.items(
        lambda: client.firewall_rules.list_by_server(parts.resource_group, parts.name),
        service=SERVICE,
        region=region,
        operation=LIST_RULES,
        resource_id=rid,
    )
    entra = ctx.guard.items(
        lambda: client.server_azure_ad_only_authentications.list_by_server(parts.resource_group, parts.name),
        service=SERVICE,
        region=region,
        operation=LIST_ENTRA_ONLY,
        resource_id=rid,
    )
    return Details(
        rules=rules if isinstance(rules, Failed) else [rest_json(r) for r in rules],
        entra_only=entra if isinstance(entra, Failed) else [rest_json(e) for e in entra],
    )


# ---------------------------------------------------------------- translate (pure)


def to_server(subscription: str, raw: JSON, details: Details) -> SqlServer:
    """A :class:`SqlServer` from its ``Server`` resource and what was read beside it."""
    properties = props(raw)
    unread: dict[str, str] = {}
    rules = read_rules(details.rules, LIST_RULES, unread)
    entra_only = False
    if isinstance(details.entra_only, Failed):
        unread["entra_only"] = details.entra_only.reason(LIST_ENTRA_ONLY)
    else:
        entra_only = any(props(e).get("azureADOnlyAuthentication") is True for e in details.entra_only)
    setting = text(properties.get("minimalTlsVersion"))
    min_tls = "1.0" if setting.lower() in ("none", "0") else (tls_version(setting) if setting else None)
    if min_tls is None:
        unread["min_tls"] = f"minimalTlsVersion {setting!r} not understood" if setting else "not returned"
    server = SqlServer(
        **identity(subscription, raw),
        fqdn=text(properties.get("fullyQualifiedDomainName")),
        version=text(properties.get("version")),
        state=text(properties.get("state")),
        public_network_access=text(properties.get("publicNetworkAccess")),
        firewall_rules=rules,
        min_tls=min_tls or "",
        tls_setting=setting,
        administrator_login=text(properties.get("administratorLogin")),
        entra_only=entra_only,
        unread=unread,
    )
    endpoints = public_endpoints(server)
    return server.model_copy(update={"endpoints": endpoints}) if endpoints else server


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=False, collect=collect, actions=ACTIONS, namespace=NAMESPACE
)
