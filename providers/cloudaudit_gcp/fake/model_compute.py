"""Compute Engine resources of the fake: networks, firewalls, instances, forwarding rules, addresses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudaudit_gcp.fake.shapes import CREATED, JSON, compact, numeric_id

if TYPE_CHECKING:
    from cloudaudit_gcp.fake.state import FakeProject


@dataclass
class Network:
    """A VPC network."""

    name: str
    auto_create_subnetworks: bool = True

    def resource(self, project: FakeProject) -> JSON:
        """``Network``."""
        return {
            "kind": "compute#network",
            "id": numeric_id(project.id, "networks", self.name),
            "creationTimestamp": CREATED,
            "name": self.name,
            "selfLink": project.network_url(self.name),
            "autoCreateSubnetworks": self.auto_create_subnetworks,
            "routingConfig": {"routingMode": "REGIONAL"},
            "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL",
        }


@dataclass
class PortRule:
    """An ``allowed``/``denied`` entry: a protocol and optional ports ("22", "8000-8080")."""

    protocol: str
    ports: list[str] = field(default_factory=list)

    def resource(self) -> JSON:
        """``{"IPProtocol": ..., "ports": [...]}``."""
        return compact({"IPProtocol": self.protocol, "ports": list(self.ports)})


@dataclass
class Firewall:
    """A VPC firewall rule."""

    name: str
    network: str = "default"
    direction: str = "INGRESS"
    priority: int = 1000
    allowed: list[PortRule] = field(default_factory=list)
    denied: list[PortRule] = field(default_factory=list)
    source_ranges: list[str] = field(default_factory=list)
    destination_ranges: list[str] = field(default_factory=list)
    source_tags: list[str] = field(default_factory=list)
    target_tags: list[str] = field(default_factory=list)
    target_service_accounts: list[str] = field(default_factory=list)
    disabled: bool = False
    logging: bool = False
    description: str = ""

    def resource(self, project: FakeProject) -> JSON:
        """``Firewall``."""
        return compact(
            {
                "kind": "compute#firewall",
                "id": numeric_id(project.id, "firewalls", self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "description": self.description,
                "network": project.network_url(self.network),
                "priority": self.priority,
                "direction": self.direction,
                "sourceRanges": list(self.source_ranges),
                "destinationRanges": list(self.destination_ranges),
                "sourceTags": list(self.source_tags),
                "targetTags": list(self.target_tags),
                "targetServiceAccounts": list(self.target_service_accounts),
                "allowed": [rule.resource() for rule in self.allowed],
                "denied": [rule.resource() for rule in self.denied],
                "disabled": self.disabled,
                "logConfig": {"enable": self.logging},
                "selfLink": f"{project.compute_url}/global/firewalls/{self.name}",
            }
        )


@dataclass
class Interface:
    """A network interface; ``nat_ip`` set means an external (ONE_TO_ONE_NAT) address."""

    network: str = "default"
    network_ip: str = "10.128.0.2"
    nat_ip: str | None = None
    external_ipv6: str | None = None


@dataclass
class Instance:
    """A VM instance in a zone."""

    name: str
    zone: str
    interfaces: list[Interface] = field(default_factory=lambda: [Interface()])
    tags: list[str] = field(default_factory=list)
    service_accounts: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    status: str = "RUNNING"

    @property
    def region(self) -> str:
        """The zone's region (``us-central1-a`` -> ``us-central1``)."""
        return self.zone.rsplit("-", 1)[0]

    def _interface(self, project: FakeProject, index: int, nic: Interface) -> JSON:
        body: JSON = {
            "kind": "compute#networkInterface",
            "name": f"nic{index}",
            "network": project.network_url(nic.network),
            "subnetwork": f"{project.compute_url}/regions/{self.region}/subnetworks/{nic.network}",
            "networkIP": nic.network_ip,
            "stackType": "IPV4_IPV6" if nic.external_ipv6 else "IPV4_ONLY",
            "fingerprint": "abcdefghijk=",
        }
        if nic.nat_ip:
            body["accessConfigs"] = [
                {
                    "kind": "compute#accessConfig",
                    "type": "ONE_TO_ONE_NAT",
                    "name": "External NAT",
                    "natIP": nic.nat_ip,
                    "networkTier": "PREMIUM",
                }
            ]
        if nic.external_ipv6:
            body["ipv6AccessConfigs"] = [
                {
                    "kind": "compute#accessConfig",
                    "type": "DIRECT_IPV6",
                    "name": "external-ipv6",
                    "externalIpv6": nic.external_ipv6,
                    "externalIpv6PrefixLength": 96,
                    "networkTier": "PREMIUM",
                }
            ]
        return body

    def resource(self, project: FakeProject) -> JSON:
        """``Instance``."""
        zone_url = f"{project.compute_url}/zones/{self.zone}"
        return compact(
            {
                "kind": "compute#instance",
                "id": numeric_id(project.id, "instances", self.zone, self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "tags": {"items": list(self.tags), "fingerprint": "42WmSpB8rSM="},
                "machineType": f"{zone_url}/machineTypes/e2-medium",
                "status": self.status,
                "zone": zone_url,
                "canIpForward": False,
                "networkInterfaces": [
                    self._interface(project, i, nic) for i, nic in enumerate(self.interfaces)
                ],
                "serviceAccounts": [
                    {"email": email, "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}
                    for email in self.service_accounts
                ],
                "labels": dict(self.labels),
                "selfLink": f"{zone_url}/instances/{self.name}",
                "deletionProtection": False,
            }
        )


GLOBAL = "global"


def _location_url(project: FakeProject, region: str) -> str:
    """``.../regions/{region}``, or ``.../global`` for a global resource."""
    return f"{project.compute_url}/{GLOBAL if region == GLOBAL else f'regions/{region}'}"


@dataclass
class ForwardingRule:
    """A forwarding rule (load balancer front end or protocol forwarding); ``region="global"`` for a
    global one (served by ``globalForwardingRules``). ``target`` is relative to the rule's location."""

    name: str
    region: str
    ip_address: str
    protocol: str = "TCP"
    port_range: str | None = "80-80"
    ports: list[str] = field(default_factory=list)
    all_ports: bool = False
    scheme: str = "EXTERNAL"
    target: str = "targetPools/web-pool"
    labels: dict[str, str] = field(default_factory=dict)
    description: str = ""

    def resource(self, project: FakeProject) -> JSON:
        """``ForwardingRule``."""
        location = _location_url(project, self.region)
        return compact(
            {
                "kind": "compute#forwardingRule",
                "id": numeric_id(project.id, "forwardingRules", self.region, self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "description": self.description or None,
                "region": location if self.region != GLOBAL else None,
                "IPAddress": self.ip_address,
                "IPProtocol": self.protocol,
                "portRange": self.port_range,
                "ports": list(self.ports),
                "allPorts": self.all_ports or None,
                "target": f"{location}/{self.target}",
                "loadBalancingScheme": self.scheme,
                "networkTier": "PREMIUM",
                "labels": dict(self.labels),
                "labelFingerprint": "42WmSpB8rSM=" if self.labels else None,
                "selfLink": f"{location}/forwardingRules/{self.name}",
                "fingerprint": "abcdefghijk=",
            }
        )


@dataclass
class Address:
    """A reserved address, ``region="global"`` for a global one (served by ``globalAddresses``);
    ``users`` are the self links of the resources using it."""

    name: str
    region: str
    address: str
    address_type: str = "EXTERNAL"
    users: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def resource(self, project: FakeProject) -> JSON:
        """``Address``."""
        location = _location_url(project, self.region)
        return compact(
            {
                "kind": "compute#address",
                "id": numeric_id(project.id, "addresses", self.region, self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "address": self.address,
                "addressType": self.address_type,
                "status": "IN_USE" if self.users else "RESERVED",
                "users": list(self.users),
                "region": location if self.region != GLOBAL else None,
                "ipVersion": "IPV4" if self.region == GLOBAL else None,
                "networkTier": "PREMIUM" if self.address_type == "EXTERNAL" else None,
                "labels": dict(self.labels),
                "labelFingerprint": "42WmSpB8rSM=" if self.labels else None,
                "selfLink": f"{location}/addresses/{self.name}",
            }
        )
