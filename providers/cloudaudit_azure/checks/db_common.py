"""What the Azure database checks share: registering one check per engine, and the network facts of a
finding about a public database endpoint.

Each engine's check has its own id, so the framework files (``cloudaudit/data/frameworks``) map it to
that engine's controls (CIS Azure 3.0.0 section 5: 5.1 SQL, 5.2 PostgreSQL, 5.3 MySQL, 5.4 Cosmos DB).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cloudaudit.engine.registry import CheckResult, check
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import Hop, NetworkExposure, Reachability, ports_of
from cloudaudit_azure.assets_cosmosdb import HTTPS, CosmosAccount
from cloudaudit_azure.assets_databases import DatabaseServer, FlexibleServer
from cloudaudit_azure.db_firewall import FirewallRule

CheckFn = Callable[[Any, Inventory], CheckResult]

REACHABILITY: dict[str, Reachability] = {
    "internet": "reachable",
    "broad": "restricted",
    "azure": "restricted",
    "restricted": "restricted",
    "closed": "blocked",
    "private": "private",
}


def per_engine(
    kinds: Iterable[type[Asset]],
    *,
    id: str,
    title: str,
    severity: Severity,
    rationale: str,
    remediation: str,
    requires: Iterable[str] = (),
    exploited_by: Iterable[str] = (),
) -> Callable[[CheckFn], CheckFn]:
    """Register a check function once per asset type, each under its own id.

    ``{service}`` in ``id`` becomes the type's service (``sql``) and ``{noun}`` in ``title`` how it is
    named (``SQL server``): ``azure.{service}.open_to_internet`` gives ``azure.sql.open_to_internet``
    and its twins.
    """

    def register(func: CheckFn) -> CheckFn:
        for kind in kinds:
            check(
                id=id.format(service=kind.service),
                title=title.format(noun=getattr(kind, "noun", kind.service)),
                severity=severity,
                asset=kind,
                rationale=rationale,
                remediation=remediation,
                requires=requires,
                exploited_by=exploited_by,
            )(func)
        return func

    return register


def _rule_hops(rules: Iterable[FirewallRule]) -> list[Hop]:
    return [Hop(hop="firewall_rule", id=r.name, detail=f"firewall rule {r.label}") for r in rules]


def server_network(db: DatabaseServer, opening: Iterable[FirewallRule] = ()) -> NetworkExposure | None:
    """The FQDN and engine port with the path that decides who reaches them (``opening``: the rules
    the finding is about; default: every rule); None without an FQDN."""
    if not db.fqdn:
        return None
    level = db.exposure()
    hops = [Hop(hop="resource", id=db.id, detail=f"{db.subject} endpoint {db.address}")]
    if isinstance(db, FlexibleServer) and db.delegated_subnet:
        hops.append(Hop(hop="subnet", id=db.delegated_subnet, detail="injected in a virtual network"))
    else:
        access = db.public_network_access or "not set (Enabled)"
        hops.append(Hop(hop="public_network_access", detail=f"public network access {access}"))
    if level == "closed":
        hops.append(Hop(hop="firewall", detail="no firewall rule: every public connection is refused"))
    hops.extend(_rule_hops(tuple(opening) or db.firewall_rules))
    return NetworkExposure(
        addresses=(db.fqdn,), ports=ports_of([db.port]), reachability=REACHABILITY[level], path=tuple(hops)
    )


def account_network(account: CosmosAccount) -> NetworkExposure | None:
    """The document endpoint's host on 443 with what decides who reaches it; None without a host."""
    if not account.host:
        return None
    access = account.public_network_access or "not set (Enabled)"
    hops = [
        Hop(hop="resource", id=account.id, detail=f"{account.subject} endpoint {account.address}"),
        Hop(hop="public_network_access", detail=f"public network access {access}"),
    ]
    if account.all_networks:
        reach: Reachability = "reachable"
        hops.append(Hop(hop="firewall", detail="no IP rule and no virtual network filter: all networks"))
    elif not account.public:
        reach = "private"
    else:
        reach = "reachable" if account.open_to_internet else "restricted"
        hops.extend(Hop(hop="ip_rule", id=r, detail=f"IP rule {r}") for r in account.ip_rules)
        hops.extend(Hop(hop="virtual_network_rule", id=s) for s in account.virtual_network_rules)
    return NetworkExposure(
        addresses=(account.host,), ports=ports_of([HTTPS]), reachability=reach, path=tuple(hops)
    )
