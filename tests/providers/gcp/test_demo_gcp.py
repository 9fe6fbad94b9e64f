"""``cloudaudit demo --provider gcp`` end to end: the sample project on the local fake, graded with its
bundled exposure snapshot, probed (``--probe``) through mappings onto local misconfigured services, and
audited with every other installed provider's sample into one report."""

from __future__ import annotations

import io
import ipaddress
import json
import os
import re
from contextlib import redirect_stderr
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from cloudaudit.cli.app import main
from cloudaudit.plugins import available
from cloudaudit_gcp.demo import PROBED, gateway_hostnames
from cloudaudit_gcp.fake import FakeProject, sample_project

GLOBAL_HTTPS_LB = "192.0.2.40"
"""The global HTTPS load balancer the Compute Engine work adds to the sample (listed ahead of it)."""
ENGINE_PORTS = {"POSTGRES": 5432, "MYSQL": 3306, "SQLSERVER": 1433}
MODULES = {"http": "http", "redis": "redis", "postgres": "postgresql"}
"""Demo service -> the Shodan module of the snapshot banner its mapping stands in for."""
SAMPLE_RANGE = ipaddress.ip_network("192.0.2.0/24")
"""The GCP sample's documentation range (RFC 5737; AWS's sample uses the two others)."""


class Run(NamedTuple):
    code: int
    out: Path
    stderr: str

    @property
    def doc(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.out / "findings.json").read_text())
        return loaded

    def one(self, check_id: str, name: str, provider: str = "gcp") -> dict[str, Any]:
        (found,) = [
            f
            for f in self.doc["findings"]
            if (f["check_id"], f["resource_name"], f["provider"]) == (check_id, name, provider)
        ]
        return found


