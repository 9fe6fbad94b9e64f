"""Collect one GCP project: its session and service units, run by the core engine."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from cloudaudit import interrupt
from cloudaudit.collect import engine
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit.terminal import printable
from cloudaudit_gcp.assets import PROVIDER
from cloudaudit_gcp.collect.context import CollectContext
from cloudaudit_gcp.collect.guard import Guard
from cloudaudit_gcp.collect.services import COLLECTORS
from cloudaudit_gcp.collect.session import GcpSession

log = logging.getLogger(__name__)


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the project of ``options.target``; raise CloudauditError when it cannot be audited at all.

    Every service is one unit that reads all regions at once (aggregated lists), keeping the
    regional resources of ``options.regions``; global resources (firewalls, networks, buckets) are
    always read. After Ctrl-C what was read so far is returned, with ``interrupted`` gaps.
    """
    started = datetime.now(UTC)
    stop = interrupt.STOP
    gcp = GcpSession(options.target, options.max_workers)
    with engine.pools(options.max_workers) as pools:
        project = engine.await_or_stop(pools.units.submit(gcp.identify), stop)
        guard = Guard(project, stop)
        collectors = [c for c in COLLECTORS if options.services is None or c.service in options.services]
        log.info(
            "auditing GCP project %s, services: %s",
            printable(project),
            ", ".join(c.service for c in collectors),
        )
        ctx = CollectContext(gcp, guard, options.regions, pools.details, progress)
        assets = engine.run_units(engine.plan(collectors, ctx, ()), pools.units, guard, progress, stop)
        gaps = guard.close()
    gcp.close()
    regions = sorted({a.region for a in assets} - {"global"})
    return Inventory(
        scope=ScanScope(
            provider=PROVIDER,
            accounts=(project,),
            regions=tuple(options.regions or regions),
            started=started,
            finished=datetime.now(UTC),
        ),
        assets=tuple(assets),
        gaps=gaps,
    )
