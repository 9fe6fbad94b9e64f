"""Evaluate the checks of the services already read while the others are still being collected.

A target's services finish at very different times: its firewall rules in a second, the IAM policies
of its ten thousand buckets minutes later. A check needs only the services it declares
(:attr:`CheckSpec.services`, what ``--checks`` collects for it; the plugin contract holds every check
to deciding the same on those alone, with no region and no end time in the scope), so once they are
read it is evaluated on what they hold, and gives the findings it would give after the whole collection.

Collection keeps this process busy (its threads and the SDKs' work), so the evaluation runs in a helper
process forked before collection starts, while this process still has a single thread, at a lower
priority (:data:`HELPER_NICENESS`): it never slows the collection down. Each service's
assets and gaps go to it (pickled through a pipe) as soon as the last of its units is done; it
evaluates every check whose services are all there, one at a time, and stops at the end of the
collection: this process evaluates the checks it did not reach, as it would have evaluated them all.
Whatever goes wrong in the helper (killed, out of memory, a finding that cannot be pickled), its
checks are evaluated here: the run loses time, never findings. Used for one target of one account
(:meth:`EarlyEvaluation.begin` is told the plan); Ctrl-C reaches both processes as in
:mod:`cloudaudit.engine.two_cores`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import struct
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import PrivateAttr

from cloudaudit.engine import two_cores
from cloudaudit.engine.mutelist import Mutelist
from cloudaudit.engine.registry import CheckSpec
from cloudaudit.engine.runner import WHOLE, share_findings
from cloudaudit.forking import Forked, can_fork, fork_call
from cloudaudit.model.asset import Asset
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import CollectionGap, Inventory, ScanScope

log = logging.getLogger(__name__)

T = TypeVar("T", bound=Asset)

_SIZE = struct.Struct("!Q")
"""A message's length, before its pickled bytes."""

HELPER_NICENESS = 10
"""How much lower the helper's priority is than this process's: its work is ahead of need, and at the
same priority it would take the CPU that the collection (the SDKs' work here, the reads' answers)
needs; lower, it uses what the collection leaves (all of a core when the reads wait on the network)."""

MAX_ASSETS = two_cores.MAX_ASSETS
"""The helper is sent services while they hold at most this many assets in all: it keeps a copy of
them and holds its findings until the end, the bound two-core evaluation keeps for the same reason (the
services past the limit are evaluated here, after the collection, as without a helper)."""


@dataclass(frozen=True)
class _Begin:
    """The plan: the scope as known before the end, the survey's gaps, each unit's service."""

    scope: ScanScope
    gaps: tuple[CollectionGap, ...]
    services: tuple[str, ...]
    """The service of every unit, in unit order."""


@dataclass(frozen=True)
class _Service:
    """One service, all of its units done: its assets in unit order, its gaps by record position."""

    name: str
    assets: tuple[Asset, ...]
    gaps: tuple[tuple[int, CollectionGap], ...]


