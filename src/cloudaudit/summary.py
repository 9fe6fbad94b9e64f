"""The end-of-run summary: failing findings by service and severity, coverage gaps, exposure levels.

Plain fixed-width text: it reads the same on a terminal and in cron, CI or Lambda logs. Everything
taken from the findings passes through :func:`cloudaudit.terminal.printable`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from cloudaudit.completeness import headline, is_target_gap
from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument
from cloudaudit.model.inventory import CollectionGap
from cloudaudit.plugins import account_noun
from cloudaudit.terminal import printable

DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden"}
)
"""Error codes meaning the audit's credentials lack a permission."""
LADDER = tuple(level for level in ExposureLevel if level is not ExposureLevel.NONE)
SHOWN_ACCOUNTS = 5
"""Accounts named on the first line; the others counted (an organization has hundreds)."""
SHOWN_UNAUDITED = 10
"""Accounts not audited named one per line; the rest counted."""


def _cell(count: int) -> str:
    return str(count) if count else "-"


@dataclass
class _Tally:
    """What the summary counts, read in one pass (a large run's findings are read back from disk)."""

    statuses: Counter[Status] = field(default_factory=Counter)
    failing: dict[str, Counter[Severity]] = field(default_factory=dict)
    """Service -> severity -> failing findings."""
    levels: Counter[ExposureLevel] = field(default_factory=Counter)
    """The exposure levels of the failing findings."""

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> _Tally:
        tally = cls()
        for f in findings:
            tally.statuses[f.status] += 1
            if f.status is Status.FAIL:
                tally.failing.setdefault(f.service, Counter())[f.severity] += 1
                tally.levels[f.exposure.level] += 1
        return tally


def _table(tally: _Tally) -> list[str]:
    rows: dict[str, Counter[Severity]] = {}
    for service, counts in tally.failing.items():
        rows.setdefault(printable(service, limit=30), Counter()).update(counts)
    rows = dict(sorted(rows.items()))
    rows["total"] = sum(rows.values(), Counter())
    width = max(len("service"), *(len(name) for name in rows))
    header = "  ".join(f"{s.value:>8}" for s in Severity)
    lines = [f"{'service':<{width}}  {header}  {'failing':>7}"]
    for name, row in rows.items():
        cells = "  ".join(f"{_cell(row[s]):>8}" for s in Severity)
        lines.append(f"{name:<{width}}  {cells}  {_cell(row.total()):>7}")
    return lines


def _coverage(doc: FindingsDocument) -> list[str]:
    if not doc.coverage:
        return ["coverage gaps: none"]
    lines = [f"coverage gaps: {len(doc.coverage)} (see 'coverage' in the report)"]
    nouns = {p: account_noun(p) for p in dict.fromkeys(g.provider for g in doc.coverage)}
    missed = [g for g in doc.coverage if is_target_gap(g, nouns[g.provider])]
    whole = {id(g) for g in missed}
    denied = dict.fromkeys(
        g.provider for g in doc.coverage if g.error_code in DENIED_CODES and id(g) not in whole
    )
    for provider in sorted(denied):
        command = f"cloudaudit permissions --provider {printable(provider, limit=20)}"
        lines.append(f"  access was denied: '{command}' prints the policy the audit needs")
    return lines + _not_audited(missed)


def _not_audited(missed: list[CollectionGap]) -> list[str]:
    """One line per account (project, subscription) that could not be audited at all, and why."""
    lines = [
        f"  not audited: {g.service} {printable(g.account, limit=64)}: "
        f"{printable(g.error_code, limit=40)} on {printable(g.operation, limit=40)}: "
        f"{printable(g.message, limit=160)}"
        for g in missed[:SHOWN_UNAUDITED]
    ]
    if len(missed) > SHOWN_UNAUDITED:
        lines.append(f"  not audited: {len(missed) - SHOWN_UNAUDITED} more (see 'coverage' in the report)")
    return lines


def _exposure(doc: FindingsDocument, levels: Counter[ExposureLevel]) -> list[str]:
    if not doc.run.exposure_sources:
        return []
    counted = ", ".join(f"{level.value} {levels[level]}" for level in LADDER)
    return [f"exposure of failing findings: {counted}"]


def _surface(doc: FindingsDocument) -> list[str]:
    if not doc.surface:
        return []
    levels = Counter(e.level for e in doc.surface)
    strongest_first = sorted(ExposureLevel, key=lambda level: -level.rank)
    counted = ", ".join(f"{level.value} {levels[level]}" for level in strongest_first if levels[level])
    return [f"attack surface: {len(doc.surface)} Internet-facing endpoint(s): {counted}"]


def _incomplete(doc: FindingsDocument) -> list[str]:
    return [printable(headline(doc.run.not_read), limit=0)] if doc.run.incomplete else []


def summarize(doc: FindingsDocument) -> str:
    """The summary printed at the end of ``run``, ``demo`` and ``evaluate``."""
    named = (
        doc.run.accounts[:SHOWN_ACCOUNTS] if len(doc.run.accounts) > SHOWN_ACCOUNTS + 1 else doc.run.accounts
    )
    accounts = ", ".join(printable(a, limit=40) for a in named) or "(none)"
    if len(named) < len(doc.run.accounts):
        accounts = f"{accounts} +{len(doc.run.accounts) - len(named)} more ({len(doc.run.accounts)} in all)"
    providers = ", ".join(printable(p, limit=20) for p in doc.run.providers)
    noun = account_noun(doc.run.providers[0]) if len(doc.run.providers) == 1 else "account"
    tally = _Tally.of(doc.findings)
    counts = tally.statuses
    fails = counts[Status.FAIL]
    not_failing = (
        ", ".join(f"{counts[s]} {s.value}" for s in Status if s is not Status.FAIL and counts[s]) or "none"
    )
    lines = [
        f"{counts.total()} results from {doc.run.checks_run} checks on {providers} {noun}(s) {accounts}",
        "",
        *_table(tally),
        "",
        f"failing: {fails}" if fails else "no failing finding",
        f"not failing: {not_failing}",
        *_coverage(doc),
        *_exposure(doc, tally.levels),
        *_surface(doc),
        *_incomplete(doc),
    ]
    return "\n".join(lines)
