"""Compute Engine assets as the collector translates them from the sample project's resources (for the
contract tests: one of every compute kind, with every field the translation fills)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cloudaudit.model.asset import Asset
from cloudaudit_gcp.collect import compute
from cloudaudit_gcp.fake import FakeProject, sample_project
from cloudaudit_gcp.fake.shapes import JSON

PROJECT = "sample-project"


class Resource(Protocol):
    def resource(self, project: FakeProject) -> JSON: ...


def compute_samples() -> list[Asset]:
    """Networks, firewall rules, instances, forwarding rules and addresses of the sample project."""
    project = sample_project(PROJECT)

    def scoped(resources: Sequence[tuple[str, Resource]]) -> list[tuple[str, JSON]]:
        return [(scope, resource.resource(project)) for scope, resource in resources]

    regional_rules = [r for r in project.forwarding_rules if r.region != "global"]
    global_rules = [r for r in project.forwarding_rules if r.region == "global"]
    regional_addresses = [a for a in project.addresses if a.region != "global"]
    global_addresses = [a for a in project.addresses if a.region == "global"]
    read: dict[compute.Listing, compute.Read] = {
        compute.NETWORKS: scoped([("global", n) for n in project.networks]),
        compute.FIREWALLS: scoped([("global", f) for f in project.firewalls]),
        compute.INSTANCES: scoped([(f"zones/{i.zone}", i) for i in project.instances]),
        compute.FORWARDING_RULES: scoped([(f"regions/{r.region}", r) for r in regional_rules]),
        compute.GLOBAL_FORWARDING_RULES: scoped([("global", r) for r in global_rules]),
        compute.ADDRESSES: scoped([(f"regions/{a.region}", a) for a in regional_addresses]),
        compute.GLOBAL_ADDRESSES: scoped([("global", a) for a in global_addresses]),
    }
    return compute.translate(PROJECT, read)
