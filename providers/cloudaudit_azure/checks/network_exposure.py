"""What Internet-open NSG rules really reach, and what NICs and load balancers expose, from the
inventory (pure).

One :class:`NetworkView` per inventory (built on first use, shared by every network check of the run)
over :class:`cloudaudit_azure.paths.NetworkIndex`. An NSG's reach, for the rules of one category:

- ``public``: a rule opens some of those ports on a public address (a NIC's public IP, or a load
  balancer frontend forwarding to the NIC) of a NIC attached to a VM, through both NSG levels;
- ``dormant``: public addresses lead to what the NSG filters, but the rules reach none of them now
  (a higher-priority deny, the other level denies, the NIC is attached to no VM, another family);
- ``private``: it is attached to subnets or NICs that no public address reaches;
- ``none``: it is attached to nothing;
- ``unknown``: a listing its reach depends on was not read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import Hop, PortRange
from cloudaudit.ports import PortService, catalogue
from cloudaudit_azure.assets_network import (
    LoadBalancer,
    NetworkInterface,
    NetworkSecurityGroup,
    NsgRule,
    PublicIpAddress,
    VirtualNetwork,
)
from cloudaudit_azure.paths import EXPOSED_ADDRESSES, Exposure, NetworkIndex, Place, Route, key
from cloudaudit_azure.reachability import Verdict, internet_families

Category = Literal["all", "admin", "data", "other"]
Reach = Literal["public", "dormant", "private", "none", "unknown"]
WEB_PORTS = frozenset({80, 443})
"""What a public web front end is expected to open (the only ports a "benign" rule may open)."""


# ---------------------------------------------------------------------------------- ports


@cache
def catalogue_in(transport: str, first: int, last: int) -> tuple[PortService, ...]:
    """Catalogue services of ``transport`` on ports ``first..last``."""
    return tuple(s for s in catalogue().values() if s.protocol == transport and first <= s.port <= last)


def services(rule: NsgRule) -> list[PortService]:
    """Catalogue services the rule lets in (TCP and UDP ones for protocol ``*``)."""
    found: dict[tuple[int, str], PortService] = {}
    for transport in rule.transports:
        for first, last in rule.ranges():
            found.update(((s.port, s.protocol), s) for s in catalogue_in(transport, first, last))
    return list(found.values())


def categories(rule: NsgRule) -> set[Category]:
    """The exposure categories of a rule: every port also counts as administration and data ports (as
    CIS counts ``*``), but not as "other" ports."""
    if rule.every_port():
        return {"all", "admin", "data"}
    found: set[Category] = set()
    sensitive = [s for s in services(rule) if s.sensitive]
    if any(s.remote_admin for s in sensitive):
        found.add("admin")
    if any(not s.remote_admin for s in sensitive):
        found.add("data")
    return found or {"other"}


def category_services(rule: NsgRule, category: Category) -> list[PortService]:
    """The rule's catalogue services of ``category`` (none for all/other: any port counts)."""
    if category == "admin":
        return [s for s in services(rule) if s.remote_admin]
    if category == "data":
        return [s for s in services(rule) if s.sensitive and not s.remote_admin]
    return []


def is_benign(rule: NsgRule) -> bool:
    """The rule opens only HTTP/HTTPS over TCP (ICMP-only rules open no port: no check counts them)."""
    ports = rule.ranges()
    web = all(p in WEB_PORTS for a, b in ports for p in range(a, b + 1))  # stops at the first other port
    return rule.transports == ("tcp",) and bool(ports) and web


def rule_ports(rule: NsgRule) -> tuple[PortRange, ...]:
    """The ports the rule names, as a finding's network facts."""
    if rule.every_port() and len(rule.transports) == 2:
        return (PortRange.every(),)
    out = [PortRange(from_port=a, to_port=b, transport=t) for t in rule.transports for a, b in rule.ranges()]
    return tuple(dict.fromkeys(out))


def opening_backend(exposure: Exposure) -> tuple[int, int]:
    """The backend ports of an exposure's opening (what the NSGs judged)."""
    return exposure.opening.first, exposure.opening.last


def relevant(exposure: Exposure, wanted: list[PortService]) -> bool:
    """The exposure lets one of ``wanted`` in (any exposure when nothing in particular is wanted)."""
    first, last = opening_backend(exposure)
    return not wanted or any(s.protocol == exposure.transport and first <= s.port <= last for s in wanted)


def exposed_ports(exposures: Iterable[Exposure]) -> tuple[PortRange, ...]:
    """The frontend port ranges of exposures (TCP and UDP on every port: every port)."""
    ranges = dict.fromkeys(e.port_range() for e in exposures)
    every = {PortRange(from_port=0, to_port=65535, transport=t) for t in ("tcp", "udp")}
    if every <= ranges.keys():
        ranges = {PortRange.every(): None, **{r: None for r in ranges if r not in every}}
    return tuple(ranges)


# ---------------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class RuleExposure:
    """One rule of an NSG and what it opens through one route."""

    rule: NsgRule
    exposure: Exposure

    @property
    def live(self) -> bool:
        """A VM answers behind it."""
        return self.exposure.route.place.nic.attached


