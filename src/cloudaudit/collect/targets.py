"""Collect every target of a run's scope (profiles, accounts, projects...), of one provider or
several, a few targets at a time, and merge their inventories."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

from cloudaudit import interrupt
from cloudaudit.collect.engine import POLL_SECONDS
from cloudaudit.collect.errors import TargetUnavailable
from cloudaudit.collect.pool import DaemonPool
from cloudaudit.errors import CloudauditError, CredentialsError, EndpointError, RunInterrupted
from cloudaudit.logs import redact
from cloudaudit.model.inventory import CollectionGap, GapKind, Inventory, ScanScope, merge
from cloudaudit.plugins import CollectOptions, Progress, ProviderPlugin, Target
from cloudaudit.terminal import printable

log = logging.getLogger(__name__)

DEFAULT_MAX_TARGETS = 4
"""Targets (accounts, projects, subscriptions) collected at once by default; each has its own pools."""


@dataclass(frozen=True)
class ProviderRun:
    """One provider's part of a run: what to collect and how."""

    plugin: ProviderPlugin
    options: CollectOptions
    targets: Sequence[Target]
    max_targets: int = DEFAULT_MAX_TARGETS
    """At most this many targets collected at once (``--max-accounts``)."""


ProgressFor = Callable[[ProviderPlugin], tuple[AbstractContextManager[object], Progress]]
"""A progress display (and the context that shows it) for one provider's collection."""

Outcome = Inventory | CloudauditError | None
"""What one target gave: its inventory, the error that kept it from being audited, or None (not read:
the run was interrupted first)."""


def collect_providers(runs: Sequence[ProviderRun], progress_for: ProgressFor) -> Inventory:
    """Each provider's targets in turn (see :func:`collect_targets`), merged into one inventory.

    After Ctrl-C the providers not read yet become ``interrupted`` gaps on their targets; only when
    nothing at all was read does the run end without a report.
    """
    inventories: list[Inventory] = []
    for run in runs:
        if inventories and interrupt.requested():
            inventories.append(_not_started(run.plugin.name, inventories[0].scope, run.targets))
            continue
        context, progress = progress_for(run.plugin)
        try:
            with context:
                inventories.append(
                    collect_targets(run.plugin, run.options, run.targets, progress, run.max_targets)
                )
        except RunInterrupted:
            if not inventories:
                raise
            inventories.append(_not_started(run.plugin.name, inventories[0].scope, run.targets))
    return merge(inventories)


def collect_targets(
    plugin: ProviderPlugin,
    options: CollectOptions,
    targets: Sequence[Target],
    progress: Progress,
    max_targets: int = 1,
) -> Inventory:
    """Every target collected, ``max_targets`` at a time (each with its own pools), merged in the
    order given.

    A target that cannot be audited at all (its role cannot be assumed, it denies access: the
    plugin raises a :class:`CloudauditError`) becomes a gap on that target, of the kind the error
    says, and the others go on; when no target could be audited, that error ends the run. A target
    whose account was already collected (two profiles of one account) is skipped. After Ctrl-C the
    targets not started are recorded as ``interrupted`` gaps; only when nothing at all was read does
    the run end without a report.
    """
    if len(targets) == 1:
        outcomes: list[Outcome] = [_collect_one(plugin, options, targets[0], progress, sweep=False)]
    else:
        outcomes = _collect_concurrently(plugin, options, targets, progress, max_targets)
    inventories: list[Inventory] = []
    failed: list[tuple[Target, CloudauditError]] = []
    unread: list[Target] = []
    for target, outcome in zip(targets, outcomes, strict=True):
        if isinstance(outcome, Inventory):
            seen = {a for inv in inventories for a in inv.scope.accounts}
            if seen and set(outcome.scope.accounts) <= seen:
                log.warning("%s: account already audited in this run, skipped", printable(target.label))
                continue
            inventories.append(outcome)
        elif isinstance(outcome, CloudauditError):
            failed.append((target, outcome))
        else:
            unread.append(target)
    if not inventories:
        if failed and not interrupt.requested():
            raise failed[0][1]
        raise RunInterrupted("interrupted before any resource was read: no report written")
    first = inventories[0].scope
    if failed:
        inventories.append(_unavailable(plugin, first, failed))
    if unread:
        inventories.append(_not_started(plugin.name, first, unread))
    return merge(inventories)


