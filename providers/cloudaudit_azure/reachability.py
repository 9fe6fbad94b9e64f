"""In-subscription reachability on Azure: which ports of which public address the NSGs open (pure).

The model: a connection from the Internet arrives on a public IP, either one on a NIC's IP
configuration, or a load balancer's public frontend that forwards a port to a NIC's IP configuration
(an inbound NAT rule; a load-balancing rule to a backend pool holding the configuration; the backend
port is what the NSGs see). Azure then evaluates the inbound rules of the NSG of the configuration's
subnet, then those of the NIC's own NSG; both levels must allow, and a level without an NSG allows
everything. Within an NSG, rules are tried by priority (lowest number first, the default rules
``AllowVnetInBound``, ``AllowAzureLoadBalancerInBound`` and ``DenyAllInBound`` last) and the first that
matches decides. A rule applies when its destination (``*``, ``VirtualNetwork``, a CIDR holding the
configuration's private address, or an application security group the configuration is in) covers the
NIC: Azure translates the public address to the private one before the NSGs see the packet.

Sources are judged per address family (an IPv4 public IP against IPv4 clients). A rule's sources
*cover the Internet* with ``*``, ``Any``, ``Internet``, ``0.0.0.0/0`` / ``::/0`` or CIDRs that together
cover the family; ``VirtualNetwork``, ``AzureLoadBalancer`` and application security groups admit no
Internet client; other CIDRs and service tags (``AzureCloud``, ``Storage``...) admit some. A Standard
SKU public IP (and load balancer) is closed to inbound traffic unless an NSG allows it: with no NSG at
either level nothing reaches it, where a Basic one is open on every port. Verdicts, in the core's
vocabulary (:data:`cloudaudit.model.network.Reachability`):

- ``reachable``: both levels let the whole Internet in on the port (an allow covering the Internet
  decides at each level that has an NSG);
- ``restricted``: a level allows the port only from narrower sources;
- ``blocked``: a level denies it (a deny covering the Internet, ``DenyAllInBound``), a Standard SKU
  address has no NSG, or the NIC is attached to no VM (nothing answers: the verdict says what the
  NSGs alone would say);
- ``private``: no public address reaches the configuration;
- ``unknown``: an input was not read (the NSGs, the subnets, the public IPs; ``unread`` says which).

Approximations (all on the side of reporting more): an allow's source port ranges are ignored (a
client picks its source port), a deny with source port ranges denies only some clients; a restricted
level combined with another restricted level is ``restricted`` even when the two admit disjoint
sources; floating IP (direct server return) rules are judged against the backend's private address.
Not read: inbound NAT pools of scale sets (their instances' NICs are not listed subscription-wide),
application gateways, Azure Firewall and route tables (user-defined routes may send traffic through an
appliance), virtual network manager admin rules (they are evaluated before NSGs and may deny or always
allow).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from cloudaudit.model.network import Hop, NetworkExposure, Reachability, ports_of
from cloudaudit.ranges import IpNetwork, Span, covers_family, merge, parse_network, subtract
from cloudaudit_azure.assets_network import (
    ALL_PORTS,
    WILDCARDS,
    IpConfiguration,
    NetworkSecurityGroup,
    NsgRule,
)

Sources = Literal["internet", "some", "none"]
"""How a rule's sources match Internet clients of one address family: all of them, some (narrower
ranges, service tags), or none (``VirtualNetwork``, application security groups, the other family)."""
Level = Literal["reachable", "restricted", "blocked"]
Transport = Literal["tcp", "udp"]

EVERY: Span = ALL_PORTS
TRANSPORTS: tuple[Transport, ...] = ("tcp", "udp")
INTERNET_TAGS = frozenset({*WILDCARDS, "internet"})
LOCAL_TAGS = frozenset({"virtualnetwork", "azureloadbalancer"})
"""Service tags whose addresses are never an Internet client's."""

NOT_EVALUATED = (
    "route tables, Azure Firewall, application gateways, virtual network manager admin rules and scale "
    "set instances (their NICs, public IPs and NAT pools) are not read: they may block (or allow) more "
    "than the NSGs say"
)


# ---------------------------------------------------------------------------------- addresses

# ---------------------------------------------------------------------------------- one rule


@lru_cache(maxsize=8192)
def _sources(values: tuple[str, ...], version: int) -> Sources:
    some = False
    for value in values:
        low = value.strip().lower()
        if low in INTERNET_TAGS:
            return "internet"
        net = parse_network(value)
        if net is None:
            some |= low.split(".", 1)[0] not in LOCAL_TAGS  # a regional tag: Storage.WestEurope
        elif net.version == version:
            some = True
    if some and covers_family(values, version):
        return "internet"
    return "some" if some else "none"


