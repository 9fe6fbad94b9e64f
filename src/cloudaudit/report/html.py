"""Self-contained HTML report: the attack surface, an overview with charts, then the findings (filtered,
searched, sorted, grouped, by resource), their data packed once (:mod:`cloudaudit.report.packed`)."""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from typing import TYPE_CHECKING, Any

from cloudaudit.compliance import catalog as compliance_catalog
from cloudaudit.compliance.evaluate import ComplianceResult
from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.history.diff import Changes
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument
from cloudaudit.report.packed import LEVEL_ORDER, SEVERITY_ORDER, STATUS_ORDER, FindingsPack, surface_pieces
from cloudaudit.report.stream import Chunks, joined
from cloudaudit.spool import is_spilled, sort_findings

if TYPE_CHECKING:
    from jinja2 import Environment

TEMPLATE_NAME = "report.html.j2"

SEVERITIES: tuple[Severity, ...] = SEVERITY_ORDER
"""Worst first: critical, high, medium, low, info."""

STATUSES: tuple[Status, ...] = STATUS_ORDER
"""Display (and sort) order of statuses: what needs attention first."""

OPEN_STATUSES: tuple[Status, ...] = (Status.FAIL, Status.UNKNOWN, Status.ERROR)
"""Findings to act on: the findings list shows them first, and the overview counts them ("open")."""

DEFAULT_STATUSES: frozenset[Status] = frozenset(OPEN_STATUSES)
"""Statuses shown by the findings list before the reader changes the filters."""

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

DIMENSIONS: tuple[tuple[str, str], ...] = (
    ("provider", "Provider"),
    ("account", "Account"),
    ("region", "Region"),
    ("service", "Service"),
)
"""Finding fields the overview counts by (and the findings list filters by), with their headings."""

SORTS: tuple[tuple[str, str], ...] = (
    ("report", "Status, severity, exposure (report order)"),
    ("severity", "Severity"),
    ("exposure", "Exposure evidence"),
    ("check", "Check"),
    ("resource", "Resource name"),
    ("service", "Service"),
    ("account", "Account"),
    ("region", "Region"),
)
"""What the findings list sorts by (key, label); the first is the order of the data."""

GROUPINGS: tuple[tuple[str, str], ...] = (
    ("none", "No grouping"),
    ("check", "Check"),
    ("resource", "Resource"),
)

CHART_WIDTH = 640
"""Width of the charts' coordinate system (they scale to the page)."""
BAR_ROW = 44
"""Height of one bar's row."""
LABEL_WIDTH = 150
"""Room for the labels left of the bars."""
NUMBER_WIDTH = 40
"""Room for the figures right of the bars."""


@dataclass(frozen=True, slots=True)
class Row:
    """Counts by status of the findings of one value (a service, an account...)."""

    value: str
    counts: dict[str, int]
    open: int
    total: int


@dataclass(frozen=True, slots=True)
class Segment:
    """One status's part of a bar: where it starts and how wide it is (chart units)."""

    status: str
    x: float
    width: float
    count: int


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart: its label, its segments and what the figures say in words."""

    label: str
    y: int
    segments: tuple[Segment, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Chart:
    """A horizontal bar chart drawn as inline SVG by the template."""

    id: str
    title: str
    bars: tuple[Bar, ...]
    height: int
    width: int = CHART_WIDTH
    label_width: int = LABEL_WIDTH
    bar_width: int = CHART_WIDTH - LABEL_WIDTH - NUMBER_WIDTH


def _chart(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[tuple[str, int]], str]]) -> Chart:
    """Bars scaled to the largest total; ``rows`` are (label, (status, count)..., text)."""
    span = CHART_WIDTH - LABEL_WIDTH - NUMBER_WIDTH
    biggest = max((sum(c for _, c in parts) for _, parts, _ in rows), default=0) or 1
    bars = []
    for i, (label, parts, text) in enumerate(rows):
        x, segments = float(LABEL_WIDTH), []
        for status, count in parts:
            if count:
                width = round(span * count / biggest, 2)
                segments.append(Segment(status, round(x, 2), width, count))
                x += width
        bars.append(Bar(label, i * BAR_ROW, tuple(segments), text))
    return Chart(chart_id, title, tuple(bars), max(1, len(rows)) * BAR_ROW)


def _counts_text(counts: dict[str, int], statuses: Sequence[Status]) -> str:
    """``12 FAIL · 3 UNKNOWN`` (statuses with none left out; ``0`` when all are)."""
    parts = [f"{counts[s.value]:,} {s.value}" for s in statuses if counts.get(s.value)]
    return " · ".join(parts) or "0"


@cache
def _environment() -> Environment:
    """The shared, autoescaping, strict Jinja environment (built once)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

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


