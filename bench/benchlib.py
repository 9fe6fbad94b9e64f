"""What the provider benchmarks share: timing a child process against a local fake, reading its peak RSS,
counting the fake's requests per route, and printing runs, medians and ratios against the goals."""

from __future__ import annotations

import compileall
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Peak RSS from /proc/self/status (VmHWM): ru_maxrss would count pages shared with this parent at fork.
CLOUDAUDIT = (
    "import sys; from cloudaudit.cli.app import end_process, keep_until_exit, main; "
    "keep_until_exit(); rc = main(sys.argv[1:]); "
    "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
    "print(f'peak_rss_kib={hwm}', file=sys.stderr); import resource; "
    "print(f'child_rss_kib={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}', file=sys.stderr); "
    "end_process(rc)"
)
"""``python -c CLOUDAUDIT run ...``: the CLI, then its peak RSS on stderr, and the largest peak RSS of the
children it forked (the HTML report's writer with many findings, the evaluation helpers; pages shared
with the parent count in both); the process keeps its objects and ends as the ``cloudaudit`` command
does (``keep_until_exit``, ``end_process``: no interpreter teardown)."""


_COMPILED: list[Path] = []


def byte_compile() -> None:
    """Compile cloudaudit's modules (the core and the providers' packages) to bytecode, once per bench.

    An installed package has its bytecode (pip compiles at install) and an editable checkout writes it on
    its first import, so no user's run compiles ~300 modules. Where ``PYTHONDONTWRITEBYTECODE`` is set (as
    on the machines the benches run on) every measured run would otherwise compile them again, some
    0.15 s that the floor, whose libraries pip compiled, never pays. Written into ``__pycache__`` beside
    the sources, as Python itself does."""
    if _COMPILED:
        return
    import cloudaudit
    import cloudaudit_aws

    for root in {Path(cloudaudit.__file__).parent.parent, Path(cloudaudit_aws.__file__).parent.parent}:
        compileall.compile_dir(root, quiet=1, workers=1)
        _COMPILED.append(root)


@dataclass(frozen=True)
class Run:
    """One child process: wall seconds, peak RSS (KiB), requests per route, the fake's CPU seconds."""

    seconds: float
    rss_kib: int
    routes: Counter[str]
    fake_cpu: float
    child_rss_kib: int = 0
    """The largest peak RSS of the children the command forked (0: none, or not measured)."""

    @property
    def requests(self) -> int:
        """Every request of the run."""
        return sum(self.routes.values())


def timed(
    cmd: Sequence[str], env: dict[str, str], log: Callable[[], Sequence[Any]], route: Callable[[Any], str]
) -> Run:
    """Run one child and measure it against the fake whose request ``log`` this process serves; exit with
    its output when it fails (a broken run is not a time)."""
    byte_compile()
    before, cpu = len(log()), time.process_time()  # this process is the fake (and an idle wait)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed, fake_cpu = time.perf_counter() - start, time.process_time() - cpu
    if proc.returncode != 0:
        sys.exit(
            f"command failed (exit {proc.returncode}): {shlex.join(cmd)}\n"
            f"{proc.stdout[-1000:]}{proc.stderr[-3000:]}"
        )
    match = re.search(r"peak_rss_kib=(\d+)", proc.stderr)
    child = re.search(r"child_rss_kib=(\d+)", proc.stderr)
    return Run(
        elapsed,
        int(match.group(1)) if match else -1,
        Counter(map(route, log()[before:])),
        fake_cpu,
        int(child.group(1)) if child else 0,
    )


def findings_counts(out: Path) -> tuple[int, int]:
    """(findings, failing findings) of a run's findings.json."""
    findings = json.loads((out / "findings.json").read_text())["findings"]
    return len(findings), sum(1 for f in findings if f.get("status") == "FAIL")


def diff(audit: Counter[str], floor: Counter[str]) -> str:
    """The routes whose request counts differ, one line each."""
    rows = [
        f"      {route:<50} audit {audit[route]:>6}  floor {floor[route]:>6}"
        for route in sorted(set(audit) | set(floor))
        if audit[route] != floor[route]
    ]
    return "\n".join(rows)


def mb(kib: int) -> str:
    """KiB as whole megabytes."""
    return f"{kib / 1024:.0f} MB"


def line(i: int, audit: Run, floor: Run, findings: tuple[int, int]) -> str:
    """One alternation's figures."""
    return (
        f"run {i}: audit {audit.seconds:6.2f}s  floor {floor.seconds:6.2f}s"
        f"  ratio {audit.seconds / floor.seconds:.2f}"
        f" | requests {audit.requests} vs {floor.requests} ({audit.requests / max(floor.requests, 1):.2f})"
        f" | peak RSS {mb(audit.rss_kib)} vs {mb(floor.rss_kib)}"
        f" | fake CPU {audit.fake_cpu / audit.seconds:.0%} vs {floor.fake_cpu / floor.seconds:.0%}"
        f" | {findings[0]} findings ({findings[1]} failing)"
    )


def alternate(
    audit_cmd: Sequence[str],
    floor_cmd: Sequence[str],
    env: dict[str, str],
    repeat: int,
    measure: Callable[[Sequence[str]], Run],
    out: Path,
) -> tuple[list[Run], list[Run]]:
    """``repeat`` (audit, floor) pairs, alternating, each printed with the routes that differ."""
    audits: list[Run] = []
    floors: list[Run] = []
    for i in range(1, repeat + 1):
        audit = measure(audit_cmd)
        floor = measure(floor_cmd)
        audits.append(audit)
        floors.append(floor)
        print(line(i, audit, floor, findings_counts(out)))
        if audit.routes != floor.routes:
            print("    requests that differ (route [status]):\n" + diff(audit.routes, floor.routes))
    return audits, floors


def summary(
    audits: Sequence[Run], floors: Sequence[Run], findings: tuple[int, int], rss_goal_mb: int
) -> None:
    """The medians and the ratios against the goals (time <= 1.5x, requests <= 1.1x, peak RSS)."""
    a, b = statistics.median(r.seconds for r in audits), statistics.median(r.seconds for r in floors)
    ra, rb = statistics.median(r.requests for r in audits), statistics.median(r.requests for r in floors)
    rss = max(r.rss_kib for r in audits)
    print(
        f"\ncloudaudit run : median {a:6.2f}s  runs {[round(r.seconds, 2) for r in audits]}  peak RSS "
        f"{mb(rss)}  {ra:.0f} requests  ({findings[0]} findings, {findings[1]} failing; reports written)"
    )
    print(
        f"bare clients   : median {b:6.2f}s  runs {[round(r.seconds, 2) for r in floors]}  peak RSS "
        f"{mb(max(r.rss_kib for r in floors))}  {rb:.0f} requests"
    )
    paired = sorted(x.seconds / y.seconds for x, y in zip(audits, floors, strict=True))
    print(f"ratio time     = {a / b:.2f}  (goal <= 1.5)")
    print(
        f"paired ratios  = median {statistics.median(paired):.2f}  {[round(r, 2) for r in paired]}  "
        "(each run against the floor run after it: steadier when the machine's speed drifts)"
    )
    print(f"ratio requests = {ra / max(rb, 1):.2f}  (goal <= 1.1)")
    print(f"audit peak RSS = {mb(rss)}  (goal <= {rss_goal_mb} MB)")
