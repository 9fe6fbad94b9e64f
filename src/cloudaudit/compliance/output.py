"""The compliance report files: ``compliance-<framework>.json``, ``.csv`` and ``.html``.

JSON holds everything (every failing resource, every gap); CSV is the same flat, one row per control
and item (a failing resource or a gap; a control with neither has one row); the HTML page is a
self-contained summary (no script, no network load: the same CSP as ``report.html``) that lists at
most :data:`HTML_ITEMS` failing resources and gaps per control and points to the other files for
the rest. Every string from the account stays data: JSON-escaped, CSV cells defused against formula
injection, HTML text autoescaped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cloudaudit.compliance.evaluate import STATUS_LABELS, ComplianceResult, ControlResult, Gap
from cloudaudit.errors import UsageError
from cloudaudit.model.finding import Finding
from cloudaudit.report.csv_report import safe_cell
from cloudaudit.report.files import prepare_dir, write_private
from cloudaudit.report.stream import Chunks, splice_lists

if TYPE_CHECKING:
    from jinja2 import Environment

COMPLIANCE_SCHEMA_VERSION = "1.0"
HTML_ITEMS = 100
"""Failing resources (and gaps) the page lists per control; the JSON and CSV files list them all."""
TEMPLATE_NAME = "compliance.html.j2"

CSV_COLUMNS = (
    "framework",
    "control_id",
    "section",
    "title",
    "assessment",
    "control_status",
    "item",
    "check_id",
    "status",
    "severity",
    "provider",
    "account",
    "region",
    "resource_type",
    "resource_id",
    "resource_name",
    "detail",
)
_BATCH = 1 << 16


def file_name(framework_id: str, fmt: str) -> str:
    """``compliance-CIS-AWS-Foundations-3.0.0.html``."""
    return f"compliance-{framework_id}.{fmt}"


# ------------------------------------------------------------------------------------------- JSON


def _failing(f: Finding) -> dict[str, Any]:
    return {
        "check_id": f.check_id,
        "status": f.status.value,
        "severity": f.severity.value,
        "provider": f.provider,
        "account": f.account,
        "region": f.region,
        "resource_type": f.resource_type,
        "resource_id": f.resource_id,
        "resource_name": f.resource_name,
        "message": f.message,
        "muted_reason": f.muted_reason,
    }


def _gap(g: Gap) -> dict[str, Any]:
    f = g.finding
    return {
        "check_id": g.check_id,
        "reason": g.reason,
        "provider": f.provider if f else "",
        "account": f.account if f else "",
        "region": f.region if f else "",
        "resource_id": f.resource_id if f else "",
        "resource_name": f.resource_name if f else "",
        "message": g.text,
    }


def _control(r: ControlResult) -> str:
    c = r.control
    data = {
        "id": c.id,
        "section": c.section,
        "title": c.title,
        "assessment": c.assessment,
        "status": r.status,
        "checks": list(c.checks),
        "counts": r.counts,
        "failing": [_failing(f) for f in r.failing],
        "gaps": [_gap(g) for g in r.gaps],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def iter_json(result: ComplianceResult) -> Chunks:
    """``compliance-<id>.json``, one control at a time."""
    fw, score = result.framework, result.score
    head = {
        "schema_version": COMPLIANCE_SCHEMA_VERSION,
        "framework": {
            "id": fw.id,
            "name": fw.name,
            "version": fw.version,
            "url": fw.url,
            "scope": fw.scope,
        },
        "sources": [
            {
                "providers": list(s.providers),
                "accounts": list(s.accounts),
                "started": s.started.isoformat(),
                "finished": s.finished.isoformat(),
                "tool_version": s.tool_version,
            }
            for s in result.sources
        ],
        "score": {
            "percent": score.percent,
            "passed": score.passed,
            "failed": score.failed,
            "evaluated": score.evaluated,
            "not_evaluated": score.not_evaluated,
            "manual": score.manual,
            "total": score.total,
        },
        "controls": [],
    }
    document = json.dumps(head, indent=2, ensure_ascii=False) + "\n"
    yield from splice_lists(document, (("controls", (_control(r) for r in result.controls)),))


# -------------------------------------------------------------------------------------------- CSV


def _rows(fw_id: str, r: ControlResult) -> Iterator[list[str]]:
    c = r.control
    lead = [fw_id, c.id, c.section, c.title, c.assessment, r.status]
    for f in r.failing:
        detail = f"{f.message} (muted: {f.muted_reason})" if f.muted_reason else f.message
        yield [*lead, "failing", f.check_id, f.status.value, f.severity.value, f.provider, f.account,
               f.region, f.resource_type, f.resource_id, f.resource_name, detail]  # fmt: skip
    for g in r.gaps:
        u = g.finding
        where = (
            [u.provider, u.account, u.region, u.resource_type, u.resource_id, u.resource_name]
            if u
            else [""] * 6
        )
        yield [*lead, "gap", g.check_id, g.reason, "", *where, g.text]
    if not r.failing and not r.gaps:
        yield [*lead, *[""] * (len(CSV_COLUMNS) - len(lead))]


def iter_csv(result: ComplianceResult) -> Chunks:
    """``compliance-<id>.csv``: RFC 4180, a header row, every cell defused against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in result.controls:
        for row in _rows(result.framework.id, r):
            writer.writerow([safe_cell(" ".join(cell.split())) for cell in row])
            if out.tell() >= _BATCH:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
    yield out.getvalue()


# ------------------------------------------------------------------------------------------- HTML


@dataclass(frozen=True, slots=True)
class _Section:
    name: str
    controls: list[ControlResult]


@cache
def _environment() -> Environment:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("cloudaudit", "report/templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(labels=STATUS_LABELS, limit=HTML_ITEMS, file_name=file_name)
    return env


def _sections(controls: Sequence[ControlResult]) -> list[_Section]:
    sections: list[_Section] = []
    for r in controls:
        if not sections or sections[-1].name != r.control.section:
            sections.append(_Section(r.control.section, []))
        sections[-1].controls.append(r)
    return sections


def iter_html(result: ComplianceResult, formats: Sequence[str] = ("json", "csv")) -> Chunks:
    """``compliance-<id>.html``: the score, then every control by section with its failing resources
    and gaps (at most :data:`HTML_ITEMS` of each; ``formats`` are the sibling files that hold all)."""
    template = _environment().get_template(TEMPLATE_NAME)
    return template.generate(
        result=result,
        framework=result.framework,
        score=result.score,
        sections=_sections(result.controls),
        siblings=[f for f in formats if f != "html"],
    )


# ------------------------------------------------------------------------------------------ files

RENDERERS: dict[str, Callable[[ComplianceResult, Sequence[str]], Chunks]] = {
    "html": iter_html,
    "json": lambda result, _: iter_json(result),
    "csv": lambda result, _: iter_csv(result),
}
FORMATS = tuple(RENDERERS)


def parse_formats(text: str) -> tuple[str, ...]:
    """``html,json`` -> validated tuple of compliance report formats."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in formats if f not in RENDERERS]
    if unknown or not formats:
        raise UsageError(
            f"unknown compliance report format(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(FORMATS)}"
        )
    return formats


def write_compliance(result: ComplianceResult, output_dir: Path, formats: Sequence[str]) -> list[Path]:
    """Write the report in each format (owner-only, atomic); the paths, in the order of ``formats``."""
    prepare_dir(output_dir)
    return [
        write_private(output_dir / file_name(result.framework.id, fmt), RENDERERS[fmt](result, formats))
        for fmt in formats
    ]
