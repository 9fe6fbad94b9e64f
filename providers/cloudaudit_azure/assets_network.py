"""Network assets: network security groups (NSGs) with their rules, network interfaces (NICs), virtual
networks with their subnets, public IP addresses and load balancers.

Azure's inbound model, as these assets encode it: traffic to a NIC's private address passes the NSG of
its subnet, then the NSG of the NIC; both must allow it (a level without an NSG allows everything).
Within an NSG the inbound rules are tried by ``priority`` (lowest number first, custom rules 100-4096
before the default rules 65000-65500) and the first that matches the source, destination, protocol and
port decides. Public addresses reach a NIC directly (a public IP on one of its IP configurations) or
through a load balancer's public frontend (an inbound NAT rule, or a load-balancing rule to a backend
pool holding the IP configuration). See :mod:`cloudaudit_azure.reachability`.
"""

from __future__ import annotations

from functools import lru_cache

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit.model.network import AddressRole
from cloudaudit_azure.assets import Frozen

ALL_PORTS = (0, 65535)
WILDCARDS = frozenset({"*", "any"})
"""What a prefix, protocol or port field says for "everything"."""


@lru_cache(maxsize=4096)
def port_ranges(values: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """``("22", "1000-2000")`` as ``((22, 22), (1000, 2000))``; ``*`` (or nothing) is every port;
    values that are not ports are dropped."""
    out: list[tuple[int, int]] = []
    for value in values or ("*",):
        given = value.strip().lower()
        if given in WILDCARDS:
            return (ALL_PORTS,)
        first, _, last = given.partition("-")
        try:
            low, high = int(first), int(last or first)
        except ValueError:
            continue
        if 0 <= low <= high <= ALL_PORTS[1]:
            out.append((low, high))
    return tuple(out)


class NsgRule(Frozen):
    """One security rule of an NSG, custom or default, as Azure evaluates it.

    ``sources`` joins ``sourceAddressPrefix`` and ``sourceAddressPrefixes`` (``*``, ``Internet``,
    ``0.0.0.0/0``, ``::/0``, CIDRs, service tags); ``ports`` joins ``destinationPortRange`` and
    ``destinationPortRanges`` (``*``, ``22``, ``1000-2000``). ``protocol`` is ``Tcp``, ``Udp``,
    ``Icmp``, ``Esp``, ``Ah`` or ``*``.
    """

    name: str
    id: str = ""
    priority: int = 65500
    direction: str = "Inbound"
    access: str = "Allow"
    protocol: str = "*"
    sources: tuple[str, ...] = ()
    source_asgs: tuple[str, ...] = ()
    """Ids of the application security groups the rule admits traffic from (VMs, never the Internet)."""
    source_ports: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    destination_asgs: tuple[str, ...] = ()
    """Ids of the application security groups the rule applies to (their IP configurations only)."""
    ports: tuple[str, ...] = ()
    default: bool = False
    """One of the rules Azure adds to every NSG (AllowVnetInBound, DenyAllInBound...)."""
    description: str = ""

    @property
    def inbound(self) -> bool:
        """An inbound rule (outbound ones never decide traffic from the Internet)."""
        return self.direction.lower() == "inbound"

    @property
    def allows(self) -> bool:
        """An Allow rule."""
        return self.access.lower() == "allow"

    @property
    def transports(self) -> tuple[str, ...]:
        """The transports with ports it matches: ``tcp``, ``udp``, both for ``*``, none for ICMP, ESP, AH."""
        proto = self.protocol.strip().lower()
        if proto in WILDCARDS:
            return ("tcp", "udp")
        return (proto,) if proto in ("tcp", "udp") else ()

    def ranges(self) -> tuple[tuple[int, int], ...]:
        """The destination port ranges as ``(first, last)``."""
        return port_ranges(self.ports)

    def every_port(self) -> bool:
        """It matches every port of TCP or UDP (or of every protocol)."""
        return bool(self.transports) and any(a <= 1 and b >= ALL_PORTS[1] for a, b in self.ranges())

    def label(self) -> str:
        """``Allow Tcp 22,3389 from Internet (priority 100)``."""
        ports = ",".join(self.ports) or "*"
        sources = ", ".join(self.sources) or ("application security groups" if self.source_asgs else "-")
        return f"{self.access} {self.protocol} {ports} from {sources} (priority {self.priority})"


@asset_kind("azure.network.nsg", service="network")
class NetworkSecurityGroup(Asset):
    """A network security group: its rules and where it is attached (subnets, NICs)."""

    address_role = AddressRole.FIREWALL

    resource_group: str = ""
    rules: tuple[NsgRule, ...] = ()
    """The custom rules (``securityRules``)."""
    default_rules: tuple[NsgRule, ...] = ()
    """The rules Azure adds (``defaultSecurityRules``); they count like the custom ones."""
    subnets: tuple[str, ...] = ()
    """Ids of the subnets it is attached to (the NSG's own back-references)."""
    network_interfaces: tuple[str, ...] = ()
    """Ids of the NICs it is attached to."""
    exposed_addresses: tuple[str, ...] = ()
    """Public addresses whose ports its rules open to the Internet, when the collector could join them
    (the checks recompute it from the inventory; this feeds exposure lookups)."""

    @property
    def attached(self) -> bool:
        """It filters the traffic of some subnet or NIC."""
        return bool(self.subnets or self.network_interfaces)

    def inbound_rules(self) -> tuple[NsgRule, ...]:
        """Every inbound rule, custom and default, in evaluation order (lowest priority number first)."""
        return inbound_order((*self.rules, *self.default_rules))

    def public_addresses(self) -> tuple[str, ...]:
        """The public addresses it opens (see :attr:`exposed_addresses`)."""
        return self.exposed_addresses


def inbound_order(rules: tuple[NsgRule, ...]) -> tuple[NsgRule, ...]:
    """The inbound rules by priority (a deny first where two share one, which Azure refuses anyway)."""
    return tuple(sorted((r for r in rules if r.inbound), key=lambda r: (r.priority, r.allows, r.name)))


class IpConfiguration(Frozen):
    """One IP configuration of a NIC: its private address, subnet, public IP and load balancer roles."""

    id: str
    name: str = ""
    primary: bool = False
    private_ip: str = ""
    version: str = "IPv4"
    subnet: str = ""
    """The subnet's id (the subnet's NSG is the first level of inbound filtering)."""
    public_ip: str = ""
    """The id of the public IP address resource on this configuration, if any."""
    application_security_groups: tuple[str, ...] = ()
    backend_pools: tuple[str, ...] = ()
    """Ids of the load balancer backend pools it belongs to."""
    nat_rules: tuple[str, ...] = ()
    """Ids of the load balancer inbound NAT rules that forward to it."""


@asset_kind("azure.network.nic", service="network")
class NetworkInterface(Asset):
    """A network interface: its IP configurations, its own NSG and the VM it is attached to."""

    address_role = AddressRole.INTERFACE

    resource_group: str = ""
    ip_configurations: tuple[IpConfiguration, ...] = ()
    network_security_group: str = ""
    """The id of the NIC's own NSG (the second level of inbound filtering), if any."""
    virtual_machine: str = ""
    """The id of the VM it is attached to (nothing answers on a NIC attached to none)."""
    public_ips: tuple[str, ...] = ()
    """The addresses of its public IPs, joined by the collector (exposure lookups)."""

    @property
    def attached(self) -> bool:
        """It belongs to a virtual machine, so something may answer on its addresses."""
        return bool(self.virtual_machine)

    def public_addresses(self) -> tuple[str, ...]:
        """Its public IPs, whether or not its NSGs open a port (exposure sources still look)."""
        return tuple(dict.fromkeys((*self.public_ips, *super().public_addresses())))


class Subnet(Frozen):
    """A subnet of a virtual network and its NSG."""

    id: str
    name: str = ""
    address_prefixes: tuple[str, ...] = ()
    network_security_group: str = ""
    """The id of the subnet's NSG, if any."""


@asset_kind("azure.network.vnet", service="network")
class VirtualNetwork(Asset):
    """A virtual network with its subnets."""

    resource_group: str = ""
    address_space: tuple[str, ...] = ()
    subnets: tuple[Subnet, ...] = ()


@asset_kind("azure.network.public_ip", service="network")
class PublicIpAddress(Asset):
    """A public IP address resource and what it is associated with."""

    address_role = AddressRole.RESERVED_ADDRESS

    resource_group: str = ""
    ip_address: str = ""
    """Empty for a dynamic address that is not allocated (its resource is stopped or unassociated)."""
    version: str = "IPv4"
    allocation: str = ""
    """Static or Dynamic."""
    sku: str = ""
    """Basic (open unless an NSG denies) or Standard (closed unless an NSG allows)."""
    ip_configuration: str = ""
    """The id of the configuration it is on: a NIC's IP configuration, a load balancer frontend, or
    another service's (application gateway, VPN gateway, Bastion...); empty when unassociated."""
    fqdn: str = ""

    @property
    def associated(self) -> bool:
        """It is on some resource's IP configuration."""
        return bool(self.ip_configuration)

    @property
    def secure_by_default(self) -> bool:
        """A Standard SKU address: inbound traffic is refused unless an NSG allows it."""
        return self.sku.lower() == "standard"

    def public_addresses(self) -> tuple[str, ...]:
        """The address when it is allocated and associated with something."""
        return (self.ip_address,) if self.ip_address and self.associated else ()


class Frontend(Frozen):
    """A load balancer frontend IP configuration."""

    id: str
    name: str = ""
    public_ip: str = ""
    """The id of its public IP address resource (empty: an internal frontend)."""
    private_ip: str = ""


class NatRule(Frozen):
    """An inbound NAT rule: a frontend port (or range) forwarded to one backend port."""

    id: str
    name: str = ""
    frontend: str = ""
    protocol: str = "Tcp"
    """Tcp, Udp or All."""
    frontend_port: int = 0
    frontend_port_last: int = 0
    """The end of a frontend port range (a rule over a backend pool), else ``frontend_port``."""
    backend_port: int = 0
    backend_ip_configuration: str = ""
    """The NIC IP configuration it forwards to (a single-VM rule)."""
    backend_pool: str = ""
    """The backend pool it forwards to (one frontend port per member)."""
    floating_ip: bool = False


class BalancingRule(Frozen):
    """A load-balancing rule: a frontend port spread over the members of backend pools."""

    id: str
    name: str = ""
    frontend: str = ""
    protocol: str = "Tcp"
    frontend_port: int = 0
    """0 with protocol All: every port (HA ports)."""
    backend_port: int = 0
    backend_pools: tuple[str, ...] = ()
    floating_ip: bool = False


class NatPool(Frozen):
    """An inbound NAT pool: frontend ports forwarded to the instances of a scale set (not judged: the
    instances' NICs are not listed subscription-wide)."""

    id: str
    name: str = ""
    frontend: str = ""
    protocol: str = "Tcp"
    frontend_port_first: int = 0
    frontend_port_last: int = 0
    backend_port: int = 0


class BackendPool(Frozen):
    """A backend address pool and the NIC IP configurations in it."""

    id: str
    name: str = ""
    ip_configurations: tuple[str, ...] = ()


@asset_kind("azure.network.load_balancer", service="network")
class LoadBalancer(Asset):
    """A load balancer: frontends, inbound NAT rules and pools, load-balancing rules, backend pools."""

    resource_group: str = ""
    sku: str = ""
    frontends: tuple[Frontend, ...] = ()
    nat_rules: tuple[NatRule, ...] = ()
    rules: tuple[BalancingRule, ...] = ()
    backend_pools: tuple[BackendPool, ...] = ()
    nat_pools: tuple[NatPool, ...] = ()
    public_ips: tuple[str, ...] = ()
    """The addresses of its public frontends, joined by the collector (exposure lookups)."""

    def public_addresses(self) -> tuple[str, ...]:
        """Its public frontend addresses."""
        return tuple(dict.fromkeys((*self.public_ips, *super().public_addresses())))
