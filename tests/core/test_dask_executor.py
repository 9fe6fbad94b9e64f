"""The Dask executor's logic on an in-process ``LocalCluster`` (threads, real scheduler protocol on
127.0.0.1): units run on its workers, a unit's crash is its gap, Ctrl-C cancels the futures, an
account's concurrency stays bounded whatever the cluster's size, and ``--executor`` errors are one
line."""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster

from cloudaudit import interrupt
from cloudaudit.cli.app import main
from cloudaudit.collect.dask_executor import connect
from cloudaudit.collect.engine import ServiceSpec
from cloudaudit.collect.executor import LocalExecutor, dask_address
from cloudaudit.collect.guard import Guard
from cloudaudit.collect.units import Survey
from cloudaudit.errors import UsageError
from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import GapKind, Inventory
from cloudaudit.plugins import CollectOptions, Progress, Target
from cloudaudit.progress import PlainProgress
from dask_cluster import local_cluster
from fake_provider import FakeErrors

REGIONS = tuple(f"r{i}" for i in range(12))


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """An in-process cluster (2 workers x 4 threads) listening on 127.0.0.1; its address."""
    with local_cluster() as address:
        yield address


@dataclass(frozen=True)
class Ctx:
    """What the test collector gets."""

    account: str
    guard: Guard


class Watch:
    """How many units of the test source run at once, at most (the cluster shares this process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.crowded = threading.Event()
        """Set when more units than the bound run at once."""
        self.bound = 0
        self.release = threading.Event()
        self.started = threading.Event()


WATCH = Watch()


def box(ctx: Ctx, region: str) -> list[Asset]:
    """One asset per unit; ``crash-*`` accounts crash in region r3; ``stop-*`` accounts press Ctrl-C in
    r0 and wait there; every unit stays a moment to meet the others running at the same time."""
    if ctx.account.startswith("crash-") and region == "r3":
        raise RuntimeError("collector bug in r3")
    if ctx.account.startswith("stop-") and region == "r0":
        interrupt.STOP.set()
    if ctx.account.startswith(("stop-", "hold-")) and region == "r0":
        WATCH.started.set()
        WATCH.release.wait(30)
    with WATCH.lock:
        WATCH.now += 1
        WATCH.peak = max(WATCH.peak, WATCH.now)
        if WATCH.now > WATCH.bound:
            WATCH.crowded.set()
    WATCH.crowded.wait(0.2)  # long enough for a third unit to start, if the bound let it
    with WATCH.lock:
        WATCH.now -= 1
    asset_id = f"fake://{ctx.account}/{region}"
    return [Asset(provider="fake", account=ctx.account, region=region, id=asset_id, name=region)]


class TestSource:
    """A provider's collection as units: one account, twelve regions, one service."""

    __test__ = False
    provider = "fake"
    noun = "fake project"

    def specs(self) -> list[ServiceSpec[Ctx]]:
        return [ServiceSpec[Ctx]("store", regional=True, collect=box)]

    def session(self, options: CollectOptions) -> str:
        return options.target.id or ""

    def survey(self, session: str, options: CollectOptions, stop: threading.Event) -> Survey:
        return Survey((session,), REGIONS)

    def guard(self, account: str, stop: threading.Event) -> Guard:
        return Guard(account, FakeErrors(), stop)

    def context(
        self,
        session: str,
        account: str,
        guard: Guard,
        survey: Survey,
        options: CollectOptions,
        details: Executor,
        progress: Progress,
    ) -> Ctx:
        return Ctx(account, guard)

    def close(self, session: str) -> None:
        pass


@pytest.fixture(autouse=True)
def _fresh_watch() -> Iterator[None]:
    global WATCH
    WATCH = Watch()
    yield
    WATCH.release.set()
    interrupt.STOP.clear()


def _collect(address: str, account: str, workers: int = 16) -> Inventory:
    options = CollectOptions(target=Target("project", account), max_workers=workers)
    with connect(address) as executor:
        return executor.collect(TestSource(), options, PlainProgress())


def _ids(inventory: Inventory) -> list[str]:
    return [a.id for a in inventory.assets]


def test_units_run_on_the_cluster_and_come_back_in_unit_order(scheduler: str) -> None:
    local = LocalExecutor().collect(
        TestSource(), CollectOptions(target=Target("project", "p1")), PlainProgress()
    )
    remote = _collect(scheduler, "p1")
    assert _ids(remote) == [f"fake://p1/{r}" for r in REGIONS] == _ids(local)
    assert remote.scope.accounts == ("p1",) and remote.scope.regions == REGIONS
    assert remote.gaps == ()


