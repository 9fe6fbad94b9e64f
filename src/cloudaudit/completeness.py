"""Whether a run read everything it should have, and what it could not read (provider-neutral)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cloudaudit.model.finding import RunInfo
from cloudaudit.model.inventory import CollectionGap, GapKind

SHOWN_CAUSES = 3
SHOWN_LINES = 5

_LABELS = {
    GapKind.THROTTLED: "throttled after retries",
    GapKind.SERVER: "server error",
    GapKind.CONNECTION: "endpoint unreachable",
    GapKind.CREDENTIALS: "credentials stopped working",
    GapKind.CRASH: "collector failed",
    GapKind.INTERRUPTED: "interrupted",
}


@dataclass(frozen=True)
class Completeness:
    """The verdict on one run's gaps."""

    incomplete: bool
    interrupted: bool
    not_read: list[str]


def assess(gaps: Sequence[CollectionGap]) -> Completeness:
    """Incomplete when a gap is the run's failure (errors, throttling, interruption), not a denial."""
    failed = [g for g in gaps if g.kind.incomplete]
    return Completeness(
        incomplete=bool(failed),
        interrupted=any(g.kind is GapKind.INTERRUPTED for g in gaps),
        not_read=not_read_lines(failed),
    )


def is_target_gap(gap: CollectionGap, account_noun: str) -> bool:
    """True for a gap on a whole target: the account (project, subscription) was not audited at all.

    Such a gap names the provider's word for an account as its service, with no region or resource.
    """
    return gap.service == account_noun and not gap.region and not gap.resource_id


def not_read_lines(gaps: Sequence[CollectionGap]) -> list[str]:
    """One sorted line per (service, region, kind).

    E.g. ``ec2 in us-east-1: server error (ServiceUnavailable: DescribeInstances, DescribeRegions)``.
    """
    groups: dict[tuple[str, str, GapKind], list[CollectionGap]] = defaultdict(list)
    for gap in gaps:
        if gap.kind is not GapKind.INTERRUPTED:
            groups[(gap.service, gap.region, gap.kind)].append(gap)
    lines = [
        _line(service, region, kind, groups[(service, region, kind)])
        for service, region, kind in sorted(groups)
    ]
    stopped = [g for g in gaps if g.kind is GapKind.INTERRUPTED]
    return [*lines, _interrupted_line(stopped)] if stopped else lines


def _interrupted_line(gaps: list[CollectionGap]) -> str:
    """``interrupted before reading: ec2 (eu-west-1, us-east-1), s3``: one line however many units."""
    regions: dict[str, set[str]] = defaultdict(set)
    for gap in gaps:
        regions[gap.service].update({gap.region} - {"", "global"})
    parts = [f"{s} ({', '.join(sorted(regions[s]))})" if regions[s] else s for s in sorted(regions)]
    return f"interrupted before reading: {', '.join(parts)}"


def _line(service: str, region: str, kind: GapKind, gaps: list[CollectionGap]) -> str:
    by_code: dict[str, set[str]] = defaultdict(set)
    for gap in gaps:
        by_code[gap.error_code].add(gap.operation)
    causes = "; ".join(f"{code}: {_first(sorted(by_code[code]))}" for code in sorted(by_code))
    resources = sum(1 for g in gaps if g.resource_id)
    if resources:
        causes += f"; {resources} resource(s)"
    where = service if region in ("", "global") else f"{service} in {region}"
    return f"{where}: {_LABELS.get(kind, kind.value)} ({causes})"


def _first(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN_CAUSES])
    return shown + (f" +{len(items) - SHOWN_CAUSES} more" if len(items) > SHOWN_CAUSES else "")


def headline(not_read: Sequence[str]) -> str:
    """The terminal line of an incomplete run (the first few of ``not_read``)."""
    shown = "; ".join(not_read[:SHOWN_LINES])
    if len(not_read) > SHOWN_LINES:
        shown += f"; +{len(not_read) - SHOWN_LINES} more (see the report)"
    return f"INCOMPLETE audit, not read: {shown}"


def mark_interrupted(run: RunInfo, what: str) -> RunInfo:
    """``run`` marked as stopped by the user, with ``what`` listed as not read."""
    return run.model_copy(update={"interrupted": True, "incomplete": True, "not_read": [*run.not_read, what]})