def _demo(out: Path, *args: str) -> Run:
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        code = main(["demo", *args, "-o", str(out)])
    return Run(code, out, stderr.getvalue())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``demo --provider gcp`` (no probe), every report format; the environment is left untouched."""
    before = dict(os.environ)
    run = _demo(
        tmp_path_factory.mktemp("gdemo"), "-p", "gcp", "--fail-on", "critical", "-f", "html,json,sarif"
    )
    assert dict(os.environ) == before, "the GCP demo keeps its settings local"
    return run


@pytest.fixture(scope="module")
def probed(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """``demo --provider gcp --probe``."""
    return _demo(tmp_path_factory.mktemp("gprobe"), "-p", "gcp", "--probe", "-f", "json,html")


# ---------------------------------------------------------------- the bundled snapshot


def _snapshot(package: str) -> list[dict[str, Any]]:
    hosts: list[dict[str, Any]] = json.loads(
        resources.files(package).joinpath("data/demo_exposure.json").read_text()
    )
    return hosts


def _ports(spec: list[str]) -> set[int]:
    """``["22", "8000-8080"]`` -> the ports; empty means every port."""
    if not spec:
        return set(range(1, 65536))
    found: set[int] = set()
    for item in spec:
        low, _, high = item.partition("-")
        found |= set(range(int(low), int(high or low) + 1))
    return found


def _opened(project: FakeProject) -> dict[str, set[int]]:
    """Public address or hostname -> the TCP ports the sample's configuration opens to 0.0.0.0/0:
    instances' NAT IPs by enabled allow rules of their network that target them, forwarding rules by
    their port range, Cloud SQL public IPs by a 0.0.0.0/0 authorized network, gateways on 443."""
    opened: dict[str, set[int]] = {}
    for inst in project.instances:
        for nic in inst.interfaces:
            if inst.status != "RUNNING" or not nic.nat_ip:
                continue
            for rule in project.firewalls:
                targeted = (not rule.target_tags and not rule.target_service_accounts) or bool(
                    set(rule.target_tags) & set(inst.tags)
                    or set(rule.target_service_accounts) & set(inst.service_accounts)
                )
                if rule.network != nic.network or rule.disabled or "0.0.0.0/0" not in rule.source_ranges:
                    continue
                for allow in rule.allowed if targeted and rule.direction == "INGRESS" else []:
                    if allow.protocol in ("tcp", "all"):
                        opened.setdefault(nic.nat_ip, set()).update(_ports(allow.ports))
    for fwd in project.forwarding_rules:
        opened.setdefault(fwd.ip_address, set()).update(_ports([fwd.port_range or ""]))
    for sql in project.sql_instances:
        if sql.public_ip and "0.0.0.0/0" in sql.authorized_networks.values():
            opened.setdefault(sql.public_ip, set()).add(ENGINE_PORTS[sql.database_version.split("_")[0]])
    for hostname in gateway_hostnames(project).values():
        opened[hostname] = {443}
    return opened


def test_snapshot_lists_only_what_the_samples_configuration_opens() -> None:
    project = sample_project("demo-project")
    opened = _opened(project)
    names = gateway_hostnames(project)
    text = resources.files("cloudaudit_gcp").joinpath("data/demo_exposure.json").read_text()
    for name, hostname in names.items():
        text = text.replace("{{" + name + "}}", hostname)
    assert "{{" not in text  # every placeholder names a gateway of the sample
    for host in json.loads(text):
        listed = {banner["port"] for banner in host["data"]}
        assert listed == set(host["ports"]), host["ip_str"]
        keys = host["hostnames"] or [host["ip_str"]]
        assert ipaddress.ip_address(host["ip_str"]) in SAMPLE_RANGE
        for key in keys:
            allowed = opened.get(key, {443} if key == GLOBAL_HTTPS_LB else set())
            assert listed <= allowed, f"{key} lists {sorted(listed - allowed)}: nothing opens them"
    assert "192.0.2.31" not in text and "192.0.2.21" not in text  # closed Cloud SQL, unused address


def test_probe_maps_only_endpoints_the_snapshot_shows_speaking_that_protocol() -> None:
    by_ip = {h["ip_str"]: h for h in _snapshot("cloudaudit_gcp")}
    for host, port, service in PROBED:
        banners = {b["port"]: b["_shodan"]["module"] for b in by_ip[host]["data"]}
        assert banners.get(port) == MODULES[service], f"{host}:{port}"
    assert {(h, p) for h, p, _ in PROBED} >= {("192.0.2.10", 80), ("192.0.2.11", 6379), ("192.0.2.30", 5432)}


def test_gcp_and_aws_demos_use_distinct_addresses() -> None:
    """``demo`` with every provider merges the snapshots per address: none may be listed by both."""
    gcp = {h["ip_str"] for h in _snapshot("cloudaudit_gcp")}
    aws = {h["ip_str"] for h in _snapshot("cloudaudit_aws")}
    assert gcp and aws and not gcp & aws
    assert {h for h, _, _ in PROBED} <= gcp


# ---------------------------------------------------------------- demo --provider gcp


def test_demo_fails_on_critical_and_writes_every_report(demo: Run) -> None:
    assert demo.code == 1, demo.stderr
    assert "Starting the local GCP emulator (127.0.0.1)" in demo.stderr
    assert {p.name for p in demo.out.iterdir()} >= {
        "findings.json",
        "report.html",
        "findings.sarif",
        "exposure.json",
        "inventory.json",
    }
    doc = demo.doc
    assert (doc["run"]["providers"], doc["run"]["accounts"]) == (["gcp"], ["demo-project"])
    assert doc["run"]["exposure_sources"] == ["file"]
    assert not doc["coverage"] and not [f for f in doc["findings"] if f["status"] == "ERROR"]
    assert {f["service"] for f in doc["findings"] if f["status"] == "FAIL"} >= {
        "storage",
        "sql",
        "apigateway",
    }


def test_demo_grades_the_public_database_with_the_snapshot(demo: Run) -> None:
    opened = demo.one("gcp.sql.open_to_internet", "pg-public")
    assert (opened["status"], opened["severity"]) == ("FAIL", "critical")
    assert opened["exposure"]["level"] == "observed"
    seen = {(e["source"], e["endpoint"]) for e in opened["exposure"]["evidence"]}
    assert seen == {("config", "192.0.2.30:5432"), ("file", "192.0.2.30:5432")}
    assert demo.one("gcp.sql.ssl_not_required", "pg-public")["exposure"]["level"] == "observed"
    closed = demo.one("gcp.sql.public_ip", "mysql-legacy")  # public IP, no network opens it
    assert closed["exposure"]["level"] == "configured"
    assert "not in the snapshot" in closed["exposure"]["evidence"][0]["seen"]


def test_demo_matches_gateways_by_their_hostname(demo: Run) -> None:
    gateway = demo.one("gcp.apigateway.operation_without_security", "orders-gw")
    assert gateway["status"] == "FAIL" and gateway["exposure"]["level"] == "observed"
    (seen,) = gateway["exposure"]["evidence"]
    assert seen["source"] == "file" and seen["endpoint"].endswith(".gateway.dev:443")


def test_demo_surface_lists_the_sample_endpoints_with_what_the_snapshot_saw(demo: Run) -> None:
    surface = {s["endpoint"]: s for s in demo.doc["surface"]}
    database = surface["192.0.2.30"]
    assert (database["owner"]["name"], database["level"], database["reachability"]) == (
        "pg-public",
        "observed",
        "reachable",
    )
    assert [p["port"] for p in database["sources"][0]["ports"]] == [5432]
    assert surface["192.0.2.31"]["level"] == "none"
    gateways = {s["owner"]["name"]: s["level"] for s in surface.values() if s["kind"] == "hostname"}
    assert gateways == {"orders-gw": "observed", "billing-gw": "observed"}
    html = (demo.out / "report.html").read_text()
    assert "192.0.2.30" in html and "orders-gw" in html


# ---------------------------------------------------------------- demo --provider gcp --probe


def _planned(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("probe:   ")]


def test_probe_reaches_only_local_services_and_proves_the_open_database(probed: Run) -> None:
    assert probed.code == 0, probed.stderr
    planned = _planned(probed.stderr)
    assert re.search(r"^probe: .* 192\.0\.2\.30:5432 \(via 127\.0\.0\.1:\d+\)$", probed.stderr, re.M)
    assert planned and all("(via 127.0.0.1:" in line for line in planned)  # nothing unmapped
    assert "not contacting" not in probed.stderr  # the gateways' real-looking names are never resolved
    doc = probed.doc
    assert doc["run"]["exposure_sources"] == ["file", "probe"]
    clear = probed.one("exposure.probe.tls.not_offered", "pg-public")
    assert (clear["status"], clear["severity"]) == ("FAIL", "high")
    assert clear["evidence"]["endpoint"] == "192.0.2.30:5432" and "RDS" not in clear["remediation"]
    assert clear["exposure"]["level"] == "exploitable"
    ssl = probed.one("gcp.sql.ssl_not_required", "pg-public")
    assert ssl["exposure"]["level"] == "exploitable"
    assert {e["source"] for e in ssl["exposure"]["evidence"]} == {"config", "file", "probe"}
    surface = {s["endpoint"]: s for s in doc["surface"]}
    assert surface["192.0.2.30"]["probe"]["checks"] == ["probe.tls.not_offered"]


def test_probe_proves_the_open_instances(probed: Run) -> None:
    """The instances' NAT IPs are mapped: db-1's Redis and web-1's HTTP answer through the mappings."""
    assert "matches no endpoint" not in probed.stderr
    redis = probed.one("exposure.probe.redis.no_auth", "db-1")
    assert (redis["severity"], redis["exposure"]["level"]) == ("critical", "exploitable")
    assert probed.one("exposure.probe.tls.not_offered", "db-1")["evidence"]["endpoint"] == "192.0.2.11:5432"
    cors = probed.one("exposure.probe.http.cors_reflected_with_credentials", "web-1")
    assert cors["status"] == "FAIL" and "192.0.2.10:80" in cors["message"]


