"""Self-contained HTML report: a summary, then the attack surface and the findings (paged, filterable)."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pydantic import BaseModel

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument
from cloudaudit.report.stream import Chunks

TEMPLATE_NAME = "report.html.j2"

SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, key=lambda s: -s.rank))
"""Worst first: critical, high, medium, low, info."""

STATUSES: tuple[Status, ...] = (Status.FAIL, Status.UNKNOWN, Status.ERROR, Status.MUTED, Status.PASS)
"""Display (and sort) order of statuses: what needs attention first."""

DEFAULT_STATUSES: frozenset[Status] = frozenset({Status.FAIL, Status.UNKNOWN, Status.ERROR})
"""Statuses shown by the findings list before the reader changes the filters."""

SERVICE_COLUMNS: tuple[Status, ...] = (Status.FAIL, Status.PASS, Status.UNKNOWN, Status.MUTED, Status.ERROR)
"""Column order of the per-service summary table."""

JSON_KWARGS: dict[str, Any] = {"sort_keys": False, "separators": (",", ":")}
"""How ``tojson`` writes the data the page's script reads."""

_STATUS_RANK = {status: i for i, status in enumerate(STATUSES)}

SURFACE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("endpoint", "Endpoint"),
    ("owner", "Owner"),
    ("ports", "Ports"),
    ("level", "Level"),
    ("evidence", "Strongest evidence"),
)
"""Sort key and heading of each column of the attack surface table."""

UNRECORDED_SURFACE_VERSIONS = frozenset({"1", "1.0"})
"""findings.json versions written before the attack surface existed (their empty surface means unknown)."""


@dataclass(frozen=True, slots=True)
class ServiceRow:
    """Per-service finding counts for the summary table."""

    service: str
    counts: dict[str, int]
    total: int


_HTML_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))
"""What ``tojson`` escapes in JSON text so that it cannot end the ``<script>`` element it sits in."""

CHECK_FIELDS = frozenset({"title", "remediation", "compliance"})
"""Finding fields that are the same for every finding of a check: written once per check in the page."""


def html_safe_json(item: BaseModel, exclude: set[str] | None = None) -> str:
    """An item as compact JSON that is safe inside ``<script>`` (escaped as ``tojson`` escapes)."""
    text = item.model_dump_json(exclude=exclude)
    for char, escaped in _HTML_SAFE:  # four C-speed replaces: str.translate is ten times slower
        text = text.replace(char, escaped)
    return text


@dataclass(frozen=True, slots=True)
class Streamed:
    """A big list of the template's context: ``tojson`` writes a random marker (the account's data
    cannot guess it), which :func:`iter_html` replaces with the items, one at a time.

    ``omit`` says, per item, which fields to leave out (the page fills them from another table)."""

    items: Sequence[BaseModel]
    omit: Callable[[Any], set[str] | None] = lambda item: None
    marker: str = field(default_factory=lambda: f"streamed-{secrets.token_hex(16)}")

    def pieces(self) -> Iterator[str]:
        """``tojson`` of the list, item by item: ``[``, each item's JSON, ``]``."""
        yield "["
        separator = ""
        for item in self.items:
            yield separator + html_safe_json(item, self.omit(item))
            separator = ","
        yield "]"


@dataclass(frozen=True, slots=True)
class CheckTable:
    """The per-check fields (title, remediation, compliance) of a findings list, each check's once.

    A finding whose fields equal its check's row is written without them; one that differs (an older
    findings file, a hand edit) keeps its own."""

    rows: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, findings: Sequence[Finding]) -> CheckTable:
        rows: dict[str, dict[str, Any]] = {}
        for f in findings:
            if f.check_id not in rows:
                rows[f.check_id] = {k: getattr(f, k) for k in ("title", "remediation", "compliance")}
        return cls(rows)

    def omit(self, finding: Finding) -> set[str] | None:
        """CHECK_FIELDS when the finding's equal its check's row (None: write them all)."""
        row = self.rows[finding.check_id]
        same = (
            finding.title == row["title"]
            and finding.remediation == row["remediation"]
            and finding.compliance == row["compliance"]
        )
        return set(CHECK_FIELDS) if same else None

    def pairs(self) -> list[tuple[str, dict[str, Any]]]:
        """``[check id, fields]`` pairs (the page builds a Map: ids never become object keys)."""
        return list(self.rows.items())


@dataclass(frozen=True, slots=True)
class Placeholder:
    """What the template renders in place of a :class:`Streamed` list: its marker, and not its items
    (Jinja's render context lives in a reference cycle, which would keep the items until the collector
    runs)."""

    marker: str


