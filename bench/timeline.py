"""Where one `cloudaudit` run spends its time: the phases of this process and of the processes it forks.

    python bench/timeline.py run --provider gcp --project P --endpoint-url URL --access-token T -o OUT
    python bench/timeline.py --also cloudaudit.exposure.stage:build_surface run ...

Runs the command in this process (as the ``cloudaudit`` command does: no teardown at exit), each of
:data:`PHASES` (and ``--also`` ``module:function`` or ``module:Class.method``) wrapped to record when it
started and how long it took (wall, seconds from the start of this script; CPU of its process). At the
end, each process (the run and every child it forked that called a wrapped function: the HTML report's
writer, the two-core evaluation) prints its phases in order on stderr. For a profile of one phase, see
``python -m cProfile``; this shows which process is on the critical path and what waits for what. A
wrapped call costs about a microsecond more (the pack's ``add``, called once per finding: ~0.03 s at
25,000 findings).
Start a fake first, e.g. ``bench/bench_gcp.py``'s project served by ``cloudaudit_gcp.fake``.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

T0 = time.perf_counter()

PHASES = (
    "cloudaudit.cli.app:collect_providers",
    "cloudaudit.cli.app:findings_document",
    "cloudaudit.engine.early:EarlyEvaluation.findings",
    "cloudaudit.forking:Forked.result",
    "cloudaudit.cli.app:_with_exposure",
    "cloudaudit.exposure.stage:targets_from_inventory",
    "cloudaudit.exposure.stage:correlate",
    "cloudaudit.exposure.stage:build_surface",
    "cloudaudit.cli.app:write_reports",
    "cloudaudit.report.page_ahead:PageAhead.hand_over",
    "cloudaudit.report.page_ahead:order_findings",
    "cloudaudit.report.page_ahead:write_private",
    "cloudaudit.runflow:write_jobs",
    "cloudaudit.report.forked:write_private",
    "cloudaudit.report.packed:FindingsPack.add",
    "cloudaudit.cli.app:_report",
)
"""What a run does after its imports, in order."""

LISTED = 3
"""Calls of one phase listed one by one in a process; the others are summed on one line."""

Mark = tuple[int, str, float, float, float]
"""pid, phase, start (s since T0), wall (s), CPU of the process meanwhile (s)."""

MARKS: list[Mark] = []
CALLS: dict[tuple[int, str], int] = {}
MORE: dict[tuple[int, str], list[float]] = {}
"""(pid, phase) -> [first start, wall, CPU, calls] of the calls past the first LISTED."""


def _wrapped(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            wall, used, pid = time.perf_counter() - start, time.process_time() - cpu, os.getpid()
            calls = CALLS[pid, name] = CALLS.get((pid, name), 0) + 1
            if calls <= LISTED:
                MARKS.append((pid, name, start - T0, wall, used))
            else:
                more = MORE.setdefault((pid, name), [start - T0, 0.0, 0.0, 0])
                more[1] += wall
                more[2] += used
                more[3] += 1

    return timed


def wrap(target: str) -> None:
    """Record every call of ``module:function`` or ``module:Class.method``."""
    module_name, _, path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, attribute = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    setattr(owner, attribute, _wrapped(target, getattr(owner, attribute)))


def _print_marks(code: int) -> None:
    me = os.getpid()
    mine = [(*m[1:], "") for m in MARKS if m[0] == me]
    mine += [
        (name, s[0], s[1], s[2], f" (+{int(s[3])} more calls)")
        for (pid, name), s in MORE.items()
        if pid == me
    ]
    role = "run" if me == RUN_PID else f"child {me}"
    lines = [f"{role}: exit {code} at {time.perf_counter() - T0:.3f} s"]
    lines += [
        f"  {start:7.3f} +{wall:6.3f} s  cpu {cpu:6.3f}  {name}{more}"
        for name, start, wall, cpu, more in sorted(mine, key=lambda m: m[1])
    ]
    print("\n".join(lines), file=sys.stderr, flush=True)


RUN_PID = os.getpid()


def main() -> None:
    args = sys.argv[1:]
    targets = list(PHASES)
    while len(args) >= 2 and args[0] == "--also":
        targets.append(args[1])
        args = args[2:]
    started = time.perf_counter()
    import cloudaudit.cli.app as app

    imported = time.perf_counter() - started
    for target in targets:
        wrap(target)
    exit_now = os._exit

    def ended(code: int) -> None:
        if os.getpid() == RUN_PID:
            print(f"import of cloudaudit.cli.app: {imported:.3f} s", file=sys.stderr)
        _print_marks(code)
        exit_now(code)

    os._exit = ended  # type: ignore[assignment]  # the run and its forked children end through it
    app.keep_until_exit()
    app.end_process(app.main(args))


if __name__ == "__main__":
    main()
