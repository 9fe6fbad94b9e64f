"""Findings and documents for the history tests (their stores: :mod:`history_fixtures`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument, RunInfo

STARTED = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


def finding(
    check_id: str = "aws.s3.bucket_policy_public",
    resource: str = "my-bucket",
    status: str = "FAIL",
    severity: str = "high",
    **overrides: object,
) -> Finding:
    """A finding on bucket ``resource`` of account 111122223333."""
    values: dict[str, object] = {
        "check_id": check_id,
        "title": f"Title of {check_id}",
        "severity": Severity(severity),
        "status": Status(status),
        "message": f"{check_id} on {resource}",
        "provider": "aws",
        "account": "111122223333",
        "region": "us-east-1",
        "service": check_id.split(".")[1] if check_id.count(".") >= 2 else "s3",
        "resource_type": "aws.s3.bucket",
        "resource_id": f"arn:aws:s3:::{resource}",
        "resource_name": resource,
    }
    values.update(overrides)
    return Finding.model_validate(values)


def document(
    *findings: Finding,
    started: datetime = STARTED,
    accounts: tuple[str, ...] = ("111122223333",),
    regions: tuple[str, ...] = ("us-east-1",),
    exposure_sources: tuple[str, ...] = (),
) -> FindingsDocument:
    """A findings document of ``findings`` (scope: aws, ``accounts``, ``regions``)."""
    run = RunInfo(
        tool_version="0.1.0",
        provider="aws",
        providers=["aws"],
        accounts=list(accounts),
        regions=list(regions),
        started=started,
        finished=started + timedelta(minutes=3),
        checks_run=len({f.check_id for f in findings}),
        exposure_sources=list(exposure_sources),
    )
    return FindingsDocument(run=run, findings=list(findings), coverage=[])
