"""Compute Engine assets: VPC networks, firewall rules, instances, forwarding rules and addresses.

GCP's network model, as these assets encode it: ingress is denied unless a rule allows it; a
firewall rule belongs to one network and applies to the instances with an interface on that
network whose network tags match its target tags or whose service account is one of its target
service accounts (a rule with neither applies to every instance of the network); the rule with the
lowest ``priority`` number that matches a connection decides it, and a deny wins over an allow of the
same priority. Hierarchical and network firewall policies are not read (see the README's limits).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit.model.network import AddressRole
from cloudaudit_gcp.assets import Frozen

Direction = Literal["INGRESS", "EGRESS"]
Action = Literal["allow", "deny"]

PORTED_PROTOCOLS = ("tcp", "udp", "sctp")
"""Protocols whose firewall entries may name ports; other protocols (icmp, esp, ...) have none."""
ALL_PORTS = (0, 65535)
PROTOCOL_NUMBERS = {"1": "icmp", "6": "tcp", "17": "udp", "58": "icmp", "132": "sctp", "ipv6-icmp": "icmp"}
"""IP protocol numbers (and aliases) a rule may give instead of a name."""


@lru_cache(maxsize=1024)
def _protocol_name(given: str) -> str:
    """A protocol by name; parsed once per distinct value (the reachability asks for it often)."""
    given = given.strip().lower()
    return PROTOCOL_NUMBERS.get(given, given)


@lru_cache(maxsize=4096)
def _port_ranges(ports: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """``("22", "8000-8080")`` as ``((22, 22), (8000, 8080))``; every port when none is named."""
    if not ports:
        return (ALL_PORTS,)
    out: list[tuple[int, int]] = []
    for value in ports:
        first, _, last = value.partition("-")
        try:
            out.append((int(first), int(last or first)))
        except ValueError:
            continue
    return tuple(out)


class PortSpec(Frozen):
    """One ``allowed``/``denied`` entry of a rule: a protocol and its ports.

    ``protocol`` is lower-case (``tcp``, ``udp``, ``icmp``, ``all``, or an IP protocol number);
    ``ports`` holds ``"22"`` / ``"8000-8080"`` strings; no ports means every port of the protocol.
    """

    protocol: str
    ports: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The protocol by name (``6`` -> ``tcp``; ICMPv6 counts as ICMP)."""
        return _protocol_name(self.protocol)

    def ranges(self) -> tuple[tuple[int, int], ...]:
        """The port ranges as ``(first, last)``; every port when none is named."""
        return _port_ranges(self.ports)

    def every_port(self) -> bool:
        """True for ``all``, or a ported protocol without a port list (or naming 0-65535)."""
        return self.name == "all" or (
            self.name in PORTED_PROTOCOLS and any(r[0] <= 1 and r[1] >= 65535 for r in self.ranges())
        )

    def label(self) -> str:
        """``tcp:22,8000-8080``, ``tcp`` (every port) or ``all``."""
        return f"{self.protocol}:{','.join(self.ports)}" if self.ports else self.protocol


@asset_kind("gcp.compute.network", service="compute")
class VpcNetwork(Asset):
    """A VPC network (global)."""

    self_link: str = ""
    auto_create_subnetworks: bool | None = None
    """True: auto mode (one subnet per region, as the ``default`` network); None: a legacy network."""

    @property
    def is_default(self) -> bool:
        """The network GCP creates with a project, with permissive pre-populated rules."""
        return self.name == "default"


