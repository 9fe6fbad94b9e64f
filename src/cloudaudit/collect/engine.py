"""Run a provider's collection units (service by region of one target) in a bounded pool.

The provider supplies its service specs and a :class:`~cloudaudit.collect.guard.Guard` with its
error classifier; the engine runs one unit per (service, region), turns a crashed unit into a
``crash`` gap, reports progress, and stops at Ctrl-C (:data:`cloudaudit.interrupt.STOP`): what was
read so far is kept and every unfinished unit becomes an ``interrupted`` gap.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from cloudaudit import interrupt
from cloudaudit.collect.guard import Guard
from cloudaudit.collect.pool import DaemonPool
from cloudaudit.errors import RunInterrupted
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Progress

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
"""How often waiting loops look at the stop flag (the bound on reacting to Ctrl-C)."""
GLOBAL = "global"
"""The region of a unit of a global (not regional) service."""
UNIT_WORKERS = 8
"""At most this many units at once; their detail calls share the ``max_workers`` pool."""
SETTLE_SECONDS = 0.5
"""How long a finished collection waits for its idle workers to end (a process without other threads
may fork for the CPU work that follows: :mod:`cloudaudit.forking`)."""

C = TypeVar("C")
T = TypeVar("T")


@dataclass(frozen=True)
class ServiceSpec(Generic[C]):
    """One service of a provider: how to collect it in one region, given the provider's context."""

    service: str
    regional: bool
    """True: one unit per audited region; False: one global unit (region ``global``)."""
    collect: Callable[[C, str], list[Asset]]
    """``collect(context, region)`` -> assets; failures are recorded by the context's guard."""


@dataclass(frozen=True)
class Unit:
    """One independent piece of collection work."""

    service: str
    region: str
    run: Callable[[], list[Asset]]


@dataclass(frozen=True)
class Pools:
    """The pool running the units and the bounded pool of their per-resource detail calls."""

    units: DaemonPool
    details: DaemonPool


@contextmanager
def pools(max_workers: int) -> Iterator[Pools]:
    """Both pools; on exit queued work is dropped and calls in flight are abandoned. Unless the run
    was stopped, the idle workers are given :data:`SETTLE_SECONDS` to end."""
    both = Pools(DaemonPool(min(UNIT_WORKERS, max_workers), "unit"), DaemonPool(max_workers, "detail"))
    try:
        yield both
    finally:
        for pool in (both.units, both.details):
            pool.shutdown(wait=False, cancel_futures=True)
        if not interrupt.requested():
            deadline = time.monotonic() + SETTLE_SECONDS
            for pool in (both.units, both.details):
                pool.join(deadline)


def plan(specs: Sequence[ServiceSpec[C]], context: C, regions: Sequence[str]) -> list[Unit]:
    """One unit per regional service and region, one per global service."""
    return [
        Unit(spec.service, region, _bind(spec, context, region))
        for spec in specs
        for region in (regions if spec.regional else [GLOBAL])
    ]


def await_or_stop(future: Future[T], stop: threading.Event) -> T:
    """The future's result, unless the run is stopped first (then RunInterrupted)."""
    while not stop.is_set():
        try:
            return future.result(timeout=POLL_SECONDS)
        except TimeoutError:
            continue
    raise RunInterrupted("interrupted before any resource was read: no report written")


def run_units(
    units: Sequence[Unit],
    pool: DaemonPool,
    guard: Guard,
    progress: Progress,
    stop: threading.Event,
    done: Callable[[int, list[Asset]], None] | None = None,
) -> list[Asset]:
    """The units' assets in unit order; on stop, unfinished units become interrupted gaps. ``done``
    hears of each finished unit (its index and assets) as it finishes."""
    progress.add_total(len(units))
    pending = {pool.submit(u.run): i for i, u in enumerate(units)}
    results: dict[int, list[Asset]] = {}

    def harvest(futures: set[Future[list[Asset]]]) -> None:
        for future in futures:
            index = pending.pop(future)
            results[index] = _unit_result(units[index], future, guard)
            progress.advance(f"{units[index].service} {units[index].region}")
            if done is not None:
                done(index, results[index])

    while pending and not stop.is_set():
        harvest(wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED).done)
    harvest({f for f in pending if f.done() and not f.cancelled()})
    for index in sorted(pending.values()):
        unit = units[index]
        guard.record_interrupted(service=unit.service, region=unit.region, operation="collect")
    return [asset for index in sorted(results) for asset in results[index]]


def _bind(spec: ServiceSpec[C], context: C, region: str) -> Callable[[], list[Asset]]:
    return lambda: spec.collect(context, region)


def _unit_result(unit: Unit, future: Future[list[Asset]], guard: Guard) -> list[Asset]:
    """The unit's assets; an unexpected crash becomes a gap, never a lost audit."""
    try:
        return future.result()
    except Exception as exc:  # isolate one unit's bug from the rest of the audit
        record_crash(guard, unit.service, unit.region, exc)
        return []


def record_crash(
    guard: Guard, service: str, region: str, exc: BaseException, kind: GapKind = GapKind.CRASH
) -> None:
    """Record the unit of ``service`` in ``region`` as a gap: it raised ``exc`` (a collector bug)."""
    log.debug("collection unit %s/%s crashed", service, region, exc_info=exc)
    guard.record(
        service=service,
        region=region,
        operation="collect",
        code=type(exc).__name__,
        message=str(exc) or "unexpected error (see --debug)",
        kind=kind,
    )
