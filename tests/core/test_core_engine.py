"""The core collection engine with a fake provider's classifier: no SDK, no network."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from cloudaudit.collect import engine
from cloudaudit.collect.guard import ABSENT, Failed, Guard
from cloudaudit.collect.pool import DaemonPool
from cloudaudit.collect.targets import collect_targets
from cloudaudit.errors import RunInterrupted
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import GapKind, Inventory, ScanScope
from cloudaudit.plugins import CollectOptions, Target
from cloudaudit.progress import PlainProgress
from fake_provider import FakeApiError, FakeErrors, plugin

T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Box(Asset):
    """An unregistered asset model (the engine does not care about kinds)."""


def _box(name: str, account: str = "acct") -> Box:
    return Box(provider="fake", account=account, region="r1", id=f"fake://{account}/{name}", name=name)


def _units(*pairs: tuple[str, object]) -> list[engine.Unit]:
    def runner(result: object) -> Callable[[], list[Asset]]:
        def run() -> list[Asset]:
            if isinstance(result, Exception):
                raise result
            assert isinstance(result, list)
            return result

        return run

    return [engine.Unit(service, "r1", runner(result)) for service, result in pairs]


def test_crashed_unit_is_a_crash_gap_and_the_rest_is_kept() -> None:
    guard = Guard("acct", FakeErrors())
    progress = PlainProgress(interval=3600)
    with engine.pools(4) as pools:
        assets = engine.run_units(
            _units(("a", [_box("a")]), ("b", ValueError("bug")), ("c", [_box("c")])),
            pools.units,
            guard,
            progress,
            threading.Event(),
        )
    assert [a.name for a in assets] == ["a", "c"]
    assert [(g.provider, g.service, g.kind, g.error_code, g.message) for g in guard.close()] == [
        ("fake", "b", GapKind.CRASH, "ValueError", "bug")
    ]
    assert (progress.done, progress.total) == (3, 3)


def test_stop_turns_unfinished_units_into_interrupted_gaps() -> None:
    stop = threading.Event()
    release = threading.Event()

    def slow() -> list[Asset]:
        stop.set()  # the user presses Ctrl-C while this unit is in flight
        release.wait(5)
        return [_box("late")]

    guard = Guard("acct", FakeErrors(), stop)
    with engine.pools(2) as pools:
        assets = engine.run_units(
            [engine.Unit("slow", "r1", slow)], pools.units, guard, PlainProgress(), stop
        )
    release.set()
    assert assets == []
    assert [(g.service, g.kind) for g in guard.close()] == [("slow", GapKind.INTERRUPTED)]


def test_an_idle_worker_keeps_nothing_of_its_last_call() -> None:
    class Client:
        """Stands for what a call's closure reaches (an SDK client) and what it returns."""

    client = Client()
    gone = threading.Event()
    weakref.finalize(client, gone.set)
    pool = DaemonPool(1, "test")
    try:
        future = pool.submit(lambda held: [held], client)
        assert future.result(timeout=5) == [client]
        del future, client
        assert gone.wait(5), "the idle worker still holds its last call's closure or result"
    finally:
        pool.shutdown(wait=True)


def test_await_or_stop_raises_when_stopped_first() -> None:
    stop = threading.Event()
    stop.set()
    with engine.pools(1) as pools, pytest.raises(RunInterrupted):
        engine.await_or_stop(pools.units.submit(threading.Event().wait, 5), stop)


def test_guard_classifies_with_the_providers_classifier() -> None:
    guard = Guard("acct", FakeErrors())

    def denied() -> dict[str, object]:
        raise FakeApiError("PermissionDenied")

    def missing() -> dict[str, object]:
        raise FakeApiError("NotFound")

    assert guard.call(denied, service="store", region="r1") == Failed(
        "PermissionDenied", "PermissionDenied: the fake API refused"
    )
    assert guard.call(missing, service="store", region="r1", absent={"NotFound"}) is ABSENT
    assert [(g.operation, g.kind) for g in guard.close()] == [("Denied", GapKind.DENIED)]


def test_guard_makes_no_call_after_stop() -> None:
    stop = threading.Event()
    stop.set()
    calls: list[str] = []
    guard = Guard("acct", FakeErrors(), stop)
    result = guard.call(lambda: calls.append("x") or {}, service="store", region="r1")
    assert isinstance(result, Failed) and calls == []
    assert [g.kind for g in guard.close()] == [GapKind.INTERRUPTED]


def test_targets_after_an_interruption_are_gaps_not_a_lost_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while the first target is read: it is kept, the next ones are recorded as not read."""
    stop = threading.Event()
    monkeypatch.setattr("cloudaudit.interrupt.STOP", stop)

    def collect(options: CollectOptions, progress: object) -> Inventory:
        stop.set()
        scope = ScanScope(provider="fake", accounts=(options.target.id or "",), started=T0, finished=T0)
        return Inventory(scope=scope, assets=(_box("b", options.target.id or ""),))

    monkeypatch.setattr(plugin, "collect", collect)
    targets = [Target("project", "p1"), Target("project", "p2")]
    merged = collect_targets(plugin, CollectOptions(), targets, PlainProgress())
    assert merged.scope.accounts == ("p1",)
    assert [a.account for a in merged.assets] == ["p1"]
    assert [(g.account, g.service, g.kind) for g in merged.gaps] == [
        ("p2", "project p2", GapKind.INTERRUPTED)
    ]


def test_a_finished_pool_lets_its_idle_workers_end_and_leaves_a_stuck_one_behind() -> None:
    pool, release = DaemonPool(4, "settle"), threading.Event()
    assert [f.result() for f in [pool.submit(lambda: 1) for _ in range(4)]] == [1, 1, 1, 1]
    stuck = pool.submit(release.wait)
    pool.shutdown(wait=False)
    assert pool.join(time.monotonic() + 0.2) is False  # one worker is still in its call
    release.set()
    assert stuck.result(timeout=5) is True
    assert pool.join(time.monotonic() + 5) is True
