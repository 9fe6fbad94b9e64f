"""Collect every target of a run's scope (profiles, projects...), of one provider or several, and
merge their inventories."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

from cloudaudit import interrupt
from cloudaudit.errors import RunInterrupted
from cloudaudit.model.inventory import CollectionGap, GapKind, Inventory, ScanScope, merge
from cloudaudit.plugins import CollectOptions, Progress, ProviderPlugin, Target
from cloudaudit.terminal import printable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProviderRun:
    """One provider's part of a run: what to collect and how."""

    plugin: ProviderPlugin
    options: CollectOptions
    targets: Sequence[Target]


ProgressFor = Callable[[ProviderPlugin], tuple[AbstractContextManager[object], Progress]]
"""A progress display (and the context that shows it) for one provider's collection."""


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
                inventories.append(collect_targets(run.plugin, run.options, run.targets, progress))
        except RunInterrupted:
            if not inventories:
                raise
            inventories.append(_not_started(run.plugin.name, inventories[0].scope, run.targets))
    return merge(inventories)


def collect_targets(
    plugin: ProviderPlugin, options: CollectOptions, targets: Sequence[Target], progress: Progress
) -> Inventory:
    """Each target collected in turn, the inventories merged.

    A target whose account was already collected (two profiles of one account) is skipped. After
    Ctrl-C the targets not started are recorded as ``interrupted`` gaps; only when nothing at all
    was read does the run end without a report.
    """
    inventories: list[Inventory] = []
    for index, target in enumerate(targets):
        if inventories and interrupt.requested():
            return merge([*inventories, _not_started(plugin.name, inventories[0].scope, targets[index:])])
        try:
            inventory = plugin.collect(replace(options, target=target), progress)
        except RunInterrupted:
            if not inventories:
                raise
            return merge([*inventories, _not_started(plugin.name, inventories[0].scope, targets[index:])])
        seen = {a for inv in inventories for a in inv.scope.accounts}
        if seen and set(inventory.scope.accounts) <= seen:
            log.warning("%s: account already audited in this run, skipped", printable(target.label))
            continue
        inventories.append(inventory)
    return merge(inventories)


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
