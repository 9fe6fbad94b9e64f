"""Several findings files (one per provider, account or run) merged into one document for one report.

- ``run``: the providers, accounts, regions and exposure sources of every file (in the order given);
  the earliest start and the latest end; incomplete or interrupted when any file is; every
  ``not_read`` line, exposure note and note; ``checks_run`` counts each provider set once (the most
  checks any file of that set ran), so two accounts audited with the same checks are not counted twice.
- ``findings``: concatenated in the order of the files. The same check on the same resource of the same
  account in two files (the same run given twice, or two runs of one account) is kept once, from the
  file whose run ended last, and a note in ``run.notes`` says how many were dropped from which file.
  A check that reports one resource several times within a file keeps all of them.
- ``coverage``: every gap, exact repeats once. ``surface``: one entry per endpoint, from the file whose
  run ended last, strongest evidence first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cloudaudit.model.finding import FINDINGS_SCHEMA_VERSION, Finding, FindingsDocument, RunInfo
from cloudaudit.model.providers import provider_label
from cloudaudit.model.surface import SurfaceEntry
from cloudaudit.report.json_report import load_findings
from cloudaudit.report.machine import utc
from cloudaudit.terminal import printable

T = TypeVar("T")

Key = tuple[str, str, str]
"""(check id, resource id, account): what makes two findings the same finding."""


def _union(lists: Iterable[Iterable[T]]) -> list[T]:
    return list(dict.fromkeys(item for items in lists for item in items))


@dataclass(frozen=True)
class Merged:
    """The merged document, and what the merge itself says (also the last of ``run.notes``)."""

    document: FindingsDocument
    notes: list[str] = field(default_factory=list)


def finding_key(f: Finding) -> Key:
    """The identity of a finding across files."""
    return (f.check_id, f.resource_id, f.account)


def _checks_run(runs: Sequence[RunInfo]) -> int:
    most: dict[tuple[str, ...], int] = {}
    for run in runs:
        key = tuple(sorted(run.providers))
        most[key] = max(most.get(key, 0), run.checks_run)
    return sum(most.values())


def _owners(docs: Sequence[FindingsDocument]) -> dict[Key, int]:
    """For each finding key, the file that keeps it: the one whose run ended last (the first on a tie)."""
    owners: dict[Key, int] = {}
    for index, doc in enumerate(docs):
        for f in doc.findings:
            key = finding_key(f)
            owner = owners.get(key)
            if owner is None or (owner != index and utc(doc.run.finished) > utc(docs[owner].run.finished)):
                owners[key] = index
    return owners


def _surface(docs: Sequence[FindingsDocument]) -> list[SurfaceEntry]:
    latest: dict[str, tuple[int, SurfaceEntry]] = {}
    for index, doc in enumerate(docs):
        for entry in doc.surface:
            kept = latest.get(entry.endpoint)
            if kept is None or (kept[0] != index and utc(doc.run.finished) > utc(docs[kept[0]].run.finished)):
                latest[entry.endpoint] = (index, entry)
    return sorted((e for _, e in latest.values()), key=lambda e: (-e.level.rank, e.endpoint))


def merge_documents(docs: Sequence[FindingsDocument], names: Sequence[str]) -> Merged:
    """One document from several (``names`` name them in notes, in the same order)."""
    if len(docs) == 1:
        return Merged(docs[0])
    owners = _owners(docs)
    findings: list[Finding] = []
    dropped: Counter[tuple[int, int]] = Counter()
    """(file, file that kept the same findings) -> how many of the first were dropped."""
    for index, doc in enumerate(docs):
        for f in doc.findings:
            owner = owners[finding_key(f)]
            if owner == index:
                findings.append(f)
            else:
                dropped[(index, owner)] += 1
    runs = [d.run for d in docs]
    said = [f"merged {len(docs)} findings files: {', '.join(printable(n, 200) for n in names)}"]
    for (index, owner), count in sorted(dropped.items()):
        said.append(
            f"{count} finding(s) of {printable(names[index], 200)} repeat findings of "
            f"{printable(names[owner], 200)} (same check, resource and account): kept once, from the "
            "run that ended last (the first file given on a tie)"
        )
    providers = _union(r.providers for r in runs)
    run = RunInfo(
        tool=runs[0].tool,
        tool_version=", ".join(dict.fromkeys(r.tool_version for r in runs)),
        provider=provider_label(providers),
        providers=providers,
        accounts=_union(r.accounts for r in runs),
        regions=_union(r.regions for r in runs),
        started=min((r.started for r in runs), key=utc),
        finished=max((r.finished for r in runs), key=utc),
        checks_run=_checks_run(runs),
        exposure_sources=_union(r.exposure_sources for r in runs),
        exposure_notes=_union(r.exposure_notes for r in runs),
        incomplete=any(r.incomplete for r in runs),
        interrupted=any(r.interrupted for r in runs),
        not_read=_union(r.not_read for r in runs),
        notes=[*_union(r.notes for r in runs), *said],
    )
    document = FindingsDocument(
        schema_version=FINDINGS_SCHEMA_VERSION,
        run=run,
        findings=findings,
        coverage=_union(d.coverage for d in docs),
        surface=_surface(docs),
    )
    return Merged(document, said)


def load_merged(paths: Sequence[Path]) -> Merged:
    """Read every findings file (each checked as ``report`` checks one) and merge them."""
    return merge_documents([load_findings(p) for p in paths], [str(p) for p in paths])
