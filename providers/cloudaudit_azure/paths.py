"""The network topology of an inventory joined once (pure): which public address reaches which NIC IP
configuration, on which ports, through which NSG rules (:mod:`cloudaudit_azure.reachability` judges
each NSG).

A *place* is one IP configuration of one NIC; a *route* is one way the Internet reaches a place: a
public IP on the configuration (every port arrives as is), or a load balancer's public frontend with
an inbound NAT rule (frontend port -> backend port) or a load-balancing rule to a backend pool holding
the configuration (HA ports: every port as is). An *exposure* is the frontend ports of a route that
both NSG levels let the whole Internet through. :func:`annotate` gives the collected assets what
depends on several listings: the public addresses and endpoints of NICs and load balancers, and the
addresses each NSG opens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.network import Hop, PortRange
from cloudaudit.ranges import Span, family
from cloudaudit_azure.assets import parse_id
from cloudaudit_azure.assets_network import (
    IpConfiguration,
    LoadBalancer,
    NetworkInterface,
    NetworkSecurityGroup,
    NsgRule,
    PublicIpAddress,
    VirtualNetwork,
)
from cloudaudit_azure.reachability import (
    EVERY,
    TRANSPORTS,
    Destination,
    LevelPieces,
    LevelVerdict,
    Opening,
    Piece,
    Transport,
    Verdict,
    applies,
    combine,
    decide,
    intersect,
    walk,
)

UNREAD_NSGS = "network_security_groups"
UNREAD_SUBNETS = "subnets"
UNREAD_PUBLIC_IPS = "public_ips"
UNREAD_BACKENDS = "backends"
EXPOSED_ADDRESSES = "exposed_addresses"
"""``unread`` keys: a NIC whose NSGs, subnets or public IPs were not read; a load balancer whose
backends' NICs or frontends' public IPs were not read; an NSG whose NICs, subnets, public IPs or load
balancers were not read (what it exposes cannot be told)."""

A = TypeVar("A", bound=Asset)
NetworkAsset = NetworkSecurityGroup | NetworkInterface | VirtualNetwork | PublicIpAddress | LoadBalancer


def key(resource_id: str) -> str:
    """An ARM id as a lookup key (ids compare case-insensitively)."""
    return resource_id.strip().rstrip("/").casefold()


def name_of(resource_id: str) -> str:
    """The last name of an ARM id."""
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


def _sku(pip: PublicIpAddress) -> str:
    return f" ({pip.sku} SKU)" if pip.sku else ""


@dataclass(frozen=True)
class Place:
    """One IP configuration of one NIC: where Internet traffic is filtered by the two NSG levels."""

    nic: NetworkInterface
    config: IpConfiguration

    @property
    def label(self) -> str:
        """``nic-web/ipconfig1 (10.0.1.4)``."""
        private = f" ({self.config.private_ip})" if self.config.private_ip else ""
        return f"{self.nic.name}/{self.config.name or name_of(self.config.id)}{private}"

    def hop(self) -> Hop:
        """The path step of the configuration."""
        where = f" in subnet {name_of(self.config.subnet)}" if self.config.subnet else ""
        vm = f", VM {name_of(self.nic.virtual_machine)}" if self.nic.attached else ", attached to no VM"
        detail = f"IP configuration {self.label} of NIC {self.nic.name}{where}{vm}"
        return Hop(hop="interface", id=self.config.id, detail=detail)


@dataclass(frozen=True)
class Route:
    """One way the Internet reaches a place: a public address and its frontend ports, the backend
    ports they arrive on, and the hops up to the NIC (public IP, load balancer frontend and rule)."""

    address: str
    public_ip: PublicIpAddress
    place: Place
    start: tuple[Hop, ...]
    via: str
    """``public IP pip-web`` or ``load balancer lb-edge NAT rule ssh (Tcp 50022 -> 22)``."""
    transports: tuple[Transport, ...] = TRANSPORTS
    front: Span = EVERY
    back: Span = EVERY
    load_balancer: LoadBalancer | None = None

    @property
    def version(self) -> int:
        """The address family of the public address."""
        return family(self.address)

    @property
    def identity(self) -> bool:
        """Every port arrives on the same port (a NIC's public IP, HA ports)."""
        return self.front == self.back == EVERY

    def to_front(self, first: int, last: int) -> Span | None:
        """The frontend ports by which backend ports ``first..last`` are reached (None: none are)."""
        low, high = max(first, self.back[0]), min(last, self.back[1])
        if low > high:
            return None
        return (low, high) if self.identity else self.front

    def backend_port(self, front_port: int) -> int:
        """The backend port a frontend port arrives on."""
        return front_port if self.identity else self.back[0]


@dataclass(frozen=True)
class Exposure:
    """Frontend ports of a route that reach its place through both NSG levels, with the opening."""

    route: Route
    transport: Transport
    first: int
    last: int
    opening: Opening

    def port_range(self) -> PortRange:
        """As a finding's port range."""
        return PortRange(from_port=self.first, to_port=self.last, transport=self.transport)


class NetworkIndex:
    """The network assets of an inventory joined once, ready to judge (build once, ask often)."""

    def __init__(
        self,
        nsgs: Iterable[NetworkSecurityGroup],
        nics: Iterable[NetworkInterface],
        vnets: Iterable[VirtualNetwork],
        public_ips: Iterable[PublicIpAddress],
        load_balancers: Iterable[LoadBalancer],
    ) -> None:
        self.nsgs = {key(n.id): n for n in nsgs}
        self.subnets = {key(s.id): s for v in vnets for s in v.subnets}
        self.public_ips = {key(p.id): p for p in public_ips}
        self.load_balancers = list(load_balancers)
        self.places: dict[str, Place] = {}
        self.by_nsg: dict[str, list[Place]] = defaultdict(list)
        """NSG -> the places it filters (as their subnet's NSG or their NIC's)."""
        self.pooled: dict[str, list[str]] = defaultdict(list)
        """Backend pool -> the IP configurations that say they are in it."""
        for nic in nics:
            for config in nic.ip_configurations:
                place = Place(nic, config)
                self.places[key(config.id)] = place
                for pool in config.backend_pools:
                    self.pooled[key(pool)].append(config.id)
                for nsg_id in dict.fromkeys(
                    key(i) for i in (self.subnet_nsg(config), nic.network_security_group) if i
                ):
                    self.by_nsg[nsg_id].append(place)
        self._rules: dict[tuple[str, Destination], tuple[NsgRule, ...]] = {}
        self._pieces: dict[tuple[str, Destination, int, str, bool], tuple[Piece, ...]] = {}
        self._openings: dict[tuple[str, int, bool], tuple[Opening, ...]] = {}
        self._routes: tuple[Route, ...] | None = None
        self._unplaced: dict[str, dict[str, None]] = defaultdict(dict)

    # ------------------------------------------------------------------ joins

    def subnet_nsg(self, config: IpConfiguration) -> str:
        """The id of the NSG of the configuration's subnet (empty: none, or the subnet was not read)."""
        subnet = self.subnets.get(key(config.subnet)) if config.subnet else None
        return subnet.network_security_group if subnet is not None else ""

    def unknown(self, place: Place) -> str:
        """Why the NSG levels of ``place`` cannot be judged (empty when they can): its subnet, or an NSG
        it names, was not read (a NIC and a subnet that name no NSG need none)."""
        config, unread = place.config, place.nic.unread
        if config.subnet and key(config.subnet) not in self.subnets:
            return unread.get(UNREAD_SUBNETS) or f"subnet {name_of(config.subnet)} was not read"
        for nsg_id in (self.subnet_nsg(config), place.nic.network_security_group):
            if nsg_id and key(nsg_id) not in self.nsgs:
                return unread.get(UNREAD_NSGS) or f"NSG {name_of(nsg_id)} was not read"
        return ""

    def levels(self, place: Place) -> tuple[NetworkSecurityGroup | None, NetworkSecurityGroup | None]:
        """The subnet's and the NIC's NSG (None: none at that level); meaningful when :meth:`unknown`
        is empty."""
        subnet_nsg, nic_nsg = self.subnet_nsg(place.config), place.nic.network_security_group
        return (
            self.nsgs.get(key(subnet_nsg)) if subnet_nsg else None,
            self.nsgs.get(key(nic_nsg)) if nic_nsg else None,
        )

    def rules(self, nsg: NetworkSecurityGroup, dest: Destination) -> tuple[NsgRule, ...]:
        """The NSG's inbound rules that apply to ``dest``, in evaluation order (cached)."""
        cache = (key(nsg.id), dest)
        found = self._rules.get(cache)
        if found is None:
            found = self._rules[cache] = tuple(r for r in nsg.inbound_rules() if applies(r, dest))
        return found

    def _walk(
        self, nsg: NetworkSecurityGroup, dest: Destination, version: int, transport: str, per_rule: bool
    ) -> tuple[Piece, ...]:
        cache = (key(nsg.id), dest, version, transport, per_rule)
        found = self._pieces.get(cache)
        if found is None:
            rules = self.rules(nsg, dest)
            found = self._pieces[cache] = walk(rules, version, transport, first_decides=not per_rule)
        return found

    # ------------------------------------------------------------------ openings

    def openings(self, place: Place, version: int, secure: bool) -> tuple[Opening, ...]:
        """What both levels open to the whole IPv``version`` Internet on ``place``, each port once with
        its deciding rules; nothing when a level is unknown, or behind a ``secure`` (Standard SKU)
        address with no NSG at either level."""
        cache = (key(place.config.id), version, secure)
        found = self._openings.get(cache)
        if found is None:
            found = self._openings[cache] = self._open(place, version, secure, None)
        return found

    def allowances(
        self, place: Place, version: int, secure: bool, nsg: NetworkSecurityGroup
    ) -> tuple[Opening, ...]:
        """What each allow rule of ``nsg`` opens on ``place`` and the other level lets through: its ports
        that no deny covering the Internet above it closes (see :func:`~.reachability.walk`)."""
        return self._open(place, version, secure, nsg)

    def _open(
        self, place: Place, version: int, secure: bool, per_rule: NetworkSecurityGroup | None
    ) -> tuple[Opening, ...]:
        if self.unknown(place):
            return ()
        subnet, nic = self.levels(place)
        if subnet is None and nic is None and secure:
            return ()
        dest = Destination.of(place.config)
        out: list[Opening] = []
        for transport in TRANSPORTS:
            levels: list[LevelPieces] = []
            for nsg in (subnet, nic):
                own = nsg is not None and per_rule is not None and key(nsg.id) == key(per_rule.id)
                levels.append(None if nsg is None else self._walk(nsg, dest, version, transport, own))
            out.extend(intersect(transport, levels[0], levels[1]))
        return tuple(out)

    # ------------------------------------------------------------------ routes

    def routes(self) -> tuple[Route, ...]:
        """Every way the Internet reaches a place: public IPs on NICs, then load balancer public
        frontends (NAT rules, load-balancing rules), in inventory order."""
        if self._routes is None:
            balanced = (r for lb in self.load_balancers for r in self._balanced(lb))
            self._routes = (*self._direct(), *balanced)
        return self._routes

    def unjudged(self, lb: LoadBalancer) -> tuple[str, ...]:
        """What the load balancer's public frontends forward to that cannot be judged: backends that are
        not NICs of the inventory (scale set instances, another subscription's), inbound NAT pools."""
        self.routes()
        public = {key(fe.id) for fe in lb.frontends if fe.public_ip}
        pools = (f"inbound NAT pool {p.name}" for p in lb.nat_pools if key(p.frontend) in public)
        configs = (f"backend {_backend_name(c)}" for c in self._unplaced.get(key(lb.id), ()))
        return (*pools, *configs)

    def route_unknown(self, route: Route) -> str:
        """Why a route cannot be judged (empty when it can)."""
        lb = route.load_balancer
        if lb is not None and UNREAD_BACKENDS in lb.unread:
            return lb.unread[UNREAD_BACKENDS]
        return self.unknown(route.place)

    def _direct(self) -> list[Route]:
        out: list[Route] = []
        for place in self.places.values():
            pip = self.public_ips.get(key(place.config.public_ip)) if place.config.public_ip else None
            if pip is None or not pip.ip_address:
                continue
            hop = Hop(hop="public_ip", id=pip.id, detail=f"public IP {pip.name} {pip.ip_address}{_sku(pip)}")
            out.append(Route(pip.ip_address, pip, place, (hop,), f"public IP {pip.name}"))
        return out

    def _frontends(self, lb: LoadBalancer) -> dict[str, tuple[PublicIpAddress, Hop]]:
        """Public frontend id -> its public IP and hop."""
        out: dict[str, tuple[PublicIpAddress, Hop]] = {}
        for fe in lb.frontends:
            pip = self.public_ips.get(key(fe.public_ip)) if fe.public_ip else None
            if pip is not None and pip.ip_address:
                detail = (
                    f"frontend {fe.name} of load balancer {lb.name}: public IP {pip.name} "
                    f"{pip.ip_address}{_sku(pip)}"
                )
                out[key(fe.id)] = (pip, Hop(hop="load_balancer", id=fe.id, detail=detail))
        return out

    def members(self, lb: LoadBalancer) -> dict[str, list[str]]:
        """Backend pool id -> the IP configuration ids in it (the pool's list and the NICs' own)."""
        found: dict[str, dict[str, str]] = {
            key(p.id): {key(c): c for c in p.ip_configurations} for p in lb.backend_pools
        }
        for pool, configs in found.items():
            configs.update((key(c), c) for c in self.pooled.get(pool, ()) if key(c) not in configs)
        return {pool: list(configs.values()) for pool, configs in found.items()}

    def _balanced(self, lb: LoadBalancer) -> list[Route]:
        frontends = self._frontends(lb)
        members = self.members(lb)
        out: list[Route | None] = []
        for nat in lb.nat_rules:
            front = frontends.get(key(nat.frontend))
            if front is None:
                continue
            last = max(nat.frontend_port_last, nat.frontend_port)
            ports = f"{nat.frontend_port}" + (f"-{last}" if last != nat.frontend_port else "")
            what = f"NAT rule {nat.name} ({nat.protocol} {ports} -> {nat.backend_port})"
            targets = (
                [nat.backend_ip_configuration]
                if nat.backend_ip_configuration
                else members.get(key(nat.backend_pool), [])
            )
            spans = ((nat.frontend_port, last), (nat.backend_port, nat.backend_port))
            out.extend(self._route(lb, front, t, nat.protocol, spans, (nat.id, what)) for t in targets)
        for rule in lb.rules:
            front = frontends.get(key(rule.frontend))
            if front is None:
                continue
            every = rule.frontend_port == 0 and rule.protocol.lower() == "all"
            back = rule.backend_port or rule.frontend_port
            span_front: Span = EVERY if every else (rule.frontend_port, rule.frontend_port)
            span_back: Span = EVERY if every else (back, back)
            shown = "every port" if every else f"{rule.frontend_port} -> {back}"
            what = f"load-balancing rule {rule.name} ({rule.protocol} {shown})"
            pooled = dict.fromkeys(t for pool in rule.backend_pools for t in members.get(key(pool), []))
            out.extend(
                self._route(lb, front, t, rule.protocol, (span_front, span_back), (rule.id, what))
                for t in pooled
            )
        return [r for r in out if r is not None]

    def _route(
        self,
        lb: LoadBalancer,
        front: tuple[PublicIpAddress, Hop],
        config_id: str,
        protocol: str,
        spans: tuple[Span, Span],
        named: tuple[str, str],
    ) -> Route | None:
        """The route to one backend configuration (None: not listed here, e.g. a scale set instance)."""
        place = self.places.get(key(config_id))
        if place is None:
            self._unplaced[key(lb.id)][config_id] = None
            return None
        pip, frontend = front
        proto = protocol.lower()
        transports: tuple[Transport, ...] = TRANSPORTS
        if proto == "tcp":
            transports = ("tcp",)
        elif proto == "udp":
            transports = ("udp",)
        rule_id, what = named
        hop = Hop(hop="load_balancer_rule", id=rule_id or lb.id, detail=f"{what} to {place.label}")
        return Route(
            pip.ip_address,
            pip,
            place,
            (frontend, hop),
            f"load balancer {lb.name} {what}",
            transports,
            spans[0],
            spans[1],
            lb,
        )

    # ------------------------------------------------------------------ verdicts

    def exposures(self, route: Route) -> tuple[Exposure, ...]:
        """The frontend ports of ``route`` both levels open to the Internet (whether or not a VM answers)."""
        if self.route_unknown(route):
            return ()
        secure = route.public_ip.secure_by_default
        return self._expose(route, self.openings(route.place, route.version, secure))

    def rule_exposures(self, route: Route, nsg: NetworkSecurityGroup) -> tuple[Exposure, ...]:
        """The frontend ports the allow rules of ``nsg`` open through ``route`` (see :meth:`allowances`)."""
        if self.route_unknown(route):
            return ()
        secure = route.public_ip.secure_by_default
        return self._expose(route, self.allowances(route.place, route.version, secure, nsg))

    @staticmethod
    def _expose(route: Route, openings: Iterable[Opening]) -> tuple[Exposure, ...]:
        out: list[Exposure] = []
        for o in openings:
            front = route.to_front(o.first, o.last) if o.transport in route.transports else None
            if front is not None:
                out.append(Exposure(route, o.transport, front[0], front[1], o))
        return tuple(out)

    def verdict(self, route: Route, front_port: int, transport: Transport = "tcp") -> Verdict:
        """Can the Internet open a connection to ``route.address``:``front_port``? The path: public IP
        -> (load balancer frontend -> rule ->) NIC IP configuration -> subnet NSG -> NIC NSG."""
        place = route.place
        start = (*route.start, place.hop())
        if transport not in route.transports or not route.front[0] <= front_port <= route.front[1]:
            return Verdict("blocked", f"{route.via} does not forward {transport}/{front_port}", start)
        why = self.route_unknown(route)
        if why:
            return Verdict("unknown", f"the NSGs of {place.label} could not be judged: {why}", start)
        subnet, nic = self.levels(place)
        if subnet is None and nic is None:
            return _attached(route, _no_nsg(route, start))
        port = route.backend_port(front_port)
        dest = Destination.of(place.config)
        said: list[LevelVerdict] = []
        for where, nsg in (("subnet_nsg", subnet), ("nic_nsg", nic)):
            if nsg is not None:
                said.append(decide(nsg, self.rules(nsg, dest), route.version, port, transport, where))
                continue
            owner, what = (
                (place.config.subnet, f"subnet {name_of(place.config.subnet)}")
                if where == "subnet_nsg"
                else (place.nic.id, f"NIC {place.nic.name}")
            )
            hop = Hop(hop=where, id=owner, detail=f"{what} has no NSG: this level allows everything")
            said.append(LevelVerdict("reachable", f"{what} has no NSG", (hop,)))
        level, reason = combine(said)
        return _attached(route, Verdict(level, reason, (*start, *(h for v in said for h in v.hops))))


def _backend_name(config_id: str) -> str:
    """``vmss-web/0/nic/ipconfig1`` (a scale set instance's configuration) or ``nic/ipconfig1``."""
    return "/".join(parse_id(config_id).names) or config_id


def _no_nsg(route: Route, start: tuple[Hop, ...]) -> Verdict:
    place = route.place
    hop = Hop(hop="nsg", id=place.nic.id, detail=f"no NSG on the subnet or the NIC of {place.label}")
    if route.public_ip.secure_by_default:
        reason = (
            f"no NSG filters {place.label}, and a Standard SKU public IP is closed to inbound traffic "
            "unless an NSG allows it"
        )
        return Verdict("blocked", reason, (*start, hop))
    reason = f"no NSG filters {place.label}: every port of its Basic SKU public IP is open"
    return Verdict("reachable", reason, (*start, hop))


def _attached(route: Route, found: Verdict) -> Verdict:
    """A NIC attached to no VM answers nothing: blocked, saying what the NSGs alone say."""
    nic = route.place.nic
    if nic.attached or found.level == "blocked":
        return found
    reason = (
        f"NIC {nic.name} is attached to no VM: nothing answers on {route.address} (the NSGs say "
        f"{found.level}: {found.reason})"
    )
    return Verdict("blocked", reason, found.path)


# ---------------------------------------------------------------------------------- endpoints


def endpoints(exposed: Iterable[Exposure]) -> tuple[Endpoint, ...]:
    """One endpoint per address, transport and frontend range (TCP and UDP on every port of one address:
    one all-protocols endpoint)."""
    spans: dict[tuple[str, str, int, int], str] = {}
    for e in exposed:
        spans.setdefault((e.route.address, e.transport, e.first, e.last), via(e))
    out: list[Endpoint] = []
    for (host, transport, first, last), why in spans.items():
        if (first, last) == EVERY and {(host, t, *EVERY) for t in TRANSPORTS} <= spans.keys():
            if transport == "tcp":
                out.append(Endpoint(host=host, protocol="all", from_port=first, to_port=last, via=why))
            continue
        proto: Literal["tcp", "udp"] = "udp" if transport == "udp" else "tcp"
        out.append(Endpoint(host=host, protocol=proto, from_port=first, to_port=last, via=why))
    return tuple(dict.fromkeys(out))


def via(exposure: Exposure) -> str:
    """``public IP pip-web; NSG rules: allow-https`` (what opens an endpoint)."""
    rules = ", ".join(r.name for r in exposure.opening.rules()) or "no NSG"
    return f"{exposure.route.via}; NSG rules: {rules}"


# ---------------------------------------------------------------------------------- annotate


@dataclass(frozen=True)
class Read:
    """The assets of each listing, and why a listing could not be read."""

    nsgs: Sequence[NetworkSecurityGroup] = ()
    nics: Sequence[NetworkInterface] = ()
    vnets: Sequence[VirtualNetwork] = ()
    public_ips: Sequence[PublicIpAddress] = ()
    load_balancers: Sequence[LoadBalancer] = ()
    unread: dict[str, str] | None = None
    """``nsgs``, ``nics``, ``vnets``, ``public_ips`` or ``load_balancers`` -> why it failed."""


def mark(asset: A, reasons: dict[str, str]) -> A:
    """The asset with the non-empty ``reasons`` added to its ``unread``."""
    kept = {k: v for k, v in reasons.items() if v}
    return asset.model_copy(update={"unread": {**asset.unread, **kept}}) if kept else asset


def annotate(read: Read) -> list[NetworkAsset]:
    """Every asset with what depends on other listings: NICs and load balancers with their public
    addresses and endpoints (ports both levels open to the Internet on a NIC attached to a VM), NSGs
    with the public addresses their allow rules open; ``unread`` where a listing they need failed."""
    gone = read.unread or {}
    nic_gaps = {UNREAD_NSGS: gone.get("nsgs", ""), UNREAD_SUBNETS: gone.get("vnets", "")}
    nic_gaps[UNREAD_PUBLIC_IPS] = gone.get("public_ips", "")
    nics = [mark(n, nic_gaps) for n in read.nics]
    lb_gaps = {UNREAD_BACKENDS: gone.get("nics", ""), UNREAD_PUBLIC_IPS: gone.get("public_ips", "")}
    lbs = [mark(lb, lb_gaps) for lb in read.load_balancers]
    reach = next((gone[k] for k in ("nics", "vnets", "public_ips", "load_balancers") if gone.get(k)), "")
    nsgs = [mark(n, {EXPOSED_ADDRESSES: reach}) for n in read.nsgs]
    index = NetworkIndex(nsgs, nics, read.vnets, read.public_ips, lbs)
    exposed: dict[str, list[Exposure]] = defaultdict(list)
    addresses: dict[str, dict[str, None]] = defaultdict(dict)
    opened_by: dict[str, dict[str, None]] = defaultdict(dict)
    for route in index.routes():
        owner = key(route.load_balancer.id if route.load_balancer else route.place.nic.id)
        addresses[owner][route.address] = None
        if not route.place.nic.attached:
            continue
        exposed[owner].extend(index.exposures(route))
        levels = {key(n.id): n for n in index.levels(route.place) if n is not None}
        for nsg in levels.values():
            if index.rule_exposures(route, nsg):
                opened_by[key(nsg.id)][route.address] = None

    def update(asset: A, **fields: object) -> A:
        return asset.model_copy(update=fields)

    return [
        *(update(n, exposed_addresses=tuple(opened_by.get(key(n.id), ()))) for n in nsgs),
        *(
            update(n, public_ips=tuple(addresses.get(key(n.id), ())), endpoints=endpoints(exposed[key(n.id)]))
            for n in nics
        ),
        *read.vnets,
        *read.public_ips,
        *(
            update(lb, public_ips=frontend_addresses(lb, index), endpoints=endpoints(exposed[key(lb.id)]))
            for lb in lbs
        ),
    ]


def frontend_addresses(lb: LoadBalancer, index: NetworkIndex) -> tuple[str, ...]:
    """The addresses of a load balancer's public frontends."""
    found = (index.public_ips.get(key(fe.public_ip)) for fe in lb.frontends if fe.public_ip)
    return tuple(dict.fromkeys(p.ip_address for p in found if p is not None and p.ip_address))
