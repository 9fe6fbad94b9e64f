"""Several AWS accounts in one run: ``--profile`` repeated, each profile assuming a role in its
own account (moto's STS scopes the assumed credentials to that account), one merged report."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from cloudaudit.cli.app import main

ACCOUNTS = {"prod": "111111111111", "dev": "222222222222"}


@pytest.fixture
def profiles(aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """~/.aws/config with one role profile per account; a public bucket in each account."""
    config = tmp_path / "aws-config"
    lines = ["[profile base]", "region = us-east-1"]
    for name, account in ACCOUNTS.items():
        lines += [
            f"[profile {name}]",
            f"role_arn = arn:aws:iam::{account}:role/audit",
            "source_profile = base",
            "region = us-east-1",
        ]
    config.write_text("\n".join(lines) + "\n")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text("[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ACCOUNTS:
        s3 = boto3.Session(profile_name=name).client("s3")
        s3.create_bucket(Bucket=f"pub-{name}")
        s3.put_bucket_acl(Bucket=f"pub-{name}", ACL="public-read")
    return aws


def test_repeated_profile_audits_every_account_into_one_report(profiles: str, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    args = ["run", "--provider", "aws", "--profile", "prod", "--profile", "dev", "--regions", "us-east-1"]
    assert main([*args, "--checks", "aws.s3.*", "-f", "json", "-o", str(out)]) == 0

    doc = json.loads((out / "findings.json").read_text())
    assert doc["run"]["accounts"] == ["111111111111", "222222222222"]
    failing = {(f["account"], f["resource_id"]) for f in doc["findings"] if f["status"] == "FAIL"}
    assert ("111111111111", "arn:aws:s3:::pub-prod") in failing
    assert ("222222222222", "arn:aws:s3:::pub-dev") in failing
