"""Local input files (mutelist, findings/inventory/exposure JSON, snapshots): bad input is one line, exit 2.

Everything goes through the CLI, as users see it: the exit code and what is printed.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from aws_builders import bucket, inventory
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit.exposure.model import ExposureDocument, Target
from cloudaudit.report.json_report import render_findings, render_inventory
from test_report_html import make_doc, make_finding

LIMIT_ENV = "CLOUDAUDIT_MAX_INPUT_BYTES"  # documented in the README
DEEP = 10_000


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit code and stderr of one CLI call; stderr must be one line, without a traceback."""
    code = main(list(args))
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def inventory_file(tmp_path: Path) -> Path:
    path = tmp_path / "saved" / "inventory.json"
    path.parent.mkdir()
    path.write_text(render_inventory(inventory(bucket("logs"))))
    return path


def _evaluate(capsys: pytest.CaptureFixture[str], out: Path, *args: str) -> tuple[int, str]:
    return _run(capsys, "evaluate", "-o", str(out), "--format", "json", *args)


# --- files that are not files, too big, not UTF-8 --------------------------------------------


@pytest.mark.parametrize("special", ["/dev/zero", "directory", "fifo"])
def test_a_device_a_directory_or_a_fifo_is_refused_without_reading_it(
    special: str, tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(special)
    if special == "directory":
        path = tmp_path
    elif special == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)  # nobody writes: a blocking open or read would hang the test

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(path)
    )

    assert code == ExitCode.USAGE
    line = _one_error_line(err)
    assert str(path) in line
    assert ("a directory" if special == "directory" else "not a regular file") in line


