"""The audit flow shared by ``run``, ``demo`` and ``evaluate``: collect, evaluate, write."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cloudaudit import __version__
from cloudaudit.engine.mutelist import Mutelist
from cloudaudit.engine.registry import REGISTRY, CheckSpec
from cloudaudit.engine.runner import evaluate
from cloudaudit.errors import ExitCode, UsageError
from cloudaudit.exposure.model import ExposureDocument
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import FindingsDocument, RunInfo
from cloudaudit.model.inventory import Inventory
from cloudaudit.report.csv_report import render_csv
from cloudaudit.report.files import prepare_dir, write_private
from cloudaudit.report.html import render_html
from cloudaudit.report.json_report import render_findings, render_inventory
from cloudaudit.report.sarif import render_sarif

log = logging.getLogger(__name__)

Renderer = Callable[[FindingsDocument], str]
FORMATS: dict[str, tuple[str, Renderer]] = {
    "json": ("findings.json", render_findings),
    "html": ("report.html", render_html),
    "csv": ("findings.csv", render_csv),
    "sarif": ("findings.sarif", render_sarif),
}


@dataclass(frozen=True)
class Selection:
    """Which checks run, which findings are muted, and what fails the run."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    mutelist: Mutelist | None = None
    fail_on: Severity | None = None

    def checks(self, provider: str) -> list[CheckSpec]:
        """The selected checks of one provider."""
        chosen = [c for c in REGISTRY.select(self.include, self.exclude) if c.provider == provider]
        if not chosen:
            raise UsageError(f"no {provider} check selected")
        return chosen


@dataclass
class Result:
    """What a run produced."""

    document: FindingsDocument
    files: list[Path] = field(default_factory=list)

    def exit_code(self, fail_on: Severity | None) -> ExitCode:
        """FINDINGS when a FAIL at or above ``fail_on`` exists, else OK."""
        if fail_on is None:
            return ExitCode.OK
        failing = any(
            f.status is Status.FAIL and f.severity.at_least(fail_on) for f in self.document.findings
        )
        return ExitCode.FINDINGS if failing else ExitCode.OK


def parse_formats(text: str) -> tuple[str, ...]:
    """``html,json`` -> validated tuple."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return formats


def findings_document(
    inventory: Inventory, checks: Sequence[CheckSpec], mutelist: Mutelist | None
) -> FindingsDocument:
    """Evaluate the checks over an inventory (no I/O)."""
    findings = evaluate(inventory, checks, mutelist)
    scope = inventory.scope
    return FindingsDocument(
        run=RunInfo(
            tool_version=__version__,
            provider=scope.provider,
            accounts=list(scope.accounts),
            regions=list(scope.regions),
            started=scope.started,
            finished=scope.finished,
            checks_run=len(checks),
            notes=mutelist.expired() if mutelist else [],
        ),
        findings=findings,
        coverage=list(inventory.gaps),
    )


def write_reports(
    doc: FindingsDocument,
    inventory: Inventory | None,
    output_dir: Path,
    formats: Sequence[str],
    observations: ExposureDocument | None = None,
) -> list[Path]:
    """Write the requested formats (and the inventory, the exposure observations) owner-only."""
    prepare_dir(output_dir)
    files = []
    if inventory is not None:
        files.append(write_private(output_dir / "inventory.json", render_inventory(inventory)))
    if observations is not None:
        files.append(
            write_private(output_dir / "exposure.json", observations.model_dump_json(indent=2) + "\n")
        )
    for fmt in formats:
        name, render = FORMATS[fmt]
        files.append(write_private(output_dir / name, render(doc)))
    return files


def summarize(doc: FindingsDocument) -> str:
    """A short human summary for the terminal."""
    fails = [f for f in doc.findings if f.status is Status.FAIL]
    by_sev = {s: sum(1 for f in fails if f.severity is s) for s in Severity}
    counts = ", ".join(f"{n} {s.value}" for s, n in by_sev.items() if n) or "none"
    other = {s: sum(1 for f in doc.findings if f.status is s) for s in Status if s is not Status.FAIL}
    lines = [
        f"{len(doc.findings)} results from {doc.run.checks_run} checks on {doc.run.provider} "
        f"account(s) {', '.join(doc.run.accounts)}: {len(fails)} failing ({counts}); "
        + ", ".join(f"{n} {s.value}" for s, n in other.items() if n),
    ]
    if doc.coverage:
        lines.append(f"{len(doc.coverage)} item(s) could not be collected (see 'coverage' in the report).")
    return "\n".join(lines)
