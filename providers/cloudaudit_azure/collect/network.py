"""Network: fetch NSGs, NICs, virtual networks, public IPs and load balancers (azure-mgmt-network,
``NetworkManagementClient``), then map them to assets (pure).

Five subscription-wide listings (``list_all``, paged by ``nextLink``), read side by side in the detail
pool; NSG rules, subnets, IP configurations, frontends, NAT rules, load-balancing rules and backend
pools come embedded in their parent. ``--regions`` keeps the resources of the locations asked for (a
NIC, its subnet, its NSGs and its public IP share one). Finally :func:`cloudaudit_azure.paths.annotate`
joins them: which ports both NSG levels open on which public address. A listing that fails is a gap,
and the assets that depend on it say so in ``unread`` (their checks then say UNKNOWN, or grade as if
the worst held).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from azure.mgmt.network import NetworkManagementClient

from cloudaudit.collect.guard import Failed, Raw
from cloudaudit.model.asset import Asset
from cloudaudit_azure.assets import PROVIDER, normal_location, parse_id
from cloudaudit_azure.assets_network import (
    BackendPool,
    BalancingRule,
    Frontend,
    IpConfiguration,
    LoadBalancer,
    NatPool,
    NatRule,
    NetworkInterface,
    NetworkSecurityGroup,
    NsgRule,
    PublicIpAddress,
    Subnet,
    VirtualNetwork,
)
from cloudaudit_azure.collect.context import CollectContext, ServiceCollector
from cloudaudit_azure.collect.sdk_json import rest_json
from cloudaudit_azure.paths import Read, annotate

SERVICE = "network"
NAMESPACE = "Microsoft.Network"
GLOBAL = "global"


@dataclass(frozen=True)
class Listing:
    """One subscription-wide listing: its key in :class:`~cloudaudit_azure.paths.Read`, the client's
    operations attribute, and the RBAC action it needs."""

    name: str
    operations: str
    action: str

    @property
    def operation(self) -> str:
        """The call, as gaps name it: ``network_security_groups.list_all``."""
        return f"{self.operations}.list_all"


NSGS = Listing("nsgs", "network_security_groups", "Microsoft.Network/networkSecurityGroups/read")
NICS = Listing("nics", "network_interfaces", "Microsoft.Network/networkInterfaces/read")
VNETS = Listing("vnets", "virtual_networks", "Microsoft.Network/virtualNetworks/read")
PUBLIC_IPS = Listing("public_ips", "public_ip_addresses", "Microsoft.Network/publicIPAddresses/read")
LOAD_BALANCERS = Listing("load_balancers", "load_balancers", "Microsoft.Network/loadBalancers/read")
LISTINGS = (NSGS, NICS, VNETS, PUBLIC_IPS, LOAD_BALANCERS)
ACTIONS = tuple(listing.action for listing in LISTINGS)

# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch(ctx: CollectContext, listing: Listing) -> list[Raw] | Failed:
    """Every resource of one listing (all pages) as ARM JSON, or Failed (a gap is recorded)."""
    client = ctx.azure.client(NetworkManagementClient, ctx.subscription)
    operations = getattr(client, listing.operations)
    found = ctx.guard.items(operations.list_all, service=SERVICE, region=GLOBAL, operation=listing.operation)
    if isinstance(found, Failed):
        return found
    return [rest_json(item) for item in found]


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every network resource of the wanted locations, joined by reachability."""
    read = dict(
        zip(LISTINGS, ctx.detail_pool.map(lambda listing: fetch(ctx, listing), LISTINGS), strict=True)
    )
    kept = {
        listing: found
        if isinstance(found, Failed)
        else [r for r in found if ctx.wanted(str(r.get("location") or ""))]
        for listing, found in read.items()
    }
    return list(translate(ctx.subscription, kept))


# ---------------------------------------------------------------- translate (pure)


def translate(subscription: str, read: dict[Listing, list[Raw] | Failed]) -> list[Asset]:
    """The assets of every listing, annotated with what joins them (see :func:`~.paths.annotate`)."""

    def each(listing: Listing, build: Callable[[str, Raw], Any]) -> list[Any]:
        found = read.get(listing)
        return [] if found is None or isinstance(found, Failed) else [build(subscription, r) for r in found]

    unread = {
        listing.name: found.reason(listing.operation)
        for listing, found in read.items()
        if isinstance(found, Failed)
    }
    return list(
        annotate(
            Read(
                nsgs=each(NSGS, to_nsg),
                nics=each(NICS, to_nic),
                vnets=each(VNETS, to_vnet),
                public_ips=each(PUBLIC_IPS, to_public_ip),
                load_balancers=each(LOAD_BALANCERS, to_load_balancer),
                unread=unread,
            )
        )
    )


def _props(raw: Raw) -> Raw:
    found = raw.get("properties")
    return found if isinstance(found, dict) else {}


