"""How a provider's collection splits into units that the core can run anywhere.

A provider hands the core a :class:`UnitSource`: how to open a session from the picklable
:class:`~cloudaudit.plugins.CollectOptions` (its :class:`~cloudaudit.plugins.Target` carries the
profile, project, endpoint...), how to survey the target (its accounts and regions), and its
service specs. An executor (:mod:`cloudaudit.collect.executor`) then runs one unit per
(account, service, region), in local threads or on a Dask cluster; the provider knows neither.
Sessions, clients, guards and pools are never sent anywhere: each side builds its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from cloudaudit.collect.engine import GLOBAL, ServiceSpec
from cloudaudit.collect.guard import Guard
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import CollectionGap, Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit.terminal import printable

log = logging.getLogger(__name__)

S = TypeVar("S")
C = TypeVar("C")


@dataclass(frozen=True)
class Survey:
    """What a target's first calls found: picklable, it travels from a worker to the client."""

    accounts: tuple[str, ...]
    """The accounts (projects, subscriptions) the target gives access to."""
    regions: tuple[str, ...] = ()
    """Regions of the regional units (empty: the provider reads every region in one unit)."""
    gaps: tuple[CollectionGap, ...] = ()
    """What the survey itself could not read (e.g. the list of enabled regions)."""


@dataclass(frozen=True)
class UnitRef:
    """One unit of collection work, by name: picklable."""

    account: str
    service: str
    region: str


@dataclass(frozen=True)
class Piece:
    """A unit's result: a piece of inventory (picklable pydantic models)."""

    assets: tuple[Asset, ...]
    gaps: tuple[CollectionGap, ...]


class UnitSource(Protocol[S, C]):
    """A provider's collection, as the core runs it (locally or on remote workers).

    Every method gets what it needs as arguments: an implementation keeps no state, so a worker
    rebuilds the same session from the same options.
    """

    provider: str
    """The provider's name (``aws``)."""
    noun: str
    """What one account is called in log lines (``AWS account``)."""

    def specs(self) -> Sequence[ServiceSpec[C]]:
        """Every service the provider collects."""

    def session(self, options: CollectOptions) -> S:
        """A session of ``options.target`` (no call made yet); CloudauditError when it can't be built."""

    def survey(self, session: S, options: CollectOptions, stop: threading.Event) -> Survey:
        """The target's accounts and regions; CloudauditError when the target cannot be audited."""

    def guard(self, account: str, stop: threading.Event) -> Guard:
        """A guard recording the gaps of ``account``."""

    def context(
        self,
        session: S,
        account: str,
        guard: Guard,
        survey: Survey,
        options: CollectOptions,
        details: Executor,
        progress: Progress,
    ) -> C:
        """What the service collectors of ``account`` receive."""

    def close(self, session: S) -> None:
        """Release what the session holds."""


AnySource = UnitSource[Any, Any]


def selected(source: AnySource, options: CollectOptions) -> list[ServiceSpec[Any]]:
    """The source's service specs that ``options.services`` asks for (all when None)."""
    return [s for s in source.specs() if options.services is None or s.service in options.services]


def units_of(specs: Sequence[ServiceSpec[Any]], survey: Survey) -> list[UnitRef]:
    """One unit per account, service and region (one ``global`` unit for a global service)."""
    return [
        UnitRef(account, spec.service, region)
        for account in survey.accounts
        for spec in specs
        for region in (survey.regions if spec.regional else (GLOBAL,))
    ]


def announce(source: AnySource, survey: Survey, specs: Sequence[ServiceSpec[Any]]) -> None:
    """Log what is about to be audited."""
    names = ", ".join(s.service for s in specs)
    where = f", {len(survey.regions)} region(s)" if survey.regions else ""
    for account in survey.accounts:
        log.info("auditing %s %s%s, services: %s", source.noun, printable(account), where, names)


def inventory(
    source: AnySource,
    survey: Survey,
    options: CollectOptions,
    started: datetime,
    finished: datetime,
    pieces: Sequence[Piece],
) -> Inventory:
    """The target's inventory from its pieces, in unit order.

    Its regions: the surveyed ones, else those asked for, else those the assets are in.
    """
    assets = tuple(a for p in pieces for a in p.assets)
    regions = survey.regions or options.regions or tuple(sorted({a.region for a in assets} - {GLOBAL, ""}))
    return Inventory(
        scope=ScanScope(
            provider=source.provider,
            accounts=survey.accounts,
            regions=tuple(regions),
            started=started,
            finished=finished,
        ),
        assets=assets,
        gaps=(*survey.gaps, *(g for p in pieces for g in p.gaps)),
    )
