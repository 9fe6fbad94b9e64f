"""What a Dask worker runs: a target's survey, and one collection unit.

Each task receives the provider's :class:`~cloudaudit.collect.units.UnitSource` (pickled by
reference: the worker imports the same package) and the picklable options; it builds the
session itself from the options' Target, with the worker's own credentials (environment, instance
role, workload identity). Units of one run on one worker share a session (and its clients); a
unit's own exception becomes a ``crash`` gap here, so the client always gets a :class:`Piece`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from distributed import Semaphore

from cloudaudit.collect import engine
from cloudaudit.collect.pool import DaemonPool
from cloudaudit.collect.units import AnySource, Piece, Survey, UnitRef
from cloudaudit.plugins import CollectOptions

SESSIONS_KEPT = 16
"""Sessions a worker keeps (one per target and run); the oldest is closed beyond that."""


@dataclass(frozen=True)
class Bound:
    """How much of an account the cluster may read at once, whatever its size."""

    name: str
    """The cluster-wide semaphore of the account (``distributed.Semaphore``)."""
    units: int
    """Units of the account running at once, across every worker."""
    details: int
    """Detail calls each of those units makes at once."""


class NoProgress:
    """Workers report no progress of their own: the client counts finished units."""

    def add_total(self, count: int) -> None:
        """Ignored."""

    def advance(self, label: str) -> None:
        """Ignored."""


_sessions: OrderedDict[Hashable, tuple[AnySource, Any]] = OrderedDict()
_semaphores: dict[tuple[str, int], Semaphore] = {}
_lock = threading.Lock()


def survey(source: AnySource, options: CollectOptions, run: str) -> Survey:
    """The target's survey (its accounts and regions), read from this worker."""
    return source.survey(_session(source, options, run), options, threading.Event())


def run_unit(
    source: AnySource, options: CollectOptions, found: Survey, unit: UnitRef, run: str, bound: Bound
) -> Piece:
    """One unit's piece of inventory, holding one of the account's cluster-wide leases meanwhile."""
    with _semaphore(bound):
        session = _session(source, options, run)
        guard = source.guard(unit.account, threading.Event())
        details = DaemonPool(bound.details, "detail")
        try:
            ctx = source.context(session, unit.account, guard, found, options, details, NoProgress())
            spec = next(s for s in source.specs() if s.service == unit.service)
            try:
                assets = tuple(spec.collect(ctx, unit.region))
            except Exception as exc:  # a collector bug: this unit's gap, not a failed run
                engine.record_crash(guard, unit.service, unit.region, exc)
                assets = ()
        finally:
            details.shutdown(wait=False, cancel_futures=True)
        return Piece(assets, guard.close())


def _session(source: AnySource, options: CollectOptions, run: str) -> Any:
    """This run's session of the options' target on this worker (built on first use)."""
    target = options.target
    kind = (type(source).__module__, type(source).__qualname__)
    key = (kind, target, target.settings, options.max_workers, run)
    with _lock:
        if key in _sessions:
            _sessions.move_to_end(key)
            return _sessions[key][1]
        session = source.session(options)
        _sessions[key] = (source, session)
        evicted = _sessions.popitem(last=False)[1] if len(_sessions) > SESSIONS_KEPT else None
    if evicted is not None:
        owner, old = evicted
        owner.close(old)
    return session


def _semaphore(bound: Bound) -> Semaphore:
    """The account's cluster-wide semaphore (one client object per worker)."""
    with _lock:
        key = (bound.name, bound.units)
        if key not in _semaphores:
            _semaphores[key] = Semaphore(max_leases=bound.units, name=bound.name)
        return _semaphores[key]
