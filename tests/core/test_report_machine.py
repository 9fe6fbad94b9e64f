"""Machine formats: findings.csv (formula-safe) and findings.sarif (SARIF 2.1.0)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cloudaudit.cli.app import main
from cloudaudit.exposure.model import Exposure, ExposureLevel
from cloudaudit.model import Severity, Status
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.report.csv_report import COLUMNS, render_csv, safe_cell
from cloudaudit.report.json_report import render_findings
from cloudaudit.report.sarif import render_sarif
from test_report_html import make_doc, make_finding

FORMULA = '=HYPERLINK("http://evil.example","click")'


def _doc() -> FindingsDocument:
    return make_doc(
        [
            make_finding(
                resource_name=FORMULA,
                severity=Severity.CRITICAL,
                exposure=Exposure(level=ExposureLevel.OBSERVED),
            ),
            make_finding(
                check_id="aws.s3.bucket_versioning", severity=Severity.LOW, resource_name="-cmd|calc"
            ),
            make_finding(status=Status.PASS, resource_name="fine"),
        ]
    )


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_evaluate_are_defused(value: str) -> None:
    assert safe_cell(value) == "'" + value
    assert safe_cell("plain =1+1") == "plain =1+1"


def test_csv_has_one_row_per_finding_and_no_live_formula() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(_doc()))))
    assert list(rows[0]) == list(COLUMNS)
    assert [r["status"] for r in rows] == ["FAIL", "FAIL", "PASS"]
    assert rows[0]["resource_name"] == "'" + FORMULA and rows[0]["exposure"] == "observed"
    assert rows[1]["resource_name"] == "'-cmd|calc"
    assert rows[0]["compliance"] == "CIS-AWS-3.0: 2.1.4"


def test_sarif_lists_failing_findings_with_rules_levels_and_logical_locations() -> None:
    log = json.loads(render_sarif(_doc()))
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["s3_bucket_public", "aws.s3.bucket_versioning"]
    results = run["results"]
    assert [(r["ruleId"], r["level"], r["ruleIndex"]) for r in results] == [
        ("s3_bucket_public", "error", 0),
        ("aws.s3.bucket_versioning", "note", 1),
    ]
    location = results[0]["locations"][0]["logicalLocations"][0]
    assert location == {"name": FORMULA, "fullyQualifiedName": "arn:aws:s3:::my-bucket", "kind": "resource"}
    assert results[0]["properties"]["security-severity"] == "9.5"
    assert results[0]["properties"]["exposure"] == "observed"


def test_report_command_renders_every_format_from_findings_json(tmp_path: Path) -> None:
    source = tmp_path / "findings.json"
    source.write_text(render_findings(_doc()))
    out = tmp_path / "out"
    assert main(["report", str(source), "--format", "csv,sarif,html", "-o", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["findings.csv", "findings.sarif", "report.html"]
    assert main(["report", str(source), "--format", "xml", "-o", str(out)]) == 2
