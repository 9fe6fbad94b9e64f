"""What Internet-open VPC firewall rules really reach, from the inventory (pure).

One :class:`ComputeView` per inventory (built on first use, shared by every compute check of the run):
the firewall index of :mod:`cloudaudit_gcp.reachability`, the instances by network, and for each rule
the external addresses it opens to the Internet (ports that no deny covering the Internet with a
higher or equal precedence closes; a port another allow opens too still counts). A rule's reach,
for the ports of one category:

- ``public``: it opens some of those ports on the external address of a running instance;
- ``dormant``: it targets instances with external addresses, but reaches none of them now (stopped,
  another address family, or a higher-priority deny covering the Internet);
- ``private``: it targets only instances without an external address;
- ``none``: it targets no instance of the inventory (the audited regions and projects);
- ``unknown``: the instances could not be read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import compress
from operator import attrgetter, itemgetter
from typing import Literal, NamedTuple

from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import Hop, PortRange
from cloudaudit.ports import PortService, catalogue
from cloudaudit_gcp.assets_compute import FirewallRule, NetworkInterface, VmInstance
from cloudaudit_gcp.reachability import (
    EXPOSED_ADDRESSES,
    FirewallIndex,
    Opening,
    internet_families,
    network_key,
    protocol,
    spans,
)

Category = Literal["all", "admin", "data", "other"]
Reach = Literal["public", "dormant", "private", "none", "unknown"]
Target = tuple[VmInstance, NetworkInterface]
WEB_PORTS = frozenset({80, 443})
"""What a public web front end is expected to open (the only ports a "benign" rule may open)."""


# ---------------------------------------------------------------------------------- ports


@cache
def _catalogue_in(proto: str, first: int, last: int) -> tuple[PortService, ...]:
    if proto == "all":
        return tuple(catalogue().values())
    return tuple(s for s in catalogue().values() if s.protocol == proto and first <= s.port <= last)


def services(rule: FirewallRule) -> list[PortService]:
    """Catalogue services the rule's entries let in (every one for an all-protocols entry)."""
    found: dict[tuple[int, str], PortService] = {}
    for entry in rule.entries:
        name = protocol(entry)
        if name not in ("all", "tcp", "udp"):
            continue
        for first, last in spans(entry):
            found.update(((s.port, s.protocol), s) for s in _catalogue_in(name, first, last))
    return list(found.values())


def categories(rule: FirewallRule, found: Iterable[PortService]) -> set[Category]:
    """The exposure categories of a rule whose catalogue services are ``found``: every port also counts
    as administration and data ports (as CIS counts protocol all), but not as "other" ports."""
    if rule.every_port():
        return {"all", "admin", "data"}
    kinds: set[Category] = set()
    sensitive = [s for s in found if s.sensitive]
    if any(s.remote_admin for s in sensitive):
        kinds.add("admin")
    if any(not s.remote_admin for s in sensitive):
        kinds.add("data")
    return kinds or {"other"}


def category_services(found: Iterable[PortService], category: Category) -> list[PortService]:
    """The services of ``category`` among a rule's ``found`` (none for all/other: any port counts)."""
    if category == "admin":
        return [s for s in found if s.remote_admin]
    if category == "data":
        return [s for s in found if s.sensitive and not s.remote_admin]
    return []


@dataclass(frozen=True)
class RulePorts:
    """A rule's catalogue services, its categories and the services of each (computed once per rule)."""

    categories: frozenset[Category]
    wanted: dict[Category, list[PortService]]

    @classmethod
    def of(cls, rule: FirewallRule) -> RulePorts:
        """The rule's ports, by category."""
        found = services(rule)
        return cls(frozenset(categories(rule, found)), {c: category_services(found, c) for c in _CATEGORIES})


_CATEGORIES: tuple[Category, ...] = ("all", "admin", "data", "other")


def is_benign(rule: FirewallRule) -> bool:
    """The rule opens only HTTP/HTTPS over TCP, or only ICMP (ping, path MTU discovery)."""

    def web(first: int, last: int) -> bool:
        return all(p in WEB_PORTS for p in range(first, last + 1))  # stops at the first other port

    return bool(rule.entries) and all(
        protocol(e) == "icmp" or (protocol(e) == "tcp" and bool(e.ports) and all(web(*r) for r in e.ranges()))
        for e in rule.entries
    )