def compile_template() -> None:
    """Import Jinja and compile the report's template now (once per process: 0.06-0.09 s), so that a
    process forked later to write the page starts with them."""
    _environment().get_template(TEMPLATE_NAME)


@dataclass(frozen=True, slots=True)
class Streamed:
    """A JSON island the page's data goes in: ``tojson`` writes a random marker (the account's data
    cannot guess it), which :func:`iter_html` replaces with the pieces."""

    pieces: Callable[[], Iterator[str]]
    marker: str = field(default_factory=lambda: f"streamed-{secrets.token_hex(16)}")


@dataclass(frozen=True, slots=True)
class Placeholder:
    """What the template renders in place of a :class:`Streamed` island: its marker, and not its data
    (Jinja's render context lives in a reference cycle, which would keep the data until the collector
    runs)."""

    marker: str


def _dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps``, except that a streamed island stands as its marker (no character tojson escapes)."""
    if isinstance(value, Streamed | Placeholder):
        return value.marker
    return json.dumps(value, **kwargs)


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


def order_findings(findings: Sequence[Finding]) -> Iterator[Finding]:
    """Findings in report order: FAIL by severity (critical→info), exposure (exploitable first) and
    check id, then the others (spilled findings are sorted without being loaded together)."""
    return sort_findings(findings, _sort_key)


@dataclass(frozen=True, slots=True)
class Tally:
    """The counts the overview shows, from the pack's groups (a few thousand, not every finding)."""

    by_status: Counter[str]
    open_by_severity: dict[str, Counter[str]]
    open_by_level: Counter[str]
    by_dimension: dict[str, dict[str, Counter[str]]]
    """Dimension (provider, account...) -> value -> status -> count."""

    @classmethod
    def of(cls, pack: FindingsPack) -> Tally:
        strings = list(pack.table.strings)
        by_status: Counter[str] = Counter()
        open_by_severity: dict[str, Counter[str]] = {s.value: Counter() for s in SEVERITIES}
        open_by_level: Counter[str] = Counter()
        by_dimension: dict[str, dict[str, Counter[str]]] = {attr: {} for attr, _ in DIMENSIONS}
        for key, size in zip(pack.groups, pack.sizes, strict=True):
            status = STATUS_ORDER[key[1]]
            by_status[status.value] += size
            if status in DEFAULT_STATUSES:
                open_by_severity[SEVERITY_ORDER[key[2]].value][status.value] += size
                open_by_level[LEVEL_ORDER[key[3]].value] += size
            for (attr, _), index in zip(DIMENSIONS, key[4:8], strict=True):
                by_dimension[attr].setdefault(strings[index], Counter())[status.value] += size
        return cls(by_status, open_by_severity, open_by_level, by_dimension)

    def rows(self, attr: str) -> list[Row]:
        """One row per value of ``attr`` (alphabetical) with counts per status."""
        return [
            Row(
                value=value,
                counts={status.value: counts[status.value] for status in STATUSES},
                open=sum(counts[s.value] for s in OPEN_STATUSES),
                total=sum(counts.values()),
            )
            for value, counts in sorted(self.by_dimension[attr].items())
        ]


def _severity_chart(open_by_severity: dict[str, Counter[str]]) -> Chart:
    rows = [
        (
            sev.value,
            [(s.value, open_by_severity[sev.value][s.value]) for s in OPEN_STATUSES],
            f"{sum(open_by_severity[sev.value].values()):,} open ("
            + _counts_text(open_by_severity[sev.value], OPEN_STATUSES)
            + ")",
        )
        for sev in SEVERITIES
    ]
    return _chart("severity-chart", "Open findings by severity", rows)


