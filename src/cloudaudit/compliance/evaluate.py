"""Judge a framework's controls from findings: pass, fail, not evaluated or manual, and why.

A control is judged from the findings of the checks its file lists, over every findings document
given (one per provider, account or run):

- **fail**: a check under it failed on some resource (a ``MUTED`` failure is an accepted risk, not
  compliance: it fails the control too, marked muted);
- **manual**: the framework says a person assesses it, and no check failed (a check that passed is
  evidence for the assessor, not the verdict);
- **pass**: automated, every check under it that applies to the audited providers ran, at least one
  resource was judged, and every result is ``PASS``;
- **not evaluated**: anything else: no check evaluates it, no check produced a result (no resource,
  not run), or a result was ``UNKNOWN`` (the input could not be read) or ``ERROR``. ``UNKNOWN`` is
  never a pass.

The score is passed / evaluated, evaluated being passed + failed (manual and not evaluated controls
are outside it). Every reason a control stays unevaluated is a coverage gap of that control.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from cloudaudit.compliance.model import Control, Framework
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding, FindingsDocument

ControlStatus = Literal["pass", "fail", "not_evaluated", "manual"]
STATUS_LABELS: dict[str, str] = {
    "pass": "Pass",
    "fail": "Fail",
    "not_evaluated": "Not evaluated",
    "manual": "Manual",
}
GapReason = Literal["no_check", "not_run", "no_resource", "no_result", "unknown", "error"]
GAP_TEXT: dict[str, str] = {
    "no_check": "no cloudaudit check evaluates this control",
    "not_run": "the check was not run (not selected)",
    "no_resource": "the check ran but found no resource of its kind",
    "no_result": "no result: no resource of its kind, or the check was not run",
    "unknown": "could not be checked (input not read)",
    "error": "the check crashed on this resource",
}
_FAILING = (Status.FAIL, Status.MUTED)
_UNJUDGED: dict[Status, GapReason] = {Status.UNKNOWN: "unknown", Status.ERROR: "error"}


@dataclass(frozen=True, slots=True)
class Gap:
    """Why (part of) a control could not be evaluated: a check without result, or a resource it
    could not judge (``finding`` set)."""

    check_id: str
    reason: GapReason
    finding: Finding | None = None

    @property
    def text(self) -> str:
        """The reason in words (for UNKNOWN/ERROR: the finding's own message)."""
        return self.finding.message if self.finding is not None else GAP_TEXT[self.reason]


@dataclass(frozen=True, slots=True)
class ControlResult:
    """One control's verdict, the findings it rests on and its gaps."""

    control: Control
    status: ControlStatus
    counts: dict[str, int]
    """Findings under the control by status (PASS, FAIL, MUTED, UNKNOWN, ERROR)."""
    failing: list[Finding] = field(default_factory=list)
    """The FAIL and MUTED findings: the failing resources."""
    gaps: list[Gap] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Score:
    """How many controls have each status, and passed / evaluated."""

    passed: int
    failed: int
    not_evaluated: int
    manual: int

    @property
    def total(self) -> int:
        """Every control of the framework."""
        return self.passed + self.failed + self.not_evaluated + self.manual

    @property
    def evaluated(self) -> int:
        """Controls with a verdict: passed + failed."""
        return self.passed + self.failed

    @property
    def percent(self) -> float | None:
        """passed / evaluated in percent (one decimal); None when nothing was evaluated."""
        return round(100 * self.passed / self.evaluated, 1) if self.evaluated else None

    @property
    def text(self) -> str:
        """``62.5% (5 of 8 evaluated controls pass)``, or ``no control evaluated``."""
        if self.percent is None:
            return "no control evaluated"
        return f"{self.percent:g}% ({self.passed} of {self.evaluated} evaluated controls pass)"


@dataclass(frozen=True, slots=True)
class Source:
    """One findings document the report read."""

    providers: tuple[str, ...]
    accounts: tuple[str, ...]
    started: datetime
    finished: datetime
    tool_version: str


@dataclass(frozen=True, slots=True)
class ComplianceResult:
    """A framework judged over one or more findings documents."""

    framework: Framework
    controls: list[ControlResult]
    sources: list[Source]

    @property
    def providers(self) -> tuple[str, ...]:
        """Every provider the sources audited."""
        return tuple(sorted({p for s in self.sources for p in s.providers}))

    @property
    def score(self) -> Score:
        """Controls by status, and the score."""
        counted = {s: sum(r.status == s for r in self.controls) for s in STATUS_LABELS}
        return Score(counted["pass"], counted["fail"], counted["not_evaluated"], counted["manual"])


def _providers(doc: FindingsDocument) -> tuple[str, ...]:
    return tuple(doc.run.providers or [p for p in doc.run.provider.split(",") if p])


def _source(doc: FindingsDocument) -> Source:
    run = doc.run
    return Source(_providers(doc), tuple(run.accounts), run.started, run.finished, run.tool_version)


def _key(f: Finding) -> tuple[str, ...]:
    return (f.check_id, f.provider, f.account, f.region, f.resource_id, f.message)


def _by_check(docs: Iterable[FindingsDocument], wanted: Collection[str]) -> dict[str, list[Finding]]:
    """The findings of the wanted checks, by check (a finding in two documents counts once)."""
    found: dict[str, list[Finding]] = {}
    seen: set[tuple[str, ...]] = set()
    for doc in docs:
        for finding in doc.findings:
            if finding.check_id not in wanted:
                continue
            key = _key(finding)
            if key not in seen:
                seen.add(key)
                found.setdefault(finding.check_id, []).append(finding)
    return found


def judge(
    control: Control,
    by_check: dict[str, list[Finding]],
    providers: Collection[str],
    ran: Collection[str] | None = None,
) -> ControlResult:
    """One control's verdict (see the module docstring)."""
    if not control.checks:
        return ControlResult(
            control,
            "manual" if control.assessment == "manual" else "not_evaluated",
            {},
            gaps=[Gap("", "no_check")],
        )
    results = [f for check in control.checks for f in by_check.get(check, ())]
    counts = {s.value: 0 for s in Status}
    for finding in results:
        counts[finding.status.value] += 1
    failing = [f for f in results if f.status in _FAILING]
    gaps = [Gap(f.check_id, _UNJUDGED[f.status], f) for f in results if f.status in _UNJUDGED]
    missing = [c for c in control.checks if c.split(".", 1)[0] in providers and not by_check.get(c)]
    not_run = [c for c in missing if ran is not None and c not in ran]
    for check in missing:
        reason: GapReason = "no_result" if ran is None else "not_run" if check in not_run else "no_resource"
        gaps.append(Gap(check, reason))
    status: ControlStatus
    if failing:
        status = "fail"
    elif control.assessment == "manual":
        status = "manual"
    elif not results or counts[Status.UNKNOWN] or counts[Status.ERROR] or not_run:
        status = "not_evaluated"
    else:
        status = "pass"
    return ControlResult(control, status, counts, failing, gaps)


def evaluate(
    framework: Framework, docs: Sequence[FindingsDocument], ran: Collection[str] | None = None
) -> ComplianceResult:
    """Judge every control of ``framework`` over the findings of ``docs``.

    ``ran``, when known (a run that just happened), is every check id the run selected: a check of an
    audited provider outside it was not run, which leaves its controls unevaluated.
    """
    wanted = {c for control in framework.controls for c in control.checks}
    by_check = _by_check(docs, wanted)
    providers = {p for doc in docs for p in _providers(doc)}
    controls = [judge(control, by_check, providers, ran) for control in framework.controls]
    return ComplianceResult(framework, controls, [_source(doc) for doc in docs])