def rule_ports(rule: FirewallRule) -> tuple[PortRange, ...]:
    """The ports the rule names, as a finding's network facts (none for ICMP and other protocols)."""
    out: list[PortRange] = []
    for entry in rule.entries:
        name = protocol(entry)
        if name == "all":
            out.append(PortRange.every())
        elif name == "tcp" or name == "udp":
            out.extend(PortRange(from_port=a, to_port=b, transport=name) for a, b in spans(entry))
    return tuple(dict.fromkeys(out))


_Ports = tuple[str, int, int]
"""An opening's protocol and port range."""


def distinct(opened: Iterable[Opening]) -> dict[_Ports, Opening]:
    """Openings by protocol and port range, in order of first appearance (many addresses, few ranges)."""
    return {(o.protocol, o.first, o.last): o for o in opened}


def opening_ports(opened: Iterable[Opening]) -> tuple[PortRange, ...]:
    """The port ranges of openings (TCP, UDP or every protocol)."""
    return tuple(dict.fromkeys(r for o in distinct(opened).values() if (r := o.port_range()) is not None))


def relevant(opening: Opening, wanted: list[PortService]) -> bool:
    """The opening lets one of ``wanted`` in (any opening when nothing in particular is wanted)."""
    return not wanted or any(opening.covers(s.port, s.protocol) for s in wanted)


# ---------------------------------------------------------------------------------- the view


class Reached(NamedTuple):
    """One external address (and the ports) a rule opens to the Internet (a tuple: tens of thousands
    are built per run)."""

    instance: VmInstance
    nic: NetworkInterface
    address: str
    opening: Opening


_OPENING = attrgetter("opening")
_PORTS = attrgetter("opening.protocol", "opening.first", "opening.last")
_ADDRESS = itemgetter(2)
_NAME = attrgetter("instance.name")


class Live(NamedTuple):
    """What one rule opens on running instances' external addresses."""

    reached: tuple[Reached, ...]
    ports: tuple[_Ports, ...]
    """The protocol and port range of each of ``reached``."""
    openings: dict[_Ports, Opening]
    """The distinct openings, in order of first appearance."""

    @classmethod
    def of(cls, reached: Iterable[Reached]) -> Live:
        """The addresses reached, their ports and distinct openings."""
        found = tuple(reached)
        ports = tuple(map(_PORTS, found))
        return cls(found, ports, dict(zip(ports, map(_OPENING, found), strict=True)))

    def only(self, kept: Container[_Ports]) -> tuple[Reached, ...]:
        """The addresses reached on the ``kept`` openings, in order."""
        return tuple(compress(self.reached, map(kept.__contains__, self.ports)))


_NOTHING = Live((), (), {})


