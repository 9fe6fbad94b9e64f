"""``--mutelist`` through the CLI, in both layouts: what lands in findings.json, stderr and the exit code."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from aws_builders import ACCOUNT, hardened_bucket, inventory, public_policy, security_group, tcp
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit.report.json_report import render_inventory

POLICY = "aws.s3.bucket_policy_public"
ADMIN = "aws.ec2.sg_open_admin_ports"
LATER = (date.today() + timedelta(days=30)).isoformat()

OWN = f"""\
mutes:
  - checks: ["{POLICY}"]
    resources: ["arn:aws:s3:::public-*"]
    reason: "Public downloads, approved (SEC-1)"
    until: {LATER}
  - checks: ["{ADMIN}"]
    reason: "Was accepted until the bastion moved"
    until: 2020-01-31
  - checks: ["aws.iam.*"]
    reason: "no such check"
"""

PROWLER = f"""\
Mutelist:
  Accounts:
    "{ACCOUNT}":
      Checks:
        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22":
          Regions: ["us-east-1"]
          Resources: ["sg-0.*"]
          Reason: "SSH is the only way in"
        "iam_user_hardware_mfa_enabled":
          Regions: ["*"]
          Resources: ["*"]
    "*":
      Checks:
        "s3_bucket_public_access":
          Regions: ["*"]
          Resources: ["*"]
          Tags: ["exposure=approved"]
          Exceptions:
            Resources: ["customer"]
          Description: "approved public buckets"
          Expires: {LATER}
        "s3_*":
          Regions: ["*"]
          Resources: ["*"]
          Expires: 2020-01-31
"""


@pytest.fixture
def inventory_file(tmp_path: Path) -> Path:
    path = tmp_path / "saved" / "inventory.json"
    path.parent.mkdir()
    approved = {"exposure": "approved"}
    path.write_text(
        render_inventory(
            inventory(
                hardened_bucket("public-downloads", policy=public_policy("public-downloads"), tags=approved),
                hardened_bucket("customer-exports", policy=public_policy("customer-exports"), tags=approved),
                security_group("sg-0bastion", [tcp(22)], name="bastion"),
                security_group("sg-0jump", [tcp(22), tcp(3389)], name="jump"),
            )
        )
    )
    return path


def _evaluate(
    capsys: pytest.CaptureFixture[str], inventory_file: Path, out: Path, mutelist: Path
) -> tuple[int, str]:
    args = ["-i", str(inventory_file), "-o", str(out), "-f", "json", "--fail-on", "low"]
    code = main(["evaluate", *args, "--mutelist", str(mutelist)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mutelist.yaml"
    path.write_text(text)
    return path


def _document(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "findings.json").read_text()))


def _verdicts(doc: dict[str, Any], *checks: str) -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (f["check_id"], f["resource_name"]): (f["status"], f["muted_reason"])
        for f in doc["findings"]
        if f["check_id"] in checks
    }


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning: ")]


def test_own_layout_mutes_reports_expiry_and_unknown_ids(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, err = _evaluate(capsys, inventory_file, out, _write(tmp_path, OWN))

    assert code == ExitCode.FINDINGS  # the expired entry's findings fail again
    doc = _document(out)
    assert _verdicts(doc, POLICY, ADMIN) == {
        (POLICY, "public-downloads"): ("MUTED", "Public downloads, approved (SEC-1)"),
        (POLICY, "customer-exports"): ("FAIL", ""),
        (ADMIN, "bastion"): ("FAIL", ""),
        (ADMIN, "jump"): ("FAIL", ""),
    }
    unknown = (
        "mutelist check names that match no cloudaudit check and no alias "
        "(cloudaudit/data/mutelist_aliases.yaml) mute nothing: 'aws.iam.*' (line 9)"
    )
    expired = (
        f"mutelist entry 2 ({ADMIN}: Was accepted until the bastion moved) expired on 2020-01-31; "
        "its findings are no longer muted"
    )
    assert _warnings(err) == [f"warning: {unknown}", f"warning: {expired}"]
    assert doc["run"]["notes"] == [unknown, expired]


def test_prowler_layout_mutes_by_alias_ports_tags_and_exceptions(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, err = _evaluate(capsys, inventory_file, out, _write(tmp_path, PROWLER))

    assert code == ExitCode.FINDINGS
    doc = _document(out)
    assert _verdicts(doc, POLICY, ADMIN) == {
        (POLICY, "public-downloads"): ("MUTED", "approved public buckets"),
        (POLICY, "customer-exports"): ("FAIL", ""),  # excepted by resource
        (ADMIN, "bastion"): ("MUTED", "SSH is the only way in"),
        (ADMIN, "jump"): ("FAIL", ""),  # RDP is open too: the SSH alias does not cover it
    }
    # the expired catch-all "s3_*" mutes nothing any more
    tls = {f["status"] for f in doc["findings"] if f["check_id"] == "aws.s3.bucket_tls_not_enforced"}
    assert tls == {"FAIL"}
    unknown = (
        "mutelist check names that match no cloudaudit check and no alias "
        "(cloudaudit/data/mutelist_aliases.yaml) mute nothing: 'iam_user_hardware_mfa_enabled' (line 10)"
    )
    expired = (
        'mutelist entry Accounts "*" Checks "s3_*" (line 23) expired on 2020-01-31; '
        "its findings are no longer muted"
    )
    assert _warnings(err) == [f"warning: {unknown}", f"warning: {expired}"]
    assert doc["run"]["notes"] == [unknown, expired]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("mutes:\n  - checks: [aws.s3.*]\n    reason: r\n    until: someday\n", "line 4: mutes.0.until"),
        (PROWLER.replace('          Reason: "SSH', '          Reasn: "SSH'), "line 8: Mutelist.Accounts"),
        (PROWLER.replace('["sg-0.*"]', '["sg-(0"]'), "line 7: Mutelist.Accounts"),
    ],
    ids=["own-layout", "prowler-typo", "prowler-bad-regex"],
)
def test_a_malformed_file_stops_before_anything_is_evaluated(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    out = tmp_path / "out"
    code, err = _evaluate(capsys, inventory_file, out, path := _write(tmp_path, text))

    assert code == ExitCode.USAGE
    (line,) = [entry for entry in err.splitlines() if entry.startswith("error: ")]
    assert line.startswith(f"error: mutelist {path}: {where}")
    assert not (out / "findings.json").exists()  # nothing ran half-muted


def test_demo_takes_a_prowler_mutelist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mutelist = _write(
        tmp_path,
        'Mutelist:\n  Accounts:\n    "*":\n      Checks:\n'
        '        "ec2_securitygroup_allow_ingress_from_internet_to_tcp_port_22":\n'
        '          Regions: ["*"]\n          Resources: ["web-frontend"]\n          Reason: "web tier SSH"\n',
    )
    out = tmp_path / "out"

    assert main(["demo", "-p", "aws", "-o", str(out), "-f", "json", "--mutelist", str(mutelist)]) == 0

    muted = [f for f in _document(out)["findings"] if f["status"] == "MUTED"]
    assert [(f["check_id"], f["resource_name"], f["muted_reason"]) for f in muted] == [
        (ADMIN, "web-frontend", "web tier SSH")
    ]
    assert not _warnings(capsys.readouterr().err)