def _service_chart(services: Sequence[Row]) -> Chart:
    ranked = sorted(services, key=lambda r: (-r.open, -r.total, r.value))
    rows = [
        (r.value, [(s.value, r.counts[s.value]) for s in STATUSES], _counts_text(r.counts, STATUSES))
        for r in ranked
    ]
    return _chart("service-chart", "Findings by service and status (most open first)", rows)


def _facets(pack: FindingsPack, tally: Tally) -> dict[str, list[tuple[str, str]]]:
    """The values the findings list filters by: (value, label) per facet, in display order."""
    facets: dict[str, list[tuple[str, str]]] = {
        "status": [(s.value, s.value) for s in STATUSES],
        "severity": [(s.value, s.value) for s in SEVERITIES],
        "exposure": [(level.value, level.value) for level in reversed(LEVEL_ORDER)],
    }
    for attr, _ in DIMENSIONS:
        facets[attr] = [(v, v) for v in sorted(tally.by_dimension[attr])]
    facets["check"] = [(check, pack.checks[check][1]) for check in sorted(pack.checks)]
    facets["framework"], facets["control"] = _framework_facets(check[3] for check in pack.checks.values())
    return facets


SINCE_LISTED = 50
"""New findings the "Since the last run" section lists by name (the others are counted)."""

NO_CONTROL = "(none)"
"""The framework and control facets' value for findings whose check no framework control lists."""


