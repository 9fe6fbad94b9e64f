"""Azure Database for PostgreSQL and MySQL flexible servers: one collection for both engines.

The servers are listed subscription-wide; ``--regions`` keeps the wanted locations. Per server, in the
detail pool: its firewall rules, and a GET of each server parameter that enforces TLS
(``require_secure_transport`` and the engine's minimum-version parameter). Parameters cannot be read
while a server is stopped or changing state (Azure answers 400 ``ServerStoppedError`` / 409
``ServerUnavailableForOperation``): they are not asked then and stay unread, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cloudaudit.collect.guard import ABSENT, Failed
from cloudaudit.model.asset import Asset
from cloudaudit_azure.assets import normal_location, parse_id, text
from cloudaudit_azure.assets_databases import FlexibleServer, public_endpoints
from cloudaudit_azure.collect.context import CollectContext, ServiceCollector
from cloudaudit_azure.collect.databases import GLOBAL, identity, lowest_tls, props, read_rules
from cloudaudit_azure.collect.sdk_json import JSON, rest_json

LIST_SERVERS = "flexibleServers.list"
LIST_RULES = "firewallRules.listByServer"
GET_PARAMETER = "configurations.get"
SECURE_TRANSPORT = "require_secure_transport"
UNREADABLE_STATES = frozenset({"stopped", "stopping", "starting", "updating", "disabled", "dropping"})
"""Server states in which Azure refuses to read server parameters."""

Parameter = str | Failed | None
"""A parameter's value; Failed when the read failed; None when it was not read or does not exist."""


@dataclass(frozen=True)
class Engine:
    """What differs between the PostgreSQL and MySQL collections."""

    service: str
    namespace: str
    client: type
    asset: type[FlexibleServer]
    list_servers: Callable[[Any], Iterable[Any]]
    """The subscription-wide listing of a client."""
    tls_parameter: str
    """The server parameter holding the minimum TLS version (PostgreSQL) or the accepted versions (MySQL)."""
    fields_of: Callable[[JSON], dict[str, Any]] = lambda properties: {}
    """Engine-specific asset fields from the server resource."""

    @property
    def actions(self) -> tuple[str, ...]:
        """The RBAC actions of the calls made."""
        base = f"{self.namespace}/flexibleServers"
        return (f"{base}/read", f"{base}/firewallRules/read", f"{base}/configurations/read")

    def collector(self) -> ServiceCollector:
        """The service collector of this engine."""
        return ServiceCollector(
            service=self.service,
            regional=False,
            collect=lambda ctx, region: collect(self, ctx),
            actions=self.actions,
            namespace=self.namespace,
        )


@dataclass(frozen=True)
class Details:
    """What is read per server: its firewall rules and two server parameters."""

    rules: list[JSON] | Failed
    secure_transport: Parameter
    tls: Parameter
    not_read: str = ""
    """Why the parameters were not asked for (empty: they were)."""


# ---------------------------------------------------------------- fetch (SDK I/O)


def collect(engine: Engine, ctx: CollectContext) -> list[Asset]:
    """Every flexible server of the engine in the wanted locations, with its rules and parameters."""
    client: Any = ctx.azure.client(engine.client, ctx.subscription)
    listed = ctx.guard.items(
        lambda: engine.list_servers(client), service=engine.service, region=GLOBAL, operation=LIST_SERVERS
    )
    if isinstance(listed, Failed):
        return []
    servers = [raw for raw in map(rest_json, listed) if ctx.wanted(str(raw.get("location") or ""))]
    details = list(ctx.detail_pool.map(lambda raw: fetch_details(engine, ctx, client, raw), servers))
    return [to_server(engine, ctx.subscription, raw, d) for raw, d in zip(servers, details, strict=True)]


def fetch_details(engine: Engine, ctx: CollectContext, client: Any, raw: JSON) -> Details:
    """The firewall rules and TLS parameters of one server."""
    rid = str(raw.get("id", ""))
    group, name = parse_id(rid).resource_group, parse_id(rid).name
    region = normal_location(str(raw.get("location") or ""))
    listed = ctx.guard.items(
        lambda: client.firewall_rules.list_by_server(group, name),
        service=engine.service,
        region=region,
        operation=LIST_RULES,
        resource_id=rid,
    )
    rules = listed if isinstance(listed, Failed) else [rest_json(r) for r in listed]
    why = parameters_not_read(raw)
    if why:
        return Details(rules, None, None, why)

    def parameter(key: str) -> Parameter:
        found = ctx.guard.fetch(
            lambda: client.configurations.get(group, name, key),
            service=engine.service,
            region=region,
            operation=GET_PARAMETER,
            resource_id=rid,
            absent_status=(404,),
        )
        if isinstance(found, Failed) or found is ABSENT:
            return found if isinstance(found, Failed) else None
        return text(props(rest_json(found)).get("value"))

    return Details(rules, parameter(SECURE_TRANSPORT), parameter(engine.tls_parameter))


# ---------------------------------------------------------------- translate (pure)


def parameters_not_read(raw: JSON) -> str:
    """Why the server parameters of a server are not asked for (empty: they are)."""
    state = text(props(raw).get("state"))
    if state.lower() in UNREADABLE_STATES:
        return f"the server is {state}: Azure does not read server parameters then"
    return ""


def to_server(engine: Engine, subscription: str, raw: JSON, details: Details) -> FlexibleServer:
    """The engine's asset from its ``Server`` resource and what was read beside it."""
    properties = props(raw)
    network = properties.get("network") or {}
    unread: dict[str, str] = {}
    rules = read_rules(details.rules, LIST_RULES, unread)
    secure = _parameter(
        details, details.secure_transport, SECURE_TRANSPORT, unread, "require_secure_transport"
    )
    setting = _parameter(details, details.tls, engine.tls_parameter, unread, "min_tls")
    min_tls = lowest_tls(setting) if setting else None
    if setting and min_tls is None:
        unread["min_tls"] = f"{engine.tls_parameter} {setting!r} not understood"
    server = engine.asset(
        **identity(subscription, raw),
        fqdn=text(properties.get("fullyQualifiedDomainName")),
        version=text(properties.get("version")),
        state=text(properties.get("state")),
        public_network_access=text(network.get("publicNetworkAccess")),
        delegated_subnet=text(network.get("delegatedSubnetResourceId")),
        firewall_rules=rules,
        min_tls=min_tls or "",
        tls_setting=setting,
        require_secure_transport=secure.lower() in ("on", "true", "1") if secure else True,
        unread=unread,
        **engine.fields_of(properties),
    )
    endpoints = public_endpoints(server)
    return server.model_copy(update={"endpoints": endpoints}) if endpoints else server


def _parameter(details: Details, value: Parameter, key: str, unread: dict[str, str], field: str) -> str:
    """A parameter's value; empty with ``unread[field]`` set when it could not be read."""
    if isinstance(value, Failed):
        unread[field] = value.reason(f"{GET_PARAMETER} {key}")
    elif details.not_read:
        unread[field] = details.not_read
    elif value is None:
        unread[field] = f"server parameter {key} not found"
    elif not value:
        unread[field] = f"server parameter {key} has no value"
    return value if isinstance(value, str) else ""
