"""Throttling that outlasts botocore's retries on one service: the rest of the audit completes,
and the run says it is incomplete (exit 3, even when findings would exit 1).

EC2 is served by a local server speaking EC2's real error wire format (query protocol XML,
HTTP 503 RequestLimitExceeded); STS and S3 are served by moto. botocore reaches each through
its standard per-service endpoint setting (AWS_ENDPOINT_URL_EC2).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aws_seed import public_bucket
from cloudaudit.cli.app import main

THROTTLED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code>'
    "<Message>Request limit exceeded.</Message></Error></Errors><RequestID>req-1</RequestID></Response>"
)


def test_throttled_service_becomes_coverage_gap(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def throttle(request: Request) -> Response:
        calls.append(request.form.get("Action", "?"))
        return Response(THROTTLED, status=503, content_type="text/xml")

    httpserver.expect_request("/", method="POST").respond_with_handler(throttle)
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", httpserver.url_for("/"))
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")  # the user's retry settings are honoured
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    public_bucket(aws, "pub-exports")

    assert main(["run", "--provider", "aws", "-o", str(out_dir), "--fail-on", "low"]) == 3

    doc = json.loads((out_dir / "findings.json").read_text())
    gaps = {(g["service"], g["operation"], g["error_code"]) for g in doc["coverage"]}
    assert ("ec2", "DescribeRegions", "RequestLimitExceeded") in gaps
    assert ("ec2", "DescribeSecurityGroups", "RequestLimitExceeded") in gaps
    # Two attempts per call (AWS_MAX_ATTEMPTS=2), then the gap: botocore retried, we did not loop.
    assert calls.count("DescribeSecurityGroups") == 2
    # S3 was audited completely.
    statuses = {
        f["check_id"]: f["status"] for f in doc["findings"] if f["resource_id"] == "arn:aws:s3:::pub-exports"
    }
    assert statuses["aws.s3.bucket_policy_public"] == "FAIL"
    assert "UNKNOWN" not in statuses.values()
    assert doc["run"]["regions"] == ["us-east-1"]  # could not list regions: audited the home region
    assert doc["run"]["incomplete"] is True
    assert doc["run"]["not_read"] == [
        "ec2 in us-east-1: throttled after retries (RequestLimitExceeded: DescribeAddresses, "
        "DescribeInstances, DescribeNetworkInterfaces +4 more)"
    ]
    kinds = {g["kind"] for g in doc["coverage"]}
    assert kinds == {"throttled"}
    assert "RequestLimitExceeded" in (out_dir / "report.html").read_text()
