"""Early evaluation: a helper process evaluates the checks of the services already collected.

Each test runs in a fresh interpreter (the helper is forked only from a process with a single thread).
The collection is played by hand: units finish one by one, and the checks record the pid that
evaluated them, so the tests see which process did what and compare every finding with what one
process gives on the whole inventory.
"""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudaudit.engine.early import HELPER_NICENESS, in_check_order
from cloudaudit.engine.outcome import passed
from cloudaudit.engine.registry import CheckSpec
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit.model.finding import Finding
from fresh_interpreter import run_python
from test_report_html import make_finding

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")

_SETUP = """
    import json, os, sys, time
    from datetime import UTC, datetime
    from pathlib import Path
    from cloudaudit.engine.early import EarlyEvaluation, in_check_order
    from cloudaudit.engine.mutelist import Mutelist, Mute
    from cloudaudit.engine.outcome import fail, passed
    from cloudaudit.engine.registry import CheckRegistry, check
    from cloudaudit.engine.runner import evaluate
    from cloudaudit.model.asset import Asset, asset_kind
    from cloudaudit.model.enums import Severity
    from cloudaudit.model.inventory import CollectionGap, GapKind, Inventory, ScanScope

    registry = CheckRegistry()
    PARENT = os.getpid()
    MARK, KEYED = Path("evaluated-keys"), Path("evaluated-keyed")

    @asset_kind("early.store.box", service="store")
    class Box(Asset):
        size: int = 0

    @asset_kind("early.lock.key", service="lock")
    class Key(Asset):
        pass

    @check(id="early.lock.key_loose", title="Loose key", severity=Severity.LOW, asset=Key,
           rationale="r", remediation="m", registry=registry)
    def key_loose(key, inv):
        MARK.write_text(f"{os.getpid()} {os.nice(0)}")
        return fail(f"key {key.name} is loose", {"pid": os.getpid()})

    @check(id="early.store.big", title="Big box", severity=Severity.HIGH, asset=Box,
           rationale="r", remediation="m", registry=registry)
    def big(box, inv):
        rank = [b.id for b in inv.of(Box)].index(box.id)
        return (fail if box.size % 3 == 0 else passed)(f"box {box.name}", {"pid": os.getpid(), "rank": rank})

    @check(id="early.store.keyed", title="Keyed box", severity=Severity.MEDIUM, asset=Box,
           rationale="r", remediation="m", also_collect=("lock",), registry=registry)
    def keyed(box, inv):
        KEYED.write_text(str(os.getpid()))
        unread = [g.message for g in inv.gaps if g.service == "lock"]
        return fail(f"{inv.count(Key)} keys", {"pid": os.getpid(), "unread": unread})

    checks = list(registry)
    mutelist = Mutelist(mutes=(Mute(checks=["early.store.big"], resources=["box-r1-3"], reason="ok"),))
    AT = datetime(2026, 1, 1, tzinfo=UTC)

    def gap(service, message):
        return CollectionGap(provider="ee", account="a1", region="r1", service=service, operation="list",
                             error_code="AccessDenied", message=message, kind=GapKind.DENIED)

    boxes = {r: [Box(provider="ee", account="a1", region=r, id=f"box-{r}-{i}", name=f"b{i}", size=i)
                 for i in range(40)] for r in ("r1", "r2")}
    keys = [Key(provider="ee", account="a1", region="global", id=f"key-{i}", name=f"k{i}") for i in range(5)]
    survey = (gap("regions", "survey could not list regions"),)
    STORE, LOCK = gap("store", "one box unreadable"), gap("lock", "one key unreadable")

    def whole_of(*recorded):
        # the inventory after the collection: its gaps in the order the collectors recorded them
        return Inventory(scope=ScanScope(provider="ee", accounts=("a1",), regions=("r1", "r2"), started=AT,
                                         finished=AT), assets=(*boxes["r1"], *boxes["r2"], *keys),
                         gaps=(*survey, *recorded))
    provisional = ScanScope(provider="ee", accounts=("a1",), started=AT, finished=AT)
    PLAN = ["store", "store", "lock"]  # the units: store in r1, store in r2, lock (global)

    def wait_for(path):
        for _ in range(600):
            if path.exists():
                return
            time.sleep(0.05)
        raise SystemExit(f"the helper never evaluated the check that writes {path}")

    def report(findings):
        plain = [{**f.model_dump(mode="json"), "evidence": {k: v for k, v in f.evidence.items()
                  if k != "pid"}} for f in findings]
        pids = {f.check_id: sorted({"parent" if f.evidence["pid"] == PARENT else "helper"
                                    for g in findings if g.check_id == f.check_id})
                for f in findings}
        return plain, pids

    def lock_evaluated():
        # the helper, told the plan and sent the lock service (done first), has evaluated its check
        early = EarlyEvaluation.start(checks, mutelist)
        early.begin(provisional, survey, PLAN)
        early.unit_done(2, keys, [LOCK])
        wait_for(MARK)
        return early

    def finished(early, whole, everything=checks):
        done = early.findings()
        rest = [c for c in everything if c.id not in done]
        return list(in_check_order(everything, done, evaluate(whole, rest, mutelist)))
"""


