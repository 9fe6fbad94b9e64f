"""The HTML report's findings packed in a child process while the exposure stage runs (page_ahead).

Each test runs in a fresh interpreter: the child is forked only from a process with a single thread.
The document is read from a findings.json written here; the steps after evaluation are played by
changing its run, coverage and surface (the exposure stage's part) and keeping or replacing findings.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cloudaudit.report import html
from cloudaudit.report.forked import MIN_FINDINGS
from fresh_interpreter import run_python
from test_report_html import make_doc, make_entry, make_finding

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX only")

_SETUP = """
    import os, time
    from pathlib import Path
    from cloudaudit import forking
    from cloudaudit.errors import CloudauditError
    from cloudaudit.report.html import render_html
    from cloudaudit.report.json_report import load_findings
    from cloudaudit.report.page_ahead import PageAhead, page_ahead

    doc = load_findings(Path("in.json"))
    later = load_findings(Path("later.json"))  # what the exposure stage adds: run notes, surface, gaps
    final = doc.model_copy(update={"run": later.run, "surface": later.surface, "coverage": later.coverage})

    def children():
        for _ in range(200):  # a child that said it is done is reaped without being waited for
            forking.reap()
            if not forking._PENDING:
                break
            time.sleep(0.01)
        try:
            return os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return "none"
"""


def _documents(tmp_path: Path, count: int = MIN_FINDINGS) -> None:
    findings = [
        make_finding(f"check_{i % 40}", resource_id=f"arn:aws:s3:::b{i}", resource_name=f"b{i}")
        for i in range(count)
    ]
    (tmp_path / "in.json").write_text(make_doc(findings).model_dump_json())
    later = make_doc([], surface=[make_entry("203.0.113.7")], exposure_notes=["shodan: 3 credit(s) used"])
    (tmp_path / "later.json").write_text(later.model_dump_json())


def _final_page(tmp_path: Path) -> str:
    """The page one process writes for the final document (what the child's must equal)."""
    from cloudaudit.report.json_report import load_findings

    doc = load_findings(tmp_path / "in.json")
    later = load_findings(tmp_path / "later.json")
    final = doc.model_copy(update={"run": later.run, "surface": later.surface, "coverage": later.coverage})
    return html.render_html(final)


def test_the_child_writes_the_page_of_the_final_document_from_the_findings_it_packed(tmp_path: Path) -> None:
    _documents(tmp_path)
    proc = run_python(
        _SETUP
        + """
    with page_ahead(doc, True) as ahead:
        assert ahead is not None
        print(ahead.hand_over(final, [], None, Path("report.html")))
        ahead.wait()
    print(children())
    """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "none"]
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page == _final_page(tmp_path)
    assert "203.0.113.7" in page and "shodan: 3 credit(s) used" in page
    assert oct((tmp_path / "report.html").stat().st_mode & 0o777) == "0o600"


def test_changed_findings_stop_the_child_and_the_page_is_left_to_the_caller(tmp_path: Path) -> None:
    _documents(tmp_path)
    proc = run_python(
        _SETUP
        + """
    regraded = [*doc.findings[:-1], doc.findings[-1].model_copy(update={"severity": "critical"})]
    with page_ahead(doc, True) as ahead:
        print(ahead.hand_over(final.model_copy(update={"findings": regraded}), [], None, Path("report.html")))
        print(children())
    """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "none"]  # the child is ended and reaped at once
    assert not (tmp_path / "report.html").exists()


def test_a_failure_before_the_hand_over_ends_the_child_without_a_page(tmp_path: Path) -> None:
    _documents(tmp_path)
    proc = run_python(
        _SETUP
        + """
    try:
        with page_ahead(doc, True) as ahead:
            assert ahead is not None
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        print("interrupted", children())
    """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["interrupted", "none"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "later.json"]


def test_a_page_the_child_cannot_write_is_one_error_naming_the_file(tmp_path: Path) -> None:
    _documents(tmp_path)
    (tmp_path / "report.html").mkdir()  # a directory where the page should go: the rename fails
    proc = run_python(
        _SETUP
        + """
    with page_ahead(doc, True) as ahead:
        print(ahead.hand_over(final, [], None, Path("report.html")))
        try:
            ahead.wait()
        except CloudauditError as exc:
            print("error:", exc)
    """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "True"
    assert proc.stdout.splitlines()[1].startswith("error: cannot write report.html")
    assert "Traceback" not in proc.stdout + proc.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_no_child_for_a_small_report_when_not_wanted_or_in_a_process_with_threads(tmp_path: Path) -> None:
    _documents(tmp_path, count=MIN_FINDINGS - 1)
    proc = run_python(
        _SETUP
        + """
    import threading
    big = doc.model_copy(update={"findings": list(doc.findings) * 2})
    with page_ahead(doc, True) as small, page_ahead(big, False) as unwanted:
        print(small, unwanted)
    threading.Thread(target=threading.Event().wait, daemon=True).start()
    with page_ahead(big, True) as threaded:
        print(threaded)
    """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["None", "None", "None"]
