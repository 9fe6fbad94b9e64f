"""GCP's evaluation units: projects on a shared VPC are judged with their host project.

A service project's instances sit on a network of the host project, whose firewall rules decide what
reaches them (:mod:`cloudaudit_gcp.reachability`); the two projects' resources are evaluated together
(:mod:`cloudaudit.engine.units`), every other project on its own.
"""

from __future__ import annotations

from cloudaudit.engine.units import evaluation_units
from cloudaudit.model.inventory import Inventory
from cloudaudit_gcp.assets_compute import VmInstance
from cloudaudit_gcp.reachability import network_project


@evaluation_units("gcp")
def shared_vpc_links(inventory: Inventory) -> list[tuple[str, str]]:
    """(service project, host project) for every instance interface on another project's network."""
    links: dict[tuple[str, str], None] = {}
    for instance in inventory.of(VmInstance):
        for nic in instance.interfaces:
            host = network_project(nic.network)
            if host and host != instance.account:
                links[(instance.account, host)] = None
    return list(links)
