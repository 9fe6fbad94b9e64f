"""In-project reachability on GCP: which ports of which external address the VPC firewall rules open.

The model (pure, no I/O): a connection from the Internet to an instance's external address arrives on
the interface that holds the address, and is decided by the enabled INGRESS rules of that interface's
network that apply to the instance (its network tags match the target tags, its service account is a
target service account, or the rule targets every instance); a rule with destination ranges applies
only when the external or internal address of the interface is in one of them. The rule with the
lowest priority number among those matching the port and the source decides; a deny wins over an
allow of the same priority; nothing matching means the implied deny (priority 65535).

Sources are judged per address family: an IPv4 address against the IPv4 source ranges, an IPv6
address against the IPv6 ones. A rule *covers the Internet* when its ranges of the family together
cover every address (``0.0.0.0/0``, ``::/0``, ``0.0.0.0/1`` + ``128.0.0.0/1``). Verdicts, in the
core's vocabulary (:data:`cloudaudit.model.network.Reachability`):

- ``reachable``: an allow covering the Internet decides the port (nothing above it denies the whole
  Internet); a narrower deny above it does not change that (it shuts out only its own sources);
- ``restricted``: the port is allowed only from narrower sources (CIDRs, source tags or service
  accounts) before a deny covering the Internet or the implied deny;
- ``blocked``: nothing allows it (a deny covering the Internet, or the implied deny), or the instance
  is not running (nothing answers on its address; ``firewall`` keeps the verdict it would get once
  started);
- ``private``: the instance has no such external address;
- ``unknown``: the firewall rules were not read (``instance.unread["firewalls"]``), or the interface
  is on another project's network (Shared VPC) whose rules are not in the inventory.

Approximations (documented, all on the side of reporting more): a narrower allow counts as
``restricted`` even where a narrower deny above it covers the same sources; deny rules whose ranges
cover the Internet only together (across rules) are not combined, so the allow below them still
counts as reachable; endpoints list TCP, UDP and ICMP only (SCTP, ESP and other protocols appear only
as part of an all-protocols endpoint). Routes are not evaluated (every VPC has the default route to the
Internet gateway unless it was removed). Hierarchical firewall policies and global or regional network
firewall policies are not read: they may block (or allow) more than the VPC rules say.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cloudaudit.model.asset import Endpoint
from cloudaudit.model.network import Hop, NetworkExposure, PortRange, Reachability, ports_of
from cloudaudit.ranges import Span, covers_family, family, merge, parse_network, subtract
from cloudaudit_gcp.assets_compute import (
    ALL_PORTS,
    PORTED_PROTOCOLS,
    FirewallRule,
    NetworkInterface,
    PortSpec,
    VmInstance,
)

Sources = Literal["internet", "some", "none"]
"""How a rule's sources match Internet clients of one address family: all of them, some (narrower
ranges, source tags or service accounts), or none (only ranges of the other family)."""

FIREWALLS = "firewalls"
"""The ``unread`` key of an instance whose firewall rules were not read."""
EXPOSED_ADDRESSES = "exposed_addresses"
"""The ``unread`` key of a rule whose targeted instances were not read."""
NO_POLICIES = (
    "hierarchical and network firewall policies are not read: they may block (or allow) more than "
    "the VPC firewall rules say"
)
IMPLIED_DENY = Hop(
    hop="firewall_rule", id="implied-deny-ingress", detail="implied deny of all ingress (priority 65535)"
)

PORTED = PORTED_PROTOCOLS
EVERY = ALL_PORTS
OTHERS = "*"
"""The key of every protocol no rule names (what an all-protocols rule opens besides the named ones)."""
_Key = tuple[str, frozenset[str], frozenset[str], tuple[str, ...]]
"""Network, matching target tags, matching target service accounts, addresses (destination ranges)."""


def protocol(entry: PortSpec) -> str:
    """The entry's protocol by name (see :attr:`PortSpec.name`)."""
    return entry.name


def spans(entry: PortSpec) -> tuple[Span, ...]:
    """The port ranges of a ported protocol (every port when none is named); one span otherwise."""
    return entry.ranges() if protocol(entry) in PORTED else (EVERY,)


