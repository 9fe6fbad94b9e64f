"""The exposure stage of a run: targets -> sources -> correlation, folded into the findings document."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from cloudaudit import interrupt
from cloudaudit.completeness import mark_interrupted
from cloudaudit.engine.mutelist import Mutelist
from cloudaudit.exposure.correlate import correlate
from cloudaudit.exposure.model import ExposureDocument, ExposureGap, SourceResult, Target
from cloudaudit.exposure.probe_ports import plan_ports
from cloudaudit.exposure.sources import ExposureOptions, ExposureSource, build_sources, effective_specs
from cloudaudit.exposure.surface import build_surface
from cloudaudit.exposure.targets import targets_from_inventory
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.model.inventory import CollectionGap, Inventory
from cloudaudit.plugins import Progress
from cloudaudit.spool import with_more

log = logging.getLogger(__name__)


def _observe(source: ExposureSource, targets: Sequence[Target], progress: Progress) -> SourceResult:
    """Run one source; a crash becomes a gap on every target instead of ending the run."""
    try:
        return source.observe(targets, progress)
    except Exception as exc:  # a source bug must not lose the audit
        log.warning("exposure source %s failed: %s", source.name, type(exc).__name__, exc_info=True)
        reason = f"source failed ({type(exc).__name__})"
        return SourceResult(
            source=source.name,
            gaps=tuple(ExposureGap(source=source.name, host=t.host, reason=reason) for t in targets),
        )


def mapped_only(targets: Sequence[Target], options: ExposureOptions) -> list[Target]:
    """The targets (and ports) that some ``--connect-to`` mapping redirects."""
    kept: list[Target] = []
    for target in targets:
        ports = tuple(
            p for p in target.ports if any(m.matches(target.host, p.port) for m in options.connect_to)
        )
        if ports:
            kept.append(target.model_copy(update={"ports": ports}))
    return kept


def unused_mappings(targets: Sequence[Target], options: ExposureOptions) -> list[str]:
    """A warning per ``--connect-to`` that matches no planned endpoint (a typo, or a stale host)."""
    if not options.probe:
        return []
    return [
        f"--connect-to {m.host or '*'}:{m.port or '*'}: matches no endpoint discovered in the account "
        "(the probe only contacts discovered endpoints)"
        for m in options.connect_to
        if not any(m.matches(t.host, p.port) for t in targets for p in t.ports)
    ]


def _targets_for(
    source: ExposureSource,
    targets: Sequence[Target],
    options: ExposureOptions,
    earlier: Sequence[SourceResult],
    echo: Callable[[str], None],
) -> Sequence[Target]:
    """The probe gets the planned ports (configured, observed by ``earlier`` sources, wide ranges)."""
    if source.name != "probe":
        return targets
    planned = plan_ports(targets, earlier, options)
    for warning in unused_mappings(planned, options):
        echo(warning)
    return mapped_only(planned, options) if options.probe_only_mapped else planned


def _run_sources(
    targets: Sequence[Target], options: ExposureOptions, progress: Progress, echo: Callable[[str], None]
) -> list[SourceResult]:
    """Each source in turn (the probe last, planned from what the others saw), its plan printed first."""
    for note in effective_specs(options)[1]:
        echo(note)
    results: list[SourceResult] = []
    for source in build_sources(options):
        if interrupt.requested():
            break
        reached = _targets_for(source, targets, options, results, echo)
        for line in source.plan(reached).splitlines():  # one echo per line: each is made printable
            echo(line)
        results.append(_observe(source, reached, progress))
    return results


def _coverage(
    doc: FindingsDocument, inventory: Inventory, targets: Sequence[Target], gaps: Sequence[ExposureGap]
) -> list[CollectionGap]:
    """A coverage gap per exposure gap, on the provider and account of the asset owning the host."""
    owners = {t.host: t.asset_ids for t in targets}
    assets = {a.id: a for a in inventory.assets}

    def covered(gap: ExposureGap) -> CollectionGap:
        owner = next((assets[a] for a in owners.get(gap.host, ()) if a in assets), None)
        return CollectionGap(
            provider=owner.provider if owner else doc.run.provider,
            account=owner.account if owner else "",
            region="global",
            service=f"exposure:{gap.source}",
            operation="lookup" if gap.source != "probe" else "probe",
            error_code="NotChecked",
            message=gap.reason,
            resource_id=gap.host,
        )

    return [covered(g) for g in gaps]


def apply_exposure(
    doc: FindingsDocument,
    inventory: Inventory,
    options: ExposureOptions,
    progress: Progress,
    echo: Callable[[str], None],
    mutelist: Mutelist | None = None,
    recorded: ExposureDocument | None = None,
) -> tuple[FindingsDocument, ExposureDocument | None]:
    """Grade ``doc``'s findings on the evidence ladder, consulting the selected sources.

    With no source selected nothing is contacted: findings are still placed on the ladder from the
    configuration alone (configured / reachable). ``recorded`` (a saved ``exposure.json``) replaces
    the sources: the observations of an earlier run are re-used without contacting anyone. Returns
    the graded document and what the sources saw (None when no source ran).
    """
    targets = targets_from_inventory(inventory)
    results: list[SourceResult] = list(recorded.results) if recorded is not None else []
    if options.enabled and recorded is None:
        results = _run_sources(targets, options, progress, echo)
    correlation = correlate(doc.findings, inventory, targets, results)
    added = correlation.added
    if mutelist is not None and added:
        tags = {a.id: a.tags for a in inventory.assets}
        added = [mutelist.apply(f, tags.get(f.resource_id, {})) for f in added]
    findings = with_more(correlation.graded, added)
    gaps = [g for r in results for g in r.gaps]
    run = doc.run.model_copy(
        update={
            "exposure_sources": [r.source for r in results],
            "exposure_notes": [n for r in results for n in r.notes]
            + [f"{r.source}: {r.credits_used} credit(s) used" for r in results if r.credits_used],
        }
    )
    if options.enabled and recorded is None and interrupt.requested():
        run = mark_interrupted(
            run, "exposure sources: interrupted (not every endpoint was looked up or probed)"
        )
    graded = doc.model_copy(
        update={
            "run": run,
            "findings": findings,
            "coverage": [*doc.coverage, *_coverage(doc, inventory, targets, gaps)],
            "surface": build_surface(targets, inventory, findings, results),
        }
    )
    seen = ExposureDocument(targets=tuple(targets), results=tuple(results)) if results else None
    return graded, seen
