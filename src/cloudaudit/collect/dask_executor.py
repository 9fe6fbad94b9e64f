"""Collection units on an existing Dask distributed cluster (``run --executor dask://HOST:PORT``).

The client submits a target's survey, then one task per unit (:mod:`.dask_tasks`); each comes
back as a :class:`~cloudaudit.collect.units.Piece` of pickled pydantic models (cheaper than the
JSON form: about 30% smaller and twice as fast both ways: bench/bench_pieces.py).
Failures end as they do locally:

- a unit that raises on a worker: a ``crash`` gap of that unit (recorded on the worker);
- a unit whose worker keeps dying (Dask's ``KilledWorker``, after its own retries): a ``crash`` gap;
- a worker that cannot build the session (its own configuration): a ``credentials`` gap of the unit;
- the scheduler lost during the run: a ``connection`` gap per unit not finished;
- the scheduler unreachable at the start, or lost before the survey: one EndpointError (exit 3);
- Ctrl-C: the futures are cancelled, every unfinished unit is an ``interrupted`` gap.

An account's units hold a lease of a cluster-wide ``distributed.Semaphore`` while they run: at most
``min(8, --workers)`` of them at once, each with ``--workers / 8`` detail calls, however many
workers the cluster has (the same bound as the local executor).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar

from distributed import Client, Future
from distributed.comm.core import CommClosedError

from cloudaudit import interrupt
from cloudaudit.collect import dask_tasks, engine
from cloudaudit.collect.units import (
    AnySource,
    Piece,
    Survey,
    UnitRef,
    announce,
    inventory,
    selected,
    units_of,
)
from cloudaudit.errors import CloudauditError, EndpointError, RunInterrupted, UsageError
from cloudaudit.logs import register_sdk_loggers
from cloudaudit.model.inventory import GapKind, Inventory
from cloudaudit.plugins import CollectOptions, Progress
from cloudaudit.terminal import printable

log = logging.getLogger(__name__)
T = TypeVar("T")

SECRET_SETTINGS = frozenset({"access_token"})
"""Target settings that are credentials (``--access-token``): sent to workers only over TLS."""
LOST = (CancelledError, CommClosedError, OSError, TimeoutError)
"""What a future raises when the cluster, not the unit, failed."""


@contextmanager
def connect(address: str) -> Iterator[DaskExecutor]:
    """A client of the scheduler at ``address`` for the block; EndpointError when it can't be reached.

    The connection timeout is Dask's own (``distributed.comm.timeouts.connect``, 30 s unless set).
    """
    register_sdk_loggers(("distributed", "tornado"))
    try:
        client = Client(address, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise EndpointError(
            f"cannot reach the Dask scheduler at {address}: {printable(str(exc), limit=200)}"
        ) from exc
    try:
        yield DaskExecutor(client, encrypted=address.startswith("tls://"))
    finally:
        client.close()


class DaskExecutor:
    """Runs each target's units on the cluster of ``client``; thread-safe (targets may overlap)."""

    def __init__(self, client: Client, encrypted: bool = False) -> None:
        self.client = client
        self.encrypted = encrypted

    def collect(self, source: AnySource, options: CollectOptions, progress: Progress) -> Inventory:
        """Survey the target on a worker, then run its units there; merge their pieces here."""
        secrets = sorted({name for name, _ in options.target.settings} & SECRET_SETTINGS)
        if secrets and not self.encrypted:
            flags = ", ".join("--" + name.replace("_", "-") for name in secrets)
            raise UsageError(
                f"{flags} would travel to the Dask workers unencrypted: use a dask+tls:// scheduler, "
                "or give the workers their own credentials"
            )
        started = datetime.now(UTC)
        stop = interrupt.STOP
        wire = replace(options, executor=None)
        run = uuid.uuid4().hex
        found = self._survey(source, wire, run, stop)
        specs = selected(source, wire)
        announce(source, found, specs)
        units = units_of(specs, found)
        progress.add_total(len(units))
        futures = [
            self.client.submit(
                dask_tasks.run_unit,
                source,
                wire,
                found,
                unit,
                run,
                _bound(source.provider, unit.account, options.max_workers),
                key=f"cloudaudit-{source.provider}-{unit.account}-{unit.service}-{unit.region}-{run}",
                pure=False,
            )
            for unit in units
        ]
        pieces = self._harvest(source, units, futures, progress, stop)
        return inventory(source, found, wire, started, datetime.now(UTC), pieces)

    def _survey(self, source: AnySource, options: CollectOptions, run: str, stop: threading.Event) -> Survey:
        """The target's survey, read on a worker; its CloudauditError is raised here, one line."""
        future = self.client.submit(
            dask_tasks.survey, source, options, run, key=f"cloudaudit-survey-{run}", pure=False
        )
        while not stop.is_set():
            if not _done([future], stop):
                continue
            try:
                found: Survey = future.result()
            except CloudauditError as exc:
                raise exc.reworded(f"on the Dask worker: {exc.message}") from exc
            except LOST as exc:
                raise EndpointError(
                    f"the Dask cluster failed before {options.target.label} was surveyed: "
                    f"{type(exc).__name__}: {printable(str(exc), limit=200)}"
                ) from exc
            return found
        future.cancel()
        raise RunInterrupted("interrupted before any resource was read: no report written")

    def _harvest(
        self,
        source: AnySource,
        units: Sequence[UnitRef],
        futures: Sequence[Future[Piece]],
        progress: Progress,
        stop: threading.Event,
    ) -> list[Piece]:
        """Every unit's piece in unit order: its own, or a gap saying why it has none."""
        pending = {future: index for index, future in enumerate(futures)}
        pieces: dict[int, Piece] = {}

        def take(done: Sequence[Future[Piece]]) -> None:
            for future in done:
                index = pending.pop(future)
                pieces[index] = _piece(source, units[index], future)
                progress.advance(f"{units[index].service} {units[index].region}")

        while pending and not stop.is_set():
            take(_done(pending, stop))
        take([f for f in pending if f.status == "finished"])
        if pending:
            self.client.cancel(list(pending))
        for index in pending.values():
            pieces[index] = _interrupted(source, units[index])
        return [pieces[i] for i in sorted(pieces)]