def entry_covers(entry: PortSpec, port: int, transport: str) -> bool:
    """The entry matches ``port`` over ``transport`` (``all`` matches every protocol and port)."""
    name = protocol(entry)
    if name == "all":
        return True
    if name != transport:
        return False
    return any(first <= port <= last for first, last in spans(entry))


def network_key(url: str) -> str:
    """A network URL in one form (``projects/p/global/networks/n``), whatever API root it names."""
    at = url.find("projects/")
    return url[at:].rstrip("/") if at >= 0 else url.rstrip("/")


def network_project(url: str) -> str:
    """The project a network URL names (empty when it names none)."""
    parts = network_key(url).split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "projects" else ""


def _name(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def sources(rule: FirewallRule, version: int) -> Sources:
    """How the rule's sources match Internet clients of IPv``version`` (see :data:`Sources`)."""
    if covers_family(rule.source_ranges, version):
        return "internet"
    same = any((n := parse_network(r)) is not None and n.version == version for r in rule.source_ranges)
    return "some" if same or rule.source_tags or rule.source_service_accounts else "none"


def internet_families(rule: FirewallRule) -> tuple[int, ...]:
    """The address families whose whole Internet the rule's sources cover."""
    return tuple(v for v in (4, 6) if covers_family(rule.source_ranges, v))


def _precedence(rule: FirewallRule) -> tuple[int, int, str]:
    return (rule.priority, 0 if rule.action == "deny" else 1, rule.id)


def rule_hop(rule: FirewallRule) -> Hop:
    """The path step of a deciding rule."""
    return Hop(hop="firewall_rule", id=rule.id, detail=f"{rule.name}: {rule.label()}")


def _in(address: str, ranges: Iterable[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any((n := parse_network(r)) is not None and n.version == ip.version and ip in n for r in ranges)


def _destined(rule: FirewallRule, address: str, nic: NetworkInterface) -> bool:
    """The rule's destination ranges (if any) contain the external or the internal address."""
    return not rule.destination_ranges or any(
        _in(a, rule.destination_ranges) for a in (address, nic.internal_ip) if a
    )


# ---------------------------------------------------------------------------------- openings


@dataclass(frozen=True)
class Opening:
    """Ports of one protocol that one allow rule opens to the whole Internet: ``all`` (every port of
    every protocol, when nothing above the rule decided anything), or a protocol by name (``*``: the
    protocols no rule names, opened by an all-protocols rule below rules that decided some ports)."""

    protocol: str
    first: int
    last: int
    rule: FirewallRule

    def port_range(self) -> PortRange | None:
        """As a finding's port range (None for ICMP and protocols the contract does not name)."""
        if self.protocol == "tcp" or self.protocol == "udp":
            return PortRange(from_port=self.first, to_port=self.last, transport=self.protocol)
        return PortRange.every() if self.protocol == "all" else None

    def covers(self, port: int, transport: str = "tcp") -> bool:
        """The opening lets ``port`` over ``transport`` in."""
        return self.protocol == "all" or (self.protocol == transport and self.first <= port <= self.last)


def openings(rules: Sequence[FirewallRule], version: int) -> tuple[Opening, ...]:
    """What ``rules`` (applicable, in precedence order) open to the whole IPv``version`` Internet, each
    port once, with the rule that decides it (the endpoints).

    Interval arithmetic per protocol: each rule covering the Internet decides the ports no earlier
    such rule decided; an allow opens them, a deny closes them. Rules with narrower sources open
    nothing to the Internet and close nothing for the rest of it.
    """
    return _walk(rules, version, first_decides=True)


def allowances(rules: Sequence[FirewallRule], version: int) -> tuple[Opening, ...]:
    """What each allow rule of ``rules`` opens to the whole IPv``version`` Internet: its ports that no
    deny covering the Internet with a higher (or equal) precedence closes. A port two allows open is
    in both: removing one of them would not close it."""
    return _walk(rules, version, first_decides=False)


def _walk(rules: Sequence[FirewallRule], version: int, *, first_decides: bool) -> tuple[Opening, ...]:
    named = {protocol(e) for r in rules for e in r.entries} - {"all"}
    keys = (*dict.fromkeys(("tcp", "udp", "icmp", *sorted(named))), OTHERS)
    closed: dict[str, list[Span]] = {k: [] for k in keys}  # decided (first_decides) or denied so far
    opened: list[Opening] = []
    for rule in rules:
        if sources(rule, version) != "internet":
            continue
        allow = rule.action == "allow"
        closes = first_decides or not allow
        for entry in rule.entries:
            name = protocol(entry)
            if name == "all" and not any(closed.values()):
                if allow:
                    opened.append(Opening("all", *EVERY, rule))
                if closes:
                    closed = {k: [EVERY] for k in keys}
                continue
            for key in keys if name == "all" else (name,):
                for span in (EVERY,) if name == "all" else spans(entry):
                    pieces = subtract(span, closed[key])
                    if allow:
                        opened.extend(Opening(key, a, b, rule) for a, b in pieces)
                    if closes and pieces:
                        closed[key] = merge([*closed[key], *pieces])
        if all(closed[k] == [EVERY] for k in keys):
            break
    return _coalesce(opened)


def _coalesce(opened: list[Opening]) -> tuple[Opening, ...]:
    """Adjacent openings of the same protocol and rule as one."""
    out: list[Opening] = []
    for o in sorted(opened, key=lambda o: (o.protocol, o.rule.id, o.first)):
        last = out[-1] if out else None
        if last and (last.protocol, last.rule.id) == (o.protocol, o.rule.id) and o.first <= last.last + 1:
            out[-1] = Opening(o.protocol, last.first, max(last.last, o.last), o.rule)
        else:
            out.append(o)
    order = {"all": 0, "tcp": 1, "udp": 2, "icmp": 3}
    return tuple(sorted(out, key=lambda o: (order.get(o.protocol, 4), o.protocol, o.first)))


def endpoints(host: str, opened: Iterable[Opening]) -> tuple[Endpoint, ...]:
    """Endpoints of ``host``: one per all-protocols, TCP, UDP or ICMP opening (see the module doc)."""
    out = [
        Endpoint(host=host, protocol=o.protocol, from_port=o.first, to_port=o.last, via=via(o.rule))
        for o in opened
        if o.protocol == "all" or o.protocol == "tcp" or o.protocol == "udp" or o.protocol == "icmp"
    ]
    return tuple(dict.fromkeys(out))


def via(rule: FirewallRule) -> str:
    """``firewall rule allow-ssh: allow tcp:22 from 0.0.0.0/0 (priority 1000)``."""
    return f"firewall rule {rule.name}: {rule.label()}"


# ---------------------------------------------------------------------------------- the index


@dataclass
class _Network:
    """The enabled ingress rules of one network, indexed by what they target."""

    every: list[FirewallRule] = field(default_factory=list)
    by_tag: dict[str, list[FirewallRule]] = field(default_factory=lambda: defaultdict(list))
    by_account: dict[str, list[FirewallRule]] = field(default_factory=lambda: defaultdict(list))
    destinations: bool = False
    """Some rule has destination ranges (the verdict then depends on the address)."""


class FirewallIndex:
    """The firewall rules of one or several projects, ready to judge instances (build once, ask often)."""

    def __init__(self, firewalls: Iterable[FirewallRule]) -> None:
        self._networks: dict[str, _Network] = defaultdict(_Network)
        self.projects: set[str] = set()
        for rule in firewalls:
            key = network_key(rule.network)
            self.projects.add(network_project(rule.network) or rule.account)
            if rule.direction != "INGRESS" or rule.disabled:
                continue
            net = self._networks[key]
            net.destinations |= bool(rule.destination_ranges)
            if rule.target_tags:
                for tag in set(rule.target_tags):
                    net.by_tag[tag].append(rule)
            elif rule.target_service_accounts:
                for account in set(rule.target_service_accounts):
                    net.by_account[account].append(rule)
            else:
                net.every.append(rule)
        self._applicable: dict[_Key, tuple[FirewallRule, ...]] = {}
        self._openings: dict[tuple[_Key, int, bool], tuple[Opening, ...]] = {}

    def known(self, instance: VmInstance, nic: NetworkInterface) -> bool:
        """The rules of the interface's network were read (its project's, or a host project's)."""
        if FIREWALLS in instance.unread:
            return False
        project = network_project(nic.network)
        return (
            not project
            or project == instance.account
            or project in self.projects
            or network_key(nic.network) in self._networks
        )

    def _key(self, instance: VmInstance, nic: NetworkInterface, address: str) -> _Key:
        """What the applicable rules depend on: instances alike in it share their verdicts."""
        where = network_key(nic.network)
        net = self._networks.get(where)
        if net is None:
            return (where, frozenset(), frozenset(), ())
        tags = frozenset(t for t in instance.network_tags if t in net.by_tag)
        accounts = frozenset(a for a in instance.service_accounts if a in net.by_account)
        return (where, tags, accounts, (address, nic.internal_ip) if net.destinations else ())

    def applicable(
        self, instance: VmInstance, nic: NetworkInterface, address: str
    ) -> tuple[FirewallRule, ...]:
        """The enabled ingress rules deciding connections to ``address`` on ``nic``, in precedence order."""
        key = self._key(instance, nic, address)
        found = self._applicable.get(key)
        if found is None:
            net = self._networks.get(key[0])
            chosen: dict[str, FirewallRule] = {}
            if net is not None:
                chosen.update((r.id, r) for r in net.every)
                for tag in key[1]:
                    chosen.update((r.id, r) for r in net.by_tag[tag])
                for account in key[2]:
                    chosen.update((r.id, r) for r in net.by_account[account])
            found = tuple(sorted((r for r in chosen.values() if _destined(r, address, nic)), key=_precedence))
            self._applicable[key] = found
        return found

    def openings(
        self, instance: VmInstance, nic: NetworkInterface, address: str, *, per_rule: bool = False
    ) -> tuple[Opening, ...]:
        """What the rules open to the Internet on ``address`` (whether or not the instance runs): each
        port once with its deciding rule (:func:`openings`), or ``per_rule`` (:func:`allowances`)."""
        key = (self._key(instance, nic, address), family(address), per_rule)
        found = self._openings.get(key)
        if found is None:
            walk = allowances if per_rule else openings
            found = walk(self.applicable(instance, nic, address), family(address))
            self._openings[key] = found
        return found

    def verdict(self, instance: VmInstance, address: str, port: int, transport: str = "tcp") -> Verdict:
        """Can the Internet open a connection to ``address``:``port`` of ``instance``?"""
        nic = interface_of(instance, address)
        if nic is None:
            return Verdict("private", f"instance {instance.name} has no external address {address}")
        start = Hop(
            hop="resource", id=instance.id, detail=f"external address {address} of instance {instance.name}"
        )
        where = Hop(
            hop="interface",
            id=f"{instance.id}/{nic.name}",
            detail=f"{nic.name or 'interface'} on network {_name(nic.network)}"
            + (f" (internal {nic.internal_ip})" if nic.internal_ip else ""),
        )
        if not self.known(instance, nic):
            why = instance.unread.get(FIREWALLS) or (
                f"the rules of network {network_key(nic.network)} (another project) were not read"
            )
            return Verdict("unknown", f"the firewall rules could not be judged: {why}", (start, where))
        found = decide(self.applicable(instance, nic, address), family(address), port, transport)
        path = (start, where, *found.path)
        if not instance.running:
            status = instance.status or "not running"
            return Verdict(
                "blocked",
                f"instance {instance.name} is {status}: nothing answers on {address} until it starts "
                f"(then: {found.level}, {found.reason})",
                path,
                found.rule,
                found.level,
            )
        return Verdict(found.level, found.reason, path, found.rule, found.level)


def interface_of(instance: VmInstance, address: str) -> NetworkInterface | None:
    """The interface holding the external ``address``."""
    return next((n for n in instance.interfaces if address in n.external_ips), None)


# ---------------------------------------------------------------------------------- one port


@dataclass(frozen=True)
class Verdict:
    """The verdict on one address and port, with the path that justifies it."""

    level: Reachability
    reason: str
    path: tuple[Hop, ...] = ()
    rule: FirewallRule | None = None
    """The deciding rule (None: the implied deny, no address, or unknown)."""
    firewall: Reachability | None = None
    """What the rules alone say (differs from ``level`` for an instance that is not running)."""

    def network(self, address: str, port: int, transport: Literal["tcp", "udp"] = "tcp") -> NetworkExposure:
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
            "not_evaluated": NO_POLICIES,
        }


def decide(rules: Sequence[FirewallRule], version: int, port: int, transport: str = "tcp") -> Verdict:
    """The firewall's verdict for one port from the IPv``version`` Internet (``rules`` in precedence
    order, all applicable); the path holds the rules that decide it."""
    narrow_allows: list[FirewallRule] = []
    narrow_denies: list[FirewallRule] = []
    for rule in rules:
        if not any(entry_covers(e, port, transport) for e in rule.entries):
            continue
        match = sources(rule, version)
        if match == "none":
            continue
        if match == "some":
            (narrow_allows if rule.action == "allow" else narrow_denies).append(rule)
            continue
        if rule.action == "allow":
            names = ", ".join(r.name for r in narrow_denies)
            also = f" (except from the narrower sources {names} denies first)" if narrow_denies else ""
            return Verdict(
                "reachable",
                f"{transport}/{port} is allowed from the Internet by {rule.name}{also}",
                (rule_hop(rule),),
                rule,
            )
        if narrow_allows:
            return _restricted(narrow_allows, port, transport, f"then denied by {rule.name}", rule)
        return Verdict(
            "blocked",
            f"{transport}/{port} is denied from the Internet by {rule.name}",
            (rule_hop(rule),),
            rule,
        )
    if narrow_allows:
        return _restricted(narrow_allows, port, transport, "then the implied deny")
    return Verdict("blocked", f"no rule allows {transport}/{port}: the implied deny applies", (IMPLIED_DENY,))


def _restricted(
    allows: list[FirewallRule], port: int, transport: str, then: str, deny: FirewallRule | None = None
) -> Verdict:
    labels = "; ".join(f"{r.name}: {r.label()}" for r in allows)
    tail = (rule_hop(deny),) if deny else (IMPLIED_DENY,)
    return Verdict(
        "restricted",
        f"{transport}/{port} is allowed only from narrower sources ({labels}), {then}",
        (*(rule_hop(r) for r in allows), *tail),
        allows[0],
    )


def verdict(
    instance: VmInstance,
    firewalls: Iterable[FirewallRule] | FirewallIndex,
    address: str,
    port: int,
    transport: str = "tcp",
) -> Verdict:
    """Can the Internet reach ``address``:``port`` of ``instance`` (see the module doc)?"""
    index = firewalls if isinstance(firewalls, FirewallIndex) else FirewallIndex(firewalls)
    return index.verdict(instance, address, port, transport)


# ---------------------------------------------------------------------------------- annotate


def annotate(
    instances: Sequence[VmInstance],
    firewalls: Sequence[FirewallRule] | None,
    unread_reason: str = "",
    *,
    instances_unread: str = "",
) -> tuple[list[VmInstance], list[FirewallRule]]:
    """Instances with ``endpoints`` (ports the rules open to the Internet on their external IPs) and
    firewall rules with ``exposed_addresses``; with ``firewalls`` None (not read) every instance with an
    external IP gets ``unread["firewalls"] = unread_reason`` and no endpoints. ``instances_unread``
    (why the instances could not be read) marks every rule's ``exposed_addresses`` unread."""
    if firewalls is None:
        gap = {FIREWALLS: unread_reason}
        marked = [
            i.model_copy(update={"unread": {**i.unread, **gap}}) if i.external_ips() else i for i in instances
        ]
        return marked, []
    index = FirewallIndex(firewalls)
    exposed: dict[str, dict[str, None]] = defaultdict(dict)
    out: list[VmInstance] = []
    for instance in instances:
        found: list[Endpoint] = []
        for nic in instance.interfaces:
            for address in nic.external_ips:
                if not instance.running or not index.known(instance, nic):
                    continue
                found.extend(endpoints(address, index.openings(instance, nic, address)))
                for o in index.openings(instance, nic, address, per_rule=True):
                    exposed[o.rule.id][address] = None
        changed = tuple(dict.fromkeys(found))
        out.append(
            instance if changed == instance.endpoints else instance.model_copy(update={"endpoints": changed})
        )
    rules: list[FirewallRule] = []
    for rule in firewalls:
        update: dict[str, object] = {"exposed_addresses": tuple(exposed.get(rule.id, ()))}
        if instances_unread:
            update["unread"] = {**rule.unread, EXPOSED_ADDRESSES: instances_unread}
        rules.append(rule.model_copy(update=update))
    return out, rules
