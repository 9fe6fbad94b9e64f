"""What changed between two runs: new, resolved, changed and unchanged findings.

Findings are matched by fingerprint (:mod:`.fingerprint`). With ``before`` and ``after`` the two
runs' statuses of one finding (absent when a run has no such finding):

- **new**: FAIL after, and absent or PASS before (a problem that was not there);
- **resolved**: FAIL before, and absent or PASS after (fixed, or the resource is gone);
- **changed**: in both runs, not new or resolved, and its status, severity or exposure level moved
  (FAIL -> MUTED, UNKNOWN -> FAIL, high -> critical, configured -> observed...);
- **unchanged**: in both runs with the same status, severity and level, PASS aside (a count).

Findings of a check that did not run in both runs are left out (``not_compared``): a run with
``--checks aws.s3.*`` after a full run resolves nothing else. Exposure-stage findings (``exposure.*``)
are compared only when both runs consulted an exposure source.

This module needs no database: the notifications and the Lambda handler use :class:`Changes` as is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cloudaudit.history.fingerprint import EXPOSURE_PREFIX
from cloudaudit.history.model import FindingRef, StoredRun
from cloudaudit.model.enums import Severity, Status

DIFF_SCHEMA_VERSION = "1"
"""Version of ``cloudaudit diff --format json``'s document."""


@dataclass(frozen=True, slots=True)
class Side:
    """One run's side of a comparison."""

    findings: Sequence[FindingRef]
    checks: frozenset[str] | None = None
    """The provider checks that ran; None: not known (all its findings are compared)."""
    exposure: bool = False
    """An exposure source was consulted (the run has ``exposure.*`` findings to compare)."""

    def ran(self, check_id: str) -> bool:
        """True when the run judged ``check_id`` (so the absence of its finding means something)."""
        if check_id.startswith(EXPOSURE_PREFIX):
            return self.exposure
        return self.checks is None or check_id in self.checks


@dataclass(frozen=True, slots=True)
class Change:
    """One finding in both runs whose status, severity or exposure level moved."""

    before: FindingRef
    after: FindingRef

    @property
    def moved(self) -> tuple[str, ...]:
        """Which of ``status``, ``severity``, ``exposure`` differ."""
        pairs = (
            ("status", self.before.status, self.after.status),
            ("severity", self.before.severity, self.after.severity),
            ("exposure", self.before.exposure, self.after.exposure),
        )
        return tuple(name for name, old, new in pairs if old != new)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the finding after, what it was before, and what moved."""
        return {
            **self.after.as_dict(),
            "moved": list(self.moved),
            "before": {
                "status": self.before.status.value,
                "severity": self.before.severity.value,
                "exposure": self.before.exposure.value,
            },
        }


@dataclass(frozen=True, slots=True)
class Changes:
    """The difference between two runs (see the module's documentation)."""

    new: tuple[FindingRef, ...]
    resolved: tuple[FindingRef, ...]
    changed: tuple[Change, ...]
    unchanged: int
    not_compared: int = 0
    """Findings left out: their check did not run in both runs."""
    before: StoredRun | None = None
    """The earlier run, when it came from a store."""
    after: StoredRun | None = None
    """The later run; None for the run being made (not stored yet)."""

    def new_at_least(self, severity: Severity) -> tuple[FindingRef, ...]:
        """The new findings at or above ``severity``."""
        return tuple(f for f in self.new if f.severity.at_least(severity))

    def counts(self) -> dict[str, int]:
        """``{"new": n, "resolved": n, "changed": n, "unchanged": n}``."""
        return {
            "new": len(self.new),
            "resolved": len(self.resolved),
            "changed": len(self.changed),
            "unchanged": self.unchanged,
        }

    def summary(self) -> str:
        """``3 new, 1 resolved, 2 changed, 140 unchanged``."""
        return ", ".join(f"{n} {name}" for name, n in self.counts().items())

    def as_json(self) -> dict[str, Any]:
        """The ``cloudaudit diff --format json`` document."""
        return {
            "schema_version": DIFF_SCHEMA_VERSION,
            "before": self.before.as_json() if self.before else None,
            "after": self.after.as_json() if self.after else None,
            "counts": {**self.counts(), "not_compared": self.not_compared},
            "new": [f.as_dict() for f in self.new],
            "resolved": [f.as_dict() for f in self.resolved],
            "changed": [c.as_dict() for c in self.changed],
        }


def _order(finding: FindingRef) -> tuple[int, str, str, str, str]:
    return (-finding.severity.rank, finding.check_id, finding.account, finding.resource_id, finding.message)


def _pairs(
    before: Iterable[FindingRef], after: Iterable[FindingRef]
) -> Iterator[tuple[FindingRef | None, FindingRef | None]]:
    """Findings matched by fingerprint; several of one fingerprint are paired by message first."""
    old: dict[str, list[FindingRef]] = defaultdict(list)
    new: dict[str, list[FindingRef]] = defaultdict(list)
    for f in before:
        old[f.fingerprint].append(f)
    for f in after:
        new[f.fingerprint].append(f)
    for key in old.keys() | new.keys():
        olds, news = old.get(key, []), list(new.get(key, []))
        if len(olds) == 1 and len(news) == 1:
            yield olds[0], news[0]
            continue
        unmatched: list[FindingRef] = []
        for f in olds:
            twin = next((g for g in news if g.message == f.message), None)
            if twin is None:
                unmatched.append(f)
            else:
                news.remove(twin)
                yield f, twin
        for i in range(max(len(unmatched), len(news))):
            yield (unmatched[i] if i < len(unmatched) else None), (news[i] if i < len(news) else None)


def compare(
    before: Side, after: Side, before_run: StoredRun | None = None, after_run: StoredRun | None = None
) -> Changes:
    """The :class:`Changes` from ``before`` to ``after``."""
    new: list[FindingRef] = []
    resolved: list[FindingRef] = []
    changed: list[Change] = []
    unchanged = not_compared = 0
    for old, cur in _pairs(before.findings, after.findings):
        either = cur or old
        check = either.check_id if either is not None else ""
        if not (before.ran(check) and after.ran(check)):
            not_compared += 1
            continue
        was = old.status if old else None
        now = cur.status if cur else None
        if cur is not None and now is Status.FAIL and was in (None, Status.PASS):
            new.append(cur)
        elif old is not None and was is Status.FAIL and now in (None, Status.PASS):
            resolved.append(old)
        elif old is None or cur is None or (was is Status.PASS and now is Status.PASS):
            continue  # appeared or went away without being a problem: nothing to say
        elif Change(old, cur).moved:
            changed.append(Change(old, cur))
        else:
            unchanged += 1
    return Changes(
        new=tuple(sorted(new, key=_order)),
        resolved=tuple(sorted(resolved, key=_order)),
        changed=tuple(sorted(changed, key=lambda c: _order(c.after))),
        unchanged=unchanged,
        not_compared=not_compared,
        before=before_run,
        after=after_run,
    )
