"""Gap kinds: how AWS errors are classified, and what an old file without kinds means."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from cloudaudit.cli.app import main
from cloudaudit.completeness import Completeness, assess
from cloudaudit.model.inventory import CollectionGap, GapKind
from cloudaudit_aws.collect.guard import classify


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op"
    )


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("AccessDenied", 403, GapKind.DENIED),
        ("AccessDeniedException", 400, GapKind.DENIED),
        ("UnauthorizedOperation", 403, GapKind.DENIED),
        ("AuthorizationError", 403, GapKind.DENIED),
        ("ClusterNotAuthorizedFault", 400, GapKind.DENIED),
        ("OptInRequired", 403, GapKind.DENIED),
        ("SomethingForbiddenish", 403, GapKind.DENIED),
        ("UnsupportedOperation", 400, GapKind.UNSUPPORTED),
        ("InvalidAction", 400, GapKind.UNSUPPORTED),
        ("Throttling", 400, GapKind.THROTTLED),
        ("ThrottlingException", 400, GapKind.THROTTLED),
        ("RequestLimitExceeded", 503, GapKind.THROTTLED),
        ("TooManyRequestsException", 429, GapKind.THROTTLED),
        ("SlowDown", 503, GapKind.THROTTLED),
        ("Whatever", 429, GapKind.THROTTLED),
        ("InternalError", 500, GapKind.SERVER),
        ("ServiceUnavailable", 503, GapKind.SERVER),
        ("Unavailable", 503, GapKind.SERVER),
        ("ExpiredToken", 400, GapKind.CREDENTIALS),
        ("ValidationError", 400, GapKind.ERROR),
    ],
)
def test_client_errors(code: str, status: int, kind: GapKind) -> None:
    assert classify(_client_error(code, status)) is kind


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), GapKind.CONNECTION),
        (ConnectTimeoutError(endpoint_url="http://127.0.0.1:9"), GapKind.CONNECTION),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:9"), GapKind.CONNECTION),
        (ConnectionClosedError(endpoint_url="http://127.0.0.1:9"), GapKind.CONNECTION),
        (NoCredentialsError(), GapKind.CREDENTIALS),
        (ResponseParserError("not xml"), GapKind.SERVER),
    ],
)
def test_transport_errors(exc: Exception, kind: GapKind) -> None:
    assert classify(exc) is kind


def test_only_run_failures_are_incomplete() -> None:
    incomplete = {k for k in GapKind if k.incomplete}
    assert incomplete == {"throttled", "server", "connection", "credentials", "crash", "interrupted"}


def test_inventory_without_kinds_still_evaluates(tmp_path: Path, out_dir: Path) -> None:
    """An inventory.json written before gap kinds existed: its gaps are 'error', the run complete."""
    inventory = tmp_path / "inventory.json"
    inventory.write_text(
        json.dumps(
            {
                "schema_version": "1.0",
                "scope": {
                    "provider": "aws",
                    "accounts": ["123456789012"],
                    "regions": ["us-east-1"],
                    "started": "2026-01-01T00:00:00Z",
                    "finished": "2026-01-01T00:01:00Z",
                },
                "assets": [],
                "gaps": [
                    {
                        "provider": "aws",
                        "account": "123456789012",
                        "region": "us-east-1",
                        "service": "ec2",
                        "operation": "DescribeInstances",
                        "error_code": "Boom",
                        "message": "old gap",
                    }
                ],
            }
        )
    )
    assert main(["evaluate", "-i", str(inventory), "-o", str(out_dir), "--fail-on", "low"]) == 0
    doc = json.loads((out_dir / "findings.json").read_text())
    assert doc["coverage"][0]["kind"] == "error"
    assert doc["run"]["incomplete"] is False
    assert main(["evaluate", "-i", str(inventory), "-o", str(out_dir), "--fail-on-gaps"]) == 3
    # And a findings.json from before run.incomplete existed re-renders.
    old = json.loads((out_dir / "findings.json").read_text())
    for field in ("incomplete", "interrupted", "not_read"):
        del old["run"][field]
    del old["coverage"][0]["kind"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert main(["report", str(tmp_path / "old.json"), "-o", str(tmp_path / "again")]) == 0


def _gap(
    service: str, region: str, kind: GapKind, code: str = "X", operation: str = "Op", resource: str = ""
) -> CollectionGap:
    return CollectionGap(
        provider="aws",
        account="123456789012",
        region=region,
        service=service,
        operation=operation,
        error_code=code,
        message="m",
        resource_id=resource,
        kind=kind,
    )


def test_not_read_lines() -> None:
    gaps = [
        _gap("s3", "global", GapKind.INTERRUPTED),
        _gap("ec2", "us-east-1", GapKind.INTERRUPTED),
        _gap("ec2", "eu-west-1", GapKind.INTERRUPTED),
        _gap("rds", "us-east-1", GapKind.THROTTLED, "Throttling", "DescribeDBInstances"),
        _gap("s3", "global", GapKind.SERVER, "InternalError", "GetBucketPolicy", "arn:aws:s3:::a"),
        _gap("s3", "global", GapKind.SERVER, "InternalError", "GetBucketPolicy", "arn:aws:s3:::b"),
        _gap("s3", "global", GapKind.DENIED, "AccessDenied", "GetBucketCors", "arn:aws:s3:::b"),
    ]
    verdict = assess(gaps)
    assert verdict.incomplete and verdict.interrupted
    assert verdict.not_read == [
        "rds in us-east-1: throttled after retries (Throttling: DescribeDBInstances)",
        "s3: server error (InternalError: GetBucketPolicy; 2 resource(s))",
        "interrupted before reading: ec2 (eu-west-1, us-east-1), s3",
    ]
    assert assess(gaps[-1:]) == Completeness(incomplete=False, interrupted=False, not_read=[])
