"""A service that cannot be read because of the run (5xx, a broken endpoint, a collector crash)
makes the audit incomplete: exit 3 even with failing findings, reports written and marked.

EC2 is served by a local 127.0.0.1 server (real wire: EC2's query-protocol XML, or a socket that
misbehaves); STS and S3 by moto. botocore reaches EC2 through AWS_ENDPOINT_URL_EC2.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from aws_seed import public_bucket
from cloudaudit.cli.app import main
from cloudaudit.model.asset import Asset
from cloudaudit_aws.collect import runner
from cloudaudit_aws.collect.context import CollectContext

UNAVAILABLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>Unavailable</Code>'
    "<Message>Service is unavailable.</Message></Error></Errors><RequestID>req-1</RequestID></Response>"
)


@pytest.fixture
def short_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two attempts per call, so a failing endpoint fails fast (the user's setting is honoured)."""
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")


def _run(out_dir: Path, *extra: str) -> int:
    return main(["run", "--provider", "aws", "--regions", "us-east-1", "-o", str(out_dir), *extra])


def _findings(out_dir: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((out_dir / "findings.json").read_text())
    return doc


@pytest.mark.usefixtures("short_retries")
def test_ec2_answering_503_all_run_exits_3_with_incomplete_reports(
    aws: str,
    out_dir: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def unavailable(request: Request) -> Response:
        return Response(UNAVAILABLE, status=503, content_type="text/xml")

    httpserver.expect_request("/", method="POST").respond_with_handler(unavailable)
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", httpserver.url_for("/"))
    public_bucket(aws, "pub-exports")

    assert _run(out_dir, "--fail-on", "low", "-f", "html,json,sarif") == 3  # 3 wins over 1 (S3 finding)

    doc = _findings(out_dir)
    run = doc["run"]
    assert run["incomplete"] is True and run["interrupted"] is False
    assert run["not_read"] == [
        "ec2 in us-east-1: server error (Unavailable: DescribeAddresses, DescribeInstances, "
        "DescribeNetworkInterfaces +4 more)"
    ]
    # S3 was still read and judged.
    assert any(
        f["check_id"] == "aws.s3.bucket_policy_public" and f["status"] == "FAIL" for f in doc["findings"]
    )
    html = (out_dir / "report.html").read_text()
    assert 'id="incomplete-banner"' in html
    assert "Incomplete audit: these could not be read." in html
    assert "ec2 in us-east-1: server error (Unavailable" in html
    (invocation,) = json.loads((out_dir / "findings.sarif").read_text())["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == [
        f"not read: {line}" for line in run["not_read"]
    ]
    out = capsys.readouterr().out
    assert "INCOMPLETE audit, not read: ec2 in us-east-1: server error (Unavailable:" in out


@pytest.fixture
def closing_endpoint() -> Iterator[str]:
    """127.0.0.1 endpoint that accepts each connection and closes it without answering."""
    server = socket.create_server(("127.0.0.1", 0))
    stopped = threading.Event()

    def serve() -> None:
        while not stopped.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(65536)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stopped.set()
    server.close()


@pytest.fixture
def refusing_endpoint() -> str:
    """127.0.0.1 port where nothing listens any more (the endpoint went away)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.mark.usefixtures("short_retries")
@pytest.mark.parametrize("endpoint", ["closing_endpoint", "refusing_endpoint"])
def test_ec2_endpoint_gone_exits_3(
    endpoint: str, aws: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", request.getfixturevalue(endpoint))

    assert _run(out_dir, "--fail-on", "critical") == 3

    doc = _findings(out_dir)
    run = doc["run"]
    assert run["incomplete"] is True
    assert [line.split(" (")[0] for line in run["not_read"]] == ["ec2 in us-east-1: endpoint unreachable"]
    kinds = {(g["service"], g["kind"]) for g in doc["coverage"]}
    assert kinds == {("ec2", "connection")}


def test_unreadable_answers_are_server_errors(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EC2 answers 200 with a body that is not XML: a gap per call, the rest of the audit runs."""
    httpserver.expect_request("/", method="POST").respond_with_data("<<not xml", content_type="text/xml")
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", httpserver.url_for("/"))
    public_bucket(aws, "pub-exports")

    assert _run(out_dir) == 3

    doc = _findings(out_dir)
    kinds = {(g["service"], g["kind"]) for g in doc["coverage"]}
    assert kinds == {("ec2", "server")}
    assert any(f["service"] == "s3" for f in doc["findings"])


def test_collector_crash_exits_3(aws: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A collector bug loses its unit, not the audit; the run says so and exits 3."""

    def crash(ctx: CollectContext, region: str) -> list[Asset]:
        raise RuntimeError("collector bug")

    broken = [replace(c, collect=crash) if c.service == "ec2" else c for c in runner.COLLECTORS]
    monkeypatch.setattr(runner, "COLLECTORS", tuple(broken))
    public_bucket(aws, "pub-exports")

    assert _run(out_dir, "--fail-on", "low") == 3

    doc = _findings(out_dir)
    assert [(g["service"], g["kind"], g["error_code"]) for g in doc["coverage"]] == [
        ("ec2", "crash", "RuntimeError")
    ]
    assert doc["run"]["not_read"] == ["ec2 in us-east-1: collector failed (RuntimeError: collect)"]
    assert any(f["service"] == "s3" for f in doc["findings"])


def test_error_codes_reach_the_terminal_escaped(
    aws: str,
    out_dir: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The endpoint chooses the error code: a bidi override in it is shown, never obeyed."""
    code = "Unavailable\u202eelbaliava"
    body = UNAVAILABLE.replace("<Code>Unavailable</Code>", f"<Code>{code}</Code>")
    httpserver.expect_request("/", method="POST").respond_with_data(body, status=503, content_type="text/xml")
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", httpserver.url_for("/"))
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")

    assert _run(out_dir) == 3

    captured = capsys.readouterr()
    assert "\u202e" not in captured.err and "\u202e" not in captured.out
    assert "could not read ec2 DescribeInstances in us-east-1: Unavailable\\u202eelbaliava" in captured.err
    assert "server error (Unavailable\\u202eelbaliava: " in captured.out