class EarlyEvaluation:
    """This process's side: the helper, and what is sent to it."""

    def __init__(self, forked: Forked, outbox: int) -> None:
        self._forked: Forked | None = forked
        self._outbox: int | None = outbox
        self._units: list[str] = []
        self._left: dict[str, int] = {}
        self._assets: dict[int, Sequence[Asset]] = {}
        self._found: dict[str, list[Finding]] | None = None
        self._sent = 0

    @classmethod
    def start(cls, checks: Sequence[CheckSpec], mutelist: Mutelist | None) -> EarlyEvaluation | None:
        """The helper, forked now; None where a fork is not safe (:func:`cloudaudit.forking.can_fork`)
        or the checks read a single service (nothing would be evaluated before the end)."""
        if len({s for spec in checks for s in spec.services}) < 2 or not can_fork():
            return None
        inbox, outbox = os.pipe()
        forked = fork_call(lambda: _serve(inbox, outbox, checks, mutelist))
        os.close(inbox)
        if forked is None:
            os.close(outbox)
            return None
        return cls(forked, outbox)

    def begin(self, scope: ScanScope, gaps: Sequence[CollectionGap], services: Sequence[str]) -> None:
        """The collection's plan: its scope so far, the survey's gaps, each unit's service in order."""
        self._units = list(services)
        self._left = {s: services.count(s) for s in dict.fromkeys(services)}
        self._send(_Begin(scope, tuple(gaps), tuple(services)))

    def unit_done(self, index: int, assets: Sequence[Asset], gaps: Sequence[CollectionGap]) -> None:
        """Unit ``index`` is done; ``gaps``: every gap recorded so far. When it was its service's last
        unit, the service goes to the helper (unless that would take it past :data:`MAX_ASSETS`: then
        nothing more goes to it)."""
        if index >= len(self._units):
            return
        service = self._units[index]
        self._assets[index] = assets
        self._left[service] -= 1
        if self._left[service]:
            return
        own = [i for i, s in enumerate(self._units) if s == service]
        assets = tuple(a for i in own for a in self._assets.pop(i))
        self._sent += len(assets)
        if self._sent > MAX_ASSETS:
            log.debug("early evaluation stops at service %s: over %d assets", service, MAX_ASSETS)
            self._close()  # the helper ends after its current check; the rest is evaluated here
            return
        self._send(
            _Service(service, assets, tuple((n, g) for n, g in enumerate(gaps) if g.service == service))
        )

    def findings(self, meanwhile: Callable[[], object] | None = None) -> dict[str, list[Finding]]:
        """End the helper: the findings of each check it evaluated (none when it failed). ``meanwhile``
        is called once the helper is told the collection ended, before waiting for it to finish the
        check it is on (time this process would spend waiting)."""
        if self._found is None:
            self._close()
            if meanwhile is not None:
                meanwhile()
            self._found = self._collect()
            log.debug("%d check(s) evaluated while collecting: %s", len(self._found), ", ".join(self._found))
        return self._found

    def _send(self, message: _Begin | _Service) -> None:
        if self._outbox is None:
            return
        try:
            data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
            os.write(self._outbox, _SIZE.pack(len(data)))
            view = memoryview(data)
            while view:
                view = view[os.write(self._outbox, view) :]
        except Exception as exc:  # the helper is gone, or an asset does not pickle: evaluated here
            log.debug("nothing more is sent to the early evaluation process: %s", exc)
            self._close()

    def _close(self) -> None:
        if self._outbox is not None:
            os.close(self._outbox)
            self._outbox = None

    def _collect(self) -> dict[str, list[Finding]]:
        self._close()
        forked, self._forked = self._forked, None
        if forked is None:
            return {}
        code, data = forked.result()
        if code != 0:
            log.debug("the early evaluation process failed (exit code %s): %s", code, data[:200])
            return {}
        try:
            packed: dict[str, bytes] = pickle.loads(data)  # noqa: S301 - our own child's, through our own pipe
            return {check: pickle.loads(found) for check, found in packed.items()}  # noqa: S301
        except Exception as exc:  # a broken payload: every check is evaluated here
            log.debug("unreadable findings from the early evaluation process: %s", exc)
            return {}


def in_check_order(
    checks: Iterable[CheckSpec], early: Mapping[str, list[Finding]], rest: Iterable[Finding]
) -> Iterator[Finding]:
    """The findings of every check in check order: those evaluated early, and ``rest`` (the others',
    in check order: read as they come, never held) in between."""
    later = iter(rest)
    waiting = next(later, None)
    for spec in checks:
        if spec.id in early:
            yield from early[spec.id]
            continue
        while waiting is not None and waiting.check_id == spec.id:
            yield waiting
            waiting = next(later, None)
    if waiting is not None:  # a finding of no check given: kept, at the end
        yield waiting
        yield from later


# ------------------------------------------------------------------------------------- the helper


class _Undeclared(BaseException):
    """A check read what the services it declares do not hold: it is evaluated after the collection.
    (Not an Exception: the runner turns those into the check's ERROR findings.)"""


