"""End to end: `cloudaudit run --format ocsf,asff,junit,...` against moto's server writes every machine
format, each valid against its schema, with the conventional names."""

from __future__ import annotations

import json
import stat
import xml.etree.ElementTree as ET
from pathlib import Path

from aws_seed import private_bucket, public_bucket
from cloudaudit.cli.app import main
from format_cases import asff_errors, junit_schema, ocsf_errors

ACCOUNT = "123456789012"
NAMES = {"findings.json", "inventory.json", "findings.ocsf.json", "findings.asff.json", "junit.xml"}


def test_run_writes_every_machine_format(aws: str, out_dir: Path) -> None:
    public_bucket(aws, "pub-exports")
    private_bucket(aws, "locked-down")
    args = ["run", "--provider", "aws", "--regions", "us-east-1", "--checks", "aws.s3.*", "-o", str(out_dir)]

    assert main([*args, "--format", "json,ocsf,asff,junit", "--fail-on", "high"]) == 1

    assert {p.name for p in out_dir.iterdir()} == NAMES
    for name in NAMES:
        assert stat.S_IMODE((out_dir / name).stat().st_mode) == 0o600, name
    findings = json.loads((out_dir / "findings.json").read_text())["findings"]

    asff = json.loads((out_dir / "findings.asff.json").read_text())
    assert asff_errors(asff) == [] and len(asff) == len(findings)
    public = next(
        f
        for f in asff
        if f["Resources"][0]["Id"] == "arn:aws:s3:::pub-exports"
        and f["GeneratorId"] == "cloudaudit/aws.s3.bucket_policy_public"
    )
    assert public["Compliance"]["Status"] == "FAILED" and public["AwsAccountId"] == ACCOUNT
    assert public["Resources"][0]["Type"] == "AwsS3Bucket"

    ocsf = json.loads((out_dir / "findings.ocsf.json").read_text())
    assert ocsf_errors(ocsf) == [] and len(ocsf) == len(findings)

    junit_schema().validate(str(out_dir / "junit.xml"))
    root = ET.parse(out_dir / "junit.xml").getroot()
    failing = sum(f["status"] == "FAIL" for f in findings)
    assert int(root.get("failures", "")) == failing > 0