def sources(rule: NsgRule, version: int) -> Sources:
    """How the rule's source prefixes match Internet clients of IPv``version`` (see :data:`Sources`)."""
    return _sources(rule.sources, version)


def match(rule: NsgRule, version: int) -> Sources:
    """:func:`sources`, except that a deny limited to some source ports denies only some clients."""
    found = sources(rule, version)
    if found == "internet" and not rule.allows and _some_source_ports(rule):
        return "some"
    return found


def _some_source_ports(rule: NsgRule) -> bool:
    return bool(rule.source_ports) and not any(p.strip().lower() in WILDCARDS for p in rule.source_ports)


def internet_families(rule: NsgRule) -> tuple[int, ...]:
    """The address families whose whole Internet the rule's sources cover."""
    return tuple(v for v in (4, 6) if sources(rule, v) == "internet")


def covers(rule: NsgRule, port: int, transport: str) -> bool:
    """The rule matches ``port`` over ``transport``."""
    return transport in rule.transports and any(a <= port <= b for a, b in rule.ranges())


@dataclass(frozen=True)
class Destination:
    """What decides whether a rule's destination covers a NIC IP configuration."""

    private_ip: str
    asgs: frozenset[str]
    """Application security group ids (lookup keys) the configuration is in."""

    @classmethod
    def of(cls, config: IpConfiguration) -> Destination:
        """The destination of one IP configuration."""
        return cls(config.private_ip, frozenset(_key(a) for a in config.application_security_groups))


def applies(rule: NsgRule, dest: Destination) -> bool:
    """The rule's destination (prefixes or application security groups) covers ``dest``."""
    if any(_key(a) in dest.asgs for a in rule.destination_asgs):
        return True
    if not rule.destinations:
        return not rule.destination_asgs
    for value in rule.destinations:
        low = value.strip().lower()
        if low in WILDCARDS or low == "virtualnetwork":
            return True
        net = parse_network(value)
        if net is not None and _inside(dest.private_ip, net):
            return True
    return False


def _key(resource_id: str) -> str:
    return resource_id.strip().rstrip("/").casefold()


def _inside(address: str, net: IpNetwork) -> bool:
    if not address:
        return True  # an address not allocated yet: the rule may cover it
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return True
    return ip.version == net.version and ip in net


# ---------------------------------------------------------------------------------- one NSG


@dataclass(frozen=True)
class Piece:
    """Ports of one transport that one allow rule of one NSG lets the whole Internet through."""

    first: int
    last: int
    rule: NsgRule


def walk(
    rules: Sequence[NsgRule], version: int, transport: str, *, first_decides: bool = True
) -> tuple[Piece, ...]:
    """What ``rules`` (inbound, applicable, in evaluation order) let the whole IPv``version`` Internet
    through on ``transport``: each port once with the rule that decides it, or (``first_decides``
    False) each allow's ports that no deny covering the Internet above it closes, so that a port two
    allows open is in both (removing one would not close it)."""
    closed: list[Span] = []
    opened: list[Piece] = []
    for rule in rules:
        if transport not in rule.transports or match(rule, version) != "internet":
            continue
        closes = first_decides or not rule.allows
        for span in rule.ranges():
            pieces = subtract(span, closed)
            if rule.allows:
                opened.extend(Piece(a, b, rule) for a, b in pieces)
            if closes and pieces:
                closed = merge([*closed, *pieces])
        if closed == [EVERY]:
            break
    return tuple(opened)


@dataclass(frozen=True)
class LevelVerdict:
    """What one level (subnet or NIC) says about one port, with the hop that justifies it."""

    level: Level
    reason: str
    hops: tuple[Hop, ...]
    rule: NsgRule | None = None


def rule_hop(where: str, nsg: NetworkSecurityGroup, rule: NsgRule) -> Hop:
    """The path step of a deciding rule (``where``: ``subnet_nsg`` or ``nic_nsg``)."""
    kind = "default rule" if rule.default else "rule"
    return Hop(hop=where, id=rule.id or nsg.id, detail=f"NSG {nsg.name} {kind} {rule.name}: {rule.label()}")