def test_an_input_over_the_size_limit_is_refused(
    tmp_path: Path, inventory_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(LIMIT_ENV, "4000")
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_text("mutes:\n" + '  - {checks: ["aws.s3.*"], reason: "lab account"}\n' * 100)

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.USAGE
    assert f"larger than the 4000 bytes limit (set {LIMIT_ENV} to raise it)" in _one_error_line(err)


@pytest.mark.skipif(not Path("/proc/self/maps").is_file(), reason="needs Linux /proc")
def test_a_file_that_claims_to_be_empty_is_still_read_no_further_than_the_limit(
    tmp_path: Path, inventory_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(LIMIT_ENV, "100")
    assert Path("/proc/self/maps").stat().st_size == 0  # a regular file whose size says nothing

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", "/proc/self/maps"
    )

    assert code == ExitCode.USAGE
    assert "larger than the 100 bytes limit" in _one_error_line(err)


def test_a_gzip_snapshot_that_decompresses_past_the_limit_is_refused(
    tmp_path: Path, inventory_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(LIMIT_ENV, "100000")
    snapshot = tmp_path / "snapshot.json.gz"
    snapshot.write_bytes(gzip.compress(b" " * 5_000_000 + b"[]"))  # 5 MB of blanks, ~5 KB on disk
    assert snapshot.stat().st_size < 100_000

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--exposure", f"file:{snapshot}"
    )

    assert code == ExitCode.USAGE
    assert "decompresses to more than the" in _one_error_line(err)


@pytest.mark.parametrize(("bom", "offset"), [(b"", 45), (b"\xef\xbb\xbf", 48)])
def test_a_mutelist_that_is_not_utf8_names_the_line_and_byte(
    bom: bytes, offset: int, tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_bytes(bom + b"mutes:\n  - checks: [aws.s3.*]\n    reason: caf\xe9\n")

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.USAGE
    line = _one_error_line(err)
    assert f"not UTF-8 text (byte 0xe9 at line 3, byte offset {offset})" in line


def test_a_bad_size_limit_setting_is_one_line(
    tmp_path: Path, inventory_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(LIMIT_ENV, "lots")

    code, err = _evaluate(capsys, tmp_path / "out", "--inventory", str(inventory_file))

    assert code == ExitCode.USAGE
    assert f"{LIMIT_ENV}=lots: expected a positive number of bytes" in _one_error_line(err)


# --- nesting and alias bombs --------------------------------------------------------------------


def _deep_json(depth: int = DEEP) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


@pytest.mark.parametrize(
    "reader",
    ["mutelist-json", "mutelist-yaml-flow", "mutelist-yaml-block", "inventory", "observations", "snapshot"],
)
def test_deeply_nested_input_is_refused_before_parsing(
    reader: str, tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep"
    if reader == "mutelist-yaml-flow":
        path.write_text("mutes: " + "[" * DEEP + "]" * DEEP + "\n")
    elif reader == "mutelist-yaml-block":
        path.write_text("mutes:\n" + "- " * DEEP + "x\n")
    else:
        path.write_text(_deep_json())
    args = {
        "inventory": ["--inventory", str(path)],
        "observations": ["--inventory", str(inventory_file), "--observations", str(path)],
        "snapshot": ["--inventory", str(inventory_file), "--exposure", f"file:{path}"],
    }.get(reader, ["--inventory", str(inventory_file), "--mutelist", str(path)])

    code, err = _evaluate(capsys, tmp_path / "out", *args)

    assert code == ExitCode.USAGE
    line = _one_error_line(err)
    assert "nested deeper than 100 levels" in line and str(path) in line


def test_a_deep_findings_file_is_refused_by_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "findings.json"
    path.write_text('{"schema_version": "1.0", "findings": ' + "[" * DEEP + "]" * DEEP + "}")

    code, err = _run(capsys, "report", str(path), "-o", str(tmp_path / "out"))

    assert code == ExitCode.USAGE
    assert "nested deeper than 100 levels (line 1)" in _one_error_line(err)


def test_a_yaml_alias_bomb_is_refused(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    mutelist = tmp_path / "bomb.yaml"
    mutelist.write_text("\n".join(levels) + "\nmutes: [{checks: *a8, reason: boom}]\n")  # 10^9 strings

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.USAGE
    assert "expands to more than 1000000 values (YAML aliases)" in _one_error_line(err)


def test_yaml_anchors_of_reasonable_size_still_work(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_text(
        "mutes:\n  - checks: &s3 ['aws.s3.*']\n    reason: lab\n  - checks: *s3\n    reason: again\n"
    )

    code, _ = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.OK
    statuses = {f["status"] for f in json.loads((tmp_path / "out" / "findings.json").read_text())["findings"]}
    assert "FAIL" not in statuses


# --- what is echoed: one line, cut, with the field and line -----------------------------------


@pytest.mark.parametrize("reader", ["mutelist", "inventory", "report"])
def test_a_2mb_key_is_not_echoed_whole(
    reader: str, tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = "k" * 2_000_000
    path = tmp_path / "input"
    out = str(tmp_path / "out")
    if reader == "mutelist":  # an explicit key: YAML limits implicit ones to 1024 characters
        path.write_text(f"mutes:\n  - checks: [aws.s3.*]\n    reason: r\n    ? {key}\n    : 1\n")
        args = ["evaluate", "--inventory", str(inventory_file), "--mutelist", str(path), "-o", out]
        shown = "mutes.0.kkkk"
    elif reader == "inventory":
        saved = json.loads(inventory_file.read_text())
        saved["assets"][0]["kind"] = key
        path.write_text(json.dumps(saved))
        args = ["evaluate", "--inventory", str(path), "-o", out]
        shown = "unknown asset kind 'kkkk"
    else:
        path.write_text(json.dumps({"schema_version": key, "findings": []}))
        args = ["report", str(path), "-o", out]
        shown = "unsupported findings file schema_version 'kkkk"

    code, err = _run(capsys, *args)

    assert code == ExitCode.USAGE
    line = _one_error_line(err)
    assert len(line) < 400
    assert shown in line and "…" in line


def test_a_validation_error_is_one_line_naming_the_field_and_the_line(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_text(
        "mutes:\n  - checks: [aws.s3.*]\n    reason: ok\n  - checks: [aws.ec2.*]\n"
        "    reason: lab\n    until: someday\n"
    )

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.USAGE
    assert err.count("\n") == 1
    line = _one_error_line(err)
    assert line.startswith(f"error: mutelist {mutelist}: line 6: mutes.1.until: Input should be a valid date")


def test_control_characters_of_a_key_never_reach_the_terminal(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_text('mutes:\n  - checks: [aws.s3.*]\n    reason: r\n    "evil\\e[2J": 1\n')

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.USAGE
    assert "\x1b" not in err and "evil\\x1b[2J" in _one_error_line(err)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2027-13-45", "invalid value (month must be in 1..12)"),
        ("1" * 5000, "invalid value (Exceeds the limit"),
    ],
)
def test_a_value_yaml_types_but_python_refuses_is_one_line_with_its_line(
    value: str, problem: str, tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_text(f"mutes:\n  - checks: [aws.s3.*]\n    reason: r\n    until: {value}\n")

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.USAGE
    line = _one_error_line(err)
    assert f"mutelist {mutelist} is not valid YAML/JSON at line 4, column 12: {problem}" in line
    assert len(line) < 400


def test_a_misspelt_key_is_named_rather_than_the_field_it_leaves_missing(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_text("mutes:\n  - checks: [aws.s3.*]\n    reson: lab account\n")

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--mutelist", str(mutelist)
    )

    assert code == ExitCode.USAGE
    assert _one_error_line(err) == (
        f"error: mutelist {mutelist}: line 3: mutes.0.reson: Extra inputs are not permitted (and 1 more)"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"assets": 5}, "assets: expected a list, not a JSON int"),
        ({"assets": ["bucket"]}, "an asset is a JSON str, not an object"),
        ({"assets": [{"kind": "aws.s3.bucket"}]}, "assets.0.provider: Field required (and"),
        ({"scope": {"provider": "aws"}}, "scope.started: Field required (and 1 more)"),
        ({"gaps": [{}]}, "gaps.0.provider: Field required (and"),
    ],
)
def test_a_malformed_inventory_is_one_line_naming_the_field(
    change: dict[str, Any],
    problem: str,
    inventory_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inventory_file.write_text(json.dumps({**json.loads(inventory_file.read_text()), **change}))

    code, err = _evaluate(capsys, tmp_path / "out", "--inventory", str(inventory_file))

    assert code == ExitCode.USAGE
    assert f"error: {inventory_file} is not a usable cloudaudit inventory: {problem}" in _one_error_line(err)


# --- the schema promise: same major version, added fields are read ----------------------------


def _with_extra(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, "added_in_1_1": {"anything": [1, 2]}}


def test_report_reads_a_findings_file_with_fields_it_does_not_know(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(render_findings(make_doc([make_finding()])))
    doc = _with_extra({**doc, "schema_version": "1.7", "run": _with_extra(doc["run"])})
    doc["findings"] = [_with_extra(f) for f in doc["findings"]]
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(doc))

    code, _ = _run(capsys, "report", str(path), "-o", str(tmp_path / "out"))

    assert code == ExitCode.OK
    assert (tmp_path / "out" / "report.html").exists()


def test_evaluate_reads_inventory_and_observations_with_fields_it_does_not_know(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = json.loads(inventory_file.read_text())
    saved = _with_extra({**saved, "scope": _with_extra(saved["scope"])})
    saved["assets"] = [_with_extra(a) for a in saved["assets"]]
    inventory_file.write_text(json.dumps(saved))
    target = Target(host="203.0.113.9", asset_ids=(saved["assets"][0]["id"],))
    observations = json.loads(ExposureDocument(targets=(target,)).model_dump_json())
    observations = _with_extra({**observations, "targets": [_with_extra(t) for t in observations["targets"]]})
    exposure = tmp_path / "exposure.json"
    exposure.write_text(json.dumps(observations))

    code, err = _evaluate(
        capsys, tmp_path / "out", "--inventory", str(inventory_file), "--observations", str(exposure)
    )

    assert code == ExitCode.OK, err
    findings = json.loads((tmp_path / "out" / "findings.json").read_text())["findings"]
    assert {f["resource_name"] for f in findings} == {"logs"}


@pytest.mark.parametrize("reader", ["report", "inventory", "observations"])
def test_a_different_major_schema_version_is_refused_in_one_line(
    reader: str, tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "future.json"
    if reader == "report":
        content = json.loads(render_findings(make_doc([make_finding()])))
    elif reader == "inventory":
        content = json.loads(inventory_file.read_text())
    else:
        content = json.loads(ExposureDocument().model_dump_json())
    path.write_text(json.dumps({**content, "schema_version": "2.0"}))
    out = str(tmp_path / "out")
    args = {
        "report": ["report", str(path), "-o", out],
        "inventory": ["evaluate", "--inventory", str(path), "-o", out],
        "observations": [
            "evaluate",
            "--inventory",
            str(inventory_file),
            "--observations",
            str(path),
            "-o",
            out,
        ],
    }[reader]

    code, err = _run(capsys, *args)

    assert code == ExitCode.USAGE
    assert "schema_version '2.0' (this version reads 1.x)" in _one_error_line(err)


# --- the wrong document in the wrong place ------------------------------------------------------


def test_evaluate_given_a_findings_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "findings.json"
    path.write_text(render_findings(make_doc([make_finding()])))

    code, err = _evaluate(capsys, tmp_path / "out", "--inventory", str(path))

    assert code == ExitCode.USAGE
    assert _one_error_line(err) == (
        f"error: {path} is a cloudaudit findings file (findings.json); evaluate --inventory reads "
        f"inventory.json (to re-render its reports: cloudaudit report {path})"
    )


def test_report_given_an_inventory_says_so(
    inventory_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run(capsys, "report", str(inventory_file), "-o", str(tmp_path / "out"))

    assert code == ExitCode.USAGE
    assert _one_error_line(err) == (
        f"error: {inventory_file} is a cloudaudit inventory (inventory.json); report reads findings.json "
        f"(to re-run the checks on it: cloudaudit evaluate --inventory {inventory_file})"
    )


# --- expired mutes are reported, not silently dropped ------------------------------------------


def test_an_expired_mute_is_reported_on_stderr_and_in_the_reports(
    tmp_path: Path, inventory_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    yesterday = date.today() - timedelta(days=1)
    mutelist = tmp_path / "mutes.yaml"
    mutelist.write_text(
        f"mutes:\n  - checks: ['aws.s3.*']\n    reason: until the migration\n    until: {yesterday}\n"
        f"  - checks: ['aws.ec2.*']\n    reason: lab\n    until: {date.today() + timedelta(days=30)}\n"
    )
    out = tmp_path / "out"

    code, err = _run(
        capsys, "evaluate", "--inventory", str(inventory_file), "--mutelist", str(mutelist), "-o", str(out)
    )

    assert code == ExitCode.OK
    note = (
        f"mutelist entry 1 (aws.s3.*: until the migration) expired on {yesterday}; "
        "its findings are no longer muted"
    )
    assert f"warning: {note}\n" in err
    assert "entry 2" not in err
    doc = json.loads((out / "findings.json").read_text())
    assert doc["run"]["notes"] == [note]
    assert any(f["status"] == "FAIL" for f in doc["findings"])
    assert note in (out / "report.html").read_text()


# --- local inputs are checked before the first API call --------------------------------------


@pytest.fixture
def recording_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[HTTPServer]:
    """A 127.0.0.1 server standing in for every AWS endpoint: it records what reaches it."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url_for("/"))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    yield server
    server.clear()
    server.stop()


@pytest.mark.parametrize("bad", ["snapshot-unreadable", "snapshot-malformed", "mutelist"])
def test_bad_local_inputs_stop_run_before_any_api_call(
    bad: str, tmp_path: Path, recording_endpoint: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"ip_str": ')
    args = {
        "snapshot-unreadable": ["--exposure", f"file:{tmp_path / 'missing.json'}"],
        "snapshot-malformed": ["--exposure", f"file:{broken}"],
        "mutelist": ["--mutelist", str(broken)],
    }[bad]

    code, err = _run(capsys, "run", "-p", "aws", "--regions", "us-east-1", "-o", str(tmp_path / "out"), *args)

    assert code == ExitCode.USAGE
    assert str(tmp_path) in _one_error_line(err)
    assert recording_endpoint.log == []


def test_the_recording_endpoint_does_see_a_run_with_good_inputs(
    tmp_path: Path, recording_endpoint: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = tmp_path / "snapshot.json"
    snapshot.write_text("[]")

    main(
        [
            "run",
            "-p",
            "aws",
            "--regions",
            "us-east-1",
            "-o",
            str(tmp_path / "out"),
            "--exposure",
            f"file:{snapshot}",
        ]
    )

    assert recording_endpoint.log, "the run never called the API: the test above would prove nothing"
    capsys.readouterr()