class NetworkView:
    """The network assets of one inventory, joined once for every network check of the run."""

    def __init__(self, inventory: Inventory) -> None:
        self.index = NetworkIndex(
            inventory.of(NetworkSecurityGroup),
            inventory.of(NetworkInterface),
            inventory.of(VirtualNetwork),
            inventory.of(PublicIpAddress),
            inventory.of(LoadBalancer),
        )
        self.by_place: dict[str, list[Route]] = defaultdict(list)
        self.by_owner: dict[str, list[Route]] = defaultdict(list)
        for route in self.index.routes():
            self.by_place[key(route.place.config.id)].append(route)
            owner = route.load_balancer.id if route.load_balancer else route.place.nic.id
            self.by_owner[key(owner)].append(route)
        self._opened: dict[str, list[RuleExposure]] = {}
        self.reach: dict[tuple[str, Category], NsgReach] = {}
        """What each NSG reaches per category, filled by :func:`nsg_reach`."""

    def places(self, nsg: NetworkSecurityGroup) -> list[Place]:
        """The NIC IP configurations the NSG filters (as their subnet's or their NIC's NSG)."""
        return self.index.by_nsg.get(key(nsg.id), [])

    def routes(self, nsg: NetworkSecurityGroup) -> list[Route]:
        """Every route to a place the NSG filters."""
        return [r for p in self.places(nsg) for r in self.by_place.get(key(p.config.id), [])]

    def opened(self, nsg: NetworkSecurityGroup) -> list[RuleExposure]:
        """What each allow rule of the NSG opens through every route (whether or not a VM answers)."""
        found = self._opened.get(key(nsg.id))
        if found is None:
            found = []
            for route in self.routes(nsg):
                subnet, nic = self.index.levels(route.place)
                for e in self.index.rule_exposures(route, nsg):
                    mine = (
                        e.opening.subnet_rule
                        if subnet is not None and key(subnet.id) == key(nsg.id)
                        else None,
                        e.opening.nic_rule if nic is not None and key(nic.id) == key(nsg.id) else None,
                    )
                    found.extend(RuleExposure(r, e) for r in dict.fromkeys(r for r in mine if r is not None))
            self._opened[key(nsg.id)] = found
        return found

    def unread(self, nsg: NetworkSecurityGroup) -> str:
        """Why what the NSG exposes cannot be told (empty when it can)."""
        why = nsg.unread.get(EXPOSED_ADDRESSES, "")
        return why or next((w for r in self.routes(nsg) if (w := self.index.route_unknown(r))), "")

    def owned(self, owner_id: str) -> list[Route]:
        """The routes of a NIC (its public IPs) or of a load balancer (its public frontends)."""
        return self.by_owner.get(key(owner_id), [])


def view(inventory: Inventory) -> NetworkView:
    """The view of ``inventory``, built once for the checks of an evaluation and dropped after them."""
    return inventory.derived("azure.network.view", NetworkView)


# ---------------------------------------------------------------------------------- one NSG


@dataclass(frozen=True)
class NsgReach:
    """What an NSG's Internet-open allow rules of one category reach."""

    where: Reach
    live: tuple[RuleExposure, ...]
    """Their exposures on NICs attached to a VM."""
    unread: str = ""

    @property
    def addresses(self) -> tuple[str, ...]:
        """The public addresses they open."""
        return tuple(dict.fromkeys(r.exposure.route.address for r in self.live))

    def nic_names(self, limit: int = 20) -> list[str]:
        """The NICs they reach, at most ``limit`` plus a count."""
        names = list(dict.fromkeys(r.exposure.route.place.nic.name for r in self.live))
        more = len(names) - limit
        return names[:limit] + ([f"... and {more} more"] if more > 0 else [])


def open_rules(nsg: NetworkSecurityGroup, category: Category) -> list[NsgRule]:
    """The NSG's inbound allow rules from the whole Internet (of some family) in ``category``."""
    return [
        r
        for r in nsg.inbound_rules()
        if r.allows and r.transports and internet_families(r) and category in categories(r)
    ]


def graded_rules(nsg: NetworkSecurityGroup, category: Category) -> list[NsgRule]:
    """The open rules whose reach grades the category: for "other" ports, the rules that open more
    than the web (when there are such rules)."""
    rules = open_rules(nsg, category)
    if category != "other":
        return rules
    return [r for r in rules if not is_benign(r)] or rules


def nsg_reach(nsg: NetworkSecurityGroup, inventory: Inventory, category: Category) -> NsgReach:
    """Where the NSG's graded rules of ``category`` reach (see the module doc); computed once per run."""
    v = view(inventory)
    cache_key = (key(nsg.id), category)
    found = v.reach.get(cache_key)
    if found is None:
        found = v.reach[cache_key] = _nsg_reach(nsg, v, category)
    return found