@asset_kind("gcp.compute.firewall", service="compute")
class FirewallRule(Asset):
    """A VPC firewall rule (global, attached to one network)."""

    address_role = AddressRole.FIREWALL

    network: str = ""
    """The network's URL (``.../global/networks/default``)."""
    network_name: str = ""
    description: str = ""
    direction: Direction = "INGRESS"
    priority: int = 1000
    action: Action = "allow"
    entries: tuple[PortSpec, ...] = ()
    """The ``allowed`` entries of an allow rule, or the ``denied`` entries of a deny rule."""
    source_ranges: tuple[str, ...] = ()
    destination_ranges: tuple[str, ...] = ()
    source_tags: tuple[str, ...] = ()
    source_service_accounts: tuple[str, ...] = ()
    target_tags: tuple[str, ...] = ()
    target_service_accounts: tuple[str, ...] = ()
    disabled: bool = False
    logging: bool = False
    exposed_addresses: tuple[str, ...] = ()
    """External addresses of the instances this rule opens to the Internet, when the collector
    could join them (the checks recompute it from the inventory; this feeds exposure lookups)."""

    @property
    def targets_all(self) -> bool:
        """It applies to every instance of its network (no target tags or service accounts)."""
        return not self.target_tags and not self.target_service_accounts

    def every_port(self) -> bool:
        """True when an entry matches every port (``all``, or tcp/udp without ports)."""
        return any(e.every_port() for e in self.entries)

    def label(self) -> str:
        """``allow tcp:22 from 0.0.0.0/0 (priority 1000)``."""
        what = " ".join(e.label() for e in self.entries) or "nothing"
        sources = ", ".join(self.source_ranges or self.source_tags or self.source_service_accounts) or "-"
        return f"{self.action} {what} from {sources} (priority {self.priority})"

    def public_addresses(self) -> tuple[str, ...]:
        """The external addresses it opens (see :attr:`exposed_addresses`)."""
        return self.exposed_addresses


class NetworkInterface(Frozen):
    """A network interface of an instance."""

    name: str = ""
    network: str = ""
    """The network's URL."""
    subnetwork: str = ""
    internal_ip: str = ""
    external_ips: tuple[str, ...] = ()
    """External IPv4 (``accessConfigs[].natIP``) and IPv6 (``ipv6AccessConfigs[].externalIpv6``)."""


@asset_kind("gcp.compute.instance", service="compute")
class VmInstance(Asset):
    """A VM instance; ``region`` is its zone's region."""

    zone: str = ""
    status: str = ""
    """RUNNING, TERMINATED, STOPPING..."""
    interfaces: tuple[NetworkInterface, ...] = ()
    network_tags: tuple[str, ...] = ()
    service_accounts: tuple[str, ...] = ()
    """Emails of the service accounts the instance runs as."""

    @property
    def running(self) -> bool:
        """Only a running instance answers on its addresses."""
        return self.status in ("RUNNING", "")

    def external_ips(self) -> tuple[str, ...]:
        """Every external address of its interfaces."""
        return tuple(dict.fromkeys(ip for nic in self.interfaces for ip in nic.external_ips))

    def public_addresses(self) -> tuple[str, ...]:
        """Its external addresses, whether or not a rule opens them (exposure sources still look)."""
        return self.external_ips()


@asset_kind("gcp.compute.forwarding_rule", service="compute")
class ForwardingRule(Asset):
    """A forwarding rule: the front end of a load balancer or of protocol forwarding."""

    address: str = ""
    ip_protocol: str = ""
    """TCP, UDP, ESP, AH, SCTP, ICMP, L3_DEFAULT."""
    port_range: str = ""
    """``80-80``, ``443``; empty with ``ports`` or ``all_ports``."""
    ports: tuple[str, ...] = ()
    all_ports: bool = False
    load_balancing_scheme: str = ""
    """EXTERNAL, EXTERNAL_MANAGED, INTERNAL, INTERNAL_MANAGED, INTERNAL_SELF_MANAGED."""
    target: str = ""
    backend_service: str = ""
    network_tier: str = ""

    @property
    def external(self) -> bool:
        """It faces the Internet (an EXTERNAL or EXTERNAL_MANAGED scheme)."""
        return self.load_balancing_scheme.startswith("EXTERNAL")

    def public_addresses(self) -> tuple[str, ...]:
        """The address of an external rule."""
        return (self.address,) if self.external and self.address else ()


@asset_kind("gcp.compute.address", service="compute")
class StaticAddress(Asset):
    """A reserved address (regional or global)."""

    address_role = AddressRole.RESERVED_ADDRESS

    address: str = ""
    address_type: str = ""
    """EXTERNAL or INTERNAL."""
    status: str = ""
    """RESERVED (unused), IN_USE or RESERVING."""
    users: tuple[str, ...] = ()
    """URLs of the resources using it (instances, forwarding rules)."""

    @property
    def external(self) -> bool:
        """An external (Internet-routable) address."""
        return self.address_type == "EXTERNAL"

    def public_addresses(self) -> tuple[str, ...]:
        """The address when it is external and in use."""
        return (self.address,) if self.external and self.status == "IN_USE" and self.address else ()