def decide(
    nsg: NetworkSecurityGroup, rules: Sequence[NsgRule], version: int, port: int, transport: str, where: str
) -> LevelVerdict:
    """One NSG's verdict on one port from the IPv``version`` Internet (``rules``: its inbound rules that
    apply to the destination, in evaluation order)."""
    said = f"{transport}/{port}"
    narrow_allows: list[NsgRule] = []
    narrow_denies: list[NsgRule] = []
    for rule in rules:
        if not covers(rule, port, transport):
            continue
        found = match(rule, version)
        if found == "none":
            continue
        if found == "some":
            (narrow_allows if rule.allows else narrow_denies).append(rule)
            continue
        if rule.allows:
            also = f" (narrower sources denied first by {', '.join(r.name for r in narrow_denies)})"
            return LevelVerdict(
                "reachable",
                f"NSG {nsg.name} allows {said} from the Internet by {rule.name}"
                + (also if narrow_denies else ""),
                (rule_hop(where, nsg, rule),),
                rule,
            )
        if narrow_allows:
            return _restricted(nsg, narrow_allows, said, where, rule)
        return LevelVerdict(
            "blocked",
            f"NSG {nsg.name} denies {said} from the Internet by {rule.name}",
            (rule_hop(where, nsg, rule),),
            rule,
        )
    if narrow_allows:
        return _restricted(nsg, narrow_allows, said, where, None)
    hop = Hop(
        hop=where,
        id=nsg.id,
        detail=f"NSG {nsg.name}: no inbound rule matches (its default rules were not read)",
    )
    return LevelVerdict("blocked", f"no rule of NSG {nsg.name} allows {said}", (hop,))


def _restricted(
    nsg: NetworkSecurityGroup, allows: list[NsgRule], said: str, where: str, deny: NsgRule | None
) -> LevelVerdict:
    labels = "; ".join(f"{r.name}: {r.label()}" for r in allows)
    then = f"then denied by {deny.name}" if deny else "then no rule"
    tail = (rule_hop(where, nsg, deny),) if deny else ()
    return LevelVerdict(
        "restricted",
        f"NSG {nsg.name} allows {said} only from narrower sources ({labels}), {then}",
        (*(rule_hop(where, nsg, r) for r in allows), *tail),
        allows[0],
    )


# ---------------------------------------------------------------------------------- both levels


@dataclass(frozen=True)
class Opening:
    """Ports of one transport both levels let the whole Internet through, with the deciding rules
    (None: that level has no NSG)."""

    transport: Transport
    first: int
    last: int
    subnet_rule: NsgRule | None
    nic_rule: NsgRule | None

    def covers(self, port: int, transport: str = "tcp") -> bool:
        """The opening lets ``port`` over ``transport`` in."""
        return self.transport == transport and self.first <= port <= self.last

    def rules(self) -> tuple[NsgRule, ...]:
        """The deciding allow rules (one per level with an NSG)."""
        return tuple(r for r in (self.subnet_rule, self.nic_rule) if r is not None)


LevelPieces = tuple[Piece, ...] | None
"""What one level opens on one transport; None: the level has no NSG (it opens everything)."""


def intersect(transport: Transport, subnet: LevelPieces, nic: LevelPieces) -> list[Opening]:
    """The ports both levels open (a level without an NSG opens every port)."""
    every = (Piece(*EVERY, NsgRule(name="")),)
    out: list[Opening] = []
    for a in subnet if subnet is not None else every:
        for b in nic if nic is not None else every:
            low, high = max(a.first, b.first), min(a.last, b.last)
            if low <= high:
                out.append(
                    Opening(
                        transport,
                        low,
                        high,
                        a.rule if subnet is not None else None,
                        b.rule if nic is not None else None,
                    )
                )
    return sorted(out, key=lambda o: (o.first, o.last))


@dataclass(frozen=True)
class Verdict:
    """The verdict on one public address and port, with the path that justifies it."""

    level: Reachability
    reason: str
    path: tuple[Hop, ...] = ()

    def network(self, address: str, port: int, transport: Transport = "tcp") -> NetworkExposure:
        """The verdict as a finding's network facts."""
        return NetworkExposure(
            addresses=(address,), ports=ports_of([port], transport), reachability=self.level, path=self.path
        )

    def evidence(self) -> dict[str, object]:
        """JSON-ready evidence."""
        return {
            "reachability": self.level,
            "reason": self.reason,
            "path": [h.model_dump() for h in self.path],
            "not_evaluated": NOT_EVALUATED,
        }


def combine(levels: Sequence[LevelVerdict]) -> tuple[Level, str]:
    """Both levels must allow: blocked if one blocks, reachable if both let the Internet in."""
    blocking = next((v for v in levels if v.level == "blocked"), None)
    if blocking is not None:
        return "blocked", blocking.reason
    narrow = [v for v in levels if v.level == "restricted"]
    if narrow:
        return "restricted", "; ".join(v.reason for v in narrow)
    return "reachable", "; ".join(v.reason for v in levels)
