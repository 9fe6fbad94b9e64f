"""History through the CLI: two ``evaluate`` runs of one account with a change between them, recorded
in a store (SQLite, and PostgreSQL when a server is there), then ``runs``, ``diff``, ``runs prune``,
``--fail-on-new``'s exit codes, the HTML report's "Since the last run", and store failures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from aws_builders import bucket, hardened_bucket, inventory, public_policy
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit.report.json_report import render_inventory

pytest_plugins = ["history_fixtures"]  # the store_url fixture: SQLite, then PostgreSQL
HOSTILE = "evil\x1b]0;pwned\x07\u202ename"
S3 = ["--checks", "aws.s3.*"]


def _inventory(path: Path, *, public: bool, hostile_versioned: bool = True) -> Path:
    """One account: ``shop`` (public or hardened) and a hardened bucket with a hostile name (its
    versioning off when not ``hostile_versioned``)."""
    shop = (
        hardened_bucket("shop", policy=public_policy("shop"), policy_is_public=True, public_access_block=None)
        if public
        else hardened_bucket("shop")
    )
    other = hardened_bucket(HOSTILE, versioning="Enabled" if hostile_versioned else "")
    path.write_text(render_inventory(inventory(shop, other, bucket("plain"))))
    return path


def _evaluate(inv: Path, out: Path, *args: str) -> int:
    return main(["evaluate", "-i", str(inv), "-o", str(out), "-f", "json,html", *S3, *args])


@pytest.fixture
def two_runs(tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run 1: everything hardened; run 2: ``shop`` public and the hostile bucket's versioning off."""
    assert (
        _evaluate(_inventory(tmp_path / "a.json", public=False), tmp_path / "r1", "--store", store_url) == 0
    )
    first = capsys.readouterr().out
    assert "since the last run: first run of this scope in the store, nothing to compare" in first
    assert re.search(r"^recorded run 1 in store ", first, re.M)
    inv = _inventory(tmp_path / "b.json", public=True, hostile_versioned=False)
    assert _evaluate(inv, tmp_path / "r2", "--store", store_url) == 0
    second = capsys.readouterr().out
    assert re.search(
        r"^since run 1 \(2024-05-01 \d\d:\d\d UTC\): 4 new, 0 resolved, 0 changed, 6 unchanged$", second, re.M
    )
    return store_url


def test_diff_text_says_what_is_new_and_stays_printable(
    two_runs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "--store", two_runs]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]0;pwned\\x07\\u202ename" in out
    new = out.split("new (4):\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[:3] for line in new] == [
        ["high", "FAIL", "aws.s3.bucket_policy_public"],
        ["medium", "FAIL", "aws.s3.bucket_public_access_block"],
        ["medium", "FAIL", "aws.s3.bucket_tls_not_enforced"],
        ["low", "FAIL", "aws.s3.bucket_versioning"],
    ]
    assert "  shop  (111122223333 us-east-1)" in new[0]
    assert "resolved (0):" in out and "changed (0):" in out
    assert out.startswith("from run 1 (2024-05-01 12:00 UTC, aws 111122223333 all regions)\n  to run 2 ")


def test_diff_json_for_pipelines(two_runs: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "1", "2", "--store", two_runs, "--format", "json"]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == "1"
    assert (doc["before"]["id"], doc["after"]["id"]) == (1, 2)
    assert doc["counts"]["new"] == 4 and doc["counts"]["resolved"] == 0
    hostile = next(f for f in doc["new"] if f["check_id"] == "aws.s3.bucket_versioning")
    assert (
        hostile["resource_name"] == HOSTILE
        and hostile["status"] == "FAIL"
        and len(hostile["fingerprint"]) == 64
    )
    # reversed: what was new is resolved
    assert main(["diff", "2", "1", "--store", two_runs, "-f", "json"]) == 0
    back = json.loads(capsys.readouterr().out)
    assert sorted(f["fingerprint"] for f in back["resolved"]) == sorted(f["fingerprint"] for f in doc["new"])


