"""End to end: `cloudaudit run --provider aws` against moto's server over real HTTP."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from aws_seed import private_bucket, public_bucket, ssh_host
from cloudaudit.cli.app import main

ACCOUNT = "123456789012"


def _run(out: Path, *extra: str) -> int:
    return main(["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out), *extra])


def _findings(out: Path) -> list[dict[str, Any]]:
    return list(json.loads((out / "findings.json").read_text())["findings"])


def _failing(findings: list[dict[str, Any]], check_id: str) -> dict[str, dict[str, Any]]:
    return {f["resource_id"]: f for f in findings if f["check_id"] == check_id and f["status"] == "FAIL"}


def test_run_finds_public_bucket_and_exposed_instance(
    aws: str, out_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    public_bucket(aws, "pub-exports")
    private_bucket(aws, "locked-down")
    iid, ip, gid = ssh_host(aws)

    assert _run(out_dir) == 0

    doc = json.loads((out_dir / "findings.json").read_text())
    assert doc["schema_version"] == "1.3"
    assert doc["run"]["provider"] == "aws" and doc["run"]["accounts"] == [ACCOUNT]
    assert doc["run"]["regions"] == ["us-east-1"]
    findings = doc["findings"]
    assert set(_failing(findings, "aws.s3.bucket_policy_public")) == {"arn:aws:s3:::pub-exports"}
    passing = {
        f["resource_id"]
        for f in findings
        if f["check_id"] == "aws.s3.bucket_policy_public" and f["status"] == "PASS"
    }
    assert passing == {"arn:aws:s3:::locked-down"}
    public = _failing(findings, "aws.s3.bucket_policy_public")["arn:aws:s3:::pub-exports"]
    assert public["severity"] == "high"
    assert public["evidence"]["statements"][0]["Principal"] == "*"
    assert public["compliance"]["OWASP-API-Top10-2019"] == ["API7"]

    instance_arn = f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/{iid}"
    exposed = _failing(findings, "aws.ec2.instance_exposed_sensitive_ports")
    assert set(exposed) == {instance_arn}
    assert ip in exposed[instance_arn]["message"] and exposed[instance_arn]["severity"] == "high"
    assert exposed[instance_arn]["evidence"]["opened_by"] == [
        {"security_group": gid, "rule": "tcp/22 from 0.0.0.0/0"}
    ]
    sg = _failing(findings, "aws.ec2.sg_open_admin_ports")[
        f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/{gid}"
    ]
    assert sg["evidence"]["exposed_public_ips"] == [ip]

    assert doc["coverage"] == []
    for name in ("findings.json", "report.html", "inventory.json"):
        mode = stat.S_IMODE((out_dir / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    html = (out_dir / "report.html").read_text()
    assert "pub-exports" in html
    assert "wrote" in capsys.readouterr().out


def test_fail_on_threshold_sets_exit_code(aws: str, out_dir: Path) -> None:
    public_bucket(aws, "pub-exports")  # worst finding: high
    assert _run(out_dir, "--fail-on", "high") == 1
    assert _run(out_dir, "--fail-on", "critical") == 0


def test_evaluate_reproduces_findings_offline(
    aws: str, out_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    public_bucket(aws, "pub-exports")
    ssh_host(aws)
    assert _run(out_dir) == 0
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens: any cloud call would fail
    again = tmp_path / "again"
    assert main(["evaluate", "--inventory", str(out_dir / "inventory.json"), "-o", str(again)]) == 0

    def key(f: dict[str, Any]) -> tuple[str, str, str, str, str]:
        return f["check_id"], f["resource_id"], f["status"], f["severity"], f["message"]

    assert sorted(map(key, _findings(again))) == sorted(map(key, _findings(out_dir)))
    assert len(_findings(again)) > 10


def test_report_command_rerenders_html(aws: str, out_dir: Path, tmp_path: Path) -> None:
    public_bucket(aws, "pub-exports")
    assert _run(out_dir, "--format", "json") == 0
    assert not (out_dir / "report.html").exists()
    assert main(["report", str(out_dir / "findings.json"), "-o", str(tmp_path / "html")]) == 0
    assert "pub-exports" in (tmp_path / "html" / "report.html").read_text()


def test_check_selection_limits_findings(aws: str, out_dir: Path) -> None:
    public_bucket(aws, "pub-exports")
    ssh_host(aws)
    assert _run(out_dir, "--checks", "aws.s3.*", "--exclude-checks", "aws.s3.bucket_versioning") == 0
    ids = {f["check_id"] for f in _findings(out_dir)}
    assert ids and all(i.startswith("aws.s3.") for i in ids)
    assert "aws.s3.bucket_versioning" not in ids


def test_mutelist_mutes_accepted_risk(aws: str, out_dir: Path, tmp_path: Path) -> None:
    public_bucket(aws, "pub-exports")
    mutes = tmp_path / "mutes.yaml"
    mutes.write_text(
        "mutes:\n  - checks: ['aws.s3.bucket_policy_public']\n"
        "    resources: ['arn:aws:s3:::pub-*']\n    reason: public download bucket, approved\n"
    )
    assert _run(out_dir, "--mutelist", str(mutes), "--fail-on", "high") == 0
    muted = [f for f in _findings(out_dir) if f["check_id"] == "aws.s3.bucket_policy_public"]
    assert [(f["status"], f["muted_reason"]) for f in muted] == [
        ("MUTED", "public download bucket, approved")
    ]


def test_account_controlled_markup_is_text_in_html(aws: str, out_dir: Path) -> None:
    payload = "<script>alert(1)</script>"
    public_bucket(aws, "pub-exports", tags={"owner": payload, "x": '"><img src=x onerror=alert(2)>'})
    assert _run(out_dir) == 0
    html = (out_dir / "report.html").read_text()
    assert payload not in html and "onerror=alert(2)>" not in html
    inventory = json.loads((out_dir / "inventory.json").read_text())
    tags = next(a["tags"] for a in inventory["assets"] if a["id"] == "arn:aws:s3:::pub-exports")
    assert tags["owner"] == payload  # kept verbatim in data, neutralised only in HTML
