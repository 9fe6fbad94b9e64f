"""The network service end to end: ``cloudaudit run --provider azure`` against the HTTPS fake serving the
sample network (real azure-mgmt-network client, GET only), and the collection itself (paging, fields,
``--regions``). What a user sees: verdicts graded by what really reaches a VM, the path as evidence, the
public addresses as exposure targets, gaps and UNKNOWN when a listing is denied, and no write."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azure_build_network import rule, world
from azure_run import SUBSCRIPTION, TOKEN, findings, run_azure, serve, verdicts
from cloudaudit.model.inventory import GapKind, Inventory
from cloudaudit.plugins import CollectOptions, Target, load_plugin
from cloudaudit.progress import PlainProgress
from cloudaudit_azure.assets_network import (
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
from cloudaudit_azure.fake import FakeArm, FakeSubscription
from cloudaudit_azure.fake.faults import denied
from cloudaudit_azure.fake.sample import sample_subscription

SAMPLE_FAILING = {
    ("azure.network.nsg_open_admin_ports", "nsg-data"): ("FAIL", "high"),
    ("azure.network.nsg_open_admin_ports", "nsg-db"): ("FAIL", "high"),
    ("azure.network.nsg_open_admin_ports", "nsg-ssh-orphan"): ("FAIL", "low"),
    ("azure.network.nsg_open_admin_ports", "nsg-apps"): ("FAIL", "high"),
    ("azure.network.nsg_open_database_ports", "nsg-data"): ("FAIL", "critical"),
    ("azure.network.nsg_open_database_ports", "nsg-db"): ("FAIL", "critical"),
    ("azure.network.nsg_open_other_ports", "nsg-web"): ("FAIL", "info"),
    ("azure.network.nsg_open_other_ports", "nsg-apps"): ("FAIL", "info"),
    ("azure.network.nic_exposed_sensitive_ports", "nic-db"): ("FAIL", "critical"),
    ("azure.network.nic_exposed_sensitive_ports", "nic-legacy"): ("FAIL", "critical"),
    ("azure.network.lb_exposed_sensitive_ports", "lb-edge"): ("FAIL", "high"),
    ("azure.network.nic_public_ip_without_nsg", "nic-legacy"): ("FAIL", "critical"),
}
NICS_PATH = "*/providers/microsoft.network/networkinterfaces"
NSGS_PATH = "*/providers/microsoft.network/networksecuritygroups"
PIPS_PATH = "*/providers/microsoft.network/publicipaddresses"
NETWORK = ("--checks", "azure.network.*")
"""The network checks only (only the network service is then collected)."""


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    yield from serve(monkeypatch, sample_subscription(SUBSCRIPTION))


def not_passing(out: Path) -> dict[tuple[str, str], tuple[str, str]]:
    return {k: v for k, v in verdicts(out).items() if v[0] != "PASS"}


def finding(out: Path, check: str, name: str) -> dict[str, Any]:
    (found,) = [f for f in findings(out)["findings"] if f["check_id"] == check and f["resource_name"] == name]
    return found


def read_only(arm: FakeArm) -> None:
    assert arm.writes() == []
    assert {r.method for r in arm.requests} == {"GET"}


# ---------------------------------------------------------------------------------- the sample


def test_the_sample_is_graded_by_what_really_reaches_a_vm(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path, *NETWORK) == 0
    assert not_passing(tmp_path) == SAMPLE_FAILING
    assert len(verdicts(tmp_path)) == 29  # 5 NSGs x 4, 4 NICs x 2, 1 load balancer
    assert findings(tmp_path)["coverage"] == []
    assert {r.path.split("/providers/")[-1] for r in arm.requests if "/providers/" in r.path} == {
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/publicIPAddresses",
        "Microsoft.Network/loadBalancers",
    }
    read_only(arm)


def test_fail_on_high_exits_one(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path, *NETWORK, "--fail-on", "high") == 1


def test_a_vm_exposed_through_both_nsg_levels_carries_its_path(arm: FakeArm, tmp_path: Path) -> None:
    run_azure(arm, tmp_path, *NETWORK)
    db = finding(tmp_path, "azure.network.nic_exposed_sensitive_ports", "nic-db")
    assert (
        db["message"]
        == "NIC nic-db is reachable from the Internet at 192.0.2.151 on 3389 (RDP), 6379 (Redis)."
    )
    network = db["network"]
    assert network["addresses"] == ["192.0.2.151"]
    assert [(p["from_port"], p["transport"]) for p in network["ports"]] == [(3389, "tcp"), (6379, "tcp")]
    assert network["reachability"] == "reachable"
    assert [(h["hop"], h["detail"]) for h in network["path"]] == [
        ("public_ip", "public IP pip-db 192.0.2.151 (Standard SKU)"),
        ("interface", "IP configuration nic-db/ipconfig1 (10.0.2.4) of NIC nic-db in subnet data, VM vm-db"),
        ("subnet_nsg", "NSG nsg-data rule allow-rdp: Allow Tcp 3389 from * (priority 100)"),
        (
            "nic_nsg",
            "NSG nsg-db rule allow-admin-and-cache: Allow Tcp 3389,6379 from Internet (priority 200)",
        ),
    ]
    assert db["evidence"]["path"] == network["path"]
    assert db["evidence"]["ports"] == {"3389": "RDP", "6379": "Redis"}


def test_a_load_balancer_frontend_is_exposed_by_its_nat_rule(arm: FakeArm, tmp_path: Path) -> None:
    run_azure(arm, tmp_path, *NETWORK)
    lb = finding(tmp_path, "azure.network.lb_exposed_sensitive_ports", "lb-edge")
    assert "192.0.2.160:50022 -> nic-app:22 (SSH)" in lb["message"]
    assert lb["network"]["addresses"] == ["192.0.2.160"]
    assert [p["from_port"] for p in lb["network"]["ports"]] == [50022]
    assert [h["hop"] for h in lb["network"]["path"]] == [
        "load_balancer",
        "load_balancer_rule",
        "interface",
        "subnet_nsg",
        "nic_nsg",
    ]
    assert lb["network"]["path"][1]["id"].endswith("/loadBalancers/lb-edge/inboundNatRules/ssh-vm-app")
    nsg = finding(tmp_path, "azure.network.nsg_open_admin_ports", "nsg-apps")
    assert nsg["network"]["addresses"] == ["192.0.2.160"]
    assert nsg["evidence"]["exposed_addresses"] == ["192.0.2.160"]


def test_the_public_addresses_are_exposure_targets(arm: FakeArm, tmp_path: Path) -> None:
    run_azure(arm, tmp_path, *NETWORK)
    surface = {s["endpoint"]: s for s in findings(tmp_path)["surface"]}
    assert {h: s["owner"]["kind"] for h, s in surface.items()} == {
        "192.0.2.150": "azure.network.nic",
        "192.0.2.151": "azure.network.nic",
        "192.0.2.152": "azure.network.nic",
        "192.0.2.160": "azure.network.load_balancer",
    }
    ports = {
        h: sorted((p["protocol"], p["from_port"], p["to_port"]) for p in s["ports"])
        for h, s in surface.items()
    }
    assert ports == {
        "192.0.2.150": [("tcp", 443, 443)],
        "192.0.2.151": [("tcp", 3389, 3389), ("tcp", 6379, 6379)],
        "192.0.2.152": [("all", 0, 65535)],
        "192.0.2.160": [("tcp", 443, 443), ("tcp", 50022, 50022)],
    }
    assert any(i.endswith("/networkSecurityGroups/nsg-db") for i in surface["192.0.2.151"]["resource_ids"])
    assert surface["192.0.2.151"]["reachability"] == "reachable"


# ---------------------------------------------------------------------------------- denied listings


def test_unread_nics_leave_load_balancers_unknown_and_nsgs_graded_as_if_they_reached(
    arm: FakeArm, tmp_path: Path
) -> None:
    arm.inject(NICS_PATH, denied("Microsoft.Network/networkInterfaces/read"))
    assert run_azure(arm, tmp_path, *NETWORK) == 0
    (gap,) = findings(tmp_path)["coverage"]
    assert (gap["service"], gap["operation"], gap["error_code"], gap["kind"]) == (
        "network",
        "network_interfaces.list_all",
        "AuthorizationFailed",
        GapKind.DENIED.value,
    )
    found = verdicts(tmp_path)
    assert found[("azure.network.lb_exposed_sensitive_ports", "lb-edge")] == ("UNKNOWN", "high")
    lb = finding(tmp_path, "azure.network.lb_exposed_sensitive_ports", "lb-edge")
    assert "AuthorizationFailed on network_interfaces.list_all" in lb["message"]
    assert found[("azure.network.nsg_open_admin_ports", "nsg-apps")] == ("FAIL", "high")
    apps = finding(tmp_path, "azure.network.nsg_open_admin_ports", "nsg-apps")
    assert "could not be read, so it is graded as if it reached a running VM" in apps["message"]
    assert apps["network"]["reachability"] == "unknown"
    assert apps["evidence"]["unread"] == "AuthorizationFailed on network_interfaces.list_all"
    assert found[("azure.network.nsg_open_admin_ports", "nsg-ssh-orphan")] == (
        "FAIL",
        "low",
    )  # attached to nothing
    assert found[("azure.network.nsg_open_other_ports", "nsg-web")] == ("FAIL", "info")
    assert not [k for k in found if k[0].startswith("azure.network.nic_")]
    read_only(arm)


def test_unread_nsgs_leave_the_nics_that_name_one_unknown(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject(NSGS_PATH, denied("Microsoft.Network/networkSecurityGroups/read"))
    run_azure(arm, tmp_path, *NETWORK)
    found = not_passing(tmp_path)
    assert found == {
        ("azure.network.nic_exposed_sensitive_ports", "nic-web"): ("UNKNOWN", "high"),
        ("azure.network.nic_exposed_sensitive_ports", "nic-db"): ("UNKNOWN", "high"),
        ("azure.network.nic_public_ip_without_nsg", "nic-web"): ("UNKNOWN", "critical"),
        ("azure.network.nic_public_ip_without_nsg", "nic-db"): ("UNKNOWN", "critical"),
        ("azure.network.lb_exposed_sensitive_ports", "lb-edge"): ("UNKNOWN", "high"),
        # nic-legacy names no NSG, nor does its subnet: judged without the NSG listing
        ("azure.network.nic_exposed_sensitive_ports", "nic-legacy"): ("FAIL", "critical"),
        ("azure.network.nic_public_ip_without_nsg", "nic-legacy"): ("FAIL", "critical"),
    }
    db = finding(tmp_path, "azure.network.nic_exposed_sensitive_ports", "nic-db")
    assert db["message"] == (
        "NIC nic-db has public address 192.0.2.151, but its NSGs could not be judged: AuthorizationFailed on "
        "network_security_groups.list_all."
    )
    assert db["network"] == {**db["network"], "addresses": ["192.0.2.151"], "reachability": "unknown"}
    read_only(arm)


def test_unread_public_ips_leave_the_nics_that_have_one_unknown(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject(PIPS_PATH, denied("Microsoft.Network/publicIPAddresses/read"))
    run_azure(arm, tmp_path, *NETWORK)
    found = verdicts(tmp_path)
    for name in ("nic-web", "nic-db", "nic-legacy"):
        assert found[("azure.network.nic_exposed_sensitive_ports", name)][0] == "UNKNOWN"
    assert found[("azure.network.nic_exposed_sensitive_ports", "nic-app")][0] == "PASS"  # no public IP
    assert found[("azure.network.nic_public_ip_without_nsg", "nic-legacy")][0] == "UNKNOWN"
    assert found[("azure.network.lb_exposed_sensitive_ports", "lb-edge")][0] == "UNKNOWN"
    legacy = finding(tmp_path, "azure.network.nic_exposed_sensitive_ports", "nic-legacy")
    assert "AuthorizationFailed on public_ip_addresses.list_all" in legacy["message"]


def test_regions_keep_the_resources_of_the_locations_asked_for(arm: FakeArm, tmp_path: Path) -> None:
    run_azure(arm, tmp_path, *NETWORK, "--regions", "westeurope")
    assert verdicts(tmp_path) == {}
    assert any(r.path.endswith("/networkSecurityGroups") for r in arm.requests)


# ---------------------------------------------------------------------------------- the collection


def collect(arm: FakeArm) -> Inventory:
    """What ``cloudaudit run --provider azure --subscription S`` collects."""
    target = Target("subscription", SUBSCRIPTION, (("endpoint_url", arm.url), ("access_token", TOKEN)))
    return load_plugin("azure").collect(CollectOptions(target=target), PlainProgress())


def test_listings_follow_next_link_across_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    net = world()
    for i in range(150):
        net.nsg(f"nsg-{i:03d}", rule("allow-ssh", 100, source="*", ports="22"))
    sub = FakeSubscription(SUBSCRIPTION)
    sub.add(*net.resources())
    for arm in serve(monkeypatch, sub):
        inventory = collect(arm)
        assert len(list(inventory.of(NetworkSecurityGroup))) == 150
        pages = [r.query.get("$skiptoken") for r in arm.requests if r.path.endswith("/networkSecurityGroups")]
        assert pages == [None, "100"]
        assert {r.path.rsplit("/", 1)[-1] for r in arm.requests if "Microsoft.Network" in r.path} == {
            "networkSecurityGroups",
            "networkInterfaces",
            "virtualNetworks",
            "publicIPAddresses",
            "loadBalancers",
        }


def _ids(kind: str, *names: str) -> str:
    return world().id(kind, *names)


def test_the_collection_reads_every_field(monkeypatch: pytest.MonkeyPatch) -> None:
    net = world()
    nsg = net.nsg(
        "nsg",
        rule("allow-web", 100, source=["203.0.113.0/24", "198.51.100.0/24"], ports=["80", "8000-8080"]),
        rule("deny-udp", 200, access="Deny", protocol="Udp", source="Internet", ports="*", source_ports="53"),
    )
    subnets = net.vnet("vnet", "10.0.0.0/16", {"web": ("10.0.1.0/24", nsg)})
    config = net.nic(
        "nic",
        subnets["web"],
        "10.0.1.4",
        public_ip_id=net.public_ip("pip", "192.0.2.10", fqdn="w.example"),
        vm="vm",
    )
    net.load_balancer(
        "lb",
        {"fe": net.public_ip("pip-lb", "192.0.2.160", sku="Basic")},
        nat=[("ssh", "fe", 50022, 22, config)],
        nat_pools=[("rdp-pool", "fe", 50000, 50099, 3389)],
        sku="Basic",
    )
    sub = FakeSubscription(SUBSCRIPTION)
    sub.add(*net.resources())
    for arm in serve(monkeypatch, sub):
        inventory = collect(arm)
    common: dict[str, Any] = {
        "provider": "azure",
        "account": SUBSCRIPTION,
        "region": "eastus",
        "resource_group": "rg-audit",
    }
    nsg_asset = next(inventory.of(NetworkSecurityGroup))
    assert nsg_asset.model_copy(update={"default_rules": ()}) == NetworkSecurityGroup(
        **common,
        id=nsg,
        name="nsg",
        rules=(
            NsgRule(
                name="allow-web",
                id=f"{nsg}/securityRules/allow-web",
                priority=100,
                sources=("203.0.113.0/24", "198.51.100.0/24"),
                source_ports=("*",),
                destinations=("*",),
                ports=("80", "8000-8080"),
                protocol="Tcp",
            ),
            NsgRule(
                name="deny-udp",
                id=f"{nsg}/securityRules/deny-udp",
                priority=200,
                access="Deny",
                protocol="Udp",
                sources=("Internet",),
                source_ports=("53",),
                destinations=("*",),
                ports=("*",),
            ),
        ),
        subnets=(subnets["web"],),
    )
    assert [(r.name, r.priority, r.direction, r.access, r.default) for r in nsg_asset.default_rules][:3] == [
        ("AllowVnetInBound", 65000, "Inbound", "Allow", True),
        ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", True),
        ("DenyAllInBound", 65500, "Inbound", "Deny", True),
    ]
    assert list(inventory.of(VirtualNetwork)) == [
        VirtualNetwork(
            **common,
            id=_ids("virtualNetworks", "vnet"),
            name="vnet",
            address_space=("10.0.0.0/16",),
            subnets=(
                Subnet(
                    id=subnets["web"],
                    name="web",
                    address_prefixes=("10.0.1.0/24",),
                    network_security_group=nsg,
                ),
            ),
        )
    ]
    nic = next(inventory.of(NetworkInterface))
    lb_id = _ids("loadBalancers", "lb")
    assert nic.model_copy(update={"endpoints": ()}) == NetworkInterface(
        **common,
        id=_ids("networkInterfaces", "nic"),
        name="nic",
        ip_configurations=(
            IpConfiguration(
                id=config,
                name="ipconfig1",
                primary=True,
                private_ip="10.0.1.4",
                subnet=subnets["web"],
                public_ip=_ids("publicIPAddresses", "pip"),
                nat_rules=(f"{lb_id}/inboundNatRules/ssh",),
            ),
        ),
        virtual_machine=f"/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-audit/providers/Microsoft.Compute/virtualMachines/vm",
        public_ips=("192.0.2.10",),
    )
    pips = {p.name: p for p in inventory.of(PublicIpAddress)}
    assert pips["pip"] == PublicIpAddress(
        **common,
        id=_ids("publicIPAddresses", "pip"),
        name="pip",
        ip_address="192.0.2.10",
        allocation="Static",
        sku="Standard",
        ip_configuration=config,
        fqdn="w.example",
    )
    lb = next(inventory.of(LoadBalancer))
    assert (lb.sku, lb.public_ips, [f.public_ip for f in lb.frontends]) == (
        "Basic",
        ("192.0.2.160",),
        [pips["pip-lb"].id],
    )
    assert lb.nat_rules == (
        NatRule(
            id=f"{lb_id}/inboundNatRules/ssh",
            name="ssh",
            frontend=f"{lb_id}/frontendIPConfigurations/fe",
            frontend_port=50022,
            frontend_port_last=50022,
            backend_port=22,
            backend_ip_configuration=config,
        ),
    )
    assert lb.nat_pools == (
        NatPool(
            id=f"{lb_id}/inboundNatPools/rdp-pool",
            name="rdp-pool",
            frontend=f"{lb_id}/frontendIPConfigurations/fe",
            frontend_port_first=50000,
            frontend_port_last=50099,
            backend_port=3389,
        ),
    )
    assert inventory.gaps == ()
