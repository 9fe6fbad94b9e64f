"""The audit flow shared by ``run``, ``demo`` and ``evaluate``: collect, evaluate, write."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from cloudaudit import __version__, collector, interrupt
from cloudaudit.collect.executor import observed
from cloudaudit.collect.targets import ProviderRun
from cloudaudit.completeness import assess
from cloudaudit.compliance.evaluate import ComplianceResult
from cloudaudit.engine import two_cores
from cloudaudit.engine.early import EarlyEvaluation, in_check_order
from cloudaudit.engine.mutelist import Mutelist
from cloudaudit.engine.registry import REGISTRY, CheckSpec
from cloudaudit.engine.units import parts
from cloudaudit.errors import ExitCode, UsageError
from cloudaudit.exposure.model import ExposureDocument
from cloudaudit.history.diff import Changes
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import FindingsDocument, RunInfo
from cloudaudit.model.inventory import Inventory
from cloudaudit.report.asff import import_account, iter_asff
from cloudaudit.report.csv_report import iter_csv
from cloudaudit.report.files import prepare_dir
from cloudaudit.report.forked import MIN_FINDINGS, Job, write_jobs
from cloudaudit.report.html import iter_html, prepared_html
from cloudaudit.report.json_report import iter_findings, iter_inventory
from cloudaudit.report.junit import iter_junit
from cloudaudit.report.ocsf import iter_ocsf
from cloudaudit.report.page_ahead import PageAhead
from cloudaudit.report.sarif import iter_sarif
from cloudaudit.report.stream import Chunks
from cloudaudit.spool import FindingSpool

log = logging.getLogger(__name__)

Renderer = Callable[[FindingsDocument], Chunks]
"""A report's text in pieces, written as they come (a big report is never held whole)."""
FORMATS: dict[str, tuple[str, Renderer]] = {
    "json": ("findings.json", iter_findings),
    "html": ("report.html", iter_html),
    "csv": ("findings.csv", iter_csv),
    "sarif": ("findings.sarif", iter_sarif),
    "ocsf": ("findings.ocsf.json", iter_ocsf),
    "asff": ("findings.asff.json", iter_asff),
    "junit": ("junit.xml", iter_junit),
}


