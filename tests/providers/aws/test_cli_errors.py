"""Bad input: one actionable line, the documented exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a child process (fresh interpreter, real stderr)."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from cloudaudit.cli.app import main; sys.exit(main())", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def _env(**changes: str | None) -> dict[str, str]:
    import os

    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def test_no_credentials(aws: str, tmp_path: Path) -> None:
    proc = _cli(
        "run",
        "--provider",
        "aws",
        "-o",
        str(tmp_path),
        env=_env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None),
    )
    assert proc.returncode == ExitCode.RUNTIME
    assert "no AWS credentials found" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unknown_profile_is_usage_error(aws: str, tmp_path: Path) -> None:
    proc = _cli("run", "--provider", "aws", "--profile", "nope", "-o", str(tmp_path))
    assert proc.returncode == ExitCode.USAGE
    assert "AWS profile 'nope' not found" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rejected_credentials(
    aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An access key AWS does not know: one line, exit 3, the key is not echoed whole."""
    from moto import settings as moto_settings

    monkeypatch.setattr(moto_settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)  # the emulator enforces IAM
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE12")
    assert main(["run", "--provider", "aws", "-o", str(tmp_path)]) == ExitCode.RUNTIME
    err = capsys.readouterr().err
    assert "AWS rejected the access key (InvalidClientTokenId)" in err
    assert "AKIAEXAMPLEEXAMPLE12" not in err


def test_check_selection_in_a_fresh_process(aws: str, tmp_path: Path) -> None:
    """Check globs are resolved after the provider registered its checks (fresh interpreter)."""
    proc = _cli(
        "run", "--provider", "aws", "--regions", "us-east-1", "--checks", "aws.s3.*", "-o", str(tmp_path)
    )
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert "no check matches" not in proc.stderr
    assert (tmp_path / "findings.json").exists()


def test_unreachable_endpoint(tmp_path: Path) -> None:
    proc = _cli(
        "run", "--provider", "aws", "-o", str(tmp_path), env=_env(AWS_ENDPOINT_URL="http://127.0.0.1:9")
    )
    assert proc.returncode == ExitCode.RUNTIME
    assert "cannot reach the AWS STS endpoint" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_debug_shows_traceback(tmp_path: Path) -> None:
    proc = _cli(
        "run",
        "--provider",
        "aws",
        "--debug",
        "-o",
        str(tmp_path),
        env=_env(AWS_ENDPOINT_URL="http://127.0.0.1:9"),
    )
    assert proc.returncode == ExitCode.RUNTIME
    assert "Traceback" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--provider", "nocloud"], "unknown provider 'nocloud'"),
        (["run", "-p", "aws", "--format", "pdf"], "unknown format(s) pdf"),
        (["run", "-p", "aws", "--checks", "aws.s3.no_such_check"], "no check matches 'aws.s3.no_such_check'"),
        (["run", "-p", "aws", "--fail-on", "urgent"], "urgent"),
        (["evaluate", "--inventory", "/nonexistent/inventory.json"], "cannot read inventory"),
        (["checks", "show", "aws.nope.nope"], "no check 'aws.nope.nope'"),
    ],
)
def test_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("mutes: [ {checks: [x]", "not valid YAML"),
        ("mutes:\n  - checks: ['aws.s3.*']\n", "reason"),
        ("mutes:\n  - checks: ['aws.s3.*']\n    reason: ok\n    colour: red\n", "colour"),
    ],
)
def test_malformed_mutelist(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mutes.yaml"
    path.write_text(content)
    assert main(["run", "-p", "aws", "--mutelist", str(path), "-o", str(tmp_path)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert message in err and str(path) in err


def test_malformed_inventory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "inventory.json"
    path.write_text('{"schema_version": "1.0", "scope": {}}')
    assert main(["evaluate", "--inventory", str(path), "-o", str(tmp_path)]) == ExitCode.USAGE
    assert "not a usable cloudaudit inventory" in capsys.readouterr().err


def test_checks_listing_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks"]) == 0
    listing = capsys.readouterr().out
    assert "aws.s3.bucket_public_write" in listing and "critical" in listing
    assert main(["checks", "show", "aws.ec2.sg_open_admin_ports"]) == 0
    shown = capsys.readouterr().out
    assert "remediation:" in shown and "CIS-AWS-Foundations-3.0.0: 5.2, 5.3" in shown


def test_checks_lists_and_shows_the_exposure_stage_findings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks"]) == 0
    listing = capsys.readouterr().out
    assert "exposure.unexpected_open_port" in listing and "exposure.probe.redis.no_auth" in listing
    assert main(["checks", "show", "exposure.probe.http.trace_enabled"]) == 0
    shown = capsys.readouterr().out
    assert "Disable TRACE" in shown and "OWASP-API-Top10-2023: API8" in shown


@pytest.mark.parametrize("regions", ["", " , ,"])
def test_empty_regions_is_a_usage_error(
    regions: str, aws: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "every region": an empty list is a mistake (a variable that expanded to nothing)."""
    assert main(["run", "-p", "aws", "--regions", regions, "-o", str(tmp_path)]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert err == "error: --regions is empty: list regions (e.g. us-east-1,eu-west-1) or use 'all'\n"
    assert not (tmp_path / "findings.json").exists()


STS_ERROR = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>{type}</Type>'
    "<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
)


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, "Throttling", "AWS STS throttled the request (Throttling): retry later or lower --workers"),
        (503, "ServiceUnavailable", "the AWS STS endpoint failed (ServiceUnavailable): retry later"),
    ],
)
def test_sts_throttling_and_server_errors_are_not_credential_errors(
    status: int,
    code: str,
    expected: str,
    httpserver: HTTPServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    body = STS_ERROR.format(type="Sender" if status < 500 else "Receiver", code=code, message="Rate exceeded")
    httpserver.expect_request("/", method="POST").respond_with_data(
        body, status=status, content_type="text/xml"
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL", httpserver.url_for("/"))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")

    assert main(["run", "-p", "aws", "--regions", "us-east-1", "-o", str(tmp_path)]) == ExitCode.RUNTIME

    err = capsys.readouterr().err
    assert err == f"error: {expected}\n"
    assert len(httpserver.log) == 2  # botocore retried (AWS_MAX_ATTEMPTS), then we gave up
