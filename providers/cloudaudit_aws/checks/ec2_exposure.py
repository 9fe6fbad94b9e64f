"""Which Internet-open security group rules reach which public addresses (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import PortRange
from cloudaudit_aws.assets import IngressRule, SecurityGroup
from cloudaudit_aws.checks.ports import WEB_PORTS, named, services

Category = Literal["all", "admin", "data", "other"]
Reach = Literal["public", "private", "unattached", "unknown"]


def sensitive_ports(rule: IngressRule) -> dict[int, str]:
    """Remote-administration and data-service ports of the catalogue that the rule lets in."""
    return named([s for s in services(rule) if s.sensitive])


def categories(rule: IngressRule) -> set[Category]:
    """The exposure categories of one rule.

    All traffic also counts as administration and data ports (as CIS 5.2 counts protocol
    ALL), but not as "other" ports.
    """
    if rule.all_traffic:
        return {"all", "admin", "data"}
    found: set[Category] = set()
    opened = [s for s in services(rule) if s.sensitive]
    if any(s.remote_admin for s in opened):
        found.add("admin")
    if any(not s.remote_admin for s in opened):
        found.add("data")
    if not found:
        found.add("other")
    return found


def open_rules(
    groups: Iterable[SecurityGroup], category: Category
) -> list[tuple[SecurityGroup, IngressRule]]:
    """Rules from 0.0.0.0/0 or ::/0 in the given category."""
    return [(g, r) for g in groups for r in g.ingress if r.from_anywhere and category in categories(r)]


def is_benign(rule: IngressRule) -> bool:
    """The rule opens only HTTP/HTTPS, or only ICMP (ping, path MTU discovery)."""
    if rule.protocol in ("icmp", "icmpv6"):
        return True
    return rule.protocol == "tcp" and all(p in WEB_PORTS for p in range(rule.from_port, rule.to_port + 1))


def unauthenticated_by_default(rule: IngressRule) -> bool:
    """The rule exposes a sensitive service that has no authentication in its default configuration."""
    return any(s.sensitive and s.unauthenticated for s in services(rule))


def rule_ports(rule: IngressRule) -> tuple[PortRange, ...]:
    """The ports a rule lets in, for a finding's network facts (none for ICMP and other protocols)."""
    if rule.protocol == "all":
        return (PortRange.every(),)
    if rule.protocol == "tcp" or rule.protocol == "udp":
        high = rule.to_port if rule.to_port >= 0 else 65535
        return (PortRange(from_port=max(rule.from_port, 0), to_port=high, transport=rule.protocol),)
    return ()


def sensitive_ranges(rule: IngressRule) -> tuple[PortRange, ...]:
    """The whole rule when it opens every port, else its sensitive catalogue ports."""
    if rule.all_traffic:
        return rule_ports(rule)
    return tuple(
        PortRange.single(s.port, "udp" if s.protocol == "udp" else "tcp")
        for s in services(rule)
        if s.sensitive
    )


def exposed_ips(group: SecurityGroup, rule: IngressRule) -> list[str]:
    """Public IPs (of the rule's address family) that the rule opens."""
    v6 = rule.source_kind == "cidr6"
    return [ip for ip in group.public_ips if (":" in ip) == v6]


def reach(group: SecurityGroup, rules: Iterable[IngressRule]) -> Reach:
    """Whether the group's open rules actually face the Internet."""
    if "public_ips" in group.unread:
        return "unknown"
    if any(exposed_ips(group, r) for r in rules):
        return "public"
    return "private" if group.attached_interfaces else "unattached"


@dataclass(frozen=True)
class HostExposure:
    """Sensitive ports an Internet-facing host opens, the rules that open them, what is unknown."""

    ports: dict[int, str]
    ranges: tuple[PortRange, ...]
    """The ports of ``ports`` (or every port of an all-traffic rule), for the finding's network facts."""
    rules: list[dict[str, str]]
    all_traffic: bool
    no_auth: bool
    unread_groups: tuple[str, ...]
    """Groups of the host that were not collected: their rules are unknown."""

    @property
    def exposed(self) -> bool:
        """Some sensitive port is open to the Internet."""
        return bool(self.rules)


def host_exposure(
    public_ips: tuple[str, ...], group_ids: Iterable[str], region: str, account: str, inventory: Inventory
) -> HostExposure:
    """Admin, data or all ports open to the Internet on a host with these public IPs."""
    groups: list[SecurityGroup] = []
    unread: list[str] = []
    for gid in group_ids:
        group = inventory.get(f"arn:aws:ec2:{region}:{account}:security-group/{gid}")
        if isinstance(group, SecurityGroup):
            groups.append(group)
        else:
            unread.append(gid)
    ports: dict[int, str] = {}
    ranges: list[PortRange] = []
    rules: list[dict[str, str]] = []
    all_traffic = no_auth = False
    for group in groups:
        for rule in group.ingress:
            if not rule.from_anywhere or not any(
                (":" in ip) == (rule.source_kind == "cidr6") for ip in public_ips
            ):
                continue
            cats = categories(rule)
            if not cats & {"all", "admin", "data"}:
                continue
            all_traffic |= "all" in cats
            no_auth |= "all" in cats or unauthenticated_by_default(rule)
            ports.update(sensitive_ports(rule))
            ranges.extend(sensitive_ranges(rule))
            rules.append({"security_group": group.group_id, "rule": rule.label()})
    return HostExposure(
        ports=dict(sorted(ports.items())),
        ranges=tuple(dict.fromkeys(ranges)),
        rules=rules,
        all_traffic=all_traffic,
        no_auth=no_auth,
        unread_groups=tuple(unread),
    )
