"""Run the AWS collection units ((account, region, service)) in a bounded pool, interruptibly."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from cloudaudit import interrupt
from cloudaudit.errors import RunInterrupted, UsageError
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import GapKind, Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Failed, Guard
from cloudaudit_aws.collect.pool import DaemonPool
from cloudaudit_aws.collect.services import COLLECTORS
from cloudaudit_aws.collect.session import AwsSession

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
"""How often waiting loops look at the stop flag (the bound on reacting to Ctrl-C)."""

T = TypeVar("T")


@dataclass(frozen=True)
class Unit:
    """One independent piece of collection work."""

    service: str
    region: str
    run: Callable[[], list[Asset]]


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the configured account; raise CloudauditError when it cannot be audited at all.

    When :data:`cloudaudit.interrupt.STOP` is set, what was read so far is returned, with an
    ``interrupted`` gap for every unit not finished; calls still in flight are abandoned.
    """
    started = datetime.now(UTC)
    stop = interrupt.STOP
    aws = AwsSession(options.profile, options.max_workers)
    unit_pool = DaemonPool(min(8, options.max_workers), "unit")
    detail_pool = DaemonPool(options.max_workers, "detail")
    try:
        account = _await(unit_pool.submit(aws.identify), stop)
        guard = Guard(account, stop)
        regions = _await(unit_pool.submit(_resolve_regions, aws, guard, options.regions), stop)
        collectors = [c for c in COLLECTORS if options.services is None or c.service in options.services]
        log.info(
            "auditing AWS account %s, %d region(s), services: %s",
            account,
            len(regions),
            ", ".join(c.service for c in collectors),
        )
        ctx = CollectContext(aws, guard, tuple(regions), detail_pool, progress)
        units = [
            Unit(c.service, region, _bind(c, ctx, region))
            for c in collectors
            for region in (regions if c.regional else ["global"])
        ]
        progress.add_total(len(units))
        assets = _run_units(units, unit_pool, guard, progress, stop)
        gaps = guard.close()
    finally:
        for pool in (unit_pool, detail_pool):
            pool.shutdown(wait=False, cancel_futures=True)

    return Inventory(
        scope=ScanScope(
            provider=PROVIDER,
            accounts=(account,),
            regions=tuple(regions),
            started=started,
            finished=datetime.now(UTC),
        ),
        assets=tuple(assets),
        gaps=gaps,
    )


def _await(future: Future[T], stop: threading.Event) -> T:
    """The future's result, unless the run is stopped first (then RunInterrupted)."""
    while not stop.is_set():
        try:
            return future.result(timeout=POLL_SECONDS)
        except TimeoutError:
            continue
    raise RunInterrupted("interrupted before any resource was read: no report written")


def _run_units(
    units: list[Unit], pool: DaemonPool, guard: Guard, progress: Progress, stop: threading.Event
) -> list[Asset]:
    """The units' assets in unit order; on stop, unfinished units become interrupted gaps."""
    pending = {pool.submit(u.run): i for i, u in enumerate(units)}
    results: dict[int, list[Asset]] = {}

    def harvest(futures: set[Future[list[Asset]]]) -> None:
        for future in futures:
            index = pending.pop(future)
            results[index] = _unit_result(units[index], future, guard)
            progress.advance(f"{units[index].service} {units[index].region}")

    while pending and not stop.is_set():
        harvest(wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED).done)
    harvest({f for f in pending if f.done() and not f.cancelled()})
    for index in sorted(pending.values()):
        unit = units[index]
        guard.record_interrupted(service=unit.service, region=unit.region, operation="collect")
    return [asset for index in sorted(results) for asset in results[index]]


def _bind(collector: ServiceCollector, ctx: CollectContext, region: str) -> Callable[[], list[Asset]]:
    return lambda: collector.collect(ctx, region)


def _unit_result(unit: Unit, future: Future[list[Asset]], guard: Guard) -> list[Asset]:
    """The unit's assets; an unexpected crash becomes a gap, never a lost audit."""
    try:
        return future.result()
    except Exception as exc:  # isolate one unit's bug from the rest of the audit
        log.debug("collection unit %s/%s crashed", unit.service, unit.region, exc_info=True)
        guard.record(
            service=unit.service,
            region=unit.region,
            operation="collect",
            code=type(exc).__name__,
            message=str(exc) or "unexpected error (see --debug)",
            kind=GapKind.CRASH,
        )
        return []


def _resolve_regions(aws: AwsSession, guard: Guard, requested: tuple[str, ...] | None) -> list[str]:
    listed = guard.call(aws.client("ec2").describe_regions, service="ec2", region=aws.home_region)
    if isinstance(listed, Failed) or not isinstance(listed, dict):
        fallback = list(requested) if requested else [aws.home_region]
        log.warning("could not list enabled regions; auditing only %s", ", ".join(fallback))
        return fallback
    enabled = sorted(r["RegionName"] for r in listed.get("Regions", []))
    if not requested:
        return enabled
    unknown = [r for r in requested if r not in enabled]
    if unknown:
        raise UsageError(f"region(s) not enabled for this account or unknown: {', '.join(unknown)}")
    return list(requested)
