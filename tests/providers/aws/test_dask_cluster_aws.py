"""End to end on a real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, auditing moto's server with ``run --executor dask://HOST:PORT``.

The workers' environment points AWS_ENDPOINT_URL at a closed port (127.0.0.1:9): they reach the
emulator only through the endpoint the Target carries (``--endpoint-url``), as they would use
their own credentials and settings in a real deployment. Their credentials are the fake ones of
the environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client

from aws_seed import private_bucket, public_bucket, ssh_host
from cloudaudit.cli.app import main

ROOT = Path(__file__).resolve().parents[3]
TESTS = ROOT / "tests"
CLOSED = "http://127.0.0.1:9"
"""Where the workers' own AWS configuration points: nothing listens there."""


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of a cluster process or a CLI subprocess: fake credentials, no AWS config
    files of the developer, this checkout's code first."""
    (tmp / "aws-config").write_text("")
    path = os.pathsep.join(str(p) for p in (ROOT / "src", ROOT / "providers", TESTS))
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DASK_", "AWS_ENDPOINT"))}
    return {
        **inherited,
        "PYTHONPATH": path,
        "AWS_CONFIG_FILE": str(tmp / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "aws-config"),
        "AWS_ENDPOINT_URL": CLOSED,
        **extra,
    }


def _start(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two worker processes on 127.0.0.1; the scheduler's ``dask://`` address."""
    tmp = tmp_path_factory.mktemp("dask")
    env = _env(tmp)
    info = tmp / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    scheduler = [*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(info)]
    worker = [*dask, "worker", "--scheduler-file", str(info), "--host", "127.0.0.1", "--nthreads", "4"]
    procs = [_start([*scheduler, "--no-dashboard"], env)]
    try:
        for _ in range(2):
            procs.append(_start([*worker, "--no-nanny", "--no-dashboard"], env))
        with Client(scheduler_file=str(info), timeout="60s", set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)
            address = str(client.scheduler.address)
        yield address.replace("tcp://", "dask://")
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _run(out: Path, endpoint: str, *extra: str) -> int:
    args = ["run", "--provider", "aws", "--regions", "us-east-1,eu-west-1", "-f", "json", "-o", str(out)]
    return main([*args, "--endpoint-url", endpoint, *extra])


def _json(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text())
    return doc


def test_cluster_audit_finds_what_a_local_audit_finds(aws: str, cluster: str, tmp_path: Path) -> None:
    public_bucket(aws, "pub-exports")
    private_bucket(aws, "locked-down")
    ssh_host(aws)
    ssh_host(aws, region="eu-west-1", port=3389)

    assert _run(tmp_path / "local", aws) == 0
    assert _run(tmp_path / "dask", aws, "--executor", cluster) == 0

    local, remote = _json(tmp_path / "local/findings.json"), _json(tmp_path / "dask/findings.json")
    assert remote["findings"] == local["findings"]
    assert remote["coverage"] == local["coverage"] == []
    assert {f["resource_id"] for f in remote["findings"] if f["status"] == "FAIL"} >= {
        "arn:aws:s3:::pub-exports"
    }
    assert {f["region"] for f in remote["findings"]} >= {"us-east-1", "eu-west-1"}
    inv_local, inv_remote = _json(tmp_path / "local/inventory.json"), _json(tmp_path / "dask/inventory.json")
    assert inv_remote["assets"] == inv_local["assets"]
    assert inv_remote["scope"]["regions"] == ["us-east-1", "eu-west-1"]


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from cloudaudit.cli.app import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=180
    )


def test_unit_crashing_on_a_worker_is_a_gap(cluster: str, tmp_path: Path) -> None:
    """The fake provider's ``crash-*`` collector raises on a worker: that unit's crash gap (exit 3,
    like locally); the other project is collected."""
    site = tmp_path / "site"
    info = site / "fake_cloudaudit_provider-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-cloudaudit-provider\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[cloudaudit.providers]\nfake = fake_provider:plugin\n")
    env = _env(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env["PYTHONPATH"]])
    args = ["run", "-p", "fake", "--project", "ok,crash-y", "-f", "json"]

    proc = _cli(env, *args, "-o", str(tmp_path / "dask"), "--executor", cluster)
    assert proc.returncode == 3, proc.stderr
    local = _cli(env, *args, "-o", str(tmp_path / "local"))
    assert local.returncode == 3, local.stderr

    doc = _json(tmp_path / "dask/findings.json")
    gaps = [(g["account"], g["service"], g["region"], g["kind"], g["error_code"]) for g in doc["coverage"]]
    assert gaps == [("crash-y", "store", "r1", "crash", "RuntimeError")]
    assert [f["resource_id"] for f in doc["findings"]] == ["fake://ok/box-ok"]
    assert doc["coverage"] == _json(tmp_path / "local/findings.json")["coverage"]


def test_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s")
    proc = _cli(env, "run", "-p", "aws", "-o", str(tmp_path / "out"), "--executor", "dask://127.0.0.1:9")
    assert proc.returncode == 3
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9: ")
    assert "Traceback" not in proc.stderr
