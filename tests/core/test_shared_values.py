"""Findings, assets and their parts share what they repeat, and stay independent values."""

from __future__ import annotations

from datetime import UTC, datetime

from cloudaudit.engine.runner import evaluate
from cloudaudit.exposure.model import Exposure, ExposureLevel
from cloudaudit.model import Severity, Status
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.finding import updated_finding
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.model.network import PortRange
from test_report_html import make_finding


def test_findings_of_a_check_share_their_compliance_and_given_fields() -> None:
    first, second = make_finding(resource_id="a"), make_finding(resource_id="b")
    assert first.compliance is second.compliance  # one mapping per check, not one per finding
    assert first.model_fields_set is second.model_fields_set
    assert first.exposure is second.exposure  # the default: not graded


def test_a_copy_with_changes_leaves_the_findings_it_shares_with_unchanged() -> None:
    first, second = make_finding(resource_id="a"), make_finding(resource_id="b")
    graded = first.model_copy(
        update={
            "severity": Severity.CRITICAL,
            "exposure": Exposure(level=ExposureLevel.REACHABLE),
            "compliance": {"CIS-AWS-3.0": ["2.1.4", "2.1.5"]},
        }
    )
    assert graded.model_fields_set == first.model_fields_set | {"exposure"}
    assert "exposure" not in second.model_fields_set
    assert graded.compliance == {"CIS-AWS-3.0": ["2.1.4", "2.1.5"]}
    assert first.compliance == second.compliance == {"CIS-AWS-3.0": ["2.1.4"]}
    assert (first.severity, first.exposure.level) == (Severity.HIGH, ExposureLevel.NONE)
    muted = second.model_copy(update={"status": Status.MUTED, "muted_reason": "accepted"})
    assert (second.status, second.muted_reason, muted.status) == (Status.FAIL, "", Status.MUTED)


def test_a_graded_copy_is_what_model_copy_gives_and_shares_its_field_names() -> None:
    first, second = make_finding(resource_id="a"), make_finding(resource_id="b")
    update = {"severity": Severity.CRITICAL, "exposure": Exposure(level=ExposureLevel.REACHABLE)}
    fast, slow = updated_finding(first, update), first.model_copy(update=update)
    assert fast == slow and fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set == first.model_fields_set | {"exposure"}
    assert updated_finding(second, update).model_fields_set is fast.model_fields_set  # one shared set
    assert (first.severity, first.exposure.level) == (Severity.HIGH, ExposureLevel.NONE)  # unchanged
    assert fast.compliance is first.compliance


def test_assets_and_their_parts_share_their_given_fields_and_copy_independently() -> None:
    def endpoint(port: int) -> Endpoint:
        return Endpoint(host="192.0.2.1", from_port=port, to_port=port)

    first = Asset(provider="p", account="a", region="r", id="1", name="one", endpoints=(endpoint(22),))
    second = Asset(provider="p", account="a", region="r", id="2", name="two", endpoints=(endpoint(80),))
    assert first.model_fields_set is second.model_fields_set
    assert first.endpoints[0].model_fields_set is second.endpoints[0].model_fields_set
    tagged = first.model_copy(update={"tags": {"env": "prod"}})
    assert tagged.model_fields_set == first.model_fields_set | {"tags"}
    assert "tags" not in second.model_fields_set and second.tags == {}
    assert Asset.model_validate(first.model_dump()) == first


def test_a_single_port_is_one_shared_value() -> None:
    assert PortRange.single(22) is PortRange.single(22)
    assert PortRange.single(22) == PortRange(from_port=22, to_port=22, transport="tcp")
    assert PortRange.single(53, "udp") is not PortRange.single(53)
    assert PortRange.single(53, "udp").covers(53, "udp") and not PortRange.single(53, "udp").covers(53)


def test_what_checks_derive_from_an_inventory_is_built_once_and_dropped_after_them() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    inventory = Inventory(scope=ScanScope(provider="fake", accounts=("a",), started=t0, finished=t0))
    builds: list[Inventory] = []

    def index(inv: Inventory) -> dict[str, int]:
        builds.append(inv)
        return {"built": len(builds)}

    first = inventory.derived("test.index", index)
    assert inventory.derived("test.index", index) is first  # shared by the checks of an evaluation
    assert evaluate(inventory, []) == []
    assert inventory.derived("test.index", index) == {"built": 2}  # forgotten when the checks were done
    assert builds == [inventory, inventory]
