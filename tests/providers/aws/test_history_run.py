"""``cloudaudit run --store`` against moto's server: each run compared with the previous run of its
scope and recorded; ``--fail-on-new`` fails only when something new appears; a deleted bucket's
findings are resolved; the regions asked are part of the scope."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode


def _run(out: Path, store: str, *args: str) -> int:
    base = ["run", "-p", "aws", "--regions", "us-east-1", "--checks", "aws.s3.*", "-f", "json,html"]
    return main([*base, "-o", str(out), "--store", store, *args])


def test_runs_against_the_emulator_say_what_is_new(
    aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="steady")
    store = f"sqlite:///{tmp_path / 'store' / 'runs.db'}"
    out = tmp_path / "out"
    assert _run(out, store, "--fail-on-new", "low") == ExitCode.OK  # the baseline
    assert _run(out, store, "--fail-on-new", "low") == ExitCode.OK  # nothing changed
    s3.create_bucket(Bucket="newcomer")
    capsys.readouterr()
    assert _run(out, store, "--fail-on-new", "low") == ExitCode.FINDINGS
    said = capsys.readouterr().out
    assert "since run 2 (" in said and "recorded run 3 in store " in said
    assert "newcomer" in (out / "report.html").read_text().split('<section id="surface"')[0]
    s3.delete_bucket(Bucket="newcomer")
    assert _run(out, store, "--fail-on-new", "low") == ExitCode.OK
    capsys.readouterr()
    assert main(["diff", "--store", store, "-f", "json"]) == 0
    diff = json.loads(capsys.readouterr().out)
    assert (diff["before"]["id"], diff["after"]["id"]) == (3, 4)
    assert diff["new"] == [] and diff["resolved"]
    assert {f["resource_name"] for f in diff["resolved"]} == {"newcomer"}
    assert main(["runs", "--store", store, "-f", "json"]) == 0
    runs = json.loads(capsys.readouterr().out)["runs"]
    assert [r["regions_asked"] for r in runs] == [["us-east-1"]] * 4
    assert runs[0]["checks_run"] > 5 and runs[0]["check_filter"]["include"] == ["aws.s3.*"]

    # another set of regions is another audit: nothing to compare with yet
    assert _run(out, store, "--regions", "us-east-1,eu-west-1", "--fail-on-new", "info") == ExitCode.OK
    assert "first run of this scope in the store" in capsys.readouterr().out