def _framework_facets(
    mappings: Iterable[Mapping[str, Sequence[str]]],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The framework facet (id, name and version) and the control facet (``FRAMEWORK CONTROL``, its
    title) of the findings' checks' mappings, in the frameworks' own control order."""
    used: dict[str, set[str]] = {}
    unmapped = False
    for mapping in mappings:
        unmapped |= not mapping
        for framework_id, listed_by in mapping.items():
            used.setdefault(framework_id, set()).update(listed_by)
    frameworks: list[tuple[str, str]] = []
    controls: list[tuple[str, str]] = []
    known = compliance_catalog()
    for framework_id in sorted(used):
        framework = known.get(framework_id)
        ids = used[framework_id]
        if framework is None:  # a file from another version: its ids, unlabelled
            frameworks.append((framework_id, framework_id))
            controls.extend((f"{framework_id} {c}", c) for c in sorted(ids))
            continue
        frameworks.append((framework_id, f"{framework.name} {framework.version}"))
        listed = [c for c in framework.controls if c.id in ids]
        controls.extend((f"{framework_id} {c.id}", c.title) for c in listed)
        rest = ids - {c.id for c in listed}
        controls.extend((f"{framework_id} {c}", c) for c in sorted(rest))
    if unmapped:
        frameworks.append((NO_CONTROL, "checks no framework control lists"))
        controls.append((NO_CONTROL, "checks no framework control lists"))
    return frameworks, controls


FACET_LABELS: tuple[tuple[str, str], ...] = (
    ("status", "Status"),
    ("severity", "Severity"),
    ("exposure", "Exposure"),
    *DIMENSIONS,
    ("check", "Check"),
    ("framework", "Framework"),
    ("control", "Framework control"),
)
"""The findings list's filters, in the order the page shows them."""

OPEN_FACETS = frozenset({"status", "severity", "exposure"})
DESCRIBED_FACETS = frozenset({"framework", "control"})
"""Filters whose values are shown with their label (a control's id alone says little)."""
"""Filters shown unfolded (short lists); the others unfold on demand, each value listed in full."""


@dataclass(frozen=True)
class Prepared:
    """What an HTML report can have done before it is written: its findings in report order (None when
    they are on disk: sorted as the page is written), the attack surface's pieces, and the findings'
    pack (None: packed as the page is written)."""

    ordered: Sequence[Finding] | None
    surface: tuple[str, ...]
    pack: FindingsPack | None = None


def build_context(
    doc: FindingsDocument,
    compliance: Sequence[ComplianceResult] = (),
    since: Changes | None = None,
    prepared: Prepared | None = None,
) -> dict[str, Any]:
    """Everything the template needs, precomputed so the template stays logic-free (``compliance``: the
    frameworks judged with the run, whose scores the overview shows; ``since``: what changed since the
    previous run in the store, shown first, None without a store).

    ``data`` and ``surface`` (the islands the page's script reads) are :class:`Streamed`: :func:`iter_html`
    writes them.
    """
    ordered = prepared.ordered if prepared is not None else None
    pack = prepared.pack if prepared is not None else None
    if pack is None:
        pack = FindingsPack.of(order_findings(doc.findings) if ordered is None else ordered)
    tally = Tally.of(pack)
    by_status, open_by_severity, by_exposure = tally.by_status, tally.open_by_severity, tally.open_by_level
    breakdowns = [(attr, label, tally.rows(attr)) for attr, label in DIMENSIONS]
    services = breakdowns[-1][2]
    by_level = Counter(e.level.value for e in doc.surface)
    run = doc.run
    surface = doc.surface
    return {
        "schema_version": doc.schema_version,
        "run": run,
        "started": run.started.isoformat(),
        "finished": run.finished.isoformat(),
        "duration_seconds": max(0, round((run.finished - run.started).total_seconds())),
        "total": len(pack.g),
        "severities": [s.value for s in SEVERITIES],
        "open_statuses": [s.value for s in OPEN_STATUSES],
        "open_by_severity": {
            sev: {"total": sum(c.values()), **{s.value: c[s.value] for s in OPEN_STATUSES}}
            for sev, c in open_by_severity.items()
        },
        "open_total": sum(by_status[s.value] for s in OPEN_STATUSES),
        "statuses": [s.value for s in STATUSES],
        "default_statuses": sorted(s.value for s in DEFAULT_STATUSES),
        "by_status": {s.value: by_status[s.value] for s in STATUSES},
        "breakdowns": breakdowns,
        "severity_chart": _severity_chart(open_by_severity),
        "service_chart": _service_chart(services),
        "compliance": list(compliance),
        "since": since,
        "since_listed": since.new[:SINCE_LISTED] if since else (),
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
        "facets": _facets(pack, tally),
        "facet_labels": FACET_LABELS,
        "open_facets": OPEN_FACETS,
        "described_facets": DESCRIBED_FACETS,
        "no_control": NO_CONTROL,
        "sorts": SORTS,
        "groupings": GROUPINGS,
        "data": Streamed(pack.pieces),
        "surface": Streamed(lambda: iter(prepared.surface) if prepared else surface_pieces(surface)),
        "surface_total": len(doc.surface),
        "surface_ladder": [(level.value, by_level[level.value]) for level in reversed(ExposureLevel)],
        "surface_recorded": doc.schema_version not in UNRECORDED_SURFACE_VERSIONS,
        "surface_columns": SURFACE_COLUMNS,
    }


def prepared_html(
    doc: FindingsDocument, compliance: Sequence[ComplianceResult] = (), since: Changes | None = None
) -> Callable[[], Chunks]:
    """:func:`iter_html` of ``doc`` with part of its work done now: the template compiled, the findings
    put in report order (when they are in memory) and the attack surface packed. For the process that
    forks the report writer (:mod:`cloudaudit.report.forked`): the writer, whose share is the longest,
    starts with them done."""
    compile_template()
    findings = doc.findings
    ordered = None if is_spilled(findings) else list(order_findings(findings))
    prepared = Prepared(ordered, tuple(surface_pieces(doc.surface)))
    return partial(iter_html, doc, compliance, since, prepared)


def iter_html(
    doc: FindingsDocument,
    compliance: Sequence[ComplianceResult] = (),
    since: Changes | None = None,
    prepared: Prepared | None = None,
) -> Chunks:
    """The complete, self-contained HTML report for one findings document, in pieces: the page is
    rendered with markers where the data goes, then written around them. ``prepared``: what
    :func:`prepared_html` did beforehand."""
    context = build_context(doc, compliance, since, prepared)
    islands: tuple[Streamed, Streamed] = (context.pop("surface"), context.pop("data"))
    page = {**context, "surface": Placeholder(islands[0].marker), "data": Placeholder(islands[1].marker)}
    rest = _environment().get_template(TEMPLATE_NAME).render(page)
    del page, context
    for island in islands:
        head, rest = rest.split(island.marker)  # exactly once each, in this order
        yield head
        yield from island.pieces()
    yield rest


def render_html(
    doc: FindingsDocument, compliance: Sequence[ComplianceResult] = (), since: Changes | None = None
) -> str:
    """The complete, self-contained HTML report for one findings document."""
    return joined(iter_html(doc, compliance, since))


__all__ = ["build_context", "iter_html", "order_findings", "prepared_html", "render_html"]
