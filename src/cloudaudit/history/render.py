"""``cloudaudit runs`` and ``cloudaudit diff`` output: plain text for terminals (every value from the
account escaped by :func:`~cloudaudit.terminal.printable`), JSON for pipelines."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cloudaudit.history.diff import Change, Changes
from cloudaudit.history.model import FindingRef, StoredRun
from cloudaudit.terminal import printable

RUNS_SCHEMA_VERSION = "1"
"""Version of ``cloudaudit runs --format json``'s document."""
LISTED = 200
"""Findings listed per section of the text diff (the JSON lists them all)."""


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def runs_text(runs: Sequence[StoredRun], shown: str) -> str:
    """One line per run, newest first."""
    if not runs:
        return f"no run recorded in store {shown}"
    header = ("ID", "STARTED (UTC)", "FINDINGS", "FAILING", "GAPS", "SCOPE")
    rows = [
        (
            str(r.id),
            _when(r.started),
            str(sum(r.counts.by_status.values())),
            r.counts.failing_text() + (" (incomplete)" if r.incomplete else ""),
            str(len(r.coverage)),
            printable(r.scope.text(), limit=120),
        )
        for r in runs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)


def runs_json(runs: Sequence[StoredRun]) -> str:
    """``{"schema_version": "1", "runs": [...]}``, newest first."""
    document: dict[str, Any] = {"schema_version": RUNS_SCHEMA_VERSION, "runs": [r.as_json() for r in runs]}
    return json.dumps(document, indent=2)  # ASCII: no raw control or bidi character


def _finding_line(f: FindingRef) -> str:
    where = f.resource_name or f.resource_id
    return printable(
        f"  {f.severity.value:<8} {f.status.value:<7} {f.check_id}  {where}  ({f.account} {f.region})",
        limit=400,
    )


def _change_line(c: Change) -> str:
    moves = []
    if "status" in c.moved:
        moves.append(f"status {c.before.status.value} -> {c.after.status.value}")
    if "severity" in c.moved:
        moves.append(f"severity {c.before.severity.value} -> {c.after.severity.value}")
    if "exposure" in c.moved:
        moves.append(f"exposure {c.before.exposure.value} -> {c.after.exposure.value}")
    where = c.after.resource_name or c.after.resource_id
    return printable(
        f"  {c.after.check_id}  {where}  ({c.after.account} {c.after.region}): {'; '.join(moves)}", limit=400
    )


def _section(title: str, lines: list[str]) -> list[str]:
    out = [f"{title} ({len(lines)}):"]
    out.extend(lines[:LISTED])
    if len(lines) > LISTED:
        out.append(f"  ... and {len(lines) - LISTED} more (--format json lists them all)")
    return out


def _run_label(run: StoredRun | None) -> str:
    if run is None:
        return "this run"
    return f"run {run.id} ({_when(run.started)} UTC, {printable(run.scope.text(), limit=120)})"


def diff_text(changes: Changes) -> str:
    """The diff for a terminal: the runs, then new, resolved and changed findings, then the counts."""
    lines = [f"from {_run_label(changes.before)}", f"  to {_run_label(changes.after)}", ""]
    before, after = changes.before, changes.after
    if before is not None and after is not None and before.scope != after.scope:
        lines += ["note: the two runs audited different scopes", ""]
    lines += [*_section("new", [_finding_line(f) for f in changes.new]), ""]
    lines += [*_section("resolved", [_finding_line(f) for f in changes.resolved]), ""]
    lines += [*_section("changed", [_change_line(c) for c in changes.changed]), ""]
    lines.append(f"unchanged: {changes.unchanged}")
    if changes.not_compared:
        lines.append(f"not compared: {changes.not_compared} (their checks did not run in both runs)")
    lines.append(changes.summary())
    return "\n".join(lines)


def diff_json(changes: Changes) -> str:
    """The diff for pipelines (see :meth:`Changes.as_json`)."""
    return json.dumps(changes.as_json(), indent=2)  # ASCII: no raw control or bidi character
