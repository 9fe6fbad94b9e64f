"""junit.xml: the audit as JUnit test results, valid against the common JUnit schema (data/junit.xsd)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

import pytest
import xmlschema

from cloudaudit.model import Status
from cloudaudit.model.inventory import GapKind
from cloudaudit.report.junit import COVERAGE_SUITE, render_junit, xml_attr, xml_text
from format_cases import HOSTILE, golden_doc, hostile_doc, junit_schema
from test_report_html import make_doc, make_finding, make_gap


def _root(text: str) -> ET.Element:
    junit_schema().validate(text)
    return ET.fromstring(text.encode("utf-8"))


def test_the_fixed_set_is_valid_junit_with_one_suite_per_check() -> None:
    doc = golden_doc()
    root = _root(render_junit(doc))
    suites = root.findall("testsuite")
    checks = list(dict.fromkeys(f.check_id for f in doc.findings))
    assert [s.get("name") for s in suites] == [*checks, COVERAGE_SUITE]
    assert int(root.get("tests", "")) == len(doc.findings) + len(doc.coverage)
    for suite in suites[:-1]:
        cases = suite.findall("testcase")
        assert {c.get("classname") for c in cases} == {suite.get("name")}
        assert [c.get("name") for c in cases] == [
            f.resource_id for f in doc.findings if f.check_id == suite.get("name")
        ]


def test_counts_in_the_attributes_match_the_test_cases() -> None:
    root = _root(render_junit(golden_doc()))
    totals: Counter[str] = Counter()
    for suite in root.findall("testsuite"):
        outcomes = Counter(child.tag for case in suite.findall("testcase") for child in case)
        assert int(suite.get("tests", "")) == len(suite.findall("testcase"))
        for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(suite.get(attr, "")) == outcomes[tag], (suite.get("name"), attr)
            totals[attr] += outcomes[tag]
    assert int(root.get("failures", "")) == totals["failures"]
    assert int(root.get("errors", "")) == totals["errors"]


def test_outcomes_follow_the_status() -> None:
    doc = make_doc(
        [
            make_finding(status=Status.FAIL, resource_id="fail", message="open to all"),
            make_finding(status=Status.PASS, resource_id="pass"),
            make_finding(status=Status.MUTED, resource_id="muted", muted_reason="approved SEC-1"),
            make_finding(status=Status.UNKNOWN, resource_id="unknown", message="GetBucketPolicy denied"),
            make_finding(status=Status.ERROR, resource_id="error", message="check crashed"),
        ],
        [make_gap(), make_gap(kind=GapKind.THROTTLED, service="ec2", resource_id="")],
    )
    root = _root(render_junit(doc))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    fail = cases["fail"].find("failure")
    assert fail is not None and fail.get("message") == "open to all" and fail.get("type") == "high"
    assert "remediation: Remove the public statement." in (fail.text or "")
    assert list(cases["pass"]) == []
    muted, unknown = cases["muted"].find("skipped"), cases["unknown"].find("skipped")
    assert muted is not None and muted.get("message") == "muted: approved SEC-1"
    assert unknown is not None and unknown.get("message") == "unknown: GetBucketPolicy denied"
    error = cases["error"].find("error")
    assert error is not None and error.get("message") == "check crashed"
    coverage = root.findall("testsuite")[-1]
    assert (coverage.get("name"), coverage.get("errors"), coverage.get("skipped")) == (
        COVERAGE_SUITE,
        "1",
        "1",
    )
    assert root.get("errors") == "2"  # the crashed check and the throttled listing: CI shows both


def test_hostile_strings_are_escaped_and_survive_as_text() -> None:
    doc = hostile_doc()
    text = render_junit(doc)
    text.encode("utf-8")
    root = _root(text)
    case = next(root.iter("testcase"))
    failure = case.find("failure")
    assert failure is not None
    visible = (
        HOSTILE.replace("\x00", "\\x00")
        .replace("\x1b", "\\x1b")
        .replace("\x07", "\\x07")
        .replace("\x0b", "\\x0b")
        .replace("\x0c", "\\x0c")
        .replace("\ud800", "\\ud800")
        .replace("\ufffe", "\\ufffe")
        .replace("\uffff", "\\uffff")
    )
    assert failure.get("message") == "message " + visible  # attribute: newline, tab and CR kept exactly
    assert "</failure><![CDATA[x]]>" in (failure.text or "")
    failing = sum(f.status is Status.FAIL for f in doc.findings)
    assert len(list(root.iter("script"))) == 0 and len(list(root.iter("failure"))) == failing


@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "\uffff", "]]>", "\r\n"])
def test_escaped_values_parse_back_in_text_and_attributes(value: str) -> None:
    element = ET.fromstring(f'<x a="{xml_attr(value)}">{xml_text(value)}</x>'.encode())
    expected = value.replace("\x00", "\\x00").replace("\ud800", "\\ud800").replace("\uffff", "\\uffff")
    assert element.get("a") == expected and element.text == expected


def test_the_schema_check_catches_a_broken_report() -> None:
    text = render_junit(golden_doc())
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema().validate(text.replace('failures="1"', 'failures="one"', 1))
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        junit_schema().validate(
            text.replace("<failure ", "<failed ", 1).replace("</failure>", "</failed>", 1)
        )


def test_no_findings_is_a_valid_empty_report() -> None:
    root = _root(render_junit(make_doc([])))
    assert root.findall("testsuite") == [] and root.get("tests") == "0"