def test_a_unit_crashing_on_a_worker_is_that_units_gap(scheduler: str) -> None:
    inventory = _collect(scheduler, "crash-p")
    assert [(g.account, g.service, g.region, g.kind, g.error_code, g.message) for g in inventory.gaps] == [
        ("crash-p", "store", "r3", GapKind.CRASH, "RuntimeError", "collector bug in r3")
    ]
    assert _ids(inventory) == [f"fake://crash-p/{r}" for r in REGIONS if r != "r3"]


def test_an_accounts_units_share_a_cluster_wide_bound(scheduler: str) -> None:
    """--workers 2: at most two units of the account at once, though the cluster has 8 threads."""
    WATCH.bound = 2
    inventory = _collect(scheduler, "bounded", workers=2)
    assert len(inventory.assets) == len(REGIONS) and inventory.gaps == ()
    assert not WATCH.crowded.is_set(), f"{WATCH.peak} units of one account ran at once"


def test_without_a_bound_the_same_units_crowd(scheduler: str) -> None:
    """The counterpart of the bound's test: with the default --workers (8 units at once), they do."""
    WATCH.bound = 2
    _collect(scheduler, "unbounded")
    assert WATCH.crowded.is_set()


def test_ctrl_c_cancels_the_futures_and_keeps_what_was_read(scheduler: str) -> None:
    WATCH.bound = 99
    inventory = _collect(scheduler, "stop-p", workers=1)  # one unit at a time: r0 blocks the rest
    assert WATCH.started.is_set()
    interrupted = [g for g in inventory.gaps if g.kind is GapKind.INTERRUPTED]
    assert [g.region for g in interrupted] == [
        r for r in REGIONS if f"fake://stop-p/{r}" not in _ids(inventory)
    ]
    assert "r0" in {g.region for g in interrupted}
    assert {g.operation for g in interrupted} == {"collect"}


def test_a_token_never_travels_unencrypted(scheduler: str) -> None:
    target = Target("project", "p1", (("access_token", "ya29.secret-token"),))
    with connect(scheduler) as executor, pytest.raises(UsageError) as raised:
        executor.collect(TestSource(), CollectOptions(target=target), PlainProgress())
    assert raised.value.message == (
        "--access-token would travel to the Dask workers unencrypted: use a dask+tls:// scheduler, "
        "or give the workers their own credentials"
    )


def test_executor_addresses() -> None:
    assert dask_address("local") is None
    assert dask_address("dask://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert dask_address("dask+tls://scheduler.internal:8786") == "tls://scheduler.internal:8786"
    for bad in ("threads", "dask://host", "dask://:8786", "tcp://host:8786", "dask://h:99999"):
        with pytest.raises(UsageError, match="expected 'local' or dask://HOST:PORT"):
            dask_address(bad)


def _run(out: Path, *extra: str) -> int:
    return main(["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out), *extra])


def test_unreachable_scheduler_is_one_line_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        code = _run(tmp_path / "out", "--executor", "dask://127.0.0.1:9")
    assert code == 3
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: "
    )
    assert not list((tmp_path / "out").glob("*.json"))


def test_bad_executor_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path / "out", "--executor", "spark://h:1") == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: --executor 'spark://h:1': expected 'local' or dask://HOST:PORT (dask+tls://HOST:PORT for TLS)"
    ]


def test_without_dask_installed_the_hint_is_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    monkeypatch.delitem(sys.modules, "cloudaudit.collect.dask_executor")
    monkeypatch.delitem(sys.modules, "cloudaudit.collect.dask_tasks")
    assert _run(tmp_path / "out", "--executor", "dask://127.0.0.1:9") == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: --executor dask://127.0.0.1:9: Dask is not installed")
    assert 'run: pip install -e ".[dask]" in a cloudaudit checkout' in line


def test_losing_the_scheduler_is_a_gap_per_unfinished_unit() -> None:
    """The scheduler goes away while r0 runs: every unit not finished is a ``connection`` gap (the run
    goes on to its reports), never a hang or a traceback."""
    WATCH.bound = 99
    cluster = LocalCluster(
        processes=False,
        n_workers=1,
        threads_per_worker=2,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    )

    def lose_it() -> None:
        WATCH.started.wait(30)
        cluster.sync(cluster.scheduler.close)
        WATCH.release.set()

    closer = threading.Thread(target=lose_it)
    closer.start()
    try:
        with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
            inventory = _collect(str(cluster.scheduler_address), "hold-p", workers=1)
    finally:
        closer.join()
        with contextlib.suppress(TimeoutError):  # its scheduler is gone: closing the rest times out
            cluster.close(timeout=2)
    lost = [g for g in inventory.gaps if g.kind is GapKind.CONNECTION]
    assert "r0" in {g.region for g in lost}
    assert {g.error_code for g in lost} == {"DaskClusterLost"}
    unread = [r for r in REGIONS if f"fake://hold-p/{r}" not in _ids(inventory)]
    assert [g.region for g in lost] == unread