def _spec(check_id: str) -> CheckSpec:
    return CheckSpec(check_id, "t", Severity.LOW, Asset, "r", "m", lambda asset, inventory: passed("ok"))


def test_findings_are_merged_in_check_order_reading_the_rest_as_it_comes() -> None:
    checks = [_spec(c) for c in ("x.a", "x.b", "x.c", "x.d")]
    early = {"x.a": [make_finding("x.a")], "x.c": [make_finding("x.c", resource_id="c1")]}
    read: list[str] = []

    def rest() -> Iterator[Finding]:
        for check_id, rid in (("x.b", "b1"), ("x.b", "b2"), ("x.d", "d1")):
            read.append(rid)
            yield make_finding(check_id, resource_id=rid)

    merged = in_check_order(checks, early, rest())
    assert next(merged).check_id == "x.a" and read == ["b1"]  # one finding ahead, never the whole rest
    assert [(f.check_id, f.resource_id) for f in merged] == [
        ("x.b", "b1"),
        ("x.b", "b2"),
        ("x.c", "c1"),
        ("x.d", "d1"),
    ]


def _python(code: str, cwd: Path) -> dict[str, object]:
    proc = run_python(textwrap.dedent(_SETUP) + textwrap.dedent(code), cwd)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_the_checks_of_a_finished_service_are_evaluated_meanwhile_with_the_same_findings(
    tmp_path: Path,
) -> None:
    result = _python(
        """
        early = lock_evaluated()  # the lock service is done: its check ran
        early.unit_done(0, boxes["r1"], [LOCK, STORE])  # store is not done until its second region is
        done = sorted(early.findings())  # the collection ends before store's second unit is heard of
        whole = whole_of(LOCK, STORE)
        got, pids = report(finished(early, whole))
        want, _ = report(evaluate(whole, checks, mutelist))
        print(json.dumps({"same": got == want, "count": len(got), "done": done,
                          "by": [pids[c.id] for c in checks]}))
        """,
        tmp_path,
    )
    assert result == {
        "same": True,
        "count": 40 * 2 * 2 + 5,
        "done": ["early.lock.key_loose"],
        "by": [["helper"], ["parent"], ["parent"]],  # in check order: the helper's, then this process's
    }


def test_work_given_for_meanwhile_runs_once_while_the_ended_helper_finishes(tmp_path: Path) -> None:
    result = _python(
        """
        early = lock_evaluated()
        helper = early._forked.pid
        calls = []

        def meanwhile():
            # the helper was told the collection ended before this runs: it finishes and exits meanwhile
            for _ in range(600):
                if Path(f"/proc/{helper}/stat").read_text().split(") ")[1][0] == "Z":
                    calls.append("helper ended")
                    return
                time.sleep(0.01)
            calls.append("helper still running")

        done = sorted(early.findings(meanwhile))
        again = sorted(early.findings(lambda: calls.append("again")))
        print(json.dumps({"calls": calls, "done": done, "again": again}))
        """,
        tmp_path,
    )
    assert result == {
        "calls": ["helper ended"],
        "done": ["early.lock.key_loose"],
        "again": ["early.lock.key_loose"],
    }


def test_the_helper_runs_at_a_lower_priority_than_the_collection(tmp_path: Path) -> None:
    result = _python(
        """
        early = lock_evaluated()
        early.findings()
        pid, niceness = MARK.read_text().split()
        print(json.dumps({"helper": int(pid) != PARENT, "niceness": int(niceness), "here": os.nice(0)}))
        """,
        tmp_path,
    )
    assert result["helper"] is True
    assert result["niceness"] == min(19, int(str(result["here"])) + HELPER_NICENESS)


def test_a_check_waits_for_every_service_it_declares_and_sees_their_gaps(tmp_path: Path) -> None:
    result = _python(
        """
        early = EarlyEvaluation.start(checks, mutelist)
        early.begin(provisional, survey, PLAN)
        early.unit_done(0, boxes["r1"], [STORE])
        early.unit_done(1, boxes["r2"], [STORE])  # store done: "big" may run, "keyed" needs lock
        time.sleep(1)
        early.unit_done(2, keys, [STORE, LOCK])
        wait_for(KEYED)
        whole = whole_of(STORE, LOCK)
        found = finished(early, whole)
        got, pids = report(found)
        want, _ = report(evaluate(whole, checks, mutelist))
        keyed = next(f for f in found if f.check_id == "early.store.keyed")
        print(json.dumps({"same": got == want, "keyed": keyed.message, "unread": keyed.evidence["unread"],
                          "by": pids["early.store.keyed"],
                          "muted": next(f.status.value for f in found if f.resource_id == "box-r1-3"
                                        and f.check_id == "early.store.big")}))
        """,
        tmp_path,
    )
    assert result == {
        "same": True,
        "keyed": "5 keys",
        "unread": ["one key unreadable"],
        "by": ["helper"],
        "muted": "MUTED",
    }


