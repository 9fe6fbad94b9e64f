"""Reports are written atomically, owner-only, never through a symlink or into a directory others control."""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit.report.json_report import render_findings
from test_report_html import make_doc, make_finding

CLI = [sys.executable, "-c", "import sys; from cloudaudit.cli.app import main; sys.exit(main())"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _findings(tmp_path: Path) -> Path:
    source = tmp_path / "input"
    source.mkdir(mode=0o700)
    path = source / "findings.json"
    path.write_text(render_findings(make_doc([make_finding(resource_name="bucket-" + "x" * 50)])))
    return path


def _out(tmp_path: Path, mode: int = 0o700) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, mode)
    return out


def _report(findings: Path, out: Path, *formats: str) -> int:
    return main(["report", str(findings), "-o", str(out), "-f", ",".join(formats or ("html", "json"))])


def test_a_planted_symlink_is_replaced_and_its_target_untouched(tmp_path: Path) -> None:
    findings, out = _findings(tmp_path), _out(tmp_path)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    os.chmod(victim, 0o644)
    (out / "findings.json").symlink_to(victim)

    assert _report(findings, out, "json") == ExitCode.OK

    assert victim.read_text() == "precious"
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    written = out / "findings.json"
    assert not written.is_symlink() and '"findings"' in written.read_text()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_a_dangling_symlink_does_not_create_its_target(tmp_path: Path) -> None:
    findings, out = _findings(tmp_path), _out(tmp_path)
    target = tmp_path / "created-by-cloudaudit"
    (out / "report.html").symlink_to(target)

    assert _report(findings, out, "html") == ExitCode.OK

    assert not target.exists()
    assert not (out / "report.html").is_symlink()


def test_a_precreated_world_readable_file_is_replaced_by_a_private_one(tmp_path: Path) -> None:
    findings, out = _findings(tmp_path), _out(tmp_path)
    planted = out / "report.html"
    planted.write_text("someone else's")
    os.chmod(planted, 0o666)
    if IS_ROOT:
        os.chown(planted, 65534, 65534)
    before = planted.stat().st_ino

    assert _report(findings, out, "html") == ExitCode.OK

    info = planted.stat()
    assert info.st_ino != before
    assert stat.S_IMODE(info.st_mode) == 0o600 and info.st_uid == os.geteuid()
    assert "<html" in planted.read_text()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_write_keeps_the_previous_complete_report(tmp_path: Path) -> None:
    findings, out = _findings(tmp_path), _out(tmp_path)
    assert _report(findings, out, "html") == ExitCode.OK
    complete = (out / "report.html").read_text()
    limit = len(complete.encode()) // 2

    def small_files() -> None:  # ``ulimit -f``: a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run(
        [*CLI, "report", str(findings), "-o", str(out), "-f", "html"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_files,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )

    assert proc.returncode == ExitCode.RUNTIME
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "cannot write" in line and "report.html" in line and "unchanged" in line
    assert (out / "report.html").read_text() == complete
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o1777])
def test_a_directory_others_can_write_is_refused(
    tmp_path: Path, mode: int, capsys: pytest.CaptureFixture[str]
) -> None:
    findings, out = _findings(tmp_path), _out(tmp_path, mode)

    assert _report(findings, out) == ExitCode.RUNTIME

    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "writable by group or others" in line and "chmod go-w" in line
    assert list(out.iterdir()) == []


@pytest.mark.skipif(not IS_ROOT, reason="needs root to give the directory to another user")
def test_a_directory_of_another_user_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    findings, out = _findings(tmp_path), _out(tmp_path)
    os.chown(out, 65534, 65534)

    assert _report(findings, out) == ExitCode.RUNTIME

    assert "belongs to another user" in capsys.readouterr().err
    assert list(out.iterdir()) == []


def test_a_directory_others_can_read_is_used_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings, out = _findings(tmp_path), _out(tmp_path, 0o755)

    assert _report(findings, out, "json") == ExitCode.OK

    assert capsys.readouterr().err.count("readable by others") == 1
    assert stat.S_IMODE((out / "findings.json").stat().st_mode) == 0o600


def test_a_new_directory_is_created_owner_only_despite_the_umask(tmp_path: Path) -> None:
    """A umask that takes the owner's write bit would leave a directory the reports cannot go into."""
    findings = _findings(tmp_path)
    out = tmp_path / "reports"
    old = os.umask(0o277)
    try:
        assert _report(findings, out, "json") == ExitCode.OK
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_run_checks_the_output_location_before_any_api_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No endpoint listens on 127.0.0.1:9: reaching it would fail differently, after a long retry."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    as_file = tmp_path / "a-file"
    as_file.write_text("")

    assert main(["run", "--provider", "aws", "-o", str(as_file)]) == ExitCode.USAGE
    assert "is not a directory" in capsys.readouterr().err

    shared = _out(tmp_path, 0o777)
    assert main(["run", "--provider", "aws", "-o", str(shared)]) == ExitCode.RUNTIME
    err = capsys.readouterr().err
    assert "writable by group or others" in err and "STS" not in err