@dataclass(frozen=True)
class Selection:
    """Which checks run, which findings are muted, and what fails the run."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    mutelist: Mutelist | None = None
    fail_on: Severity | None = None

    def checks(self, *providers: str) -> list[CheckSpec]:
        """The selected checks of these providers (each runs on its own provider's assets only)."""
        chosen = [c for c in REGISTRY.select(self.include, self.exclude) if c.provider in providers]
        if not chosen:
            raise UsageError(f"no {' or '.join(providers)} check selected")
        return chosen


@dataclass
class Result:
    """What a run produced."""

    document: FindingsDocument
    files: list[Path] = field(default_factory=list)
    account_files: list[Path] = field(default_factory=list)
    """The per-account report sets (``accounts/<id>/``) of a run covering several accounts."""

    def exit_code(self, fail_on: Severity | None, fail_on_gaps: bool = False) -> ExitCode:
        """INTERRUPTED (Ctrl-C in this process), then RUNTIME (incomplete run, or any gap with
        ``fail_on_gaps``), then FINDINGS when a FAIL at or above ``fail_on`` exists, else OK."""
        if interrupt.requested():
            return ExitCode.INTERRUPTED
        if self.document.run.incomplete or (fail_on_gaps and self.document.coverage):
            return ExitCode.RUNTIME
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
    if "asff" in formats:
        import_account()  # a bad CLOUDAUDIT_ASFF_ACCOUNT fails before any API call
    return formats


def parse_regions(text: str) -> tuple[str, ...] | None:
    """``all`` -> None (every enabled region); ``a,b`` -> ("a", "b"); nothing listed is a usage error."""
    if text.strip().lower() == "all":
        return None
    regions = tuple(dict.fromkeys(r.strip() for r in text.split(",") if r.strip()))
    if not regions:
        raise UsageError("--regions is empty: list regions (e.g. us-east-1,eu-west-1) or use 'all'")
    return regions


@contextmanager
def collecting(
    runs: Sequence[ProviderRun], checks: Sequence[CheckSpec], mutelist: Mutelist | None
) -> Iterator[EarlyEvaluation | None]:
    """The block where ``runs`` are collected: for one target read here, the checks of the services
    already read are evaluated meanwhile (:mod:`cloudaudit.engine.early`); pass what this yields to
    :func:`findings_document`. The helper process is ended when the block ends."""
    single = len(runs) == 1 and len(runs[0].targets) == 1 and runs[0].options.executor is None
    early = EarlyEvaluation.start(checks, mutelist) if single else None
    try:
        with observed(early):
            yield early
    except BaseException:
        if early is not None:
            early.findings()  # the helper ends (and is reaped) with the run
        raise


def findings_document(
    inventory: Inventory,
    checks: Sequence[CheckSpec],
    mutelist: Mutelist | None,
    early: EarlyEvaluation | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> FindingsDocument:
    """Evaluate the checks over an inventory, one evaluation unit (:mod:`cloudaudit.engine.units`)
    at a time (a large one on two cores: :mod:`cloudaudit.engine.two_cores`); the findings go to a
    spool (:mod:`cloudaudit.spool`: on disk past its limit). ``early``: the checks evaluated while
    the inventory was collected (one unit only), whose findings are taken as they are; ``meanwhile``:
    work for later, done while the helper that evaluated them finishes its last check."""
    findings = FindingSpool()
    units = list(parts(inventory))
    with collector.paused():
        done = early.findings(meanwhile) if early is not None else {}  # ends the helper in any case
        done = done if len(units) == 1 else {}
        rest = [c for c in checks if c.id not in done]
        for part in units:
            evaluated = two_cores.evaluate(part, rest, mutelist)
            findings.extend(in_check_order(checks, done, evaluated) if done else evaluated)
    scope = inventory.scope
    completeness = assess(inventory.gaps)
    return FindingsDocument(
        run=RunInfo(
            tool_version=__version__,
            provider=scope.provider,
            providers=list(scope.providers),
            accounts=list(scope.accounts),
            regions=list(scope.regions),
            started=scope.started,
            finished=scope.finished,
            checks_run=len(checks),
            incomplete=completeness.incomplete,
            interrupted=completeness.interrupted,
            not_read=completeness.not_read,
            notes=mutelist.notes() if mutelist else [],
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
    compliance: Sequence[ComplianceResult] = (),
    since: Changes | None = None,
    ahead: PageAhead | None = None,
) -> list[Path]:
    """Write the requested formats (and the inventory, the exposure observations) owner-only; the HTML
    report's overview shows the ``compliance`` results' scores, and opens with ``since`` (what changed
    since the previous stored run) when there is a store. ``ahead``: the child process that packed the
    findings for the HTML report (:mod:`cloudaudit.report.page_ahead`), which writes it if it can."""
    prepare_dir(output_dir)
    fork = len(doc.findings) >= MIN_FINDINGS
    jobs = []
    paths: list[Path] = []
    if inventory is not None:
        jobs.append(Job(output_dir / "inventory.json", partial(iter_inventory, inventory)))
    if observations is not None:
        jobs.append(Job(output_dir / "exposure.json", lambda: observations.model_dump_json(indent=2) + "\n"))
    paths.extend(job.path for job in jobs)
    handed = False
    with collector.paused():
        for fmt in formats:
            name, render = FORMATS[fmt]
            paths.append(output_dir / name)
            if fmt != "html":
                jobs.append(Job(output_dir / name, partial(render, doc)))
            elif ahead is not None and ahead.hand_over(doc, compliance, since, output_dir / name):
                handed = True
            elif fork:  # part of the writer's work (the longest share) is done here, before the fork
                jobs.append(Job(output_dir / name, prepared_html(doc, compliance, since), aside=True))
            else:
                jobs.append(Job(output_dir / name, partial(iter_html, doc, compliance, since), aside=True))
        try:
            write_jobs(jobs, fork=fork)
        finally:
            if handed and ahead is not None:
                ahead.wait()
    return paths