def _ref(value: Any) -> str:
    """The id of a sub-resource reference ``{"id": ...}`` (empty when absent)."""
    return str(value.get("id") or "") if isinstance(value, dict) else ""


def _refs(values: Any) -> tuple[str, ...]:
    return tuple(i for i in (_ref(v) for v in values or ()) if i)


def _strings(*values: Any) -> tuple[str, ...]:
    """Strings of scalar and list values, in order, empty ones dropped: ``sourceAddressPrefix`` plus
    ``sourceAddressPrefixes``."""
    out: list[str] = []
    for value in values:
        items = value if isinstance(value, list | tuple) else (value,)
        out.extend(str(v) for v in items if v not in (None, ""))
    return tuple(dict.fromkeys(out))


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _common(subscription: str, raw: Raw) -> dict[str, Any]:
    """The fields every network asset shares."""
    rid = str(raw.get("id") or "")
    parts = parse_id(rid)
    return {
        "provider": PROVIDER,
        "account": subscription,
        "region": normal_location(str(raw.get("location") or "")) or GLOBAL,
        "id": rid,
        "name": str(raw.get("name") or parts.name),
        "tags": {str(k): str(v) for k, v in (raw.get("tags") or {}).items()},
        "resource_group": parts.resource_group,
    }


def to_rule(raw: Raw, default: bool = False) -> NsgRule:
    """An :class:`NsgRule` from a ``securityRules`` / ``defaultSecurityRules`` entry."""
    p = _props(raw)
    return NsgRule(
        name=str(raw.get("name") or ""),
        id=str(raw.get("id") or ""),
        priority=_int(p.get("priority"), 4096),
        direction=str(p.get("direction") or "Inbound"),
        access=str(p.get("access") or "Allow"),
        protocol=str(p.get("protocol") or "*"),
        sources=_strings(p.get("sourceAddressPrefix"), p.get("sourceAddressPrefixes")),
        source_asgs=_refs(p.get("sourceApplicationSecurityGroups")),
        source_ports=_strings(p.get("sourcePortRange"), p.get("sourcePortRanges")),
        destinations=_strings(p.get("destinationAddressPrefix"), p.get("destinationAddressPrefixes")),
        destination_asgs=_refs(p.get("destinationApplicationSecurityGroups")),
        ports=_strings(p.get("destinationPortRange"), p.get("destinationPortRanges")),
        default=default,
        description=str(p.get("description") or ""),
    )


def to_nsg(subscription: str, raw: Raw) -> NetworkSecurityGroup:
    """A :class:`NetworkSecurityGroup` with its custom and default rules and its attachments."""
    p = _props(raw)
    return NetworkSecurityGroup(
        **_common(subscription, raw),
        rules=tuple(to_rule(r) for r in p.get("securityRules") or ()),
        default_rules=tuple(to_rule(r, default=True) for r in p.get("defaultSecurityRules") or ()),
        subnets=_refs(p.get("subnets")),
        network_interfaces=_refs(p.get("networkInterfaces")),
    )


def to_ip_configuration(raw: Raw) -> IpConfiguration:
    """An :class:`IpConfiguration` of a NIC."""
    p = _props(raw)
    return IpConfiguration(
        id=str(raw.get("id") or ""),
        name=str(raw.get("name") or ""),
        primary=bool(p.get("primary", False)),
        private_ip=str(p.get("privateIPAddress") or ""),
        version=str(p.get("privateIPAddressVersion") or "IPv4"),
        subnet=_ref(p.get("subnet")),
        public_ip=_ref(p.get("publicIPAddress")),
        application_security_groups=_refs(p.get("applicationSecurityGroups")),
        backend_pools=_refs(p.get("loadBalancerBackendAddressPools")),
        nat_rules=_refs(p.get("loadBalancerInboundNatRules")),
    )


def to_nic(subscription: str, raw: Raw) -> NetworkInterface:
    """A :class:`NetworkInterface` (its public addresses and endpoints are joined later)."""
    p = _props(raw)
    return NetworkInterface(
        **_common(subscription, raw),
        ip_configurations=tuple(to_ip_configuration(c) for c in p.get("ipConfigurations") or ()),
        network_security_group=_ref(p.get("networkSecurityGroup")),
        virtual_machine=_ref(p.get("virtualMachine")),
    )


def to_subnet(raw: Raw) -> Subnet:
    """A :class:`Subnet` and its NSG."""
    p = _props(raw)
    return Subnet(
        id=str(raw.get("id") or ""),
        name=str(raw.get("name") or ""),
        address_prefixes=_strings(p.get("addressPrefix"), p.get("addressPrefixes")),
        network_security_group=_ref(p.get("networkSecurityGroup")),
    )


