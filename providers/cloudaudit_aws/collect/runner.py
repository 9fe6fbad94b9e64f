"""Collect one AWS account: its session, regions and service units, run by the core's executor."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Executor

from cloudaudit.collect import executor
from cloudaudit.collect import guard as core
from cloudaudit.collect.units import Survey
from cloudaudit.errors import RunInterrupted, UsageError
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Failed, Guard
from cloudaudit_aws.collect.services import COLLECTORS
from cloudaudit_aws.collect.session import AwsSession

log = logging.getLogger(__name__)


class AwsUnits:
    """One AWS account as units of (service x region), for the core's executors.

    Everything a unit needs comes from the options' Target (profile, ``endpoint_url``, the role to
    assume): a Dask worker rebuilds the session with its own credentials.
    """

    provider = PROVIDER
    noun = "AWS account"

    def specs(self) -> Sequence[ServiceCollector]:
        """Every AWS service collector."""
        return COLLECTORS

    def session(self, options: CollectOptions) -> AwsSession:
        """The target's session: its profile's, or its account's role's (no call made)."""
        return AwsSession.of(options.target, options.max_workers)

    def survey(self, session: AwsSession, options: CollectOptions, stop: threading.Event) -> Survey:
        """The account of the credentials and the regions to audit."""
        account = session.identify()
        if stop.is_set():
            raise RunInterrupted("interrupted before any resource was read: no report written")
        guard = Guard(account, stop)
        regions = _resolve_regions(session, guard, options.regions)
        return Survey((account,), tuple(regions), guard.close())

    def guard(self, account: str, stop: threading.Event) -> Guard:
        """AWS's guard for ``account``."""
        return Guard(account, stop)

    def context(
        self,
        session: AwsSession,
        account: str,
        guard: core.Guard,
        survey: Survey,
        options: CollectOptions,
        details: Executor,
        progress: Progress,
    ) -> CollectContext:
        """What every AWS service collector receives."""
        assert isinstance(guard, Guard)
        return CollectContext(session, guard, survey.regions, details, progress)

    def close(self, session: AwsSession) -> None:
        """Nothing to release: botocore's connection pools end with the session."""


AWS_UNITS = AwsUnits()


def collect(options: CollectOptions, progress: Progress) -> Inventory:
    """Collect the account of ``options.target`` (a profile, or an account reached through its role)
    with the options' executor; raise CloudauditError when it cannot be audited at all
    (TargetUnavailable: the role cannot be assumed).

    When :data:`cloudaudit.interrupt.STOP` is set, what was read so far is returned, with an
    ``interrupted`` gap for every unit not finished; calls still in flight are abandoned.
    """
    return executor.collect(AWS_UNITS, options, progress)


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