class _Declared(Inventory):
    """What a collection of some services holds, refusing to answer for any other: a check that asks
    (an undeclared join) is left to this process's evaluation of the whole inventory."""

    _services: frozenset[str] = PrivateAttr(default=frozenset())

    def of(self, cls: type[T]) -> Iterator[T]:
        """See :meth:`Inventory.of`; refused for a kind of an undeclared service."""
        self._declared(cls)
        return super().of(cls)

    def count(self, cls: type[Asset]) -> int:
        """See :meth:`Inventory.count`; refused for a kind of an undeclared service."""
        self._declared(cls)
        return super().count(cls)

    def get(self, asset_id: str) -> Asset | None:
        """See :meth:`Inventory.get`; an id not found here may be another service's: refused."""
        found = super().get(asset_id)
        if found is None:
            raise _Undeclared(f"asset {asset_id}")
        return found

    def fronted_by(self, control_id: str) -> tuple[str, ...]:
        """Refused: it reads every asset of every service."""
        raise _Undeclared("fronted_by")

    def _declared(self, cls: type[Asset]) -> None:
        if cls.service not in self._services:
            raise _Undeclared(f"{cls.kind} of service {cls.service}")


@dataclass
class _Received:
    """What the helper has been sent so far."""

    begin: _Begin | None = None
    services: dict[str, _Service] = field(default_factory=dict)
    ended: bool = False
    views: dict[frozenset[str], Inventory] = field(default_factory=dict)

    def take(self, message: Any) -> None:
        if message is None:
            self.ended = True
        elif isinstance(message, _Begin):
            self.begin = message
        elif isinstance(message, _Service):
            self.services[message.name] = message

    def ready(self, spec: CheckSpec) -> bool:
        return self.begin is not None and all(s in self.services for s in spec.services)

    def inventory(self, services: frozenset[str]) -> Inventory:
        """What a collection of only ``services`` holds (one per set: the checks share its joins)."""
        found = self.views.get(services)
        if found is None:
            assert self.begin is not None
            order = list(dict.fromkeys(self.begin.services))
            chosen = sorted(services, key=order.index)
            gaps = sorted((g for s in chosen for g in self.services[s].gaps), key=lambda pair: pair[0])
            found = self.views[services] = _Declared(
                scope=self.begin.scope,
                assets=tuple(a for s in chosen for a in self.services[s].assets),
                gaps=(*self.begin.gaps, *(g for _, g in gaps)),
            )
            found._services = services
        return found


def _serve(inbox: int, outbox: int, checks: Sequence[CheckSpec], mutelist: Mutelist | None) -> bytes:
    """The helper: evaluate each check once its services are there, until the collection ends."""
    os.close(outbox)  # this process's copy of the write end: the parent's closing it is the end
    with contextlib.suppress(OSError):
        os.nice(HELPER_NICENESS)
    messages: queue.SimpleQueue[Any] = queue.SimpleQueue()
    threading.Thread(target=_read, args=(inbox, messages), daemon=True).start()
    received = _Received()
    done: dict[str, bytes] = {}
    waiting = list(checks)
    while not received.ended:
        spec = next((c for c in waiting if received.ready(c)), None)
        if spec is None:
            received.take(messages.get())
            continue
        waiting.remove(spec)
        try:
            groups = share_findings(received.inventory(spec.services), [spec], mutelist, WHOLE)
            done[spec.id] = pickle.dumps([f for group in groups for f in group], pickle.HIGHEST_PROTOCOL)
        except _Undeclared as exc:
            log.debug("check %s reads beyond its declared services (%s): evaluated later", spec.id, exc)
        while not messages.empty():
            received.take(messages.get())
    return pickle.dumps(done, pickle.HIGHEST_PROTOCOL)


def _read(inbox: int, messages: queue.SimpleQueue[Any]) -> None:
    """Every message of the pipe, then None (its end, or a broken message: nothing more is evaluated)."""
    try:
        with os.fdopen(inbox, "rb") as pipe:
            while header := pipe.read(_SIZE.size):
                (size,) = _SIZE.unpack(header)
                messages.put(pickle.loads(pipe.read(size)))  # noqa: S301 - our own parent's, through our own pipe
    except Exception as exc:  # a short or unreadable message: the collection's end for this helper
        log.debug("unreadable message for the early evaluation: %s", exc)
    finally:
        messages.put(None)
