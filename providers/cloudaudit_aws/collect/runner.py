"""Run the AWS collection units ((account, region, service)) in a bounded pool."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from cloudaudit.errors import UsageError
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Guard
from cloudaudit_aws.collect.services import COLLECTORS
from cloudaudit_aws.collect.session import AwsSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unit:
    """One independent piece of collection work."""

    service: str
    region: str
    run: Callable[[], list[Asset]]


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the configured account; raise CloudauditError when it cannot be audited at all."""
    started = datetime.now(UTC)
    aws = AwsSession(options.profile, options.max_workers)
    account = aws.identify()
    guard = Guard(account)
    regions = _resolve_regions(aws, guard, options.regions)
    collectors = [c for c in COLLECTORS if options.services is None or c.service in options.services]
    log.info(
        "auditing AWS account %s, %d region(s), services: %s",
        account,
        len(regions),
        ", ".join(c.service for c in collectors),
    )

    with (
        ThreadPoolExecutor(options.max_workers, thread_name_prefix="detail") as detail_pool,
        ThreadPoolExecutor(min(8, options.max_workers), thread_name_prefix="unit") as unit_pool,
    ):
        ctx = CollectContext(aws, guard, tuple(regions), detail_pool, progress)
        units = [
            Unit(c.service, region, _bind(c, ctx, region))
            for c in collectors
            for region in (regions if c.regional else ["global"])
        ]
        progress.add_total(len(units))
        futures: list[tuple[Unit, Future[list[Asset]]]] = [(u, unit_pool.submit(u.run)) for u in units]
        assets: list[Asset] = []
        for unit, future in futures:
            assets.extend(_unit_result(unit, future, guard))
            progress.advance(f"{unit.service} {unit.region}")

    return Inventory(
        scope=ScanScope(
            provider=PROVIDER,
            accounts=(account,),
            regions=tuple(regions),
            started=started,
            finished=datetime.now(UTC),
        ),
        assets=tuple(assets),
        gaps=guard.gaps,
    )


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
        )
        return []


def _resolve_regions(aws: AwsSession, guard: Guard, requested: tuple[str, ...] | None) -> list[str]:
    enabled, error = aws.enabled_regions()
    if error:
        guard.record(
            service="ec2",
            region=aws.home_region,
            operation="DescribeRegions",
            code=error,
            message="could not list enabled regions; auditing only the requested or home region",
        )
        return list(requested) if requested else enabled
    if not requested:
        return enabled
    unknown = [r for r in requested if r not in enabled]
    if unknown:
        raise UsageError(f"region(s) not enabled for this account or unknown: {', '.join(unknown)}")
    return list(requested)
