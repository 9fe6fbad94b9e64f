"""Compute Engine: fetch firewalls, networks, instances, forwarding rules and addresses (discovery client,
compute v1), then map them to assets (pure).

Seven listings, each paged (500 a page): the global ``firewalls``, ``networks``,
``globalForwardingRules`` and ``globalAddresses``, and the aggregated ``instances``,
``forwardingRules`` and ``addresses`` (every zone or region in one listing, with partial success: an
unreachable zone is a gap of that zone). ``networks.list`` goes first: when the API is not enabled in
the project it says so once, and nothing else is asked. ``--regions`` keeps the zonal and regional
resources of the regions asked for; global ones are always read. Finally the firewall rules and the
instances go through :func:`cloudaudit_gcp.reachability.annotate` (the ports the rules open on each
external address); when the rules could not be read, the instances with an external address say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from cloudaudit.collect.guard import Failed, Raw
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_gcp import reachability
from cloudaudit_gcp.assets import PROVIDER, full_name, last_segment
from cloudaudit_gcp.assets_compute import (
    ALL_PORTS,
    FirewallRule,
    ForwardingRule,
    NetworkInterface,
    PortSpec,
    StaticAddress,
    VmInstance,
    VpcNetwork,
)
from cloudaudit_gcp.collect.context import CollectContext, ServiceCollector
from cloudaudit_gcp.collect.errors import NOT_ENABLED
from cloudaudit_gcp.collect.guard import Scoped

SERVICE = "compute"
API = "compute.googleapis.com"
GLOBAL = "global"
PAGE_SIZE = 500
"""Items per page (the API's maximum)."""


@dataclass(frozen=True)
class Listing:
    """One listing: the discovery resource, the method id (the gap's operation) and the permission."""

    resource: str
    aggregated: bool
    permission: str

    @property
    def operation(self) -> str:
        """``compute.firewalls.list``, ``compute.instances.aggregatedList``."""
        return f"compute.{self.resource}.{'aggregatedList' if self.aggregated else 'list'}"


NETWORKS = Listing("networks", False, "compute.networks.list")
FIREWALLS = Listing("firewalls", False, "compute.firewalls.list")
INSTANCES = Listing("instances", True, "compute.instances.list")
FORWARDING_RULES = Listing("forwardingRules", True, "compute.forwardingRules.list")
GLOBAL_FORWARDING_RULES = Listing("globalForwardingRules", False, "compute.globalForwardingRules.list")
ADDRESSES = Listing("addresses", True, "compute.addresses.list")
GLOBAL_ADDRESSES = Listing("globalAddresses", False, "compute.globalAddresses.list")
LISTINGS = (
    NETWORKS,
    FIREWALLS,
    INSTANCES,
    FORWARDING_RULES,
    GLOBAL_FORWARDING_RULES,
    ADDRESSES,
    GLOBAL_ADDRESSES,
)
PERMISSIONS = tuple(listing.permission for listing in LISTINGS)

Read = list[Scoped] | Failed
"""What one listing gave: its items with their scope (``global`` for a global listing), or Failed."""

# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch(ctx: CollectContext, listing: Listing) -> Read:
    """Every item of one listing, all pages; the zonal/regional ones of the wanted regions only."""
    collection = ctx.gcp.collection("compute", "v1", listing.resource)
    where = {"service": SERVICE, "operation": listing.operation}
    if listing.aggregated:
        return ctx.guard.aggregated_list(
            ctx.gcp,
            collection,
            listing.resource,
            keep=lambda scope: ctx.wanted(scope_region(scope)),
            project=ctx.project,
            maxResults=PAGE_SIZE,
            **where,
        )
    items = ctx.guard.discovery_list(
        ctx.gcp, collection, "items", region=GLOBAL, project=ctx.project, maxResults=PAGE_SIZE, **where
    )
    return items if isinstance(items, Failed) else [(GLOBAL, item) for item in items]


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every Compute Engine resource the checks read, the instances and rules annotated with reachability."""
    networks = fetch(ctx, NETWORKS)
    if isinstance(networks, Failed) and networks.code in NOT_ENABLED:
        return []  # the API is off: one gap says so, the other listings would only repeat it
    others = [listing for listing in LISTINGS if listing is not NETWORKS]
    read = dict(zip(others, ctx.detail_pool.map(lambda listing: fetch(ctx, listing), others), strict=True))
    read[NETWORKS] = networks
    return translate(ctx.project, read)


# ---------------------------------------------------------------- translate (pure)


def translate(project: str, read: dict[Listing, Read]) -> list[Asset]:
    """The assets of every listing; reachability joins the firewall rules and the instances."""

    def each(listing: Listing, build: Callable[[str, str, Raw], Asset]) -> list[Any]:
        found = read.get(listing)
        return [] if found is None or isinstance(found, Failed) else [build(project, s, r) for s, r in found]

    instances: list[VmInstance] = each(INSTANCES, to_instance)
    vms = read.get(INSTANCES)
    vms_unread = vms.reason(INSTANCES.operation) if isinstance(vms, Failed) else ""
    listed = read.get(FIREWALLS)
    if isinstance(listed, Failed):
        annotated, firewalls = reachability.annotate(instances, None, listed.reason(FIREWALLS.operation))
    else:
        rules_read = each(FIREWALLS, to_firewall)
        annotated, firewalls = reachability.annotate(instances, rules_read, instances_unread=vms_unread)
    rules = each(FORWARDING_RULES, to_forwarding_rule) + each(GLOBAL_FORWARDING_RULES, to_forwarding_rule)
    addresses = each(ADDRESSES, to_address) + each(GLOBAL_ADDRESSES, to_address)
    return [
        *each(NETWORKS, to_network),
        *firewalls,
        *annotated,
        *_unique([*rules, *addresses]),
    ]


def _unique(assets: Iterable[Asset]) -> list[Asset]:
    """Each asset once (an aggregated list may also carry the ``global`` scope its global list reads)."""
    return list({asset.id: asset for asset in assets}.values())


def scope_region(scope: str) -> str:
    """``zones/us-central1-a`` -> ``us-central1``; ``regions/europe-west1`` -> itself; else global."""
    kind, _, name = scope.partition("/")
    if kind == "zones" and name:
        return zone_region(name)
    if kind == "regions" and name:
        return name
    return GLOBAL


def zone_region(zone: str) -> str:
    """``us-central1-a`` -> ``us-central1``."""
    return zone.rsplit("-", 1)[0]


def resource_name(project: str, scope: str, collection: str, name: str) -> str:
    """The full resource name: ``//compute.googleapis.com/projects/p/zones/z/instances/vm``."""
    return full_name("compute", f"projects/{project}/{scope}/{collection}/{name}")


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def _labels(raw: Raw) -> dict[str, str]:
    return {str(k): str(v) for k, v in (raw.get("labels") or {}).items()}


def _common(project: str, scope: str, collection: str, raw: Raw) -> dict[str, Any]:
    """The fields every Compute asset shares; ``scope`` is ``global``, ``zones/z`` or ``regions/r``."""
    name = str(raw.get("name", ""))
    return {
        "provider": PROVIDER,
        "account": project,
        "region": scope_region(scope),
        "id": resource_name(project, scope, collection, name),
        "name": name,
        "tags": _labels(raw),
    }


def to_network(project: str, scope: str, raw: Raw) -> VpcNetwork:
    """A :class:`VpcNetwork` from a ``Network``."""
    auto = raw.get("autoCreateSubnetworks")
    return VpcNetwork(
        **_common(project, GLOBAL, "networks", raw),
        self_link=str(raw.get("selfLink", "")),
        auto_create_subnetworks=auto if isinstance(auto, bool) else None,
    )


def port_specs(entries: Any) -> tuple[PortSpec, ...]:
    """``allowed``/``denied`` entries: protocol lower-cased (numbers kept as strings), ports as given."""
    return tuple(
        PortSpec(protocol=str(e.get("IPProtocol", "all")).lower(), ports=_strings(e.get("ports")))
        for e in entries or ()
    )


def to_firewall(project: str, scope: str, raw: Raw) -> FirewallRule:
    """A :class:`FirewallRule` from a ``Firewall``: ``denied`` entries make a deny rule."""
    action: Literal["allow", "deny"] = "deny" if raw.get("denied") else "allow"
    direction: Literal["INGRESS", "EGRESS"] = "EGRESS" if raw.get("direction") == "EGRESS" else "INGRESS"
    network = str(raw.get("network", ""))
    try:
        priority = int(raw.get("priority", 1000))
    except (TypeError, ValueError):
        priority = 1000
    return FirewallRule(
        **_common(project, GLOBAL, "firewalls", raw),
        network=network,
        network_name=last_segment(network) if network else "",
        description=str(raw.get("description", "")),
        direction=direction,
        priority=priority,
        action=action,
        entries=port_specs(raw.get("denied") if action == "deny" else raw.get("allowed")),
        source_ranges=_strings(raw.get("sourceRanges")),
        destination_ranges=_strings(raw.get("destinationRanges")),
        source_tags=_strings(raw.get("sourceTags")),
        source_service_accounts=_strings(raw.get("sourceServiceAccounts")),
        target_tags=_strings(raw.get("targetTags")),
        target_service_accounts=_strings(raw.get("targetServiceAccounts")),
        disabled=bool(raw.get("disabled", False)),
        logging=bool((raw.get("logConfig") or {}).get("enable", False)),
    )


def to_interface(raw: Raw) -> NetworkInterface:
    """A :class:`NetworkInterface`: external IPv4 from ``accessConfigs``, IPv6 from ``ipv6AccessConfigs``."""
    external = [str(c["natIP"]) for c in raw.get("accessConfigs") or () if c.get("natIP")]
    external += [str(c["externalIpv6"]) for c in raw.get("ipv6AccessConfigs") or () if c.get("externalIpv6")]
    return NetworkInterface(
        name=str(raw.get("name", "")),
        network=str(raw.get("network", "")),
        subnetwork=str(raw.get("subnetwork", "")),
        internal_ip=str(raw.get("networkIP", "")),
        external_ips=tuple(dict.fromkeys(external)),
    )


def to_instance(project: str, scope: str, raw: Raw) -> VmInstance:
    """A :class:`VmInstance` from an ``Instance`` of the scope ``zones/{zone}``."""
    zone = last_segment(str(raw.get("zone") or scope))
    return VmInstance(
        **_common(project, f"zones/{zone}", "instances", raw),
        zone=zone,
        status=str(raw.get("status", "")),
        interfaces=tuple(to_interface(nic) for nic in raw.get("networkInterfaces") or ()),
        network_tags=_strings((raw.get("tags") or {}).get("items")),
        service_accounts=tuple(str(a["email"]) for a in raw.get("serviceAccounts") or () if a.get("email")),
    )


def to_forwarding_rule(project: str, scope: str, raw: Raw) -> ForwardingRule:
    """A :class:`ForwardingRule`; an external one gets an endpoint per port range it forwards."""
    rule = ForwardingRule(
        **_common(project, scope, "forwardingRules", raw),
        address=str(raw.get("IPAddress", "")),
        ip_protocol=str(raw.get("IPProtocol", "")),
        port_range=str(raw.get("portRange", "")),
        ports=_strings(raw.get("ports")),
        all_ports=bool(raw.get("allPorts", False)),
        load_balancing_scheme=str(raw.get("loadBalancingScheme", "")),
        target=str(raw.get("target", "")),
        backend_service=str(raw.get("backendService", "")),
        network_tier=str(raw.get("networkTier", "")),
    )
    return rule.model_copy(update={"endpoints": forwarding_endpoints(rule)})


TRANSPORTS: dict[str, Literal["tcp", "udp", "all"]] = {"TCP": "tcp", "UDP": "udp", "L3_DEFAULT": "all"}
"""Forwarding rule protocols with ports an endpoint can name (ESP, AH, SCTP and ICMP have none)."""
TARGET_APPLICATIONS = {"targetHttpsProxies": "https", "targetHttpProxies": "http", "targetSslProxies": "tls"}
"""What a proxy load balancer's front end speaks, by the collection of its target."""


def forwarding_endpoints(rule: ForwardingRule) -> tuple[Endpoint, ...]:
    """The Internet endpoints of an external rule: its address on each port range it forwards.

    ``portRange`` (``80-80``), each of ``ports``, or every port with ``allPorts`` (or no port given:
    protocol forwarding then forwards them all); an L3_DEFAULT rule forwards every protocol.
    """
    transport = TRANSPORTS.get(rule.ip_protocol.upper() or "TCP")
    host = rule.address.split("/", 1)[0]  # an IPv6 rule may carry its /96 range
    if not rule.external or not host or transport is None:
        return ()
    via = f"forwarding rule {rule.name} ({rule.load_balancing_scheme})"
    application = TARGET_APPLICATIONS.get(_collection_of(rule.target), "")
    return tuple(
        Endpoint(
            host=host, protocol=transport, from_port=first, to_port=last, via=via, application=application
        )
        for first, last in port_ranges(rule)
    )


def port_ranges(rule: ForwardingRule) -> tuple[tuple[int, int], ...]:
    """The port ranges a rule forwards (every port when it names none)."""
    if rule.all_ports or rule.ip_protocol.upper() == "L3_DEFAULT":
        return (ALL_PORTS,)
    named = [rule.port_range] if rule.port_range else list(rule.ports)
    ranges = [r for r in (_port_range(value) for value in named) if r is not None]
    return tuple(dict.fromkeys(ranges)) if named else (ALL_PORTS,)


def _port_range(value: str) -> tuple[int, int] | None:
    first, _, last = value.partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        return None
    return (low, high) if 0 <= low <= high <= ALL_PORTS[1] else None


def _collection_of(url: str) -> str:
    """``.../global/targetHttpsProxies/web`` -> ``targetHttpsProxies``."""
    parts = url.rstrip("/").split("/")
    return parts[-2] if len(parts) >= 2 else ""


def to_address(project: str, scope: str, raw: Raw) -> StaticAddress:
    """A :class:`StaticAddress` (regional or global); the type is EXTERNAL unless the API says otherwise."""
    return StaticAddress(
        **_common(project, scope, "addresses", raw),
        address=str(raw.get("address", "")),
        address_type=str(raw.get("addressType") or "EXTERNAL"),
        status=str(raw.get("status", "")),
        users=_strings(raw.get("users")),
    )


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=False, collect=collect, permissions=PERMISSIONS, api=API
)
