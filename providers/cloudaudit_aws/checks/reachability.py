"""In-account reachability: can the Internet open a connection to a resource, per its configuration?

A resource is **reachable** when three things hold together:

1. it has a public address (``PubliclyAccessible``, a public IP);
2. a subnet it lives in routes ``0.0.0.0/0`` or ``::/0`` to an Internet gateway (explicitly
   associated route table, else the VPC's main table; blackhole routes and egress-only gateways
   do not count);
3. one of its security groups allows its port from ``0.0.0.0/0`` or ``::/0``.

When the path is complete but the port is only allowed from specific CIDRs, prefix lists or
groups, the resource is **restricted**; a missing route or no rule for the port at all makes it
**blocked**; no public address makes it **private**. Subnets and groups that were not collected
(or whose route tables could not be read) make the answer **unknown** rather than a guess. Network
ACLs are not evaluated: they can only block more, never open a path.

The :attr:`Reachability.path` hops are JSON-ready evidence: resource -> subnet/route -> rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import Hop as PathHop
from cloudaudit.model.network import NetworkExposure, ports_of
from cloudaudit_aws.assets import SecurityGroup, Subnet

Level = Literal["reachable", "restricted", "blocked", "private", "unknown"]
Hop = dict[str, str]


def typed_path(hops: Iterable[Hop]) -> tuple[PathHop, ...]:
    """The evidence hops as the core contract's path."""
    return tuple(PathHop(hop=h["hop"], id=h.get("id", ""), detail=h.get("detail", "")) for h in hops)


