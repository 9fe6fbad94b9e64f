"""What the store keeps about a run and its findings, as plain values (no SQLAlchemy needed)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.history.fingerprint import fingerprint
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument

ALL_REGIONS = "all regions"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a run was asked to audit: runs of the same scope are compared with each other.

    ``regions`` are the regions asked for (``--regions``), empty for every region (``--regions all``,
    ``demo``, ``evaluate``): with all regions, the regions a run finds (enabled, or holding resources)
    may differ from run to run while the audit stays the same one.
    """

    providers: tuple[str, ...]
    accounts: tuple[str, ...]
    regions: tuple[str, ...] = ()

    @classmethod
    def of(cls, doc: FindingsDocument, regions: Sequence[str] | None = None) -> Scope:
        """The scope of a findings document run over ``regions`` (None: all); each list sorted."""
        run = doc.run
        return cls(_sorted(run.providers), _sorted(run.accounts), _sorted(regions or ()))

    @property
    def key(self) -> str:
        """SHA-256 of the sorted providers, accounts and regions asked (how the store finds a scope)."""
        text = json.dumps(
            [list(self.providers), list(self.accounts), list(self.regions)], separators=(",", ":")
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def text(self, limit: int = 4) -> str:
        """``aws 123456789012 us-east-1,eu-west-1`` (long lists cut: ``+12 more``; ``all regions``)."""
        regions = _listed(self.regions, limit) if self.regions else ALL_REGIONS
        return f"{_listed(self.providers, limit)} {_listed(self.accounts, limit)} {regions}"


def _sorted(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values)))


def _listed(values: Sequence[str], limit: int) -> str:
    if not values:
        return "-"
    shown = ",".join(values[:limit])
    return shown if len(values) <= limit else f"{shown},+{len(values) - limit} more"


@dataclass(frozen=True, slots=True)
class FindingRef:
    """One finding as the store keeps it: what identifies it, and what a diff compares."""

    fingerprint: str
    check_id: str
    title: str
    status: Status
    severity: Severity
    exposure: ExposureLevel
    provider: str
    account: str
    region: str
    resource_id: str
    resource_name: str
    message: str

    @classmethod
    def of(cls, finding: Finding) -> FindingRef:
        """The stored form of a finding."""
        return cls(
            fingerprint=fingerprint(finding),
            check_id=finding.check_id,
            title=finding.title,
            status=finding.status,
            severity=finding.severity,
            exposure=finding.exposure.level,
            provider=finding.provider,
            account=finding.account,
            region=finding.region,
            resource_id=finding.resource_id,
            resource_name=finding.resource_name,
            message=finding.message,
        )

    def as_dict(self) -> dict[str, str]:
        """JSON-ready, every field a string."""
        return {
            "fingerprint": self.fingerprint,
            "check_id": self.check_id,
            "title": self.title,
            "status": self.status.value,
            "severity": self.severity.value,
            "exposure": self.exposure.value,
            "provider": self.provider,
            "account": self.account,
            "region": self.region,
            "resource_id": self.resource_id,
            "resource_name": self.resource_name,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Counts:
    """A run's findings counted: by status, and the failing ones by severity."""

    by_status: dict[str, int] = field(default_factory=dict)
    failing_by_severity: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: Iterable[Finding | FindingRef]) -> Counts:
        """Count ``findings``; every status and severity is listed (zero when none)."""
        status: Counter[str] = Counter()
        severity: Counter[str] = Counter()
        for f in findings:
            status[f.status.value] += 1
            if f.status is Status.FAIL:
                severity[f.severity.value] += 1
        return cls({s.value: status[s.value] for s in Status}, {s.value: severity[s.value] for s in Severity})

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counts:
        """Read back what :meth:`as_json` wrote (unknown keys kept, missing ones zero)."""
        return cls(
            {str(k): int(v) for k, v in dict(data.get("status") or {}).items()},
            {str(k): int(v) for k, v in dict(data.get("failing_by_severity") or {}).items()},
        )

    def as_json(self) -> dict[str, dict[str, int]]:
        """``{"status": {...}, "failing_by_severity": {...}}``."""
        return {"status": dict(self.by_status), "failing_by_severity": dict(self.failing_by_severity)}

    def failing_text(self) -> str:
        """``2 critical, 5 high`` (severities with none left out; ``none`` when nothing fails)."""
        parts = [f"{self.failing_by_severity.get(s.value, 0)} {s.value}" for s in Severity]
        shown = [p for p, s in zip(parts, Severity, strict=True) if self.failing_by_severity.get(s.value)]
        return ", ".join(shown) or "none"


@dataclass(frozen=True, slots=True)
class StoredRun:
    """A run as the store keeps it (its findings are read separately)."""

    id: int
    started: datetime
    finished: datetime
    recorded: datetime
    tool_version: str
    scope: Scope
    regions: tuple[str, ...]
    """The regions the run audited (with all regions asked: those it found)."""
    checks: frozenset[str]
    """The provider checks that ran (the exposure stage's are not listed: see ``exposure_sources``)."""
    check_filter: dict[str, list[str]]
    """``--checks`` and ``--exclude-checks`` as given (``include``, ``exclude``)."""
    exposure_sources: tuple[str, ...]
    incomplete: bool
    interrupted: bool
    counts: Counts
    coverage: tuple[dict[str, str], ...]
    """The coverage gaps (provider, account, region, service, operation, error_code, kind...)."""

    def as_json(self) -> dict[str, Any]:
        """JSON-ready summary (the checks as a count: the list is long and the same run after run)."""
        return {
            "id": self.id,
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat(),
            "recorded": self.recorded.isoformat(),
            "tool_version": self.tool_version,
            "providers": list(self.scope.providers),
            "accounts": list(self.scope.accounts),
            "regions_asked": list(self.scope.regions) or "all",
            "regions": list(self.regions),
            "scope_key": self.scope.key,
            "checks_run": len(self.checks),
            "check_filter": self.check_filter,
            "exposure_sources": list(self.exposure_sources),
            "incomplete": self.incomplete,
            "interrupted": self.interrupted,
            "counts": self.counts.as_json(),
            "coverage_gaps": len(self.coverage),
        }
