"""Findings, assets and their parts share what they repeat, and stay independent values."""

from __future__ import annotations

from cloudaudit.exposure.model import Exposure, ExposureLevel
from cloudaudit.model import Severity, Status
from cloudaudit.model.asset import Asset, Endpoint
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