def _collect_one(
    plugin: ProviderPlugin, options: CollectOptions, target: Target, progress: Progress, sweep: bool = True
) -> Outcome:
    """One target's inventory, or why it could not be audited (None: interrupted before anything).

    ``sweep``: then free the reference cycles its SDK clients left (the run's raised gc thresholds keep
    them): worth it between targets; after the only one, ~1 MB for 0.06 s of a full collection."""
    if interrupt.requested():  # a target whose turn comes after Ctrl-C is not started
        return None
    try:
        return plugin.collect(replace(options, target=target), progress)
    except RunInterrupted:
        return None
    except CloudauditError as exc:
        return exc
    finally:
        if sweep:
            gc.collect()


def _collect_concurrently(
    plugin: ProviderPlugin,
    options: CollectOptions,
    targets: Sequence[Target],
    progress: Progress,
    max_targets: int,
) -> list[Outcome]:
    """Each target's outcome, ``max_targets`` collected at once; after Ctrl-C the targets not
    started are dropped (None) and those under way return what they read."""
    pool = DaemonPool(max(1, min(max_targets, len(targets))), "target")
    futures = {pool.submit(_collect_one, plugin, options, t, progress): i for i, t in enumerate(targets)}
    outcomes: list[Outcome] = [None] * len(targets)
    pending: set[Future[Outcome]] = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                if not future.cancelled():
                    outcomes[futures[future]] = future.result()  # a collector's bug is raised here
            if interrupt.requested():
                pool.shutdown(wait=False, cancel_futures=True)  # queued targets are not started
                pending = {f for f in pending if not f.cancelled()}  # cancelled: never "done" to wait()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return outcomes


def _unavailable(
    plugin: ProviderPlugin, first: ScanScope, failed: Sequence[tuple[Target, CloudauditError]]
) -> Inventory:
    """An empty inventory whose gaps say which targets could not be audited, and why."""
    gaps = []
    for target, exc in failed:
        message = redact(exc.message)
        log.warning("%s not audited: %s", printable(target.label), printable(message, limit=0))
        if isinstance(exc, TargetUnavailable):
            code, operation, kind = exc.code, exc.operation, exc.kind
        else:
            code, operation, kind = type(exc).__name__, "collect", _kind(exc)
        gaps.append(
            CollectionGap(
                provider=plugin.name,
                account=target.id or "",
                region="",
                service=plugin.account_noun,  # see cloudaudit.completeness.is_target_gap
                operation=operation,
                error_code=code,
                message=message[:300],
                kind=kind,
            )
        )
    scope = ScanScope(provider=plugin.name, started=first.started, finished=first.finished)
    return Inventory(scope=scope, gaps=tuple(gaps))


def _kind(exc: CloudauditError) -> GapKind:
    """The gap kind of an error that kept a whole target from being audited."""
    if isinstance(exc, CredentialsError):
        return GapKind.CREDENTIALS
    if isinstance(exc, EndpointError):
        return GapKind.CONNECTION
    return GapKind.ERROR


def _not_started(provider: str, first: ScanScope, targets: Sequence[Target]) -> Inventory:
    """An empty inventory of ``provider`` (timed as ``first``) whose gaps say which targets the
    interruption left unread."""
    gaps = tuple(
        CollectionGap(
            provider=provider,
            account=target.id or "",
            region="",
            service=target.label,
            operation="collect",
            error_code="Interrupted",
            message="the run was interrupted before this was read",
            kind=GapKind.INTERRUPTED,
        )
        for target in targets
    )
    scope = ScanScope(provider=provider, started=first.started, finished=first.finished)
    return Inventory(scope=scope, gaps=gaps)
