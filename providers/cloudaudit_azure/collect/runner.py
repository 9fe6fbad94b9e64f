"""Collect one Azure target: its subscriptions, each a set of service units run by the core's executor."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Executor

from cloudaudit.collect import executor
from cloudaudit.collect import guard as core
from cloudaudit.collect.units import Survey
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit_azure.assets import PROVIDER
from cloudaudit_azure.collect.context import CollectContext, ServiceCollector
from cloudaudit_azure.collect.guard import Guard
from cloudaudit_azure.collect.identity import subscriptions
from cloudaudit_azure.collect.services import COLLECTORS
from cloudaudit_azure.collect.session import AzureSession


class AzureUnits:
    """The subscriptions of one Azure target as units, one per subscription and service: each lists
    subscription-wide and keeps the locations of ``options.regions``."""

    provider = PROVIDER
    noun = "Azure subscription"

    def specs(self) -> Sequence[ServiceCollector]:
        """Every Azure service collector."""
        return COLLECTORS

    def session(self, options: CollectOptions) -> AzureSession:
        """The target's session (no call made)."""
        return AzureSession(options.target, options.max_workers)

    def survey(self, session: AzureSession, options: CollectOptions, stop: threading.Event) -> Survey:
        """The subscriptions to audit."""
        return Survey(tuple(subscriptions(session)))

    def guard(self, account: str, stop: threading.Event) -> Guard:
        """Azure's guard for subscription ``account``."""
        return Guard(account, stop)

    def context(
        self,
        session: AzureSession,
        account: str,
        guard: core.Guard,
        survey: Survey,
        options: CollectOptions,
        details: Executor,
        progress: Progress,
    ) -> CollectContext:
        """What every Azure service collector of subscription ``account`` receives."""
        assert isinstance(guard, Guard)
        return CollectContext(session, account, guard, options.regions, details, progress)

    def close(self, session: AzureSession) -> None:
        """Drop the clients and close the shared connections."""
        session.close()


AZURE_UNITS = AzureUnits()


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the subscriptions of ``options.target``; raise CloudauditError when none can be audited.

    After Ctrl-C what was read so far is returned, with ``interrupted`` gaps.
    """
    return executor.collect(AZURE_UNITS, options, progress)