def _done(futures: Iterable[Future[T]], stop: threading.Event) -> list[Future[T]]:
    """The futures done by now; when none is, after waiting one poll period (less on Ctrl-C)."""
    done = [f for f in futures if f.done()]
    if not done:
        stop.wait(engine.POLL_SECONDS)
    return done


def _bound(provider: str, account: str, max_workers: int) -> dask_tasks.Bound:
    units = min(engine.UNIT_WORKERS, max_workers)
    return dask_tasks.Bound(f"cloudaudit-{provider}-{account}-{units}", units, max(1, max_workers // units))


def _piece(source: AnySource, unit: UnitRef, future: Future[Piece]) -> Piece:
    """The unit's piece; when the cluster lost it, a gap of that unit instead."""
    try:
        piece: Piece = future.result()
    except LOST as exc:
        log.debug("Dask lost unit %s/%s", unit.service, unit.region, exc_info=exc)
        why = f"the Dask cluster lost this unit ({type(exc).__name__})"
        return _gap(source, unit, GapKind.CONNECTION, "DaskClusterLost", why)
    except CloudauditError as exc:  # the worker could not build the session (its config, credentials)
        why = f"on the Dask worker: {exc.message}"
        return _gap(source, unit, GapKind.CREDENTIALS, type(exc).__name__, why)
    except Exception as exc:  # KilledWorker, or a result that could not travel: this unit's gap
        return _crash(source, unit, exc)
    return piece


def _gap(source: AnySource, unit: UnitRef, kind: GapKind, code: str, message: str) -> Piece:
    """A piece holding only a gap of ``kind`` for the whole unit."""
    guard = source.guard(unit.account, threading.Event())
    guard.record(
        service=unit.service,
        region=unit.region,
        operation="collect",
        code=code,
        message=message,
        kind=kind,
    )
    return Piece((), guard.close())


def _interrupted(source: AnySource, unit: UnitRef) -> Piece:
    """A piece holding only the ``interrupted`` gap of the unit."""
    guard = source.guard(unit.account, threading.Event())
    guard.record_interrupted(service=unit.service, region=unit.region, operation="collect")
    return Piece((), guard.close())


def _crash(source: AnySource, unit: UnitRef, exc: Exception) -> Piece:
    """A piece holding only the ``crash`` gap of the unit."""
    guard = source.guard(unit.account, threading.Event())
    engine.record_crash(guard, unit.service, unit.region, exc)
    return Piece((), guard.close())