def test_a_check_reading_an_undeclared_service_is_left_to_this_process(tmp_path: Path) -> None:
    result = _python(
        """
        @check(id="early.store.sneaky", title="Sneaky", severity=Severity.LOW, asset=Box,
               rationale="r", remediation="m", registry=registry)
        def sneaky(box, inv):  # reads the lock service without declaring it
            Path("tried-sneaky").write_text(str(os.getpid()))
            return fail(f"{inv.count(Key)} keys", {"pid": os.getpid()})
        everything = list(registry)
        early = EarlyEvaluation.start(everything, mutelist)
        early.begin(provisional, survey, PLAN)
        early.unit_done(0, boxes["r1"], [STORE])
        early.unit_done(1, boxes["r2"], [STORE])
        early.unit_done(2, keys, [STORE, LOCK])
        wait_for(Path("tried-sneaky"))  # the helper tried it: the store service was all it declared
        time.sleep(0.5)
        whole = whole_of(STORE, LOCK)
        found = finished(early, whole, everything)
        got, pids = report(found)
        want, _ = report(evaluate(whole, everything, mutelist))
        sneaky = {f.message for f in found if f.check_id == "early.store.sneaky"}
        print(json.dumps({"same": got == want, "by": pids["early.store.sneaky"], "said": sorted(sneaky)}))
        """,
        tmp_path,
    )
    assert result == {"same": True, "by": ["parent"], "said": ["5 keys"]}


def test_when_the_helper_dies_every_check_is_evaluated_here(tmp_path: Path) -> None:
    result = _python(
        """
        @check(id="early.lock.fragile", title="Fragile", severity=Severity.LOW, asset=Key,
               rationale="r", remediation="m", registry=registry)
        def fragile(key, inv):
            if os.getpid() != PARENT:
                os._exit(9)
            return passed("fine", {"pid": os.getpid()})
        everything = list(registry)
        early = EarlyEvaluation.start(everything, mutelist)
        early.begin(provisional, survey, PLAN)
        early.unit_done(2, keys, [LOCK])
        wait_for(MARK)
        time.sleep(0.5)
        early.unit_done(0, boxes["r1"], [LOCK, STORE])  # written to a helper that is gone: no harm
        early.unit_done(1, boxes["r2"], [LOCK, STORE])
        whole = whole_of(LOCK, STORE)
        done = early.findings()
        found = list(in_check_order(everything, done, evaluate(whole, everything, mutelist)))
        got, pids = report(found)
        want, _ = report(evaluate(whole, everything, mutelist))
        print(json.dumps({"done": sorted(done), "same": got == want,
                          "pids": sorted({p for v in pids.values() for p in v})}))
        """,
        tmp_path,
    )
    assert result == {"done": [], "same": True, "pids": ["parent"]}


def test_past_its_asset_limit_the_helper_is_sent_nothing_more(tmp_path: Path) -> None:
    result = _python(
        """
        from cloudaudit.engine import early as early_module
        early_module.MAX_ASSETS = 50  # the lock service (5 keys) fits, the store (80 boxes) does not
        early = lock_evaluated()
        early.unit_done(0, boxes["r1"], [LOCK, STORE])
        early.unit_done(1, boxes["r2"], [LOCK, STORE])
        time.sleep(1)
        done = sorted(early.findings())
        whole = whole_of(LOCK, STORE)
        got, pids = report(finished(early, whole))
        want, _ = report(evaluate(whole, checks, mutelist))
        print(json.dumps({"done": done, "same": got == want, "store": pids["early.store.big"]}))
        """,
        tmp_path,
    )
    assert result == {"done": ["early.lock.key_loose"], "same": True, "store": ["parent"]}


def test_no_helper_for_a_single_service_or_in_a_process_with_threads(tmp_path: Path) -> None:
    result = _python(
        """
        import threading
        single = EarlyEvaluation.start([c for c in checks if c.id == "early.store.big"], mutelist)
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        busy = EarlyEvaluation.start(checks, mutelist)
        stop.set()
        thread.join()
        print(json.dumps({"single": single is None, "busy": busy is None}))
        """,
        tmp_path,
    )
    assert result == {"single": True, "busy": True}
