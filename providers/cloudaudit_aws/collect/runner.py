"""Collect one AWS account: its session, regions and service units, run by the core engine."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from cloudaudit import interrupt
from cloudaudit.collect import engine
from cloudaudit.errors import UsageError
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.collect.context import CollectContext
from cloudaudit_aws.collect.guard import Failed, Guard
from cloudaudit_aws.collect.services import COLLECTORS
from cloudaudit_aws.collect.session import AwsSession

log = logging.getLogger(__name__)


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the account of ``options.target`` (a profile, or an account reached through its role);
    raise CloudauditError when it cannot be audited at all (TargetUnavailable: the role cannot be
    assumed).

    When :data:`cloudaudit.interrupt.STOP` is set, what was read so far is returned, with an
    ``interrupted`` gap for every unit not finished; calls still in flight are abandoned.
    """
    started = datetime.now(UTC)
    stop = interrupt.STOP
    aws = AwsSession.of(options.target, options.max_workers)
    with engine.pools(options.max_workers) as pools:
        account = engine.await_or_stop(pools.units.submit(aws.identify), stop)
        guard = Guard(account, stop)
        regions = engine.await_or_stop(
            pools.units.submit(_resolve_regions, aws, guard, options.regions), stop
        )
        collectors = [c for c in COLLECTORS if options.services is None or c.service in options.services]
        log.info(
            "auditing AWS account %s, %d region(s), services: %s",
            account,
            len(regions),
            ", ".join(c.service for c in collectors),
        )
        ctx = CollectContext(aws, guard, tuple(regions), pools.details, progress)
        assets = engine.run_units(engine.plan(collectors, ctx, regions), pools.units, guard, progress, stop)
        gaps = guard.close()

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
