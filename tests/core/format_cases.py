"""Shared inputs and validators of the machine-format tests: the fixed findings set, hostile strings,
and the published (or documented) schema of each format."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import xmlschema
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

from cloudaudit.exposure.model import Exposure, ExposureEvidence, ExposureLevel
from cloudaudit.model import Finding, FindingsDocument, Severity, Status
from cloudaudit.report.json_report import load_findings
from cloudaudit.report.ocsf import OCSF_VERSION
from test_report_html import make_doc, make_finding, make_gap

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = DATA / "golden"
GOLDEN_FINDINGS = GOLDEN / "findings.json"

HOSTILE = (
    "nul\x00 esc\x1b[31m bell\x07 vt\x0b ff\x0c del\x7f c1\x85 lone\ud800 nonchar\ufffe\uffff "
    "</failure><![CDATA[x]]> & &amp; \"double\" 'single' <script>alert(1)</script> "
    "cr\r lf\n tab\t ls\u2028 emoji\U0001f4a5 rtl\u202e"
)
"""Every character class a report must survive: XML-forbidden controls, a lone surrogate, XML
non-characters, markup, entities, quotes, line breaks and Unicode line/direction controls."""


def golden_doc() -> FindingsDocument:
    """The fixed findings set (AWS, GCP and Azure; every status; gaps; a surface)."""
    return load_findings(GOLDEN_FINDINGS)


def hostile_finding(**overrides: Any) -> Finding:
    values: dict[str, Any] = {
        "title": "title " + HOSTILE,
        "message": "message " + HOSTILE,
        "resource_name": "name " + HOSTILE,
        "evidence": {"policy " + HOSTILE: ["value " + HOSTILE, 1, None, float("nan"), float("-inf")]},
        "remediation": "fix " + HOSTILE + (" long" * 300),
        "muted_reason": "reason " + HOSTILE,
        "compliance": {"FW " + HOSTILE: ["C " + HOSTILE]},
        "exposure": Exposure(
            level=ExposureLevel.OBSERVED,
            evidence=(
                ExposureEvidence(source="shodan", endpoint="203.0.113.7:22", seen="banner " + HOSTILE),
            ),
        ),
    }
    values.update(overrides)
    return make_finding(**values)


def hostile_doc() -> FindingsDocument:
    """Hostile strings in every field that comes from the account, in every status."""
    findings = [
        hostile_finding(status=status, severity=severity, check_id=f"aws.s3.check_{status.value.lower()}")
        for status, severity in zip(Status, Severity, strict=False)
    ]
    findings.append(
        hostile_finding(status=Status.ERROR, check_id="aws.s3.check_error2", severity=Severity.INFO)
    )
    findings.append(hostile_finding(provider="gcp", account="project " + HOSTILE, region="region " + HOSTILE))
    gap = make_gap(message="gap " + HOSTILE, resource_id="id " + HOSTILE)
    return make_doc(findings, [gap], provider="aws")


@cache
def ocsf_schema() -> dict[str, Any]:
    """OCSF 1.6.0 Detection Finding with the cloud profile, as JSON Schema (from the OCSF export that
    the ocsf-json-schema package ships; every object embedded, no extra attribute allowed)."""
    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version=OCSF_VERSION))
    return schema.get_class_schema("detection_finding", profiles=["cloud"])


def ocsf_errors(events: list[Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(ocsf_schema())
    return [
        f"{i}: {e.json_path}: {e.message}" for i, ev in enumerate(events) for e in validator.iter_errors(ev)
    ]


@cache
def asff_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DATA / "asff-schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def asff_errors(findings: list[Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(asff_schema())
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(findings)]


@cache
def junit_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(DATA / "junit.xsd"))
