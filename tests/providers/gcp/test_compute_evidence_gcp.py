"""What the Compute Engine findings say: addresses, ports, path, exploiting probes, unread instances."""

from __future__ import annotations

from cloudaudit.engine.registry import REGISTRY
from cloudaudit.engine.runner import evaluate
from cloudaudit.exposure.proofs import ANY_MISCONFIGURATION, UNAUTHENTICATED_SERVICE
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import CollectionGap, GapKind, Inventory
from cloudaudit.model.network import PortRange
from cloudaudit.plugins import load_plugin
from gcp_build_compute import rule, vm
from gcp_cases import PROJECT, inventory
from gcp_cases_compute import CASES, PG_AND_REDIS, REDIS_PUBLIC, SSH_HOST, SSH_NOTHING, STOPPED_HOST

load_plugin("gcp")


def findings(check_id: str, inv: Inventory | None = None) -> dict[str, Finding]:
    spec = REGISTRY.get(check_id)
    assert spec is not None
    return {f.resource_id: f for f in evaluate(inv or CASES[check_id].inventory, [spec])}


def test_open_data_rule_names_the_exposed_address_ports_and_path() -> None:
    found = findings("gcp.compute.firewall_open_database_ports")
    redis = found[REDIS_PUBLIC.id]
    assert redis.network is not None
    assert redis.network.addresses == ("192.0.2.10",)
    assert redis.network.ports == (PortRange.single(6379),)
    assert redis.network.reachability == "reachable"
    assert [h.hop for h in redis.network.path] == ["resource", "interface", "firewall_rule"]
    assert redis.network.path[-1].id == REDIS_PUBLIC.id
    assert redis.network.exploited_by == UNAUTHENTICATED_SERVICE
    assert redis.evidence["instances"] == ["pub"]
    assert "firewall policies are not read" in redis.evidence["not_evaluated"]
    # the deny closes Redis: only PostgreSQL reaches the Internet, so the finding is about 5432 only
    mixed = found[PG_AND_REDIS.id]
    assert mixed.network is not None and mixed.network.ports == (PortRange.single(5432),)
    assert mixed.severity is Severity.HIGH


def test_rule_targeting_nothing_is_not_reachable() -> None:
    found = findings("gcp.compute.firewall_open_admin_ports")[SSH_NOTHING.id]
    assert found.network is not None
    assert found.network.addresses == () and found.network.reachability == "private"
    assert found.network.ports == (PortRange.single(22),)


def test_all_ports_rule_reaching_a_host_is_every_port() -> None:
    found = findings("gcp.compute.firewall_open_all_ports")
    public = next(f for f in found.values() if f.resource_name == "all-public")
    assert public.network is not None and public.network.ports == (PortRange.every(),)
    assert public.network.exploited_by == ANY_MISCONFIGURATION


def test_instances_unread_in_the_inventory_gaps_grade_rules_as_public() -> None:
    base = inventory(SSH_NOTHING, vm("unrelated", "192.0.2.50"))
    gap = CollectionGap(
        provider="gcp",
        account=PROJECT,
        region="global",
        service="compute",
        operation="compute.instances.aggregatedList",
        error_code="PERMISSION_DENIED",
        message="Required 'compute.instances.list' permission",
        kind=GapKind.DENIED,
    )
    inv = Inventory(scope=base.scope, assets=base.assets, gaps=(gap,))
    found = findings("gcp.compute.firewall_open_admin_ports", inv)[SSH_NOTHING.id]
    assert found.status is Status.FAIL and found.severity is Severity.HIGH
    assert found.network is not None and found.network.reachability == "unknown"
    assert "could not be read" in found.message
    assert "compute.instances.aggregatedList" in found.evidence["instances_unread"]
    # a gap of another service does not count
    other = Inventory(scope=base.scope, assets=base.assets, gaps=(gap.model_copy(update={"service": "sql"}),))
    assert findings("gcp.compute.firewall_open_admin_ports", other)[SSH_NOTHING.id].severity is Severity.LOW


def test_exposed_instance_evidence() -> None:
    found = findings("gcp.compute.instance_exposed_sensitive_ports")
    ssh = found[SSH_HOST.id]
    assert ssh.network is not None
    assert ssh.network.addresses == ("192.0.2.20",)
    assert ssh.network.ports == (PortRange.single(22),)
    assert ssh.network.reachability == "reachable"
    assert ssh.network.path[-1].detail.startswith("ssh: allow tcp:22 from 0.0.0.0/0")
    assert ssh.evidence["ports"] == {"22": "SSH"}
    assert ssh.evidence["opened_by"] == [{"address": "192.0.2.20", "rule": "ssh", "opens": "tcp:22-22"}]
    stopped = found[STOPPED_HOST.id]
    assert stopped.network is not None and stopped.network.reachability == "blocked"
    assert "TERMINATED" in stopped.evidence["reason"]


def test_host_open_on_every_port_does_not_list_the_catalogue() -> None:
    """Every port is open: the evidence says so once instead of naming each sensitive service."""
    host = vm("wide", "192.0.2.70", network_tags=("w",))
    check = "gcp.compute.instance_exposed_sensitive_ports"
    wide = findings(check, inventory(host, rule("w-all", "all", target_tags=("w",))))[host.id]
    assert wide.status is Status.FAIL and wide.severity is Severity.CRITICAL
    assert wide.evidence["all_traffic"] is True and wide.evidence["ports"] == {}
    assert "on all ports" in wide.message
    narrow = findings(check, inventory(host, rule("w-ssh", "tcp:22", target_tags=("w",))))[host.id]
    assert narrow.evidence["all_traffic"] is False and narrow.evidence["ports"] == {"22": "SSH"}


def test_new_rules_are_judged_on_a_new_inventory() -> None:
    """The per-inventory view is rebuilt for another inventory (no stale verdicts)."""
    host = vm("host", "192.0.2.60", network_tags=("x",))
    open_rule = rule("x-ssh", "tcp:22", target_tags=("x",))
    check = "gcp.compute.instance_exposed_sensitive_ports"
    assert findings(check, inventory(host))[host.id].status is Status.PASS
    assert findings(check, inventory(host, open_rule))[host.id].status is Status.FAIL


def test_default_network_lists_its_instances() -> None:
    found = findings("gcp.compute.default_network")
    default = next(f for f in found.values() if f.resource_name == "default")
    assert default.evidence["instances"] == ["pub"]
    assert default.compliance["CIS-GCP-Foundations-2.0.0"] == ["3.1"]
