"""``cloudaudit demo`` end to end: every service of the sample account, graded, with reachability paths."""

from __future__ import annotations

import ipaddress
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from cloudaudit.cli.app import main
from cloudaudit_aws.demo import service_seeds

DOCUMENTATION = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
)
IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")
IPV6 = re.compile(r"(?<![\w:.-])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
SERVICES = {"s3", "ec2", "rds", "apigateway", "apigatewayv2", "elasticache", "redshift", "opensearch"}


@pytest.fixture(scope="module")
def demo_findings(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[dict[str, Any]], Path]:
    """One demo run for the module (it starts its own emulator on 127.0.0.1)."""
    out = tmp_path_factory.mktemp("demo") / "reports"
    saved = os.environ.get("AWS_ENDPOINT_URL")
    code = main(["demo", "-p", "aws", "-o", str(out), "--fail-on", "critical", "-f", "html,json,csv,sarif"])
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
    assert main(["demo", "-p", "aws", "--probe", "-o", str(out)]) == 0
    plan = "\n".join(line for line in capsys.readouterr().err.splitlines() if line.startswith("probe:"))
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


def _addresses(text: str) -> set[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    found: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    for candidate in [*IPV4.findall(text), *IPV6.findall(text)]:
        try:
            found.add(ipaddress.ip_address(candidate))
        except ValueError:
            continue  # a time (07:31:02), a version: not an address
    return found


def _harmless(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    documented = any(address in net for net in DOCUMENTATION)
    return documented or address.is_private or address.is_loopback or address.is_unspecified


def test_demo_shows_only_documentation_and_private_addresses(
    demo_findings: tuple[int, list[dict[str, Any]], Path],
) -> None:
    _, _, out = demo_findings
    files = sorted(out.iterdir())
    assert {p.name for p in files} >= {"findings.json", "report.html", "exposure.json", "inventory.json"}
    seen = {path.name: _addresses(path.read_text()) for path in files}
    strangers = {
        name: sorted(map(str, a))
        for name, addrs in seen.items()
        if (a := {x for x in addrs if not _harmless(x)})
    }
    assert strangers == {}
    public = {str(a) for a in seen["findings.json"] if any(a in net for net in DOCUMENTATION)}
    assert {
        "203.0.113.10",
        "203.0.113.20",
        "198.51.100.30",
    } <= public  # hosts with Elastic IPs are still public


def test_demo_snapshot_still_matches_its_hosts(demo_findings: tuple[int, list[dict[str, Any]], Path]) -> None:
    _, findings, _ = demo_findings
    web = _one(findings, "exposure.known_vulnerability", "web-1")
    assert "203.0.113.10" in json.dumps(web)


def test_demo_shows_a_coverage_gap_from_a_denied_read(
    demo_findings: tuple[int, list[dict[str, Any]], Path],
) -> None:
    _, findings, out = demo_findings
    coverage = json.loads((out / "findings.json").read_text())["coverage"]
    assert [(g["service"], g["operation"], g["error_code"], g["resource_id"]) for g in coverage] == [
        ("s3", "GetBucketPolicy", "AccessDenied", "arn:aws:s3:::acme-finance-archive")
    ]
    policy = _one(findings, "aws.s3.bucket_policy_public", "acme-finance-archive")
    assert policy["status"] == "UNKNOWN" and "AccessDenied on GetBucketPolicy" in policy["message"]
    assert _one(findings, "aws.s3.bucket_versioning", "acme-finance-archive")["status"] == "PASS"
    html = (out / "report.html").read_text()
    assert "GetBucketPolicy" in html and "acme-finance-archive" in html