class ComputeView:
    """The compute assets of one inventory, joined once for every check of the run."""

    def __init__(self, inventory: Inventory) -> None:
        self.index = FirewallIndex(inventory.of(FirewallRule))
        self.instances = list(inventory.of(VmInstance))
        self._on: dict[tuple[str, str], dict[tuple[str, str], Target]] = defaultdict(dict)
        """(network, "" / tag:T / sa:A) -> the targets there, by (instance id, interface name)."""
        for instance in self.instances:
            for nic in instance.interfaces:
                net = network_key(nic.network)
                target = (instance.id, nic.name)
                self._on[(net, "")][target] = (instance, nic)
                for tag in set(instance.network_tags):
                    self._on[(net, f"tag:{tag}")][target] = (instance, nic)
                for account in set(instance.service_accounts):
                    self._on[(net, f"sa:{account}")][target] = (instance, nic)
        self._targets: dict[str, list[Target]] = {}
        self._targeted: dict[str, tuple[tuple[VmInstance, ...], bool]] = {}
        self._live: dict[str, Live] | None = None
        self._ports: dict[str, RulePorts] = {}
        self.reach: dict[tuple[str, str], RuleReach] = {}
        """What each rule reaches per category, filled by :func:`rule_reach`."""
        self._unread = {
            g.account: f"{g.operation}: {g.error_code or g.message}"
            for g in inventory.gaps
            if g.service == "compute" and "instances" in g.operation and not g.resource_id
        }

    def ports(self, rule: FirewallRule) -> RulePorts:
        """The rule's catalogue services and categories (computed once per rule)."""
        found = self._ports.get(rule.id)
        if found is None:
            found = self._ports[rule.id] = RulePorts.of(rule)
        return found

    def live(self, rule: FirewallRule) -> Live:
        """The external addresses of running instances the rule opens to the Internet, with their
        distinct openings (a rule has few, reached many times). All rules are joined on first use."""
        if self._live is None:
            found: dict[str, list[Reached]] = defaultdict(list)
            for instance in self.instances:
                if not instance.running:
                    continue
                for nic in instance.interfaces:
                    for address in nic.external_ips:
                        if not self.index.known(instance, nic):
                            continue
                        for o in self.index.openings(instance, nic, address, per_rule=True):
                            found[o.rule.id].append(Reached(instance, nic, address, o))
            self._live = {rule_id: Live.of(reached) for rule_id, reached in found.items()}
        return self._live.get(rule.id, _NOTHING)

    def targets(self, rule: FirewallRule) -> list[Target]:
        """The instances (with their interface on the rule's network) the rule applies to."""
        found = self._targets.get(rule.id)
        if found is None:
            net = network_key(rule.network)
            if rule.targets_all:
                keys = [""]
            elif rule.target_tags:
                keys = [f"tag:{t}" for t in dict.fromkeys(rule.target_tags)]
            else:
                keys = [f"sa:{a}" for a in dict.fromkeys(rule.target_service_accounts)]
            if len(keys) == 1:
                found = list(self._on.get((net, keys[0]), {}).values())
            else:
                chosen: dict[tuple[str, str], Target] = {}
                for key in keys:
                    chosen.update(self._on.get((net, key), {}))
                found = list(chosen.values())
            self._targets[rule.id] = found
        return found

    def targeted(self, rule: FirewallRule) -> tuple[tuple[VmInstance, ...], bool]:
        """The instances the rule applies to, and whether one has an external address of a family
        whose whole Internet the rule lets in (computed once per rule)."""
        found = self._targeted.get(rule.id)
        if found is None:
            targets = self.targets(rule)
            families = internet_families(rule)
            exposed = any(
                any((6 if ":" in ip else 4) in families for ip in nic.external_ips) for _, nic in targets
            )
            found = self._targeted[rule.id] = (tuple({i.id: i for i, _ in targets}.values()), exposed)
        return found

    def instances_unread(self, rule: FirewallRule) -> str:
        """Why the instances the rule may target were not read (empty when they were)."""
        return rule.unread.get(EXPOSED_ADDRESSES, "") or self._unread.get(rule.account, "")


def view(inventory: Inventory) -> ComputeView:
    """The view of ``inventory``, built once for the checks of an evaluation and dropped after them
    (the engine forgets what the checks derived: not kept through the exposure stage and reports)."""
    return inventory.derived("gcp.compute.view", ComputeView)


# ---------------------------------------------------------------------------------- one rule


@dataclass(frozen=True)
class RuleReach:
    """What an Internet-open allow rule reaches for the ports of one category."""

    where: Reach
    live: tuple[Reached, ...]
    """The running instances' addresses it opens on those ports."""
    targets: tuple[VmInstance, ...]
    unread: str = ""
    openings: tuple[Opening, ...] = ()
    """The distinct openings (protocol and ports) of ``live``."""

    @cached_property
    def addresses(self) -> tuple[str, ...]:
        """The external addresses it opens."""
        return tuple(dict.fromkeys(map(_ADDRESS, self.live)))

    @cached_property
    def _names(self) -> list[str]:
        return list(dict.fromkeys(map(_NAME, self.live)) or (i.name for i in self.targets))

    def instance_names(self, limit: int = 20) -> list[str]:
        """The names of the instances it reaches (else targets), at most ``limit`` plus a count."""
        names = self._names
        more = len(names) - limit
        return names[:limit] + ([f"... and {more} more"] if more > 0 else [])


