"""Collect one GCP project: its session and service units, run by the core's executor."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Executor

from cloudaudit.collect import executor
from cloudaudit.collect import guard as core
from cloudaudit.collect.units import Survey
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit_gcp.assets import PROVIDER
from cloudaudit_gcp.collect.context import CollectContext, ServiceCollector
from cloudaudit_gcp.collect.guard import Guard
from cloudaudit_gcp.collect.services import COLLECTORS
from cloudaudit_gcp.collect.session import GcpSession


class GcpUnits:
    """One GCP project as units, one per service: each reads every region at once (aggregated
    lists) and keeps the regional resources of ``options.regions``; global resources (firewalls,
    networks, buckets) are always read."""

    provider = PROVIDER
    noun = "GCP project"

    def specs(self) -> Sequence[ServiceCollector]:
        """Every GCP service collector."""
        return COLLECTORS

    def session(self, options: CollectOptions) -> GcpSession:
        """The target project's session (credentials loaded, no call made)."""
        return GcpSession(options.target, options.max_workers)

    def survey(self, session: GcpSession, options: CollectOptions, stop: threading.Event) -> Survey:
        """The project, once the credentials are checked."""
        return Survey((session.identify(),))

    def guard(self, account: str, stop: threading.Event) -> Guard:
        """GCP's guard for project ``account``."""
        return Guard(account, stop)

    def context(
        self,
        session: GcpSession,
        account: str,
        guard: core.Guard,
        survey: Survey,
        options: CollectOptions,
        details: Executor,
        progress: Progress,
    ) -> CollectContext:
        """What every GCP service collector receives."""
        assert isinstance(guard, Guard)
        return CollectContext(session, guard, options.regions, details, progress)

    def close(self, session: GcpSession) -> None:
        """Drop the session's clients and discovery documents."""
        session.close()


GCP_UNITS = GcpUnits()


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the project of ``options.target``; raise CloudauditError when it cannot be audited at all.

    After Ctrl-C what was read so far is returned, with ``interrupted`` gaps.
    """
    return executor.collect(GCP_UNITS, options, progress)