def to_vnet(subscription: str, raw: Raw) -> VirtualNetwork:
    """A :class:`VirtualNetwork` with its subnets."""
    p = _props(raw)
    return VirtualNetwork(
        **_common(subscription, raw),
        address_space=_strings((p.get("addressSpace") or {}).get("addressPrefixes")),
        subnets=tuple(to_subnet(s) for s in p.get("subnets") or ()),
    )


def to_public_ip(subscription: str, raw: Raw) -> PublicIpAddress:
    """A :class:`PublicIpAddress`."""
    p = _props(raw)
    return PublicIpAddress(
        **_common(subscription, raw),
        ip_address=str(p.get("ipAddress") or ""),
        version=str(p.get("publicIPAddressVersion") or "IPv4"),
        allocation=str(p.get("publicIPAllocationMethod") or ""),
        sku=str((raw.get("sku") or {}).get("name") or ""),
        ip_configuration=_ref(p.get("ipConfiguration")),
        fqdn=str((p.get("dnsSettings") or {}).get("fqdn") or ""),
    )


def to_frontend(raw: Raw) -> Frontend:
    """A load balancer :class:`Frontend`."""
    p = _props(raw)
    return Frontend(
        id=str(raw.get("id") or ""),
        name=str(raw.get("name") or ""),
        public_ip=_ref(p.get("publicIPAddress")),
        private_ip=str(p.get("privateIPAddress") or ""),
    )


def to_nat_rule(raw: Raw) -> NatRule:
    """An inbound :class:`NatRule`: one port to one configuration, or a port range over a pool."""
    p = _props(raw)
    first = _int(p.get("frontendPort")) or _int(p.get("frontendPortRangeStart"))
    return NatRule(
        id=str(raw.get("id") or ""),
        name=str(raw.get("name") or ""),
        frontend=_ref(p.get("frontendIPConfiguration")),
        protocol=str(p.get("protocol") or "Tcp"),
        frontend_port=first,
        frontend_port_last=max(first, _int(p.get("frontendPortRangeEnd"))),
        backend_port=_int(p.get("backendPort")),
        backend_ip_configuration=_ref(p.get("backendIPConfiguration")),
        backend_pool=_ref(p.get("backendAddressPool")),
        floating_ip=bool(p.get("enableFloatingIP", False)),
    )


def to_nat_pool(raw: Raw) -> NatPool:
    """An inbound :class:`NatPool` of a scale set."""
    p = _props(raw)
    return NatPool(
        id=str(raw.get("id") or ""),
        name=str(raw.get("name") or ""),
        frontend=_ref(p.get("frontendIPConfiguration")),
        protocol=str(p.get("protocol") or "Tcp"),
        frontend_port_first=_int(p.get("frontendPortRangeStart")),
        frontend_port_last=_int(p.get("frontendPortRangeEnd")),
        backend_port=_int(p.get("backendPort")),
    )


def to_balancing_rule(raw: Raw) -> BalancingRule:
    """A :class:`BalancingRule` (``backendAddressPool`` and ``backendAddressPools`` joined)."""
    p = _props(raw)
    pools = (_ref(p.get("backendAddressPool")), *_refs(p.get("backendAddressPools")))
    return BalancingRule(
        id=str(raw.get("id") or ""),
        name=str(raw.get("name") or ""),
        frontend=_ref(p.get("frontendIPConfiguration")),
        protocol=str(p.get("protocol") or "Tcp"),
        frontend_port=_int(p.get("frontendPort")),
        backend_port=_int(p.get("backendPort")),
        backend_pools=tuple(dict.fromkeys(i for i in pools if i)),
        floating_ip=bool(p.get("enableFloatingIP", False)),
    )


def to_backend_pool(raw: Raw) -> BackendPool:
    """A :class:`BackendPool` with the NIC IP configurations in it."""
    p = _props(raw)
    return BackendPool(
        id=str(raw.get("id") or ""),
        name=str(raw.get("name") or ""),
        ip_configurations=_refs(p.get("backendIPConfigurations")),
    )


def to_load_balancer(subscription: str, raw: Raw) -> LoadBalancer:
    """A :class:`LoadBalancer` (its public addresses and endpoints are joined later)."""
    p = _props(raw)

    def parts(field: str, build: Callable[[Raw], Any]) -> tuple[Any, ...]:
        return tuple(build(item) for item in _dicts(p.get(field)))

    return LoadBalancer(
        **_common(subscription, raw),
        sku=str((raw.get("sku") or {}).get("name") or ""),
        frontends=parts("frontendIPConfigurations", to_frontend),
        nat_rules=parts("inboundNatRules", to_nat_rule),
        rules=parts("loadBalancingRules", to_balancing_rule),
        backend_pools=parts("backendAddressPools", to_backend_pool),
        nat_pools=parts("inboundNatPools", to_nat_pool),
    )


def _dicts(values: Any) -> Iterable[Raw]:
    return (v for v in values or () if isinstance(v, dict))


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=False, collect=collect, actions=ACTIONS, namespace=NAMESPACE
)