def rule_reach(rule: FirewallRule, inventory: Inventory, category: Category) -> RuleReach:
    """Where the rule's ports of ``category`` reach (see the module doc); computed once per run."""
    v = view(inventory)
    key = (rule.id, category)
    found = v.reach.get(key)
    if found is None:
        found = v.reach[key] = _rule_reach(rule, v, category)
    return found


def _rule_reach(rule: FirewallRule, v: ComputeView, category: Category) -> RuleReach:
    wanted = v.ports(rule).wanted[category]
    opened = v.live(rule)
    live, openings = opened.reached, tuple(opened.openings.values())
    if wanted:  # each distinct opening is judged once
        kept = {key: o for key, o in opened.openings.items() if relevant(o, wanted)}
        if len(kept) < len(opened.openings):
            live, openings = opened.only(kept), tuple(kept.values())
    targets, exposed = v.targeted(rule)
    unread = v.instances_unread(rule)
    if unread:
        return RuleReach("unknown", live, targets, unread, openings)
    if live:
        return RuleReach("public", live, targets, openings=openings)
    if exposed:
        return RuleReach("dormant", live, targets, openings=openings)
    return RuleReach("private" if targets else "none", live, targets, openings=openings)


def path_of(reached: Reached, inventory: Inventory, wanted: list[PortService]) -> tuple[Hop, ...]:
    """The path to one reached address (resource -> interface -> rule), for a port it opens."""
    o = reached.opening
    service = next((s for s in wanted if o.covers(s.port, s.protocol)), None)
    port, transport = (service.port, service.protocol) if service else (o.first, o.protocol)
    if transport in ("all", "*"):
        transport = "tcp"
    return view(inventory).index.verdict(reached.instance, reached.address, port, transport).path


# ---------------------------------------------------------------------------------- one host


@dataclass(frozen=True)
class HostExposure:
    """Sensitive ports the rules open to the Internet on an instance's external addresses."""

    ports: dict[int, str]
    ranges: tuple[PortRange, ...]
    opened: tuple[tuple[str, Opening], ...]
    """(address, opening) of every opening that lets a sensitive port (or every port) in."""
    all_traffic: bool
    no_auth: bool
    unknown: tuple[str, ...]
    """External addresses whose rules could not be judged."""

    @property
    def exposed(self) -> bool:
        """Some sensitive port is open to the Internet."""
        return bool(self.opened)


def _every_port(o: Opening) -> bool:
    return o.protocol == "all" or (o.protocol in ("tcp", "udp") and o.first <= 1 and o.last >= 65535)


def host_exposure(instance: VmInstance, inventory: Inventory) -> HostExposure:
    """Administration, data or all ports opened to the Internet on the instance's external addresses."""
    index = view(inventory).index
    ports: dict[int, str] = {}
    ranges: list[PortRange] = []
    opened: list[tuple[str, Opening]] = []
    unknown: list[str] = []
    all_traffic = no_auth = False
    for nic in instance.interfaces:
        for address in nic.external_ips:
            if not index.known(instance, nic):
                unknown.append(address)
                continue
            for o in index.openings(instance, nic, address):
                every = _every_port(o)
                found = [s for s in _catalogue_in(o.protocol, o.first, o.last) if s.sensitive]
                if not every and not found:
                    continue
                opened.append((address, o))
                all_traffic |= every
                no_auth |= every or any(s.unauthenticated for s in found)
                for s in sorted(found, key=lambda s: (s.port, s.protocol != "tcp")):
                    ports.setdefault(s.port, s.name)
                if every:
                    ranges.extend(r for r in (o.port_range(),) if r is not None)
                else:
                    ranges.extend(
                        PortRange.single(s.port, "udp" if s.protocol == "udp" else "tcp") for s in found
                    )
    return HostExposure(
        ports=dict(sorted(ports.items())),
        ranges=tuple(dict.fromkeys(ranges)),
        opened=tuple(opened),
        all_traffic=all_traffic,
        no_auth=no_auth,
        unknown=tuple(dict.fromkeys(unknown)),
    )
