"""``cloudaudit demo --compliance``: the control-by-control reports written with the run's reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudaudit.cli.app import main

CIS = "CIS-AWS-Foundations-3.0.0"


def test_demo_writes_the_compliance_reports_with_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    args = ["demo", "-p", "aws", "-o", str(out), "-f", "html,json,sarif"]
    assert main([*args, "--compliance", f"{CIS},owasp-api-top10-2023"]) == 0
    stdout = capsys.readouterr().out
    assert f"compliance {CIS}: " in stdout and "compliance OWASP-API-Top10-2023: " in stdout
    for name in (f"compliance-{CIS}", "compliance-OWASP-API-Top10-2023"):
        for ext in ("html", "json"):  # the run's formats that a compliance report has
            assert f"wrote {out / f'{name}.{ext}'}" in stdout
        assert not (out / f"{name}.csv").exists() and not (out / f"{name}.sarif").exists()
    report = json.loads((out / f"compliance-{CIS}.json").read_text())
    findings = json.loads((out / "findings.json").read_text())
    assert report["sources"][0]["accounts"] == findings["run"]["accounts"]
    by_id = {c["id"]: c for c in report["controls"]}
    public = {f["resource_name"] for f in by_id["2.1.4"]["failing"]}
    expected = {
        f["resource_name"]
        for f in findings["findings"]
        if f["check_id"] in ("aws.s3.bucket_public_access_block", "aws.s3.account_public_access_block")
        and f["status"] == "FAIL"
    }
    assert public == expected and by_id["2.1.4"]["status"] == "fail"
    assert by_id["2.2.1"]["status"] == "not_evaluated"  # no cloudaudit check covers EBS encryption
    assert by_id["2.1.3"]["status"] == "manual"
    # The run's HTML report shows the same score in its overview.
    score = next(line for line in stdout.splitlines() if line.startswith(f"compliance {CIS}: "))
    page = (out / "report.html").read_text()
    row = page[page.index(f'<tr data-framework="{CIS}">') :].split("</tr>", 1)[0]
    assert score.split(": ", 1)[1].split(";", 1)[0] in row


def test_report_judges_saved_findings_and_shows_the_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert main(["demo", "-p", "aws", "-o", str(run), "-f", "json"]) == 0
    capsys.readouterr()
    out = tmp_path / "again"
    assert main(["report", str(run / "findings.json"), "-o", str(out), "--compliance", CIS]) == 0
    stdout = capsys.readouterr().out
    assert f"compliance {CIS}: 0% (" in stdout
    assert (out / f"compliance-{CIS}.html").exists() and f'<tr data-framework="{CIS}">' in (
        out / "report.html"
    ).read_text()
