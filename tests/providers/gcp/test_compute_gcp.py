"""Compute Engine collection: the real discovery client (compute v1) against the local fake.

What a user gets from the collection: the assets of every kind with every field, the coverage gaps,
and the inventory.json they are written to. The collection runs through the plugin, with the options
``cloudaudit run`` passes (``--regions`` -> ``regions``); ``endpoints`` of instances and
``exposed_addresses`` of firewall rules are reachability's (tested with it) and left out here.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.inventory import GapKind, Inventory
from cloudaudit.plugins import CollectOptions, Target, load_plugin
from cloudaudit.progress import PlainProgress
from cloudaudit.report.json_report import render_inventory
from cloudaudit_gcp.assets_compute import (
    FirewallRule,
    ForwardingRule,
    NetworkInterface,
    PortSpec,
    StaticAddress,
    VmInstance,
    VpcNetwork,
)
from cloudaudit_gcp.collect import compute
from cloudaudit_gcp.collect.guard import scope_of
from cloudaudit_gcp.fake import FakeGoogleApis, FakeProject, Fault, sample_project
from cloudaudit_gcp.fake.state import Firewall, Instance, PortRule
from cloudaudit_gcp.fake.state import ForwardingRule as FakeRule

PROJECT = "demo-project"
NUMBER = "123456789012"
PAGE = 500
C = f"//compute.googleapis.com/projects/{PROJECT}"
SELF = f"https://www.googleapis.com/compute/v1/projects/{PROJECT}"
WORKER = f"worker@{PROJECT}.iam.gserviceaccount.com"
COMMON: dict[str, Any] = {"provider": "gcp", "account": PROJECT}


COMPUTE = frozenset({"compute"})


def collect(
    fake: FakeGoogleApis, *, regions: tuple[str, ...] | None = None, services: frozenset[str] | None = COMPUTE
) -> Inventory:
    """What ``cloudaudit run --provider gcp --project demo-project`` collects (None: every service)."""
    target = Target("project", PROJECT, (("endpoint_url", fake.url), ("access_token", "test-token")))
    options = CollectOptions(target=target, regions=regions, services=services)
    return load_plugin("gcp").collect(options, PlainProgress())


def by_id(inventory: Inventory) -> dict[str, Asset]:
    return {a.id: a for a in inventory.assets}


def configured(asset: Asset) -> Asset:
    """The asset without what reachability adds (its own tests cover it)."""
    if isinstance(asset, VmInstance):
        return asset.model_copy(update={"endpoints": ()})
    if isinstance(asset, FirewallRule):
        return asset.model_copy(update={"exposed_addresses": ()})
    return asset


def names(inventory: Inventory, kind: type[Asset]) -> set[str]:
    return {a.name for a in inventory.assets if isinstance(a, kind)}


def compute_routes(fake: FakeGoogleApis) -> Counter[str]:
    return Counter(str(r.route) for r in fake.requests if str(r.route).startswith("compute."))


@pytest.fixture
def fake() -> Iterator[FakeGoogleApis]:
    with FakeGoogleApis([sample_project(PROJECT)]) as served:
        yield served


# ---------------------------------------------------------------------------------- the sample


EXPECTED: list[Asset] = [
    VpcNetwork(
        **COMMON,
        region="global",
        id=f"{C}/global/networks/default",
        name="default",
        self_link=f"{SELF}/global/networks/default",
        auto_create_subnetworks=True,
    ),
    VpcNetwork(
        **COMMON,
        region="global",
        id=f"{C}/global/networks/prod-vpc",
        name="prod-vpc",
        self_link=f"{SELF}/global/networks/prod-vpc",
        auto_create_subnetworks=False,
    ),
    FirewallRule(
        **COMMON,
        region="global",
        id=f"{C}/global/firewalls/db-open-to-world",
        name="db-open-to-world",
        network=f"{SELF}/global/networks/prod-vpc",
        network_name="prod-vpc",
        direction="INGRESS",
        priority=1000,
        action="allow",
        entries=(PortSpec(protocol="tcp", ports=("5432", "6379")),),
        source_ranges=("0.0.0.0/0", "::/0"),
        target_tags=("db",),
        logging=True,
    ),
    FirewallRule(
        **COMMON,
        region="global",
        id=f"{C}/global/firewalls/deny-rdp",
        name="deny-rdp",
        network=f"{SELF}/global/networks/prod-vpc",
        network_name="prod-vpc",
        priority=100,
        action="deny",
        entries=(PortSpec(protocol="tcp", ports=("3389",)),),
        source_ranges=("0.0.0.0/0",),
    ),
    FirewallRule(
        **COMMON,
        region="global",
        id=f"{C}/global/firewalls/all-ports-sa",
        name="all-ports-sa",
        network=f"{SELF}/global/networks/prod-vpc",
        network_name="prod-vpc",
        entries=(PortSpec(protocol="all"),),
        source_ranges=("0.0.0.0/0",),
        target_service_accounts=(WORKER,),
        disabled=True,
    ),
    FirewallRule(
        **COMMON,
        region="global",
        id=f"{C}/global/firewalls/internal",
        name="internal",
        network=f"{SELF}/global/networks/default",
        network_name="default",
        description="<b>internal</b>",
        entries=(PortSpec(protocol="all"),),
        source_ranges=("10.128.0.0/9",),
    ),
    VmInstance(
        **COMMON,
        region="us-central1",
        id=f"{C}/zones/us-central1-b/instances/db-1",
        name="db-1",
        tags={"team": "data"},
        zone="us-central1-b",
        status="RUNNING",
        interfaces=(
            NetworkInterface(
                name="nic0",
                network=f"{SELF}/global/networks/prod-vpc",
                subnetwork=f"{SELF}/regions/us-central1/subnetworks/prod-vpc",
                internal_ip="10.10.0.3",
                external_ips=("192.0.2.11", "2001:db8:4000::1"),
            ),
        ),
        network_tags=("db",),
        service_accounts=(WORKER,),
    ),
    VmInstance(
        **COMMON,
        region="us-central1",
        id=f"{C}/zones/us-central1-a/instances/web-1",
        name="web-1",
        zone="us-central1-a",
        status="RUNNING",
        interfaces=(
            NetworkInterface(
                name="nic0",
                network=f"{SELF}/global/networks/default",
                subnetwork=f"{SELF}/regions/us-central1/subnetworks/default",
                internal_ip="10.128.0.2",
                external_ips=("192.0.2.10",),
            ),
        ),
        network_tags=("http-server",),
    ),
    VmInstance(
        **COMMON,
        region="europe-west1",
        id=f"{C}/zones/europe-west1-b/instances/batch-1",
        name="batch-1",
        zone="europe-west1-b",
        status="TERMINATED",
        interfaces=(
            NetworkInterface(
                name="nic0",
                network=f"{SELF}/global/networks/prod-vpc",
                subnetwork=f"{SELF}/regions/europe-west1/subnetworks/prod-vpc",
                internal_ip="10.20.0.4",
            ),
        ),
    ),
    ForwardingRule(
        **COMMON,
        region="us-central1",
        id=f"{C}/regions/us-central1/forwardingRules/web-lb",
        name="web-lb",
        endpoints=(
            Endpoint(host="192.0.2.20", from_port=80, to_port=80, via="forwarding rule web-lb (EXTERNAL)"),
        ),
        address="192.0.2.20",
        ip_protocol="TCP",
        port_range="80-80",
        load_balancing_scheme="EXTERNAL",
        target=f"{SELF}/regions/us-central1/targetPools/web-pool",
        network_tier="PREMIUM",
    ),
    ForwardingRule(
        **COMMON,
        region="global",
        id=f"{C}/global/forwardingRules/web-https",
        name="web-https",
        endpoints=(
            Endpoint(
                host="192.0.2.40",
                from_port=443,
                to_port=443,
                via="forwarding rule web-https (EXTERNAL_MANAGED)",
                application="https",
            ),
        ),
        address="192.0.2.40",
        ip_protocol="TCP",
        port_range="443-443",
        load_balancing_scheme="EXTERNAL_MANAGED",
        target=f"{SELF}/global/targetHttpsProxies/web-https-proxy",
        network_tier="PREMIUM",
    ),
    StaticAddress(
        **COMMON,
        region="us-central1",
        id=f"{C}/regions/us-central1/addresses/web-lb-ip",
        name="web-lb-ip",
        address="192.0.2.20",
        address_type="EXTERNAL",
        status="IN_USE",
        users=(f"{SELF}/regions/us-central1/forwardingRules/web-lb",),
    ),
    StaticAddress(
        **COMMON,
        region="europe-west1",
        id=f"{C}/regions/europe-west1/addresses/spare-ip",
        name="spare-ip",
        address="192.0.2.21",
        address_type="EXTERNAL",
        status="RESERVED",
    ),
    StaticAddress(
        **COMMON,
        region="global",
        id=f"{C}/global/addresses/web-global-ip",
        name="web-global-ip",
        address="192.0.2.40",
        address_type="EXTERNAL",
        status="IN_USE",
        users=(f"{SELF}/global/forwardingRules/web-https",),
    ),
]


def test_every_field_of_every_kind_of_the_sample(fake: FakeGoogleApis) -> None:
    inventory = collect(fake)

    assert inventory.gaps == ()
    found = by_id(inventory)
    for expected in EXPECTED:
        assert configured(found[expected.id]) == expected
    assert names(inventory, FirewallRule) == {
        "default-allow-ssh",
        "default-allow-http",
        "db-open-to-world",
        "deny-rdp",
        "all-ports-sa",
        "internal",
    }
    assert len(inventory.assets) == 2 + 6 + 3 + 2 + 3
    assert compute_routes(fake) == {
        "compute.networks.list": 1,
        "compute.firewalls.list": 1,
        "compute.instances.aggregatedList": 1,
        "compute.forwardingRules.aggregatedList": 1,
        "compute.globalForwardingRules.list": 1,
        "compute.addresses.aggregatedList": 1,
        "compute.globalAddresses.list": 1,
    }
    aggregated = [r for r in fake.requests if str(r.route).endswith(".aggregatedList")]
    assert {(r.query["returnPartialSuccess"], r.query["maxResults"]) for r in aggregated} == {("true", "500")}


def test_every_collected_kind_survives_inventory_json(fake: FakeGoogleApis) -> None:
    inventory = collect(fake)

    restored = Inventory.from_json(json.loads(render_inventory(inventory)))

    assert restored.assets == inventory.assets
    assert [type(a) for a in restored.assets] == [type(a) for a in inventory.assets]
    kinds = {a.kind for a in restored.assets}
    assert kinds == {
        "gcp.compute.network",
        "gcp.compute.firewall",
        "gcp.compute.instance",
        "gcp.compute.forwarding_rule",
        "gcp.compute.address",
    }


def test_untrusted_text_is_kept_as_data() -> None:
    hostile = "\x1b[31mred\x1b[0m [bold]markup[/bold] <script>alert(1)</script> {{ 7*7 }} ../../etc"
    project = FakeProject(PROJECT)
    project.firewalls.append(Firewall("odd", allowed=[PortRule("6")], description=hostile))
    project.instances.append(Instance("vm", "us-central1-a", labels={"note": hostile}))
    project.forwarding_rules.append(FakeRule("lb", "us-central1", "192.0.2.60", description=hostile))
    with FakeGoogleApis([project]) as served:
        inventory = collect(served)

    rule = next(a for a in inventory.assets if isinstance(a, FirewallRule))
    assert rule.description == hostile
    assert rule.entries == (PortSpec(protocol="6"),)  # an IP protocol number stays a string
    vm = next(a for a in inventory.assets if isinstance(a, VmInstance))
    assert vm.tags == {"note": hostile}
    restored = Inventory.from_json(json.loads(render_inventory(inventory)))
    assert restored.assets == inventory.assets


def test_forwarding_rules_ports_all_ports_l3_and_internal_ones() -> None:
    project = FakeProject(PROJECT)
    project.forwarding_rules += [
        FakeRule("two-ports", "us-central1", "192.0.2.50", port_range=None, ports=["22", "443"]),
        FakeRule("every-port", "us-central1", "192.0.2.51", protocol="UDP", port_range=None, all_ports=True),
        FakeRule("l3", "europe-west1", "192.0.2.52", protocol="L3_DEFAULT", port_range=None, all_ports=True),
        FakeRule("vpn", "europe-west1", "192.0.2.53", protocol="ESP", port_range=None),
        FakeRule("inside", "us-central1", "10.0.0.9", scheme="INTERNAL", target="backendServices/x"),
        FakeRule("plain", "global", "192.0.2.54", target="targetHttpProxies/web", labels={"env": "prod"}),
    ]
    with FakeGoogleApis([project]) as served:
        rules = {a.name: a for a in collect(served).assets if isinstance(a, ForwardingRule)}

    def ports(name: str) -> list[tuple[str, int, int, str]]:
        return [(e.protocol, e.from_port, e.to_port, e.application) for e in rules[name].endpoints]

    assert ports("two-ports") == [("tcp", 22, 22, ""), ("tcp", 443, 443, "")]
    assert rules["two-ports"].ports == ("22", "443")
    assert ports("every-port") == [("udp", 0, 65535, "")] and rules["every-port"].all_ports
    assert ports("l3") == [("all", 0, 65535, "")]
    assert ports("vpn") == [] and rules["vpn"].public_addresses() == ("192.0.2.53",)
    assert ports("inside") == [] and rules["inside"].public_addresses() == ()
    assert ports("plain") == [("tcp", 80, 80, "http")]
    assert rules["plain"].tags == {"env": "prod"}
    assert {e.via for e in rules["l3"].endpoints} == {"forwarding rule l3 (EXTERNAL)"}


# ---------------------------------------------------------------------------------- paging, regions


def test_every_page_of_firewalls_and_instances_is_read() -> None:
    project = sample_project(PROJECT)
    project.firewalls += [Firewall(f"bulk-{i:03}") for i in range(PAGE)]
    zones = project.zones()
    project.instances += [Instance(f"bulk-{i:03}", zones[i % len(zones)]) for i in range(PAGE)]
    with FakeGoogleApis([project]) as fake:
        inventory = collect(fake)
        listed = {
            route: [r.query for r in fake.requests if r.route == route]
            for route in ("compute.firewalls.list", "compute.instances.aggregatedList")
        }

    assert inventory.gaps == ()
    assert len(names(inventory, FirewallRule)) == PAGE + 6
    assert len(names(inventory, VmInstance)) == PAGE + 3
    assert {"bulk-000", f"bulk-{PAGE - 1}", "db-1", "batch-1"} <= names(inventory, VmInstance)
    for queries in listed.values():
        assert len(queries) == 2
        assert "pageToken" not in queries[0] and "pageToken" in queries[1]
        assert {q["maxResults"] for q in queries} == {"500"}
    assert {q["returnPartialSuccess"] for q in listed["compute.instances.aggregatedList"]} == {"true"}


def test_regions_keep_the_wanted_regional_resources_and_every_global_one(fake: FakeGoogleApis) -> None:
    inventory = collect(fake, regions=("europe-west1",))

    assert names(inventory, VmInstance) == {"batch-1"}
    assert names(inventory, ForwardingRule) == {"web-https"}  # global
    assert names(inventory, StaticAddress) == {"spare-ip", "web-global-ip"}
    assert len(names(inventory, FirewallRule)) == 6
    assert names(inventory, VpcNetwork) == {"default", "prod-vpc"}
    assert sum(compute_routes(fake).values()) == 7  # one listing each: the filter is ours


# ---------------------------------------------------------------------------------- failures


def test_firewalls_denied_is_a_gap_and_instances_with_external_ips_say_so(fake: FakeGoogleApis) -> None:
    denied = Fault.permission_denied("compute.firewalls.list", f"projects/{PROJECT}")
    fake.inject("compute.firewalls.list", denied)

    inventory = collect(fake, services=None)

    (gap,) = inventory.gaps
    assert (gap.service, gap.kind, gap.operation, gap.error_code, gap.region) == (
        "compute",
        GapKind.DENIED,
        "compute.firewalls.list",
        "IAM_PERMISSION_DENIED",
        "global",
    )
    assert "compute.firewalls.list" in gap.message
    assert names(inventory, FirewallRule) == set()
    vms = {a.name: a for a in inventory.assets if isinstance(a, VmInstance)}
    reason = "IAM_PERMISSION_DENIED on compute.firewalls.list"
    assert vms["web-1"].unread == {"firewalls": reason} and vms["db-1"].unread == {"firewalls": reason}
    assert vms["batch-1"].unread == {}  # no external address: nothing to reach
    kinds = {a.kind.split(".")[1] for a in inventory.assets}
    assert kinds == {"storage", "compute", "sql", "apigateway"}  # the run went on
    assert names(inventory, ForwardingRule) == {"web-lb", "web-https"}


def test_instances_denied_leave_what_each_rule_reaches_unread(fake: FakeGoogleApis) -> None:
    """Rules read, instances not: no rule claims it reaches nothing; the open rules grade as public."""
    fake.inject(
        "compute.instances.aggregatedList",
        Fault.permission_denied("compute.instances.list", f"projects/{PROJECT}"),
    )

    inventory = collect(fake, services=None)

    assert [g.operation for g in inventory.gaps] == ["compute.instances.aggregatedList"]
    rules = {a.name: a for a in inventory.assets if isinstance(a, FirewallRule)}
    assert rules["default-allow-ssh"].unread == {
        "exposed_addresses": "IAM_PERMISSION_DENIED on compute.instances.aggregatedList"
    }
    load_plugin("gcp")
    from cloudaudit.engine.registry import REGISTRY
    from cloudaudit.engine.runner import evaluate

    ssh = [
        f
        for f in evaluate(inventory, REGISTRY.select(["gcp.compute.firewall_open_admin_ports"]))
        if f.resource_id == rules["default-allow-ssh"].id
    ]
    assert [(f.status.value, f.severity.value) for f in ssh] == [("FAIL", "high")]


def test_compute_disabled_is_one_gap_naming_the_api_and_the_other_services_are_read(
    fake: FakeGoogleApis,
) -> None:
    fake.inject("compute.*", Fault.service_disabled("compute.googleapis.com", NUMBER))

    inventory = collect(fake, services=None)

    (gap,) = inventory.gaps
    assert (gap.account, gap.service, gap.kind, gap.error_code) == (
        PROJECT,
        "compute",
        GapKind.UNSUPPORTED,
        "SERVICE_DISABLED",
    )
    assert "compute.googleapis.com" in gap.message
    assert sum(compute_routes(fake).values()) == 1  # said once, nothing else asked
    kinds = {a.kind.split(".")[1] for a in inventory.assets}
    assert kinds == {"storage", "sql", "apigateway"}


def test_an_unreachable_zone_is_a_gap_of_that_zone_and_the_others_are_read() -> None:
    project = sample_project(PROJECT)
    project.unreachable.append("zones/us-central1-b")
    with FakeGoogleApis([project]) as fake:
        inventory = collect(fake)
        elsewhere = collect(fake, regions=("europe-west1",))

    (gap,) = inventory.gaps
    assert (gap.service, gap.region, gap.kind, gap.error_code, gap.operation) == (
        "compute",
        "us-central1-b",
        GapKind.SERVER,
        "UNREACHABLE",
        "compute.instances.aggregatedList",
    )
    assert "us-central1-b" in gap.message
    assert names(inventory, VmInstance) == {"web-1", "batch-1"}  # db-1 lives in the unreachable zone
    assert names(inventory, ForwardingRule) == {"web-lb", "web-https"}
    assert elsewhere.gaps == ()  # a zone outside --regions is not a blind spot of the audit
    assert names(elsewhere, VmInstance) == {"batch-1"}


@pytest.mark.parametrize(
    ("route", "fault"),
    [
        ("compute.firewalls.list", Fault.too_many_requests(times=1)),
        ("compute.instances.aggregatedList", Fault.server_error(503, times=1)),
    ],
)
def test_a_429_or_503_is_retried_by_the_client_and_nothing_is_missing(
    fake: FakeGoogleApis, monkeypatch: pytest.MonkeyPatch, route: str, fault: Fault
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_RETRY_SECONDS", "1")  # one retry, after at most 2 s
    fake.inject(route, fault)

    inventory = collect(fake)

    assert inventory.gaps == ()
    assert [r.status for r in fake.requests if r.route == route] == [fault.status, 200]
    assert [configured(by_id(inventory)[e.id]) for e in EXPECTED] == EXPECTED


# ---------------------------------------------------------------------------------- translation


def test_an_aggregated_global_scope_is_not_a_second_copy_of_a_global_resource() -> None:
    raw = {"name": "web-global-ip", "address": "192.0.2.40", "status": "IN_USE"}
    read: dict[compute.Listing, compute.Read] = {
        compute.ADDRESSES: [("global", raw), ("regions/us-central1", {"name": "r", "address": "192.0.2.5"})],
        compute.GLOBAL_ADDRESSES: [("global", raw)],
    }
    assets = compute.translate(PROJECT, read)
    assert [(a.name, a.region) for a in assets] == [("web-global-ip", "global"), ("r", "us-central1")]
    assert all(isinstance(a, StaticAddress) and a.address_type == "EXTERNAL" for a in assets)


@pytest.mark.parametrize(
    ("name", "scope"),
    [
        ("zones/us-central1-a", "zones/us-central1-a"),
        ("projects/p/zones/us-central1-a", "zones/us-central1-a"),
        ("https://www.googleapis.com/compute/v1/projects/p/regions/europe-west1", "regions/europe-west1"),
        ("global", "global"),
    ],
)
def test_unreachables_name_their_scope(name: str, scope: str) -> None:
    assert scope_of(name) == scope
    assert compute.scope_region(scope) in ("us-central1", "europe-west1", "global")


def test_interface_external_addresses_and_a_firewall_without_entries() -> None:
    vm = compute.to_instance(
        PROJECT,
        "zones/europe-west1-d",
        {
            "name": "vm",
            "networkInterfaces": [
                {"accessConfigs": [{"type": "ONE_TO_ONE_NAT"}]},  # ephemeral IP not assigned yet
                {
                    "ipv6AccessConfigs": [{"externalIpv6": "2001:db8::7"}],
                    "accessConfigs": [{"natIP": "192.0.2.9"}],
                },
            ],
        },
    )
    assert (vm.region, vm.zone, vm.external_ips()) == (
        "europe-west1",
        "europe-west1-d",
        ("192.0.2.9", "2001:db8::7"),
    )
    rule = compute.to_firewall(PROJECT, "global", {"name": "r", "direction": "EGRESS", "priority": "10"})
    assert (rule.direction, rule.priority, rule.action, rule.entries, rule.network_name) == (
        "EGRESS",
        10,
        "allow",
        (),
        "",
    )


def test_the_collector_declares_the_permission_of_each_listing() -> None:
    assert sorted(compute.PERMISSIONS) == [
        "compute.addresses.list",
        "compute.firewalls.list",
        "compute.forwardingRules.list",
        "compute.globalAddresses.list",
        "compute.globalForwardingRules.list",
        "compute.instances.list",
        "compute.networks.list",
    ]
    assert [listing.operation for listing in compute.LISTINGS if listing.aggregated] == [
        "compute.instances.aggregatedList",
        "compute.forwardingRules.aggregatedList",
        "compute.addresses.aggregatedList",
    ]
