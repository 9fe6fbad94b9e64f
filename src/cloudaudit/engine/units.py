"""Evaluation units: the accounts whose checks are evaluated together, one unit at a time.

A run over many accounts is not evaluated as one whole: each unit's findings are produced, handed
to the spool (:mod:`cloudaudit.spool`) and dropped before the next unit is evaluated, so a run's
memory follows its largest unit, not the estate. By default every account is its own unit; a
provider whose resources reach across accounts (a GCP service project's instances on a host
project's shared VPC network, governed by the host's firewall rules) declares which accounts must be
judged together with :func:`evaluation_units`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from cloudaudit.model.inventory import Inventory

Linker = Callable[[Inventory], Sequence[tuple[str, str]]]
"""Pairs of accounts (of one provider) whose resources must be evaluated together."""

_LINKERS: dict[str, Linker] = {}


def evaluation_units(provider: str) -> Callable[[Linker], Linker]:
    """Register ``provider``'s linker (a decorator; the provider's checks module applies it)."""

    def register(linker: Linker) -> Linker:
        _LINKERS[provider] = linker
        return linker

    return register


def units(inventory: Inventory) -> list[frozenset[tuple[str, str]]]:
    """The (provider, account) groups evaluated together: every account alone unless its provider
    links it to others; groups in the order their first account appears."""
    keys = list(dict.fromkeys((a.provider, a.account) for a in inventory.assets))
    parent = {key: key for key in keys}

    def root(key: tuple[str, str]) -> tuple[str, str]:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for provider, link in _LINKERS.items():
        if provider not in inventory.scope.providers:
            continue
        for a, b in link(inventory):
            left, right = (provider, a), (provider, b)
            if left in parent and right in parent:
                parent[root(right)] = root(left)
    groups: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for key in keys:
        groups.setdefault(root(key), set()).add(key)
    return [frozenset(g) for g in groups.values()]


def parts(inventory: Inventory) -> Iterator[Inventory]:
    """The inventory of each unit (the whole inventory when there is a single one). A unit's part
    holds its accounts' assets, and the gaps of its accounts plus those of no account."""
    groups = units(inventory)
    if len(groups) <= 1:
        yield inventory
        return
    for group in groups:
        yield inventory.only(group)