# ---------------------------------------------------------------- demo (every provider)


def test_demo_of_every_provider_is_one_report_without_collisions(tmp_path: Path) -> None:
    """``demo --probe`` with no --provider: AWS's and GCP's samples in one report, each graded by its
    own snapshot, each probe reaching its own local services (one mapping per endpoint)."""
    run = _demo(tmp_path / "all", "--probe", "-f", "json,html")
    assert run.code == 0, run.stderr
    providers = sorted(available())
    assert {"aws", "gcp"} <= set(providers)
    doc = run.doc
    assert doc["run"]["providers"] == providers
    assert {"123456789012", "demo-project"} <= set(doc["run"]["accounts"])
    assert doc["run"]["exposure_sources"] == ["file", "probe"]
    by_provider = {p: [f for f in doc["findings"] if f["provider"] == p] for p in ("aws", "gcp")}
    for provider, found in by_provider.items():
        assert any(f["exposure"]["level"] == "observed" for f in found), provider
    assert run.one("exposure.probe.tls.not_offered", "pg-public")["status"] == "FAIL"
    assert run.one("exposure.probe.redis.no_auth", "legacy-db-1", "aws")["status"] == "FAIL"
    planned = _planned(run.stderr)
    assert all("(via 127.0.0.1:" in line for line in planned)
    assert any("192.0.2.30:5432 (via" in line for line in planned)
    assert any("203.0.113.20:6379 (via" in line for line in planned)
    assets = json.loads((run.out / "inventory.json").read_text())["assets"]
    provider_of = {a["id"]: a["provider"] for a in assets}
    surface = doc["surface"]
    assert len({entry["endpoint"] for entry in surface}) == len(surface)
    owners = {entry["endpoint"]: {provider_of[r] for r in entry["resource_ids"]} for entry in surface}
    assert all(len(who) == 1 for who in owners.values()), owners  # no shared endpoint
    assert {e for e, p in owners.items() if p == {"gcp"}} >= {"192.0.2.30", "192.0.2.31"}
    html = (run.out / "report.html").read_text()
    assert "pg-public" in html and "legacy-db-1" in html
