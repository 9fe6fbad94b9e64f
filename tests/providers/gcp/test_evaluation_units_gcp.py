"""A run over several projects is evaluated project by project, a shared VPC's projects together."""

from __future__ import annotations

from cloudaudit.engine.runner import evaluate
from cloudaudit.engine.units import parts, units
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import load_plugin
from cloudaudit.runflow import Selection, findings_document
from cloudaudit_gcp.assets import full_name
from cloudaudit_gcp.assets_compute import NetworkInterface
from gcp_build_compute import net_url, rule, vm
from gcp_cases import inventory

HOST, SERVICE, OTHER = "host-project", "service-project", "lone-project"


def _estate() -> Inventory:
    """A host project's rule opening SSH to the world on its shared network; a service project's
    instance on that network; a third project with its own open rule and instance."""
    shared = net_url("shared", HOST)
    host_rule = rule("ssh-world", "tcp:22", net="shared").model_copy(
        update={
            "account": HOST,
            "network": shared,
            "id": full_name("compute", f"projects/{HOST}/global/firewalls/ssh"),
        }
    )
    nic = NetworkInterface(name="nic0", network=shared, internal_ip="10.8.0.2", external_ips=("203.0.113.7",))
    guest = vm("app", nics=(nic,)).model_copy(
        update={"account": SERVICE, "id": full_name("compute", f"projects/{SERVICE}/zones/z/instances/app")}
    )
    lone_net = net_url("default", OTHER)
    lone_rule = rule("rdp-world", "tcp:3389").model_copy(
        update={
            "account": OTHER,
            "network": lone_net,
            "id": full_name("compute", f"projects/{OTHER}/global/firewalls/rdp"),
        }
    )
    lone_nic = NetworkInterface(
        name="nic0", network=lone_net, internal_ip="10.9.0.2", external_ips=("203.0.113.9",)
    )
    lone = vm("solo", nics=(lone_nic,)).model_copy(
        update={"account": OTHER, "id": full_name("compute", f"projects/{OTHER}/zones/z/instances/solo")}
    )
    return inventory(host_rule, guest, lone_rule, lone)


def _dumps(findings: list[Finding]) -> list[str]:
    return sorted(f.model_dump_json() for f in findings)


def test_a_shared_vpc_host_and_its_service_project_are_one_unit_the_others_alone() -> None:
    load_plugin("gcp")
    estate = _estate()
    assert sorted(sorted(a for _, a in unit) for unit in units(estate)) == [[HOST, SERVICE], [OTHER]]
    assert [sorted(p.scope.accounts) for p in parts(estate)] == [[HOST, SERVICE], [OTHER]]


def test_evaluating_unit_by_unit_gives_the_findings_of_the_whole_estate() -> None:
    load_plugin("gcp")
    estate = _estate()
    checks = Selection().checks("gcp")
    doc = findings_document(estate, checks, None)
    whole = evaluate(estate, checks)
    assert _dumps(list(doc.findings)) == _dumps(whole)
    exposed = [
        f for f in doc.findings if f.resource_id.endswith("/instances/app") and f.status is Status.FAIL
    ]
    assert exposed and any(
        "203.0.113.7" in f.model_dump_json() for f in exposed
    )  # the host's rule reached it