def _ec2_id(region: str, account: str, kind: str, ident: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:{kind}/{ident}"


@dataclass(frozen=True)
class RouteVerdict:
    """Which of a resource's subnets route to an Internet gateway."""

    routed: tuple[str, ...]
    """Subnet ids with a default route to an Internet gateway."""
    hops: tuple[Hop, ...]
    """One hop per routed subnet (subnet, route table, route)."""
    unread: tuple[str, ...]
    """Subnet ids not collected, or whose route table could not be read."""
    checked: tuple[str, ...]
    """Subnet ids read and found without such a route."""

    @property
    def state(self) -> Literal["yes", "no", "unknown"]:
        """yes: some subnet is public; no: every subnet was read and none is; unknown otherwise."""
        if self.routed:
            return "yes"
        return "no" if self.checked and not self.unread else "unknown"


def internet_routes(
    inventory: Inventory, *, account: str, region: str, subnet_ids: Sequence[str]
) -> RouteVerdict:
    """Classify ``subnet_ids`` by whether their route table sends default traffic to an IGW."""
    routed: list[str] = []
    hops: list[Hop] = []
    unread: list[str] = []
    checked: list[str] = []
    for sid in dict.fromkeys(subnet_ids):
        subnet = inventory.get(_ec2_id(region, account, "subnet", sid))
        if not isinstance(subnet, Subnet) or "internet_routes" in subnet.unread:
            unread.append(sid)
        elif subnet.internet_routes:
            routed.append(sid)
            hops.append(
                {
                    "hop": "subnet",
                    "id": sid,
                    "route_table": subnet.route_table_id,
                    "detail": f"{sid} routes {', '.join(r.label() for r in subnet.internet_routes)} "
                    f"(route table {subnet.route_table_id})",
                }
            )
        else:
            checked.append(sid)
    return RouteVerdict(tuple(routed), tuple(hops), tuple(unread), tuple(checked))


def _routed(routes: RouteVerdict) -> str:
    """``subnet-1 routes 0.0.0.0/0 -> igw-1 (route table rtb-1)`` (+ how many more such subnets)."""
    more = len(routes.hops) - 1
    return routes.hops[0]["detail"] + (f" (and {more} more public subnet(s))" if more else "")


@dataclass(frozen=True)
class PortRules:
    """Security group rules letting one port in, by source."""

    open: tuple[Hop, ...]
    """Rules from 0.0.0.0/0 or ::/0."""
    limited: tuple[Hop, ...]
    """Rules from narrower CIDRs, prefix lists or groups."""
    unread: tuple[str, ...]
    """Group ids that were not collected."""


def rules_for_port(
    inventory: Inventory, account: str, region: str, group_ids: Sequence[str], port: int
) -> PortRules:
    """The rules of ``group_ids`` that let ``port`` in (TCP/UDP or all traffic)."""
    open_hops: list[Hop] = []
    limited: list[Hop] = []
    unread: list[str] = []
    for gid in dict.fromkeys(group_ids):
        group = inventory.get(_ec2_id(region, account, "security-group", gid))
        if not isinstance(group, SecurityGroup) or "ingress" in group.unread:
            unread.append(gid)
            continue
        for rule in group.ingress:
            if rule.covers(port):
                hop = {"hop": "security_group", "id": gid, "detail": f"{gid}: {rule.label()}"}
                (open_hops if rule.from_anywhere else limited).append(hop)
    return PortRules(tuple(open_hops), tuple(limited), tuple(unread))


@dataclass(frozen=True)
class Reachability:
    """The verdict on one resource, with the hops that justify it."""

    level: Level
    path: tuple[Hop, ...]
    reason: str
    unread: tuple[str, ...] = ()
    """Subnets and groups whose absence kept the answer from being certain."""

    def evidence(self) -> dict[str, object]:
        """JSON-ready evidence for a finding."""
        out: dict[str, object] = {"reachability": self.level, "path": list(self.path)}
        if self.unread:
            out["not_collected"] = list(self.unread)
        return out

    def network(self, host: str, port: int) -> NetworkExposure:
        """The verdict as a finding's network facts (one endpoint)."""
        return NetworkExposure(
            addresses=(host,) if host else (),
            ports=ports_of([port]),
            reachability=self.level,
            path=typed_path(self.path),
        )


def network_reachability(
    inventory: Inventory,
    *,
    account: str,
    region: str,
    resource_id: str,
    public: bool,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
    port: int,
    endpoint: str,
) -> Reachability:
    """Join address, subnet routes and security group rules into a :class:`Reachability`."""
    start: Hop = {"hop": "resource", "id": resource_id, "detail": f"public endpoint {endpoint}"}
    if not public:
        return Reachability("private", (), "it has no public address")
    routes = internet_routes(inventory, account=account, region=region, subnet_ids=subnet_ids)
    rules = rules_for_port(inventory, account, region, security_group_ids, port)
    unread = (*routes.unread, *rules.unread)
    route_state = routes.state
    if rules.open:
        rule_state = "open"
    elif rules.unread:
        rule_state = "unknown"
    else:
        rule_state = "limited" if rules.limited else "closed"

    if route_state == "no":
        why = f"none of its subnets ({', '.join(routes.checked)}) routes to an Internet gateway"
        return Reachability("blocked", (start,), why, unread)
    if rule_state == "closed":
        why = f"no security group rule allows port {port}"
        return Reachability("blocked", (start, *routes.hops), why, unread)
    if route_state == "unknown" or rule_state == "unknown":
        missing = ", ".join(unread) or "its subnets"
        why = f"the network path could not be determined ({missing} not collected)"
        return Reachability("unknown", (start, *routes.hops, *rules.open), why, unread)
    if rule_state == "open":
        sources = "; ".join(h["detail"] for h in rules.open)
        why = f"subnet {_routed(routes)} and port {port} is open to the Internet ({sources})"
        return Reachability("reachable", (start, *routes.hops, *rules.open), why, unread)
    sources = "; ".join(h["detail"] for h in rules.limited)
    why = f"subnet {_routed(routes)}; port {port} is allowed only from ({sources})"
    return Reachability("restricted", (start, *routes.hops, *rules.limited), why, unread)


REACHABILITY_GRADES: dict[str, Severity] = {
    "reachable": Severity.CRITICAL,
    "restricted": Severity.MEDIUM,
    "blocked": Severity.LOW,
}
"""Severity of a publicly accessible resource by its network path."""


def public_access_outcome(
    inventory: Inventory,
    *,
    subject: str,
    resource: Asset,
    public: bool,
    host: str,
    port: int,
    subnet_ids: Sequence[str],
    security_group_ids: Sequence[str],
) -> Outcome:
    """The verdict of a "publicly accessible" check: PASS when private, else graded by reachability.

    ``subject`` names the resource in messages ("DB instance orders").
    """
    if not public:
        return passed(f"{subject} is not publicly accessible.")
    endpoint = f"{host}:{port}"
    evidence: dict[str, object] = {
        "publicly_accessible": True,
        "endpoint": endpoint,
        "security_groups": list(security_group_ids),
        "subnets": list(subnet_ids),
    }
    if not port:
        facts = NetworkExposure(addresses=(host,) if host else (), reachability="unknown")
        return unknown(f"{subject} is publicly accessible but reports no endpoint yet.", evidence, facts)
    reach = network_reachability(
        inventory,
        account=resource.account,
        region=resource.region,
        resource_id=resource.id,
        public=True,
        subnet_ids=subnet_ids,
        security_group_ids=security_group_ids,
        port=port,
        endpoint=endpoint,
    )
    evidence.update(reach.evidence())
    facts = reach.network(host, port)
    message = f"{subject} is publicly accessible at {endpoint}: {reach.reason}."
    if reach.level == "unknown":
        return unknown(message, evidence, facts)
    return fail(message, evidence, REACHABILITY_GRADES[reach.level], facts)
