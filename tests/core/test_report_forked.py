"""Report files written on two cores: a forked child writes the HTML while the parent writes the rest.

Each test runs in a fresh interpreter: the pytest process may host server threads, and the writer
(rightly) forks only in a process with a single thread.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cloudaudit.report import html, json_report
from cloudaudit.report.forked import MIN_FINDINGS, Job, write_jobs
from fresh_interpreter import run_python
from test_report_html import make_doc, make_finding

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")

_python = run_python


_HEADER = """
    import os
    from pathlib import Path
    from cloudaudit.errors import CloudauditError
    from cloudaudit.report.forked import Job, can_fork, write_jobs
    assert can_fork()
    here = Path(".")
    def pid(): return [f"pid {os.getpid()}"]
"""


def test_the_aside_file_is_written_by_a_child_and_the_others_here(tmp_path: Path) -> None:
    code = (
        _HEADER
        + """
    jobs = [Job(here / "a.json", pid), Job(here / "b.html", pid, aside=True), Job(here / "c.csv", pid)]
    print([p.name for p in write_jobs(jobs, fork=True)], os.getpid())
    """
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    names, parent = proc.stdout.rsplit(" ", 1)
    assert names == "['a.json', 'b.html', 'c.csv']"
    assert (tmp_path / "a.json").read_text() == f"pid {parent.strip()}"
    assert (tmp_path / "c.csv").read_text() == f"pid {parent.strip()}"
    child = (tmp_path / "b.html").read_text()
    assert child.startswith("pid ") and child != f"pid {parent.strip()}"
    assert oct((tmp_path / "b.html").stat().st_mode & 0o777) == "0o600"


def test_without_fork_every_file_is_written_here(tmp_path: Path) -> None:
    code = (
        _HEADER
        + """
    write_jobs([Job(here / "a.json", pid), Job(here / "b.html", pid, aside=True)], fork=False)
    print(os.getpid())
    """
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "b.html").read_text() == f"pid {proc.stdout.strip()}"


@pytest.mark.parametrize(
    ("aside", "expected"),
    [
        ('Job(here / "taken", pid, aside=True)', "cannot write taken:"),
        ('Job(here / "b.html", lambda: 1 / 0, aside=True)', "cannot write b.html: ZeroDivisionError"),
    ],
)
def test_a_failure_in_the_child_is_one_error_here_after_the_other_files(
    tmp_path: Path, aside: str, expected: str
) -> None:
    (tmp_path / "taken").mkdir()  # a directory where the file should go: the rename fails
    code = (
        _HEADER
        + f"""
    try:
        write_jobs([Job(here / "a.json", pid), {aside}], fork=True)
    except CloudauditError as exc:
        print("error:", exc)
    """
    )
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"error: {expected}")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert (tmp_path / "a.json").read_text().startswith("pid ")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_large_report_set_is_the_same_as_one_process_writes(tmp_path: Path) -> None:
    findings = [
        make_finding(f"check_{i % 40}", resource_id=f"arn:aws:s3:::b{i}") for i in range(MIN_FINDINGS)
    ]
    doc = make_doc(findings)
    source = tmp_path / "in.json"
    source.write_text(doc.model_dump_json())
    out = tmp_path / "out"
    code = f"""
    import sys
    from cloudaudit.cli.app import main
    sys.exit(main(["report", {str(source)!r}, "--format", "html,json", "-o", {str(out)!r}]))
    """
    proc = _python(code, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (out / "report.html").read_text(encoding="utf-8") == html.render_html(doc)
    assert (out / "findings.json").read_text(encoding="utf-8") == json_report.render_findings(doc)
    assert len(json.loads((out / "findings.json").read_text())["findings"]) == MIN_FINDINGS


def test_in_the_test_process_every_file_is_written_too(tmp_path: Path) -> None:
    """Whether or not this process may fork (server threads of other tests forbid it)."""
    jobs = [Job(tmp_path / "x", lambda: "1"), Job(tmp_path / "y", lambda: "2", aside=True)]
    assert [p.read_text() for p in write_jobs(jobs, fork=True)] == ["1", "2"]
