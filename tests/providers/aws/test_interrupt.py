"""Ctrl-C: the first SIGINT ends the run promptly with partial reports (exit 130), the second at once.

A real ``cloudaudit run`` subprocess audits moto (STS, S3, ...) while EC2 is served by a
127.0.0.1 server that answers DescribeRegions and then never answers: the run is stuck in a
socket read, as on a stalling endpoint, when the test sends SIGINT.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from aws_seed import public_bucket
from cloudaudit.cli.app import main

ROOT = Path(__file__).resolve().parents[3]
ENTRY = "import sys; from cloudaudit.cli.app import main; sys.exit(main())"  # what the console script runs
REGIONS = (
    '<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r1</requestId>'
    "<regionInfo><item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com"
    "</regionEndpoint><optInStatus>opt-in-not-required</optInStatus></item></regionInfo></DescribeRegionsResponse>"
)


class StallingEc2:
    """Answers DescribeRegions; holds every other request open until released."""

    def __init__(self, stall_everything: bool = False) -> None:
        self.stalled = threading.Event()
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                action = parse_qs(body).get("Action", [""])[0]
                if action == "DescribeRegions" and not stall_everything:
                    data = REGIONS.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/xml")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                owner.stalled.set()
                owner.release.wait(60)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stalling_ec2() -> Iterator[StallingEc2]:
    server = StallingEc2()
    yield server
    server.close()


def _start(aws: str, out_dir: Path, endpoints: dict[str, str]) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        **endpoints,
        "AWS_ENDPOINT_URL": aws,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "providers")]),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            ENTRY,
            "run",
            "--provider",
            "aws",
            "--regions",
            "us-east-1",
            "-o",
            str(out_dir),
            "--fail-on",
            "low",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupt(proc: subprocess.Popen[str], stalled: threading.Event, times: int = 1) -> tuple[str, str]:
    assert stalled.wait(90), "the run never reached the stalling endpoint"
    for _ in range(times):
        proc.send_signal(signal.SIGINT)
    try:
        return proc.communicate(timeout=20)  # generous: the point is "not after read_timeout"
    finally:
        proc.kill()


def test_first_sigint_writes_partial_reports_and_exits_130(
    aws: str, out_dir: Path, stalling_ec2: StallingEc2
) -> None:
    public_bucket(aws, "pub-exports")
    proc = _start(aws, out_dir, {"AWS_ENDPOINT_URL_EC2": stalling_ec2.url})

    out, err = _interrupt(proc, stalling_ec2.stalled)

    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "interrupt" in line] == [
        f"interrupted: partial reports written to {out_dir}"
    ]
    doc = json.loads((out_dir / "findings.json").read_text())
    assert doc["run"]["interrupted"] is True and doc["run"]["incomplete"] is True
    assert "ec2 (us-east-1)" in doc["run"]["not_read"][-1].removeprefix("interrupted before reading: ")
    assert {g["kind"] for g in doc["coverage"] if g["service"] == "ec2"} == {"interrupted"}
    assert "INCOMPLETE audit, not read:" in out
    assert "Incomplete audit (interrupted)" in (out_dir / "report.html").read_text()
    # Evaluated again later, the interrupted inventory is an incomplete audit (3), not a Ctrl-C (130).
    again = out_dir.parent / "again"
    assert main(["evaluate", "-i", str(out_dir / "inventory.json"), "-o", str(again)]) == 3
    assert json.loads((again / "findings.json").read_text())["run"]["interrupted"] is True


def test_second_sigint_exits_at_once(aws: str, out_dir: Path, stalling_ec2: StallingEc2) -> None:
    proc = _start(aws, out_dir, {"AWS_ENDPOINT_URL_EC2": stalling_ec2.url})

    _, err = _interrupt(proc, stalling_ec2.stalled, times=2)

    assert proc.returncode == 130, err
    assert "Traceback" not in err


def test_sigint_before_the_account_is_known_exits_130_without_reports(aws: str, out_dir: Path) -> None:
    sts = StallingEc2(stall_everything=True)  # speaks to STS's query protocol just as well: it never answers
    try:
        proc = _start(aws, out_dir, {"AWS_ENDPOINT_URL_STS": sts.url})
        _, err = _interrupt(proc, sts.stalled)
    finally:
        sts.close()

    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert (
        err.strip().splitlines()[-1] == "error: interrupted before any resource was read: no report written"
    )
    assert not (out_dir / "findings.json").exists()


def test_second_sigint_ends_a_run_that_has_not_stopped_yet() -> None:
    """Whatever the first SIGINT is waiting for, the second one exits 130 at once, one line."""
    script = (
        "import time\n"
        "from cloudaudit.interrupt import STOP, sigint_stops_run\n"
        "with sigint_stops_run():\n"
        "    print('ready', flush=True)\n"
        "    STOP.wait(60)\n"
        "    print('stopping', flush=True)\n"
        "    time.sleep(60)  # e.g. a phase that does not look at the flag\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGINT)
        assert proc.stdout.readline() == "stopping\n"  # the first SIGINT only asked to stop
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()

    assert proc.returncode == 130
    assert err == "interrupted again: exiting now, reports may be missing\n"
