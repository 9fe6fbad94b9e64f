"""``cloudaudit demo`` end to end: every service of the sample account, graded, with reachability paths."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.cli.app import main
from cloudaudit_aws.demo import service_seeds

SERVICES = {"s3", "ec2", "rds", "apigateway", "apigatewayv2", "elasticache", "redshift", "opensearch"}


@pytest.fixture(scope="module")
def demo_findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[dict[str, Any]], Path]:
    """One demo run for the module (it starts its own emulator on 127.0.0.1)."""
    out = tmp_path_factory.mktemp("demo") / "reports"
    saved = os.environ.get("AWS_ENDPOINT_URL")
    code = main(["demo", "-o", str(out), "--fail-on", "critical"])
    assert os.environ.get("AWS_ENDPOINT_URL") == saved, "the demo must restore the environment"
    return code, json.loads((out / "findings.json").read_text())["findings"], out


def _one(findings: list[dict[str, Any]], check_id: str, name: str) -> dict[str, Any]:
    (found,) = [f for f in findings if f["check_id"] == check_id and f["resource_name"] == name]
    return found


def test_every_service_module_seeds_the_demo() -> None:
    seeds = {fn.__module__.removeprefix("cloudaudit_aws.demo_") for fn in service_seeds()}
    assert seeds == SERVICES - {"s3", "ec2"}


def test_demo_fails_on_critical_and_covers_every_service(
    demo_findings: tuple[int, list[dict[str, Any]], Path],
) -> None:
    code, findings, _ = demo_findings
    assert code == 1
    failing = {f["service"] for f in findings if f["status"] == "FAIL"}
    passing = {f["service"] for f in findings if f["status"] == "PASS"}
    assert failing == SERVICES | {"exposure"} and passing == SERVICES
    assert not [f for f in findings if f["status"] == "ERROR"]


def test_demo_grades_databases_by_their_network_path(
    demo_findings: tuple[int, list[dict[str, Any]], Path],
) -> None:
    _, findings, _ = demo_findings
    orders = _one(findings, "aws.rds.instance_publicly_accessible", "orders-db")
    assert orders["severity"] == "critical" and orders["evidence"]["reachability"] == "reachable"
    assert [hop["hop"] for hop in orders["evidence"]["path"]] == ["resource", "subnet", "security_group"]
    billing = _one(findings, "aws.rds.instance_publicly_accessible", "billing-db")
    assert (billing["severity"], billing["evidence"]["reachability"]) == ("medium", "restricted")
    assert _one(findings, "aws.rds.instance_publicly_accessible", "reports-db")["status"] == "PASS"
    warehouse = _one(findings, "aws.redshift.cluster_publicly_accessible", "analytics-public")
    assert warehouse["severity"] == "critical" and warehouse["evidence"]["reachability"] == "reachable"


def test_demo_report_shows_the_new_services(demo_findings: tuple[int, list[dict[str, Any]], Path]) -> None:
    _, _, out = demo_findings
    html = (out / "report.html").read_text()
    for name in ("orders-db", "analytics-public", "sessions-cache", "logs-public", "orders-rest-api-no-auth"):
        assert name in html


def test_demo_grades_findings_with_its_bundled_exposure_snapshot(
    demo_findings: tuple[int, list[dict[str, Any]], Path],
) -> None:
    _, findings, out = demo_findings
    run = json.loads((out / "findings.json").read_text())["run"]
    assert run["exposure_sources"] == ["file"]
    redis_host = _one(findings, "aws.ec2.instance_exposed_sensitive_ports", "legacy-db-1")
    assert redis_host["exposure"]["level"] == "observed"
    assert {e["source"] for e in redis_host["exposure"]["evidence"]} == {"config", "file"}
    shadow = _one(findings, "exposure.unexpected_open_port", "web-1")
    assert "8080" in shadow["message"] and shadow["severity"] == "medium"
    cves = _one(findings, "exposure.known_vulnerability", "web-1")
    assert cves["evidence"]["cves"] == ["CVE-2023-38408", "CVE-2024-6387"]
    hardening = _one(findings, "aws.rds.instance_storage_encrypted", "orders-db")
    assert hardening["exposure"]["level"] == "configured"  # not about what answers on the address
    database = _one(findings, "aws.rds.instance_publicly_accessible", "orders-db")
    assert database["exposure"]["level"] == "observed"  # matched by the endpoint's DNS name


def test_demo_probe_contacts_only_its_local_services_and_finds_their_flaws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    assert main(["demo", "--probe", "-o", str(out)]) == 0
    plan = next(line for line in capsys.readouterr().err.splitlines() if line.startswith("probe:"))
    assert "will connect to 2 endpoints" in plan
    assert plan.count("(via 127.0.0.1:") == 2  # both mapped onto the demo services, nothing else
    findings = json.loads((out / "findings.json").read_text())["findings"]
    redis = _one(findings, "exposure.probe.redis.no_auth", "legacy-db-1")
    assert (redis["severity"], redis["exposure"]["level"]) == ("critical", "exploitable")
    group = _one(findings, "aws.ec2.sg_open_database_ports", "legacy-db")
    assert group["exposure"]["level"] == "exploitable"
    assert {e["source"] for e in group["exposure"]["evidence"]} >= {"file", "probe"}
    cors = _one(findings, "exposure.probe.http.cors_reflected_with_credentials", "web-1")
    assert cors["severity"] == "high" and cors["message"].count(":80") == 1
    for check in ("trace_enabled", "verbose_errors", "exposed_file"):
        assert _one(findings, f"exposure.probe.http.{check}", "web-1")["status"] == "FAIL"
    html = (out / "report.html").read_text()
    assert "exposure.probe.redis.no_auth" in html
