"""Benchmark: the HTML report at 1k, 10k and 100k findings: file size, time to usable in a real
headless Chromium against an empty page, and `cloudaudit report`'s time and peak RSS.

    python bench/bench_report.py [--sizes 1000,10000,100000] [--repeat 3] [--from findings.json]

The findings are the demo's (`cloudaudit demo --format json`, run once into a temporary directory,
unless --from names a findings.json), repeated with each copy's resources renamed (bench/synthetic.py).
For each size, `cloudaudit report FINDINGS --format html` runs in its own process (wall time, peak RSS),
then Chromium opens the report and, alternately, an empty page, each in a new browser with a new
profile. "Usable" is when the page has its totals and its first rows rendered and its filters wired:
the report's script sets `data-ready` on <html> then; the empty page sets it from its only script.
The time counted is from starting Chromium to that moment (what a reader waits for), median of the runs.
Goals: report.html under 25 MB and usable within 3.5x the empty page's time at 100,000 findings.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchlib import byte_compile
from cloudaudit.report.json_report import load_findings
from headless import CHROMIUM, Chromium, page_url
from synthetic import scaled

SIZE_GOAL_MB = 25.0
RATIO_GOAL = 3.5
EMPTY_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>empty</title></head><body>'
    "<script>document.documentElement.dataset.ready = String(Math.round(performance.now()));</script>"
    "</body></html>\n"
)
CLOUDAUDIT = (
    "import sys; from cloudaudit.cli.app import end_process, keep_until_exit, main; "
    "keep_until_exit(); rc = main(sys.argv[1:]); "
    "hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
    "print(f'peak_rss_kib={hwm}', file=sys.stderr); end_process(rc)"
)
"""``python -c CLOUDAUDIT report ...``: the CLI, then its peak RSS on stderr."""


@dataclass(frozen=True)
class Size:
    """The figures of one size."""

    findings: int
    json_mb: float
    html_mb: float
    report_seconds: float
    rss_mb: float
    empty_seconds: list[float]
    usable_seconds: list[float]
    interactions: dict[str, float]

    @property
    def ratio(self) -> float:
        return statistics.median(self.usable_seconds) / statistics.median(self.empty_seconds)


def _env() -> dict[str, str]:
    root = Path(__file__).resolve().parents[1]
    path = os.pathsep.join([str(root / "src"), str(root / "providers"), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path.rstrip(os.pathsep)}


def demo_findings(work: Path) -> Path:
    """findings.json of `cloudaudit demo` (every installed provider's sample), written into ``work``."""
    out = work / "demo"
    out.mkdir(mode=0o700)
    cmd = [sys.executable, "-m", "cloudaudit.cli.app", "demo", "-f", "json", "-o", str(out)]
    proc = subprocess.run(cmd, env=_env(), capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        sys.exit(f"cloudaudit demo failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    return out / "findings.json"


INTERACTIONS = {
    "untick a severity": "document.querySelector(\"#filters input[data-facet='severity'][value='low']\")"
    ".click()",
    "sort by resource": "(s => { s.value = 'resource'; s.dispatchEvent(new Event('change')); })"
    "(document.getElementById('sort'))",
    "group by check": "(s => { s.value = 'check'; s.dispatchEvent(new Event('change')); })"
    "(document.getElementById('group'))",
    "next page": "document.querySelector('#findings .next').click()",
}
"""What a reader does first, each timed in the page (milliseconds of the handler's work)."""

SEARCH = """new Promise((done) => {
  const box = document.getElementById("search"), shown = document.getElementById("view-summary");
  const start = performance.now();
  box.value = "frontend";
  box.dispatchEvent(new Event("input"));
  (function wait() {
    if (shown.textContent.includes("search: frontend")) { done(performance.now() - start - 200); }
    else { setTimeout(wait, 1); }
  })();
})"""
"""The first search (its index built then), less the 200 ms the page waits for the typing to stop."""


def usable(page: Path, timeout: float = 600.0, interact: bool = False) -> tuple[float, dict[str, float]]:
    """Seconds from starting Chromium on ``page`` to the page's ``data-ready`` mark (and, with
    ``interact``, how long the first interactions take)."""
    with Chromium(page_url(page), timeout=timeout) as browser:
        ready = float(browser.wait_for("document.documentElement.dataset.ready", timeout, interval=0.01))
        origin = float(browser.evaluate("performance.timeOrigin"))
        times: dict[str, float] = {}
        if interact:
            for name, action in INTERACTIONS.items():
                times[name] = float(
                    browser.evaluate(
                        f"(() => {{ const t = performance.now(); {action};"
                        " return performance.now() - t; })()"
                    )
                )
            times["first search"] = float(browser.evaluate(SEARCH))
        problems = browser.problems()
        if problems:
            sys.exit(f"{page.name}: the page reported problems: {problems[:3]}")
        return (origin + ready) / 1000 - browser.launched, times


def report(findings: Path, out: Path) -> tuple[float, float]:
    """`cloudaudit report FINDINGS --format html` in its own process: (seconds, peak RSS in MB)."""
    out.mkdir(mode=0o700, exist_ok=True)
    cmd = [sys.executable, "-c", CLOUDAUDIT, "report", str(findings), "-f", "html", "-o", str(out)]
    byte_compile()
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=_env(), capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"cloudaudit report failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    match = re.search(r"peak_rss_kib=(\d+)", proc.stderr)
    return seconds, int(match.group(1)) / 1024 if match else -1.0


def measure(n: int, base: Path, work: Path, repeat: int) -> Size:
    """Every figure of one size."""
    source = work / f"findings-{n}.json"
    source.write_text(scaled(load_findings(base), n).model_dump_json())
    seconds, rss = report(source, work / f"out-{n}")
    page = work / f"out-{n}" / "report.html"
    empty = work / "empty.html"
    empty.write_text(EMPTY_PAGE)
    empties, usables, times = [], [], {}
    for i in range(repeat):  # alternated: both see the same load of the machine
        empties.append(usable(empty)[0])
        ready, measured = usable(page, interact=i == repeat - 1)
        usables.append(ready)
        times.update(measured)
    mb = 1024 * 1024
    return Size(
        n, source.stat().st_size / mb, page.stat().st_size / mb, seconds, rss, empties, usables, times
    )


def show(size: Size) -> None:
    """One size's line."""
    bytes_each = size.html_mb * 1024 * 1024 / size.findings
    print(
        f"{size.findings:>7,} findings | findings.json {size.json_mb:6.1f} MB"
        f" | report.html {size.html_mb:5.1f} MB"
        f" ({bytes_each:4.0f} B/finding) | cloudaudit report {size.report_seconds:5.1f}s, peak RSS"
        f" {size.rss_mb:5.0f} MB | empty page {statistics.median(size.empty_seconds):.2f}s"
        f" | report usable {statistics.median(size.usable_seconds):.2f}s"
        f" (runs {[round(s, 2) for s in size.usable_seconds]}) | ratio {size.ratio:.2f}",
        flush=True,
    )
    print("          interactions: " + ", ".join(f"{k} {v:.0f} ms" for k, v in size.interactions.items()))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="finding counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="browser runs per page (median)")
    parser.add_argument(
        "--from", dest="source", type=Path, help="a findings.json to repeat (default: the demo's)"
    )
    parser.add_argument("--keep", type=Path, help="keep the generated files in this directory")
    args = parser.parse_args()
    if CHROMIUM is None:
        sys.exit("chromium is not installed")
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        base = args.source or demo_findings(work)
        print(
            f"base: {base} ({len(load_findings(base).findings)} findings), chromium: {CHROMIUM}", flush=True
        )
        results = []
        for n in sizes:
            results.append(measure(n, base, work, args.repeat))
            show(results[-1])
    largest = max(results, key=lambda s: s.findings)
    print(
        f"\nat {largest.findings:,} findings: report.html {largest.html_mb:.1f} MB"
        f" (goal < {SIZE_GOAL_MB:.0f} MB), "
        f"usable in {largest.ratio:.2f}x the empty page's time (goal <= {RATIO_GOAL}x)"
    )


if __name__ == "__main__":
    main()
