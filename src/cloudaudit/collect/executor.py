"""Where collection units run: local threads (the default) or an existing Dask distributed cluster.

``run --executor local`` keeps everything in this process; ``--executor dask://HOST:PORT`` sends
each unit (account x service x region) to the cluster's workers (:mod:`.dask_executor`) and merges
the pieces of inventory they send back. Evaluation and reports always run here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from cloudaudit import interrupt
from cloudaudit.collect import engine
from cloudaudit.collect.guard import Guard
from cloudaudit.collect.units import AnySource, Piece, Survey, announce, inventory, selected
from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.install import install_hint
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import CollectionGap, Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Progress

LOCAL = "local"
DASK_SCHEMES = {"dask://": "tcp://", "dask+tls://": "tls://"}
"""``--executor`` address schemes and the Dask comm protocol each stands for."""


class UnitExecutor(Protocol):
    """Runs the units of one target and returns its inventory."""

    def collect(self, source: AnySource, options: CollectOptions, progress: Progress) -> Inventory:
        """The target's inventory; CloudauditError when it cannot be audited at all."""


class UnitObserver(Protocol):
    """Hears of a local collection's units as they finish (:mod:`cloudaudit.engine.early`)."""

    def begin(self, scope: ScanScope, gaps: Sequence[CollectionGap], services: Sequence[str]) -> None:
        """The plan: the scope (no region, no end yet), the survey's gaps, each unit's service."""

    def unit_done(self, index: int, assets: Sequence[Asset], gaps: Sequence[CollectionGap]) -> None:
        """Unit ``index`` finished with ``assets``; ``gaps``: every gap recorded so far."""


OBSERVER: ContextVar[UnitObserver | None] = ContextVar("cloudaudit_unit_observer", default=None)
"""Who hears of the units of a local collection of one account, in this thread (none by default)."""


@contextmanager
def observed(observer: UnitObserver | None) -> Iterator[None]:
    """Let ``observer`` hear of the units of local collections run in this thread, for the block."""
    token = OBSERVER.set(observer)
    try:
        yield
    finally:
        OBSERVER.reset(token)


class LocalExecutor:
    """The units in this process: a bounded thread pool, one session shared by every unit."""

    def collect(self, source: AnySource, options: CollectOptions, progress: Progress) -> Inventory:
        """Survey the target, then run its units (see :func:`cloudaudit.collect.engine.run_units`)."""
        started = datetime.now(UTC)
        stop = interrupt.STOP
        session = source.session(options)
        pieces: list[Piece] = []
        try:
            with engine.pools(options.max_workers) as pools:
                survey: Survey = engine.await_or_stop(
                    pools.units.submit(source.survey, session, options, stop), stop
                )
                specs = selected(source, options)
                announce(source, survey, specs)
                observer = OBSERVER.get() if len(survey.accounts) == 1 else None
                for account in survey.accounts:
                    guard = source.guard(account, stop)
                    ctx = source.context(session, account, guard, survey, options, pools.details, progress)
                    units = engine.plan(specs, ctx, survey.regions)
                    done = None
                    if observer is not None:
                        observer.begin(
                            provisional_scope(source.provider, survey.accounts, started),
                            survey.gaps,
                            [u.service for u in units],
                        )
                        done = partial(_tell, observer, guard)
                    assets = engine.run_units(units, pools.units, guard, progress, stop, done)
                    pieces.append(Piece(tuple(assets), guard.close()))
        finally:
            source.close(session)
        return inventory(source, survey, options, started, datetime.now(UTC), pieces)


def provisional_scope(provider: str, accounts: Sequence[str], started: datetime) -> ScanScope:
    """The scope as known while collecting, what an early evaluation's checks see: no region (they may
    come from the assets), no end."""
    return ScanScope(provider=provider, accounts=tuple(accounts), started=started, finished=started)


def _tell(observer: UnitObserver, guard: Guard, index: int, assets: list[Asset]) -> None:
    observer.unit_done(index, assets, guard.gaps)


def collect(source: AnySource, options: CollectOptions, progress: Progress) -> Inventory:
    """Collect ``options.target`` with the executor of ``options`` (local threads by default)."""
    return (options.executor or LocalExecutor()).collect(source, options, progress)


def dask_address(spec: str) -> str | None:
    """The scheduler address ``--executor`` names (``tcp://HOST:PORT``), None for ``local``."""
    text = spec.strip()
    if text.lower() == LOCAL:
        return None
    for scheme, comm in DASK_SCHEMES.items():
        if text.lower().startswith(scheme):
            host, _, port = text[len(scheme) :].rpartition(":")
            if host and port.isdigit() and "/" not in host and 0 < int(port) < 65536:
                return f"{comm}{host}:{port}"
    raise UsageError(
        f"--executor {spec!r}: expected 'local' or dask://HOST:PORT (dask+tls://HOST:PORT for TLS)"
    )


@contextmanager
def open_executor(spec: str) -> Iterator[UnitExecutor | None]:
    """The executor ``--executor`` names, connected for the length of the block (None: local).

    A Dask scheduler that cannot be reached is one EndpointError; without ``dask[distributed]``
    installed, a MissingDependencyError with the install command.
    """
    address = dask_address(spec)
    if address is None:
        yield None
        return
    try:
        from cloudaudit.collect.dask_executor import connect
    except ImportError as exc:
        raise MissingDependencyError(
            f"--executor {spec}: Dask is not installed ({exc}); run: {install_hint('dask')}"
        ) from exc
    with connect(address) as executor:
        yield executor