def _dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps``, except that a streamed list stands as its marker (no character tojson escapes)."""
    if isinstance(value, Streamed | Placeholder):
        return value.marker
    return json.dumps(value, **kwargs)


@cache
def _environment() -> Environment:
    """The shared, autoescaping, strict Jinja environment (built once)."""
    env = Environment(
        loader=PackageLoader("cloudaudit", "report/templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "htm", "xml", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = JSON_KWARGS
    env.policies["json.dumps_function"] = _dumps
    return env


def _sort_key(finding: Finding) -> tuple[int, int, int, str, str, str, str]:
    """Failing first, then worst severity, strongest exposure evidence, check id; stable tie-breaks after."""
    return (
        _STATUS_RANK[finding.status],
        -finding.severity.rank,
        -finding.exposure.level.rank,
        finding.check_id,
        finding.account,
        finding.region,
        finding.resource_id,
    )


def order_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in report order: FAIL by severity (critical→info), exposure (exploitable first) and
    check id, then the others."""
    return sorted(findings, key=_sort_key)


def _service_rows(findings: list[Finding]) -> list[ServiceRow]:
    """One row per service (alphabetical) with counts per status."""
    per_service: dict[str, Counter[str]] = {}
    for finding in findings:
        per_service.setdefault(finding.service, Counter())[finding.status.value] += 1
    return [
        ServiceRow(
            service=service,
            counts={status.value: counts[status.value] for status in SERVICE_COLUMNS},
            total=sum(counts.values()),
        )
        for service, counts in sorted(per_service.items())
    ]


def build_context(doc: FindingsDocument) -> dict[str, Any]:
    """Everything the template needs, precomputed so the template stays logic-free.

    ``data`` and ``surface`` (the lists the page's script reads) are :class:`Streamed`: :func:`iter_html`
    writes them.
    """
    findings = order_findings(doc.findings)
    fail_by_severity = Counter(f.severity.value for f in findings if f.status is Status.FAIL)
    by_status = Counter(f.status.value for f in findings)
    by_exposure = Counter(f.exposure.level.value for f in findings if f.status is Status.FAIL)
    services = _service_rows(findings)
    by_level = Counter(e.level.value for e in doc.surface)
    run = doc.run
    table = CheckTable.of(findings)
    return {
        "schema_version": doc.schema_version,
        "run": run,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat(),
        "duration_seconds": max(0, round((run.finished - run.started).total_seconds())),
        "total": len(findings),
        "severities": [s.value for s in SEVERITIES],
        "fail_by_severity": {s.value: fail_by_severity[s.value] for s in SEVERITIES},
        "fail_total": by_status[Status.FAIL.value],
        "statuses": [s.value for s in STATUSES],
        "default_statuses": sorted(s.value for s in DEFAULT_STATUSES),
        "by_status": {s.value: by_status[s.value] for s in STATUSES},
        "service_columns": [s.value for s in SERVICE_COLUMNS],
        "services": services,
        "gaps": doc.coverage,
        "unknown_total": by_status[Status.UNKNOWN.value],
        "exposure_ladder": [
            (level.value, by_exposure[level.value])
            for level in reversed(ExposureLevel)
            if level is not ExposureLevel.NONE
        ],
        "exposure_levels": [level.value for level in reversed(ExposureLevel)],
        "exposure_sources": doc.run.exposure_sources,
        "exposure_notes": doc.run.exposure_notes,
        "checks": table.pairs(),
        "data": Streamed(findings, table.omit),
        "surface": Streamed(doc.surface),
        "surface_total": len(doc.surface),
        "surface_ladder": [(level.value, by_level[level.value]) for level in reversed(ExposureLevel)],
        "surface_recorded": doc.schema_version not in UNRECORDED_SURFACE_VERSIONS,
        "surface_columns": SURFACE_COLUMNS,
    }


def iter_html(doc: FindingsDocument) -> Chunks:
    """The complete, self-contained HTML report for one findings document, one finding (and surface
    entry) at a time: the page is rendered with markers where their JSON goes, then written around
    them."""
    context = build_context(doc)
    lists: tuple[Streamed, Streamed] = (context.pop("data"), context.pop("surface"))
    page = {**context, "data": Placeholder(lists[0].marker), "surface": Placeholder(lists[1].marker)}
    rest = _environment().get_template(TEMPLATE_NAME).render(page)
    for streamed in lists:
        head, rest = rest.split(streamed.marker)  # exactly once each, in this order
        yield head
        yield from streamed.pieces()
    yield rest


def render_html(doc: FindingsDocument) -> str:
    """The complete, self-contained HTML report for one findings document."""
    return "".join(iter_html(doc))


__all__ = ["build_context", "iter_html", "order_findings", "render_html"]
