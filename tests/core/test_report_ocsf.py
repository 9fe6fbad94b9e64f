"""findings.ocsf.json: OCSF 1.6.0 Detection Findings, valid against the published class schema."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudaudit.model import Severity, Status
from cloudaudit.report.ocsf import render_ocsf
from format_cases import HOSTILE, golden_doc, hostile_doc, ocsf_errors
from test_report_html import make_doc, make_finding


def _events(doc: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(render_ocsf(doc))
    return events


def test_every_event_of_the_fixed_set_is_a_valid_detection_finding() -> None:
    events = _events(golden_doc())
    assert len(events) == len(golden_doc().findings)
    assert ocsf_errors(events) == []
    assert {e["class_uid"] for e in events} == {2004}
    assert {e["metadata"]["version"] for e in events} == {"1.6.0"}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda e: e.update(severity_id=7), "is not one of"),
        (lambda e: e.update(class_uid=2003), "2004 was expected"),
        (lambda e: e.pop("cloud"), "'cloud' is a required property"),
        (lambda e: e.update(compliance={"standards": ["CIS"]}), "Additional properties"),
        (lambda e: e["finding_info"].pop("uid"), "'uid' is a required property"),
        (lambda e: e["resources"][0].update(uid=7), "is not of type 'string'"),
    ],
)
def test_the_schema_check_catches_a_broken_event(change: Any, complaint: str) -> None:
    event = _events(golden_doc())[0]
    change(event)
    assert any(complaint in error for error in ocsf_errors([event]))


def test_severity_status_and_activity_follow_the_finding() -> None:
    doc = make_doc(
        [
            make_finding(severity=Severity.CRITICAL, status=Status.FAIL, resource_id="a"),
            make_finding(severity=Severity.INFO, status=Status.PASS, resource_id="b"),
            make_finding(severity=Severity.MEDIUM, status=Status.MUTED, resource_id="c", muted_reason="ok'd"),
            make_finding(severity=Severity.LOW, status=Status.UNKNOWN, resource_id="d"),
            make_finding(severity=Severity.HIGH, status=Status.ERROR, resource_id="e"),
        ]
    )
    seen = [
        (e["severity_id"], e["severity"], e["status_id"], e["status_code"], e["activity_id"], e["is_alert"])
        for e in _events(doc)
    ]
    assert seen == [
        (5, "Critical", 1, "FAIL", 1, True),
        (1, "Informational", 4, "PASS", 3, False),
        (3, "Medium", 3, "MUTED", 1, False),
        (2, "Low", 0, "UNKNOWN", 1, False),
        (4, "High", 99, "ERROR", 1, False),
    ]
    assert [e["type_uid"] for e in _events(doc)] == [200401, 200403, 200401, 200401, 200401]
    assert _events(doc)[2]["unmapped"]["muted_reason"] == "ok'd"


def test_cloud_resource_compliance_and_evidence_are_mapped() -> None:
    events = {e["cloud"]["provider"]: e for e in _events(golden_doc())}
    aws, gcp, azure = events["AWS"], events["GCP"], events["Azure"]
    assert aws["cloud"]["account"] == {"uid": "123456789012", "type_id": 10, "type": "AWS Account"}
    assert gcp["cloud"]["account"]["type_id"] == 11 and azure["cloud"]["account"]["type_id"] == 13
    (resource,) = aws["resources"]
    assert resource["cloud_partition"] == "aws" and resource["type"].startswith("aws.")
    assert aws["unmapped"]["compliance"] and aws["remediation"]["desc"]
    assert aws["finding_info"]["analytic"]["uid"] == aws["metadata"]["event_code"]
    first = golden_doc().findings[0]
    (evidence,) = (e for e in _events(golden_doc())[0]["evidences"] if e["name"] == "configuration")
    assert evidence["data"] == first.evidence


def test_finding_ids_are_stable_and_unique_even_for_one_resource_reported_twice() -> None:
    same = {
        "resource_id": "arn:aws:ec2:us-east-1:1:instance/i-1",
        "check_id": "exposure.unexpected_open_port",
    }
    doc = make_doc(
        [make_finding(message="port 22", **same), make_finding(message="port 80", **same), make_finding()]
    )
    uids = [e["finding_info"]["uid"] for e in _events(doc)]
    assert len(set(uids)) == 3
    assert uids == [e["finding_info"]["uid"] for e in _events(doc)]
    assert uids[1].startswith(uids[0] + "/")


def test_hostile_strings_stay_data_and_the_events_stay_valid() -> None:
    text = render_ocsf(hostile_doc())
    text.encode("utf-8")  # a lone surrogate would make this raise
    events = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert ocsf_errors(events) == []
    (evidence,) = (e["data"] for e in events[0]["evidences"] if e["name"] == "configuration")
    assert list(evidence.values()) == [["value " + HOSTILE.replace("\ud800", "\ufffd"), 1, None, None, None]]
    assert events[0]["finding_info"]["title"] == "title " + HOSTILE.replace("\ud800", "\ufffd")
    assert text.count("\n") == len(events) + 2  # "[", one event a line, "]": no raw line break leaks


def test_no_findings_is_an_empty_array() -> None:
    assert render_ocsf(make_doc([])) == "[]\n"
