"""What ``cloudaudit compliance`` and ``run``/``demo --compliance`` do, apart from parsing options."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

from cloudaudit.compliance.catalog import catalog
from cloudaudit.compliance.evaluate import ComplianceResult, evaluate
from cloudaudit.compliance.model import Framework
from cloudaudit.compliance.output import FORMATS, write_compliance
from cloudaudit.errors import UsageError
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.report.json_report import load_findings

LIST_COLUMNS = ("ID", "VERSION", "CONTROLS", "AUTOMATED", "NAME")


def list_text() -> str:
    """The frameworks, one a line: id, version, controls, how many are automated, name."""
    frameworks = catalog().frameworks
    rows = [LIST_COLUMNS] + [
        (f.id, f.version, str(len(f.controls)), str(f.automated), f.name) for f in frameworks
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(LIST_COLUMNS) - 1)]
    right = {2, 3}
    lines = []
    for row in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row[:-1], widths, strict=True))
        ]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)


def frameworks_of(text: str) -> list[Framework]:
    """``--compliance ID[,ID]``: the frameworks named (unknown ids: a usage error listing the known)."""
    ids = [part.strip() for part in text.split(",") if part.strip()]
    return list({f.id: f for f in (catalog().require(i) for i in ids)}.values())


def summary_line(result: ComplianceResult) -> str:
    """``PCI-DSS-4.0: 40% (2 of 5 evaluated controls pass); 3 fail, 8 not evaluated, 0 manual``."""
    score = result.score
    return (
        f"compliance {result.framework.id}: {score.text}; {score.failed} fail, "
        f"{score.not_evaluated} not evaluated, {score.manual} manual"
    )


def formats_for_run(run_formats: Sequence[str]) -> tuple[str, ...]:
    """The compliance report formats a run writes: those of its ``--format`` a compliance report has
    (html, csv, json), else json."""
    return tuple(f for f in run_formats if f in FORMATS) or ("json",)


def judge_all(
    frameworks: Sequence[Framework], docs: Sequence[FindingsDocument], ran: Collection[str] | None = None
) -> list[ComplianceResult]:
    """Each framework judged over ``docs`` (``ran``: the checks the run selected, when known)."""
    return [evaluate(framework, docs, ran) for framework in frameworks]


def write_results(
    results: Sequence[ComplianceResult], output_dir: Path, formats: Sequence[str]
) -> tuple[list[str], list[Path]]:
    """Write each framework's report; the summary lines and the files written."""
    lines: list[str] = []
    paths: list[Path] = []
    for result in results:
        lines.append(summary_line(result))
        paths.extend(write_compliance(result, output_dir, formats))
    return lines, paths


def load_sources(sources: Sequence[Path] | None, output_dir: Path) -> list[FindingsDocument]:
    """The findings documents of ``--from`` (default: the output directory's findings.json)."""
    if sources:
        return [load_findings(path) for path in sources]
    default = output_dir / "findings.json"
    if not default.exists():
        raise UsageError(
            f"no findings to judge: {default} does not exist; give --from FINDINGS.json "
            "(repeatable) or run 'cloudaudit run' first"
        )
    return [load_findings(default)]
