"""Compute Engine assets built directly (networks, firewall rules, instances), as the collector makes them."""

from __future__ import annotations

from typing import Any

from cloudaudit_gcp.assets import full_name
from cloudaudit_gcp.assets_compute import FirewallRule, NetworkInterface, PortSpec, VmInstance, VpcNetwork
from gcp_cases import COMMON, PROJECT, REGION

API = f"https://compute.googleapis.com/compute/v1/projects/{PROJECT}"
ZONE = f"{REGION}-a"
SA = f"worker@{PROJECT}.iam.gserviceaccount.com"


def net_url(name: str, project: str = PROJECT) -> str:
    """A network's self link."""
    return f"https://compute.googleapis.com/compute/v1/projects/{project}/global/networks/{name}"


def network(name: str, **fields: Any) -> VpcNetwork:
    """A VPC network."""
    return VpcNetwork(
        **COMMON,
        region="global",
        id=full_name("compute", f"projects/{PROJECT}/global/networks/{name}"),
        name=name,
        self_link=net_url(name),
        **fields,
    )


def ports(spec: str) -> PortSpec:
    """``tcp:22,8000-8080`` / ``tcp`` / ``all`` / ``icmp`` as a :class:`PortSpec`."""
    proto, _, listed = spec.partition(":")
    return PortSpec(protocol=proto, ports=tuple(p for p in listed.split(",") if p))


def rule(
    name: str,
    *entries: str,
    net: str = "default",
    sources: tuple[str, ...] = ("0.0.0.0/0",),
    **fields: Any,
) -> FirewallRule:
    """An ingress rule of ``net`` allowing ``entries`` (``tcp:22``...) from ``sources``; ``action``,
    ``priority``, ``target_tags``... through ``fields``."""
    return FirewallRule(
        **COMMON,
        region="global",
        id=full_name("compute", f"projects/{PROJECT}/global/firewalls/{name}"),
        name=name,
        network=net_url(net),
        network_name=net,
        entries=tuple(ports(e) for e in entries),
        source_ranges=sources,
        **fields,
    )


def deny(name: str, *entries: str, **fields: Any) -> FirewallRule:
    """A deny rule (see :func:`rule`)."""
    return rule(name, *entries, action="deny", **fields)


def vm(
    name: str,
    *external: str,
    net: str = "default",
    internal: str = "10.128.0.2",
    nics: tuple[NetworkInterface, ...] = (),
    **fields: Any,
) -> VmInstance:
    """A running instance with one interface on ``net`` holding the ``external`` addresses."""
    interfaces = nics or (
        NetworkInterface(name="nic0", network=net_url(net), internal_ip=internal, external_ips=external),
    )
    return VmInstance(
        **COMMON,
        region=REGION,
        id=full_name("compute", f"projects/{PROJECT}/zones/{ZONE}/instances/{name}"),
        name=name,
        zone=ZONE,
        status=fields.pop("status", "RUNNING"),
        interfaces=interfaces,
        **fields,
    )
