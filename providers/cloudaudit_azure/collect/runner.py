"""Collect one Azure target: its subscriptions, each a set of service units run by the core engine."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from cloudaudit import interrupt
from cloudaudit.collect import engine
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import CollectionGap, Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit.terminal import printable
from cloudaudit_azure.assets import PROVIDER
from cloudaudit_azure.collect.context import CollectContext
from cloudaudit_azure.collect.guard import Guard
from cloudaudit_azure.collect.identity import subscriptions
from cloudaudit_azure.collect.services import COLLECTORS
from cloudaudit_azure.collect.session import AzureSession

log = logging.getLogger(__name__)


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the subscriptions of ``options.target``; raise CloudauditError when none can be audited.

    Each service is one unit per subscription that lists subscription-wide and keeps the locations of
    ``options.regions``. After Ctrl-C what was read so far is returned, with ``interrupted`` gaps.
    """
    started = datetime.now(UTC)
    stop = interrupt.STOP
    azure = AzureSession(options.target, options.max_workers)
    assets: list[Asset] = []
    gaps: list[CollectionGap] = []
    collectors = [c for c in COLLECTORS if options.services is None or c.service in options.services]
    with engine.pools(options.max_workers) as pools:
        audited = engine.await_or_stop(pools.units.submit(subscriptions, azure), stop)
        for subscription in audited:
            log.info(
                "auditing Azure subscription %s, services: %s",
                printable(subscription),
                ", ".join(c.service for c in collectors),
            )
            guard = Guard(subscription, stop)
            ctx = CollectContext(azure, subscription, guard, options.regions, pools.details, progress)
            assets += engine.run_units(engine.plan(collectors, ctx, ()), pools.units, guard, progress, stop)
            gaps += guard.close()
    azure.close()
    regions = sorted({a.region for a in assets} - {"global", ""})
    return Inventory(
        scope=ScanScope(
            provider=PROVIDER,
            accounts=tuple(audited),
            regions=tuple(options.regions or regions),
            started=started,
            finished=datetime.now(UTC),
        ),
        assets=tuple(assets),
        gaps=tuple(gaps),
    )
