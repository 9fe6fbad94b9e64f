"""``cloudaudit compliance`` and ``--compliance`` through the command line: exit codes, files, messages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit.model.enums import Status
from cloudaudit.report.json_report import render_findings
from test_compliance_report import HOSTILE, _Page, document, finding, fixed_findings

CIS_AWS = "CIS-AWS-Foundations-3.0.0"


def _findings_file(path: Path, providers: tuple[str, ...] = ("aws",)) -> Path:
    findings = [
        *fixed_findings(),
        finding("aws.s3.bucket_public_access_block", Status.FAIL, "open-bucket"),
        finding("aws.s3.account_public_access_block", Status.PASS, "123456789012"),
        finding("aws.s3.bucket_tls_not_enforced", Status.UNKNOWN, "locked-bucket"),
        finding("aws.ec2.sg_default_allows_traffic", Status.PASS, "sg-default"),
        finding("aws.s3.bucket_public_read_acl", Status.FAIL, HOSTILE),
    ]
    path.write_text(render_findings(document(findings, providers)))
    return path


def test_list_shows_every_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compliance", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "VERSION", "CONTROLS", "AUTOMATED", "NAME"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert len(rows) == 10
    assert rows[CIS_AWS][1:4] == ["3.0.0", "15", "13"]
    assert rows["OWASP-API-Top10-2023"][1:4] == ["2023", "10", "4"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compliance"], "give either --list or --framework ID"),
        (["compliance", "--list", "--framework", CIS_AWS], "give either --list or --framework ID"),
        (["compliance", "--framework", "CIS-AWS-9.9"], "unknown framework 'CIS-AWS-9.9'; known frameworks: "),
        (
            ["compliance", "--framework", CIS_AWS, "--format", "pdf"],
            "unknown compliance report format(s) pdf",
        ),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*args, "-o", str(tmp_path / "out")]) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err


def test_an_unknown_framework_lists_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compliance", "--framework", "PCI-3"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    for known in ("AWS-Foundational-Security-Best-Practices", CIS_AWS, "PCI-DSS-4.0", "SOC2-TSC-2017"):
        assert known in err


def test_no_findings_to_judge_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "new"
    assert main(["compliance", "--framework", CIS_AWS, "-o", str(out)]) == ExitCode.USAGE
    assert f"no findings to judge: {out / 'findings.json'} does not exist" in capsys.readouterr().err
    assert not out.exists()  # nothing is created for a command that fails on its input
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["compliance", "--framework", CIS_AWS, "--from", str(bad), "-o", str(tmp_path)]) == 2


def test_a_report_from_several_findings_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    aws = _findings_file(tmp_path / "aws.json")
    gcp = tmp_path / "gcp.json"
    gcp.write_text(
        render_findings(document([finding("gcp.sql.ssl_not_required", Status.FAIL, "db")], ("gcp",)))
    )
    out = tmp_path / "out"
    args = ["compliance", "--framework", "pci-dss-4.0", "--from", str(aws), "--from", str(gcp)]
    assert main([*args, "-o", str(out), "-f", "html,csv,json"]) == 0
    stdout = capsys.readouterr().out
    assert stdout.startswith("compliance PCI-DSS-4.0: ")
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"compliance-PCI-DSS-4.0.{ext}" for ext in ("csv", "html", "json")]
    report = json.loads((out / "compliance-PCI-DSS-4.0.json").read_text())
    assert [s["providers"] for s in report["sources"]] == [["aws"], ["gcp"]]
    transit = next(c for c in report["controls"] if c["id"] == "4.2.1")
    assert transit["status"] == "fail"
    assert {f["resource_name"] for f in transit["failing"]} == {"db"}


def test_the_default_source_is_the_output_directory_findings(tmp_path: Path) -> None:
    _findings_file(tmp_path / "findings.json")
    assert main(["compliance", "--framework", CIS_AWS, "-o", str(tmp_path), "-f", "json"]) == 0
    report = json.loads((tmp_path / f"compliance-{CIS_AWS}.json").read_text())
    by_id = {c["id"]: c for c in report["controls"]}
    assert by_id["2.1.4"]["status"] == "fail"
    assert [f["resource_name"] for f in by_id["2.1.4"]["failing"]] == ["open-bucket"]
    assert by_id["2.1.1"]["status"] == "not_evaluated"  # UNKNOWN is never a pass
    assert by_id["5.4"]["status"] == "pass"
    assert by_id["5.5"]["status"] == "manual"
    assert report["score"]["percent"] == 50.0


def test_run_refuses_an_unknown_framework_before_any_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", "-p", "aws", "--compliance", "CIS-AWS-1.0", "-o", str(out)]) == ExitCode.USAGE
    assert "unknown framework 'CIS-AWS-1.0'" in capsys.readouterr().err
    assert not out.exists()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CLOUDAUDIT_REQUIRE_BROWSER"), reason="chromium not installed"
)
def test_the_page_in_a_browser_shows_hostile_names_as_text(tmp_path: Path) -> None:
    assert CHROMIUM is not None, "chromium is required (CLOUDAUDIT_REQUIRE_BROWSER is set)"
    _findings_file(tmp_path / "findings.json")
    assert main(["compliance", "--framework", "NIST-SP-800-53-rev5", "-o", str(tmp_path), "-f", "html"]) == 0
    page = tmp_path / "compliance-NIST-SP-800-53-rev5.html"
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
    ]
    proc = subprocess.run(
        [CHROMIUM, *flags, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    dom = _Page(proc.stdout)
    assert "img" not in [tag for tag, _ in dom.tags] and "script" not in [tag for tag, _ in dom.tags]
    assert "Compliance: NIST SP 800-53 Security and Privacy Controls Revision 5" in dom.text
    assert HOSTILE in dom.text  # the name is on the page, as text
