"""AccessDenied on one service: the audit completes, the gap is reported, checks say UNKNOWN."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import settings as moto_settings

from aws_seed import client, private_bucket, public_bucket, ssh_host
from cloudaudit.cli.app import main

DENY_CORS_AND_SGS = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        # IAM action names are case-insensitive; moto >= 5.2 compares them exactly and names the
        # CORS read "GetBucketCors", so both spellings are denied.
        {
            "Effect": "Deny",
            "Action": ["s3:GetBucketCORS", "s3:GetBucketCors", "ec2:DescribeSecurityGroups"],
            "Resource": "*",
        },
    ],
}


@pytest.fixture
def restricted_user(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Seed, then switch to an IAM user denied two read calls; moto enforces IAM from then on."""
    public_bucket(aws, "pub-exports")
    private_bucket(aws, "locked-down")
    ssh_host(aws)
    iam = client(aws, "iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="audit", PolicyDocument=json.dumps(DENY_CORS_AND_SGS))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    # The emulator's switch for enforcing IAM (server-side setting, not an SDK patch).
    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
    yield


@pytest.mark.usefixtures("restricted_user")
def test_denied_reads_are_unknown_not_fail(aws: str, out_dir: Path) -> None:
    assert main(["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir)]) == 0
    doc = json.loads((out_dir / "findings.json").read_text())
    cors = {f["resource_id"]: f for f in doc["findings"] if f["check_id"] == "aws.s3.bucket_cors_any_origin"}
    assert {rid: f["status"] for rid, f in cors.items()} == {
        "arn:aws:s3:::pub-exports": "UNKNOWN",
        "arn:aws:s3:::locked-down": "UNKNOWN",
    }
    assert "AccessDenied on GetBucketCors" in cors["arn:aws:s3:::locked-down"]["message"]
    # Everything else about the buckets was still read and judged.
    policy = {
        f["resource_id"]: f["status"]
        for f in doc["findings"]
        if f["check_id"] == "aws.s3.bucket_policy_public"
    }
    assert policy == {"arn:aws:s3:::pub-exports": "FAIL", "arn:aws:s3:::locked-down": "PASS"}
    gaps = {(g["service"], g["operation"], g["resource_id"], g["error_code"]) for g in doc["coverage"]}
    assert ("s3", "GetBucketCors", "arn:aws:s3:::locked-down", "AccessDenied") in gaps
    assert any(g[0] == "ec2" and g[1] == "DescribeSecurityGroups" for g in gaps)
    # No security group could be read: no SG finding claims PASS or FAIL.
    assert not [f for f in doc["findings"] if f["resource_type"] == "aws.ec2.security_group"]
    html = (out_dir / "report.html").read_text()
    assert "GetBucketCors" in html and "DescribeSecurityGroups" in html


@pytest.mark.usefixtures("restricted_user")
def test_denials_keep_the_findings_exit_code_unless_fail_on_gaps(aws: str, out_dir: Path) -> None:
    """A denial is a known blind spot, not a failed run: --fail-on decides; --fail-on-gaps makes it 3."""
    base = ["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir)]
    assert main([*base, "--fail-on", "low"]) == 1
    doc = json.loads((out_dir / "findings.json").read_text())
    assert doc["run"]["incomplete"] is False and doc["run"]["not_read"] == []
    assert {g["kind"] for g in doc["coverage"]} == {"denied"}
    assert 'id="incomplete-banner"' not in (out_dir / "report.html").read_text()

    assert main([*base, "--fail-on-gaps"]) == 3
