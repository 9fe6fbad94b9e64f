"""The end-of-run summary: a compact severity x service table that reads well in a terminal and in logs."""

from __future__ import annotations

from datetime import UTC, datetime

from cloudaudit.exposure.model import Exposure, ExposureLevel
from cloudaudit.model import CollectionGap, Finding, FindingsDocument, RunInfo, Severity, Status
from cloudaudit.model.surface import SurfaceEntry
from cloudaudit.summary import summarize

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _finding(
    service: str,
    severity: Severity,
    status: Status = Status.FAIL,
    level: ExposureLevel = ExposureLevel.NONE,
    name: str = "res",
) -> Finding:
    return Finding(
        check_id=f"aws.{service}.x",
        title="t",
        severity=severity,
        status=status,
        message="m",
        provider="aws",
        account="123456789012",
        region="us-east-1",
        service=service,
        resource_type="r",
        resource_id=name,
        resource_name=name,
        exposure=Exposure(level=level),
    )


def _doc(findings: list[Finding], gaps: int = 0, sources: tuple[str, ...] = ()) -> FindingsDocument:
    gap = CollectionGap(
        provider="aws",
        account="123456789012",
        region="us-east-1",
        service="s3",
        operation="GetBucketPolicy",
        error_code="AccessDenied",
        message="denied",
    )
    return FindingsDocument(
        run=RunInfo(
            tool_version="0",
            provider="aws",
            accounts=["123456789012\x1b]0;x\x07"],
            regions=["us-east-1"],
            started=NOW,
            finished=NOW,
            checks_run=12,
            exposure_sources=list(sources),
        ),
        findings=findings,
        coverage=[gap] * gaps,
    )


def _row(text: str, first: str) -> list[str]:
    (line,) = [ln for ln in text.splitlines() if ln.split() and ln.split()[0] == first]
    return line.split()


FINDINGS = [
    _finding("s3", Severity.CRITICAL, level=ExposureLevel.REACHABLE),
    _finding("s3", Severity.CRITICAL, level=ExposureLevel.OBSERVED),
    _finding("s3", Severity.LOW),
    _finding("s3", Severity.HIGH, Status.PASS),
    _finding("ec2", Severity.HIGH, level=ExposureLevel.EXPLOITABLE),
    _finding("ec2", Severity.MEDIUM, Status.MUTED),
    _finding("rds", Severity.INFO, Status.UNKNOWN),
]


def test_table_counts_failing_findings_by_service_and_severity() -> None:
    text = summarize(_doc(FINDINGS))
    assert _row(text, "service") == ["service", "critical", "high", "medium", "low", "info", "failing"]
    assert _row(text, "ec2") == ["ec2", "-", "1", "-", "-", "-", "1"]
    assert _row(text, "s3") == ["s3", "2", "-", "-", "1", "-", "3"]
    assert _row(text, "total") == ["total", "2", "1", "-", "1", "-", "4"]
    assert "rds" not in [ln.split()[0] for ln in text.splitlines() if ln.split()]


def test_other_outcomes_and_the_run_are_stated() -> None:
    text = summarize(_doc(FINDINGS))
    assert "7 results from 12 checks on aws account(s) 123456789012\\x1b]0;x\\x07" in text
    assert "\x1b" not in text
    assert "not failing: 1 PASS, 1 MUTED, 1 UNKNOWN" in text


def test_coverage_gaps_are_counted_and_access_denied_points_at_the_policy() -> None:
    text = summarize(_doc(FINDINGS, gaps=2))
    assert "coverage gaps: 2 (see 'coverage' in the report)" in text
    assert "'cloudaudit permissions --provider aws' prints the policy the audit needs" in text
    assert "coverage gaps: none" in summarize(_doc(FINDINGS))


def test_exposure_levels_shown_when_a_source_ran() -> None:
    assert "exposure" not in summarize(_doc(FINDINGS)).lower()
    text = summarize(_doc(FINDINGS, sources=("file",)))
    assert (
        "exposure of failing findings: configured 0, reachable 1, observed 1, confirmed 0, exploitable 1"
        in text
    )


def test_no_failing_finding() -> None:
    text = summarize(_doc([_finding("s3", Severity.HIGH, Status.PASS)]))
    assert "no failing finding" in text
    assert _row(text, "total") == ["total", "-", "-", "-", "-", "-", "-"]


def test_the_attack_surface_is_counted_by_level() -> None:
    entries = [
        SurfaceEntry(endpoint="203.0.113.10", kind="address", level=ExposureLevel.EXPLOITABLE),
        SurfaceEntry(endpoint="203.0.113.11", kind="address", level=ExposureLevel.CONFIGURED),
        SurfaceEntry(endpoint="db.example.test", kind="hostname", level=ExposureLevel.CONFIGURED),
    ]
    text = summarize(_doc(FINDINGS).model_copy(update={"surface": entries}))
    assert "attack surface: 3 Internet-facing endpoint(s): exploitable 1, configured 2" in text
    assert "attack surface" not in summarize(_doc(FINDINGS))