def _nsg_reach(nsg: NetworkSecurityGroup, v: NetworkView, category: Category) -> NsgReach:
    rules = {r.name: category_services(r, category) for r in graded_rules(nsg, category)}
    live = tuple(
        o
        for o in v.opened(nsg)
        if o.live and o.rule.name in rules and relevant(o.exposure, rules[o.rule.name])
    )
    if not nsg.attached and not v.places(nsg):
        return NsgReach("none", live)  # its own back-references say so, whatever else was not read
    unread = v.unread(nsg)
    if unread:
        return NsgReach("unknown", live, unread)
    if live:
        return NsgReach("public", live)
    if v.routes(nsg):
        return NsgReach("dormant", live)
    return NsgReach("private" if nsg.attached or v.places(nsg) else "none", live)


def path_of(found: RuleExposure, inventory: Inventory, wanted: list[PortService]) -> tuple[Hop, ...]:
    """The path to one exposure, for a port of ``wanted`` it opens (else its first port)."""
    e = found.exposure
    first, last = opening_backend(e)
    service = next((s for s in wanted if s.protocol == e.transport and first <= s.port <= last), None)
    back = service.port if service else first
    front = back if e.route.identity else e.first
    return view(inventory).index.verdict(e.route, front, e.transport).path


# ---------------------------------------------------------------------------------- one NIC or LB


@dataclass(frozen=True)
class HostExposure:
    """Sensitive ports (or every port) the NSGs open to the Internet on a NIC's or load balancer's
    public addresses."""

    ports: dict[int, str]
    """Backend port -> service name."""
    exposures: tuple[Exposure, ...]
    all_traffic: bool
    no_auth: bool
    unknown: tuple[str, ...]
    """Why some routes could not be judged."""

    @property
    def exposed(self) -> bool:
        """Some sensitive port is open to the Internet."""
        return bool(self.exposures)

    @property
    def addresses(self) -> tuple[str, ...]:
        """The exposed public addresses."""
        return tuple(dict.fromkeys(e.route.address for e in self.exposures))

    def forwards(self, limit: int = 10) -> list[str]:
        """``192.0.2.60:50022 -> nic-app:22 (SSH)``: each exposed frontend port and what answers it."""
        out: dict[str, None] = {}
        for e in self.exposures:
            first, last = opening_backend(e)
            nic = e.route.place.nic.name
            if _every(e):
                out[f"{e.route.address} {e.transport} every port -> {nic}"] = None
                continue
            for s in catalogue_in(e.transport, first, last):
                if s.sensitive:
                    front = (
                        f"{s.port}"
                        if e.route.identity
                        else f"{e.first}" + (f"-{e.last}" if e.last > e.first else "")
                    )
                    out[f"{e.route.address}:{front} -> {nic}:{s.port} ({s.name})"] = None
        shown = list(out)
        more = len(shown) - limit
        return shown[:limit] + ([f"... and {more} more"] if more > 0 else [])

    def ranges(self) -> tuple[PortRange, ...]:
        """The exposed frontend ports: every port, or the sensitive ones."""
        if self.all_traffic:
            return exposed_ports(e for e in self.exposures if (e.first, e.last) == (0, 65535))
        out: list[PortRange] = []
        for e in self.exposures:
            first, last = opening_backend(e)
            for s in catalogue_in(e.transport, first, last):
                if s.sensitive:
                    front = s.port if e.route.identity else e.first
                    out.append(PortRange.single(front, e.transport))
        return tuple(dict.fromkeys(out))


def _every(e: Exposure) -> bool:
    first, last = opening_backend(e)
    return first <= 1 and last >= 65535


def host_exposure(routes: Iterable[Route], inventory: Inventory) -> HostExposure:
    """Administration, data or every port opened to the Internet through ``routes``."""
    index = view(inventory).index
    ports: dict[int, str] = {}
    kept: list[Exposure] = []
    unknown: list[str] = []
    all_traffic = no_auth = False
    for route in routes:
        why = index.route_unknown(route)
        if why:
            unknown.append(why)
            continue
        for e in index.exposures(route):
            first, last = opening_backend(e)
            every = _every(e)
            found = [s for s in catalogue_in(e.transport, first, last) if s.sensitive]
            if not every and not found:
                continue
            kept.append(e)
            all_traffic |= every
            no_auth |= every or any(s.unauthenticated for s in found)
            for s in sorted(found, key=lambda s: (s.port, s.protocol != "tcp")):
                ports.setdefault(s.port, s.name)
    return HostExposure(
        ports=dict(sorted(ports.items())),
        exposures=tuple(kept),
        all_traffic=all_traffic,
        no_auth=no_auth,
        unknown=tuple(dict.fromkeys(unknown)),
    )


def first_verdict(exposure: HostExposure, inventory: Inventory) -> Verdict:
    """The verdict on the first exposure, on its first sensitive port (its first port when every port)."""
    e = exposure.exposures[0]
    first, last = opening_backend(e)
    sensitive = [s for s in catalogue_in(e.transport, first, last) if s.sensitive]
    back = sensitive[0].port if sensitive else first
    front = back if e.route.identity else e.first
    return view(inventory).index.verdict(e.route, front, e.transport)
