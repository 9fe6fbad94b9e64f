"""``cloudaudit demo --provider azure`` end to end: the sample subscription on the HTTPS fake, graded with its
bundled exposure snapshot and, with ``--probe``, probed through mappings onto local misconfigured services;
and the three providers' samples side by side without a shared address."""

from __future__ import annotations

import io
import ipaddress
import json
import os
from contextlib import redirect_stderr
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from cloudaudit.cli.app import main
from cloudaudit_azure.demo import PROBED

SAMPLE_RANGE = ipaddress.ip_network("192.0.2.128/25")
"""The Azure sample's addresses: the upper half of TEST-NET-1 (GCP's sample uses the lower half, AWS's
the two other documentation ranges)."""
MODULES = {"http": "http", "redis": "redis", "postgres": "postgresql"}


class Run(NamedTuple):
    code: int
    out: Path
    stderr: str

    @property
    def doc(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.out / "findings.json").read_text())
        return loaded

    def one(self, check_id: str, name: str) -> dict[str, Any]:
        (found,) = [
            f for f in self.doc["findings"] if (f["check_id"], f["resource_name"]) == (check_id, name)
        ]
        return found


def _demo(out: Path, *args: str) -> Run:
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        code = main(["demo", "-p", "azure", *args, "-o", str(out)])
    return Run(code, out, stderr.getvalue())


def _snapshot(package: str) -> list[dict[str, Any]]:
    hosts: list[dict[str, Any]] = json.loads(
        resources.files(package).joinpath("data/demo_exposure.json").read_text()
    )
    return hosts


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Run:
    before = dict(os.environ)
    run = _demo(tmp_path_factory.mktemp("azdemo"), "--fail-on", "critical", "-f", "html,json")
    assert dict(os.environ) == before, "the Azure demo keeps its settings local"
    return run


def test_the_snapshot_lists_only_sample_addresses_and_ports_it_names() -> None:
    for host in _snapshot("cloudaudit_azure"):
        assert ipaddress.ip_address(host["ip_str"]) in SAMPLE_RANGE
        assert {b["port"] for b in host["data"]} == set(host["ports"]), host["ip_str"]


def test_the_three_samples_use_distinct_addresses() -> None:
    """``demo`` with every provider merges the snapshots per address: none may be listed twice."""
    azure = {h["ip_str"] for h in _snapshot("cloudaudit_azure")}
    others = {h["ip_str"] for p in ("cloudaudit_gcp", "cloudaudit_aws") for h in _snapshot(p)}
    assert azure and others and not azure & others


def test_probe_maps_only_endpoints_the_snapshot_shows_speaking_that_protocol() -> None:
    by_key = {k: h for h in _snapshot("cloudaudit_azure") for k in (h["ip_str"], *h["hostnames"])}
    for host, port, service in PROBED:
        banners = {b["port"]: b["_shodan"]["module"] for b in by_key[host]["data"]}
        assert banners.get(port) == MODULES[service], f"{host}:{port}"


def test_the_demo_fails_on_critical_and_grades_findings_with_the_snapshot(demo: Run) -> None:
    assert demo.code == 1, demo.stderr
    assert demo.doc["run"]["providers"] == ["azure"]
    assert demo.doc["run"]["exposure_sources"] == ["file"]
    redis = demo.one("azure.network.nic_exposed_sensitive_ports", "nic-db")
    assert redis["status"] == "FAIL"
    assert redis["exposure"]["level"] == "observed"
    surface = {e["endpoint"]: e for e in demo.doc["surface"]}
    assert surface["192.0.2.151"]["level"] == "observed"
    assert surface["pg-open.postgres.database.azure.com"]["level"] == "observed"
    html = (demo.out / "report.html").read_text()
    assert "nic-db" in html and "contoso-api" in html


def test_the_probe_reaches_only_local_services_and_proves_the_open_redis(tmp_path: Path) -> None:
    run = _demo(tmp_path, "--probe", "-f", "json")
    assert run.code == 0, run.stderr
    planned = [line for line in run.stderr.splitlines() if "(via " in line]
    assert planned and all("(via 127.0.0.1:" in line for line in planned), planned
    assert run.one("exposure.probe.redis.no_auth", "nic-db")["status"] == "FAIL"
    surface = {e["endpoint"]: e for e in run.doc["surface"]}
    assert surface["192.0.2.151"]["level"] == "exploitable"
