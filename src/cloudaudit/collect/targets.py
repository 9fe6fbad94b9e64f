"""Collect every target of a run's scope (profiles, projects...) and merge their inventories."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from cloudaudit import interrupt
from cloudaudit.errors import RunInterrupted
from cloudaudit.model.inventory import CollectionGap, GapKind, Inventory, merge
from cloudaudit.plugins import CollectOptions, Progress, ProviderPlugin, Target
from cloudaudit.terminal import printable

log = logging.getLogger(__name__)


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
            return merge([*inventories, _not_started(plugin.name, inventories[0], targets[index:])])
        try:
            inventory = plugin.collect(replace(options, target=target), progress)
        except RunInterrupted:
            if not inventories:
                raise
            return merge([*inventories, _not_started(plugin.name, inventories[0], targets[index:])])
        seen = {a for inv in inventories for a in inv.scope.accounts}
        if seen and set(inventory.scope.accounts) <= seen:
            log.warning("%s: account already audited in this run, skipped", printable(target.label))
            continue
        inventories.append(inventory)
    return merge(inventories)


def _not_started(provider: str, first: Inventory, targets: Sequence[Target]) -> Inventory:
    """An empty inventory whose gaps say which targets the interruption left unread."""
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
    return Inventory(scope=first.scope.model_copy(update={"accounts": (), "regions": ()}), gaps=gaps)