def test_diff_of_one_run_compares_it_with_the_previous(
    two_runs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", "2", "--store", two_runs, "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["before"]["id"] == 1
    assert main(["diff", "1", "--store", two_runs]) == ExitCode.USAGE
    assert "error: run 1 is the first run of its scope in store" in capsys.readouterr().err


def test_runs_lists_and_prune_deletes(two_runs: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runs", "--store", two_runs]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:2] == ["ID", "STARTED"]
    assert [line.split()[0] for line in lines[1:]] == ["2", "1"]
    assert lines[1].endswith("aws 111122223333 all regions")
    assert main(["runs", "--store", two_runs, "-f", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["id"] for r in runs] == [2, 1]
    assert runs[0]["counts"]["failing_by_severity"]["high"] == 1
    assert runs[1]["counts"]["failing_by_severity"]["high"] == 0
    assert runs[0]["check_filter"] == {"include": ["aws.s3.*"], "exclude": []}

    assert main(["runs", "prune", "--store", two_runs, "--keep", "1"]) == 0
    assert capsys.readouterr().out.startswith("pruned 1 run(s) (1); 1 left in store ")
    assert main(["runs", "--store", two_runs, "-f", "json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)["runs"]] == [2]
    assert main(["diff", "--store", two_runs]) == ExitCode.USAGE
    assert main(["runs", "prune", "--store", two_runs]) == ExitCode.USAGE
    assert "give --keep N and/or --older-than DAYS" in capsys.readouterr().err


def test_html_report_opens_with_since_the_last_run(tmp_path: Path, two_runs: str) -> None:
    first = (tmp_path / "r1" / "report.html").read_text()
    assert 'id="since-first"' in first
    page = (tmp_path / "r2" / "report.html").read_text()
    section = page[
        page.index('<section id="since"') : page.index("</section>", page.index('<section id="since"'))
    ]
    assert page.index('<section id="since"') < page.index('<section id="surface"')
    assert "Compared with run 1 of" in section
    counts = re.findall(r'<span class="count">(\d+)</span> <span class="label">(\w+)</span>', section)
    assert counts[:3] == [("4", "new"), ("0", "resolved"), ("0", "changed")]
    rows = re.findall(
        r'<tr class="sev-(\w+)">.*?<code>([\w.]+)</code>.*?<a href="([^"]+)">([^<]+)</a>', section
    )
    assert [(sev, check) for sev, check, _, _ in rows] == [
        ("high", "aws.s3.bucket_policy_public"),
        ("medium", "aws.s3.bucket_public_access_block"),
        ("medium", "aws.s3.bucket_tls_not_enforced"),
        ("low", "aws.s3.bucket_versioning"),
    ]
    assert rows[0][2:] == ("#resource?id=arn%3Aaws%3As3%3A%3A%3Ashop", "shop")
    assert rows[3][3] == HOSTILE  # as text, never markup (a browser interprets no control character)


def test_no_store_no_section(tmp_path: Path) -> None:
    assert _evaluate(_inventory(tmp_path / "a.json", public=True), tmp_path / "out") == 0
    assert 'id="since"' not in (tmp_path / "out" / "report.html").read_text()


def test_fail_on_new_exit_codes(tmp_path: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    hardened = _inventory(tmp_path / "a.json", public=False, hostile_versioned=False)  # one low finding
    public = _inventory(tmp_path / "b.json", public=True, hostile_versioned=False)
    out = tmp_path / "out"
    # the first run of a scope is the baseline: nothing is new
    assert _evaluate(public, out, "--store", store_url, "--fail-on-new", "info") == 0
    assert _evaluate(hardened, out, "--store", store_url, "--fail-on-new", "info") == 0  # only resolved
    assert _evaluate(public, out, "--store", store_url, "--fail-on-new", "high") == ExitCode.FINDINGS
    assert "new failing findings at or above high: 1" in capsys.readouterr().out
    assert (
        _evaluate(public, out, "--store", store_url, "--fail-on-new", "info") == 0
    )  # the same again: none new
    assert _evaluate(hardened, out, "--store", store_url) == 0
    assert _evaluate(public, out, "--store", store_url, "--fail-on-new", "CRITICAL") == 0  # high at worst
    assert _evaluate(hardened, out, "--store", store_url) == 0
    assert _evaluate(public, out, "--store", store_url, "--fail-on-new", "HIGH") == ExitCode.FINDINGS
    assert _evaluate(hardened, out, "--store", store_url) == 0
    # only a medium finding is new: --fail-on-new high passes, medium fails
    only_pab = tmp_path / "c.json"
    shop = hardened_bucket("shop", public_access_block=None)
    only_pab.write_text(
        render_inventory(inventory(shop, hardened_bucket(HOSTILE, versioning=""), bucket("plain")))
    )
    assert _evaluate(only_pab, out, "--store", store_url, "--fail-on-new", "high") == 0
    assert _evaluate(hardened, out, "--store", store_url) == 0
    assert _evaluate(only_pab, out, "--store", store_url, "--fail-on-new", "medium") == ExitCode.FINDINGS


def test_fail_on_new_needs_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv = _inventory(tmp_path / "a.json", public=True)
    assert _evaluate(inv, tmp_path / "out", "--fail-on-new", "high") == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "error: --fail-on-new compares with the previous run in a store: give --store URL "
        "(or set CLOUDAUDIT_STORE), e.g. --store default"
    ]
    assert main(["demo", "--fail-on-new", "high", "-o", str(tmp_path / "d")]) == ExitCode.USAGE


def test_store_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "env" / "runs.db"
    monkeypatch.setenv("CLOUDAUDIT_STORE", f"sqlite:///{db}")
    assert _evaluate(_inventory(tmp_path / "a.json", public=True), tmp_path / "out") == 0
    assert db.is_file()
    assert main(["runs"]) == 0
    assert capsys.readouterr().out.count("\n1  ") == 1


def test_bad_store_urls_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv = _inventory(tmp_path / "a.json", public=True)
    for url, message in [
        ("mysql://u@h/db", "error: --store: unsupported store 'mysql'"),
        ("sqlite://", "error: --store: an SQLite store needs a file"),
        ("runs.db", "error: --store: not a store URL"),
    ]:
        assert _evaluate(inv, tmp_path / "out", "--store", url) == ExitCode.USAGE
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(message), err
    assert main(["runs"]) == ExitCode.USAGE
    assert "error: no store: give --store URL or set CLOUDAUDIT_STORE" in capsys.readouterr().err


def test_a_store_that_cannot_be_written_keeps_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unreachable server: one line on stderr (no password), the reports written, exit 3."""
    inv = _inventory(tmp_path / "a.json", public=True)
    out = tmp_path / "out"
    url = "postgresql://auditor:hunter2-secret@127.0.0.1:1/runs"
    assert _evaluate(inv, out, "--store", url, "--fail-on-new", "high") == ExitCode.RUNTIME
    captured = capsys.readouterr()
    assert "hunter2" not in captured.out + captured.err
    err = captured.err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("error: cannot open store postgresql+psycopg://auditor:***@127.0.0.1:1/runs: ")
    assert err[0].endswith("; the reports are written, the run is not recorded")
    assert (out / "findings.json").is_file() and 'id="since"' not in (out / "report.html").read_text()


def test_a_store_in_a_shared_directory_keeps_the_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    out = tmp_path / "out"
    assert (
        _evaluate(_inventory(tmp_path / "a.json", public=True), out, "--store", f"sqlite:///{shared}/runs.db")
        == 3
    )
    assert "writable by group or others" in capsys.readouterr().err
    assert (out / "findings.json").is_file() and not (shared / "runs.db").exists()


def test_reading_commands_do_not_create_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "typo.db"
    assert main(["diff", "--store", f"sqlite:///{db}"]) == ExitCode.USAGE
    assert main(["runs", "--store", f"sqlite:///{db}"]) == ExitCode.USAGE
    assert "no store at" in capsys.readouterr().err
    assert not db.exists()
