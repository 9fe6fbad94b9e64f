"""Evaluation on two cores: a forked child evaluates every other resource of each check.

Each test runs in a fresh interpreter: the pytest process may host server threads, and the engine
(rightly) forks only in a process with a single thread. The checks record the pid that evaluated
each resource in the evidence, so the tests see which process did what.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from fresh_interpreter import run_python

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")

_SETUP = """
    import json, os, sys
    from datetime import UTC, datetime
    from cloudaudit.engine import two_cores
    from cloudaudit.engine.mutelist import Mutelist, Mute
    from cloudaudit.engine.outcome import Outcome, fail, passed
    from cloudaudit.engine.registry import CheckRegistry, check
    from cloudaudit.engine.runner import evaluate
    from cloudaudit.model.asset import Asset, asset_kind
    from cloudaudit.model.enums import Severity
    from cloudaudit.model.inventory import Inventory, ScanScope

    registry = CheckRegistry()
    PARENT = os.getpid()

    @asset_kind("twocores.store.box", service="store")
    class Box(Asset):
        size: int = 0

    @asset_kind("twocores.store.crate", service="store")
    class Crate(Asset):
        pass

    def index(inv):
        return {b.id: n for n, b in enumerate(inv.of(Box))}

    @check(id="twocores.store.big", title="Big box", severity=Severity.HIGH, asset=Box,
           rationale="r", remediation="m", registry=registry)
    def big(box, inv):
        where = {"pid": os.getpid(), "rank": inv.derived("twocores.index", index)[box.id]}
        if box.size % 3 == 0:
            return fail(f"box {box.name} is big", where)
        return passed(f"box {box.name} is small", where)

    @check(id="twocores.store.twice", title="Two verdicts", severity=Severity.LOW, asset=Box,
           rationale="r", remediation="m", registry=registry)
    def twice(box, inv):
        if box.size % 7 == 0:
            raise RuntimeError(f"cannot judge {box.name}")
        yield passed("first", {"pid": os.getpid()})
        if box.size % 2:
            yield fail("second", {"pid": os.getpid()})

    @check(id="twocores.store.crate_open", title="Open crate", severity=Severity.MEDIUM, asset=Crate,
           rationale="r", remediation="m", registry=registry)
    def crate_open(crate, inv):
        return fail(f"crate {crate.name} is open", {"pid": os.getpid()})

    def inventory(boxes, crates=3):
        at = datetime(2026, 1, 1, tzinfo=UTC)
        assets = [Box(provider="tc", account="a1", region="r1", id=f"box-{i}", name=f"b{i}", size=i)
                  for i in range(boxes)]
        assets += [Crate(provider="tc", account="a1", region="r1", id=f"crate-{i}", name=f"c{i}")
                   for i in range(crates)]
        return Inventory(scope=ScanScope(provider="tc", accounts=("a1",), regions=("r1",), started=at,
                                         finished=at), assets=assets)

    checks = list(registry)
    mutelist = Mutelist(mutes=(Mute(checks=["twocores.store.big"], resources=["box-3"], reason="ok"),))

    def report(findings):
        # what a report shows (the evaluating pid aside), and which pids evaluated
        plain = [{**f.model_dump(mode="json"), "evidence": {k: v for k, v in f.evidence.items()
                  if k != "pid"}} for f in findings]
        pids = sorted({f.evidence["pid"] for f in findings if "pid" in f.evidence})  # not on ERROR
        return {"findings": plain, "pids": sorted({"parent" if p == PARENT else "other" for p in pids}),
                "parent": PARENT}
"""


def _python(code: str, cwd: Path) -> dict[str, object]:
    proc = run_python(textwrap.dedent(_SETUP) + textwrap.dedent(code), cwd)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_a_large_inventory_is_evaluated_by_two_processes_into_one_process_s_order(tmp_path: Path) -> None:
    result = _python(
        """
        inv = inventory(1500)
        assert two_cores.worth_forking(inv)
        two = report(list(two_cores.evaluate(inv, checks, mutelist)))
        one = report(evaluate(inv, checks, mutelist))
        print(json.dumps({"same": two["findings"] == one["findings"], "pids": two["pids"],
                          "count": len(two["findings"]), "derived": inv._derived}))
        """,
        tmp_path,
    )
    # big: one per box; twice: an ERROR on every 7th box, else one finding plus one on odd sizes
    twice = sum(1 if i % 7 == 0 else 1 + i % 2 for i in range(1500))
    assert result == {"same": True, "pids": ["other", "parent"], "count": 1500 + twice + 3, "derived": {}}


def test_findings_keep_what_one_process_gives_muted_errors_and_several_per_resource(tmp_path: Path) -> None:
    result = _python(
        """
        found = list(two_cores.evaluate(inventory(1200), checks, mutelist))
        def first(check_id, resource_id):
            return next(f for f in found if f.check_id == check_id and f.resource_id == resource_id)
        print(json.dumps({
            "muted": first("twocores.store.big", "box-3").status.value,
            "error": first("twocores.store.twice", "box-14").status.value,
            "error_message": first("twocores.store.twice", "box-14").message,
            "second": [f.message for f in found if f.check_id == "twocores.store.twice"
                       and f.resource_id == "box-5"],
            "by_odd_even": sorted({("even" if f.evidence["rank"] % 2 == 0 else "odd",
                                    f.evidence["pid"] == PARENT) for f in found
                                   if f.check_id == "twocores.store.big" and f.evidence["rank"] > 0}),
        }))
        """,
        tmp_path,
    )
    assert result["muted"] == "MUTED"
    assert result["error"] == "ERROR"
    assert result["error_message"] == "Check failed to run: RuntimeError: cannot judge b14"
    assert result["second"] == ["first", "second"]
    assert result["by_odd_even"] == [["even", False], ["odd", True]]  # the child has the even positions


def test_when_the_child_dies_its_share_is_evaluated_here_and_nothing_is_lost(tmp_path: Path) -> None:
    result = _python(
        """
        @check(id="twocores.store.fragile", title="Fragile", severity=Severity.LOW, asset=Box,
               rationale="r", remediation="m", registry=registry)
        def fragile(box, inv):
            if os.getpid() != PARENT:
                os._exit(9)  # the child dies in the middle of its share
            return passed("fine", {"pid": os.getpid()})
        everything = list(registry)
        inv = inventory(1100)
        two = report(list(two_cores.evaluate(inv, everything, mutelist)))
        one = report(evaluate(inv, everything, mutelist))
        print(json.dumps({"same": two["findings"] == one["findings"], "pids": two["pids"]}))
        """,
        tmp_path,
    )
    assert result == {"same": True, "pids": ["parent"]}


def test_a_small_inventory_or_a_process_with_threads_is_evaluated_here(tmp_path: Path) -> None:
    result = _python(
        """
        import threading
        small = report(list(two_cores.evaluate(inventory(50), checks)))
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        busy = report(list(two_cores.evaluate(inventory(1500), checks)))
        stop.set()
        thread.join()
        print(json.dumps({"small": small["pids"], "busy": busy["pids"],
                          "worth": [two_cores.worth_forking(inventory(n, 0)) for n in (999, 1000, 10001)]}))
        """,
        tmp_path,
    )
    assert result == {"small": ["parent"], "busy": ["parent"], "worth": [False, True, False]}
