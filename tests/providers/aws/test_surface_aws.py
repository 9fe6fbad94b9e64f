"""``findings.json``'s attack surface, from the command line, on moto's server (real boto3 wire).

Each test seeds an account, runs ``cloudaudit run``/``evaluate``/``report`` and reads the surface the
user gets. Exposure sources are local stand-ins (a Shodan look-alike, a snapshot file, servers on
127.0.0.1 reached through ``--connect-to``): nothing leaves the loopback interface.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aws_seed import client, default_vpc, rest_api_with_domains, ssh_host
from cloudaudit.cli.app import main
from probe_servers import LOCAL, GoodApi, Server, issue, key, running, server_context
from shodan_fake import ShodanFake, sample_host
from test_report_html import parse, surface_entries

KEY = "SHODANTESTKEY0123456789abcdef"
REGION = "us-east-1"
RUN = ["run", "--provider", "aws", "--regions", REGION]


@pytest.fixture
def shodan(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShodanFake]:
    fake = ShodanFake(KEY).start()
    monkeypatch.setenv("SHODAN_API_URL", fake.url)
    monkeypatch.setenv("SHODAN_API_KEY", KEY)
    yield fake
    fake.stop()


def _surface(out_dir: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((out_dir / "findings.json").read_text())
    return {e["endpoint"]: e for e in doc["surface"]}


def _elastic_ip_host(endpoint: str) -> tuple[str, str, str, str]:
    """An instance behind an Elastic IP, its group opening RDP to the world: (instance, eip alloc, ip, sg)."""
    iid, _, gid = ssh_host(endpoint, port=3389)
    ec2 = client(endpoint, "ec2")
    eip = ec2.allocate_address(Domain="vpc")
    ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=iid)
    return iid, eip["AllocationId"], eip["PublicIp"], gid


def _public_database(endpoint: str) -> str:
    """A publicly accessible PostgreSQL in the default VPC; returns its endpoint host name."""
    _, subnets = default_vpc(endpoint)
    rds = client(endpoint, "rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName="public-subnets", DBSubnetGroupDescription="default VPC", SubnetIds=subnets[:2]
    )
    rds.create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="postgres",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        PubliclyAccessible=True,
        DBSubnetGroupName="public-subnets",
    )
    instance = rds.describe_db_instances(DBInstanceIdentifier="orders-db")["DBInstances"][0]
    return str(instance["Endpoint"]["Address"])


def test_without_exposure_sources_the_surface_answers_from_configuration(aws: str, out_dir: Path) -> None:
    iid, alloc, ip, gid = _elastic_ip_host(aws)
    database = _public_database(aws)
    api = rest_api_with_domains(aws)

    assert main([*RUN, "-o", str(out_dir), "--format", "json"]) == 0

    surface = _surface(out_dir)
    host = surface[ip]
    assert host["kind"] == "address"
    assert host["owner"]["kind"] == "aws.ec2.instance" and host["owner"]["id"].endswith(f"instance/{iid}")
    assert host["owner"]["account"] == "123456789012"  # moto's default account
    owners = {rid.rsplit(":", 1)[1].split("/")[0] for rid in host["resource_ids"]}
    assert owners == {"instance", "network-interface", "security-group", "elastic-ip"}
    assert any(rid.endswith(f"security-group/{gid}") for rid in host["resource_ids"])
    assert any(rid.endswith(f"elastic-ip/{alloc}") for rid in host["resource_ids"])
    assert [(p["protocol"], p["from_port"], p["to_port"], p["via"], p["service"]) for p in host["ports"]] == [
        ("tcp", 3389, 3389, f"{gid}: tcp/3389 from 0.0.0.0/0", "RDP")
    ]
    assert (host["reachability"], host["level"]) == ("reachable", "reachable")
    assert host["evidence"].startswith("config: reachable: ") and "igw-" in host["evidence"]
    assert (host["sources"], host["probe"], host["gaps"]) == ([], None, [])

    db = surface[database]
    assert db["kind"] == "hostname"
    assert db["owner"]["name"] == "orders-db" and db["owner"]["kind"] == "aws.rds.db_instance"
    assert [(p["from_port"], p["via"]) for p in db["ports"]] == [(5432, "PubliclyAccessible")]
    assert db["level"] in ("configured", "reachable")

    execute_api = surface[f"{api}.execute-api.{REGION}.amazonaws.com"]
    assert execute_api["owner"]["kind"] == "aws.apigateway.rest_api"
    assert [(p["from_port"], p["via"]) for p in execute_api["ports"]] == [
        (443, "execute-api default endpoint (https)")
    ]
    assert execute_api["level"] == "configured"
    assert execute_api["evidence"] == "config: execute-api default endpoint (https)"


def test_an_index_listing_makes_the_address_observed_with_what_the_index_saw(
    aws: str, out_dir: Path, shodan: ShodanFake
) -> None:
    _, ip, _ = ssh_host(aws, port=22)
    shodan.add_host(sample_host(ip))  # nginx 443 (one CVE), Redis 6379, PostgreSQL 5432

    assert main([*RUN, "-o", str(out_dir), "--format", "json", "--exposure", "shodan"]) == 0

    host = _surface(out_dir)[ip]
    assert host["level"] == "observed"
    (seen,) = host["sources"]
    assert seen["source"] == "shodan" and seen["listed"] is True
    assert [p["port"] for p in seen["ports"]] == [443, 5432, 6379]
    assert seen["cves"] >= 1
    assert host["evidence"].startswith("shodan: ")
    assert [p["from_port"] for p in host["ports"]] == [22]  # what the configuration opens, apart


def test_a_failed_lookup_keeps_the_configuration_level_and_names_the_gap(
    aws: str, out_dir: Path, shodan: ShodanFake
) -> None:
    _, ip, _ = ssh_host(aws, port=3389)
    shodan.fail(ip, 500, 500, 500, 500)

    assert main([*RUN, "-o", str(out_dir), "--format", "json", "--exposure", "shodan"]) == 0

    host = _surface(out_dir)[ip]
    assert (host["level"], host["reachability"]) == ("reachable", "reachable")
    assert host["evidence"].startswith("config: reachable: ")
    (gap,) = host["gaps"]
    assert gap.startswith("shodan: ")
    assert host["sources"] == []


def test_a_clean_https_api_the_probe_connected_to_is_confirmed_with_only_pass_findings(
    aws: str, out_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "good.example.test"
    rest_api_with_domains(aws, name, execute_api=False)
    ca_files, ca = issue(tmp_path, "ca", "cloudaudit test CA", ca=True)
    cert, _ = issue(tmp_path, "good", name, (name,), days_left=200, issuer=(ca, key()))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_files.cert))  # the platform trust store knows the test CA

    with running(Server(GoodApi, tls=server_context(cert))) as server:
        code = main(
            [
                *RUN,
                "-o",
                str(out_dir),
                "--format",
                "json",
                "--checks",
                "aws.apigateway.*",
                "--probe",
                "--connect-to",
                f"{name}:443:{LOCAL}:{server.port}",
            ]
        )

    assert code == 0 and server.connections > 0
    entry = _surface(out_dir)[name]
    findings = json.loads((out_dir / "findings.json").read_text())["findings"]
    on_entry = [f for f in findings if f["resource_id"] in entry["resource_ids"]]
    assert on_entry and {f["status"] for f in on_entry} == {"PASS"}
    assert {f["exposure"]["level"] for f in on_entry} == {"none"}  # the findings say nothing about exposure
    assert entry["level"] == "confirmed"  # ...the surface does
    assert entry["probe"] == {
        "answered": [{"port": 443, "transport": "tcp", "service": "https"}],
        "checks": [],
    }
    assert entry["evidence"].startswith(f"probe: {name}:443")


def test_evaluate_and_report_carry_the_surface(aws: str, out_dir: Path, tmp_path: Path) -> None:
    _, ip, _ = ssh_host(aws, port=6379)
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(json.dumps(sample_host(ip)) + "\n")
    assert main([*RUN, "-o", str(out_dir), "--exposure", f"file:{snapshot}"]) == 0
    first = json.loads((out_dir / "findings.json").read_text())
    assert {e["endpoint"]: e["level"] for e in first["surface"]} == {ip: "observed"}

    offline = tmp_path / "offline"
    recorded = out_dir / "exposure.json"
    inventory = out_dir / "inventory.json"
    assert main(["evaluate", "-i", str(inventory), "--observations", str(recorded), "-o", str(offline)]) == 0
    again = json.loads((offline / "findings.json").read_text())
    assert again["surface"] == first["surface"]

    rendered = tmp_path / "rendered"
    assert main(["report", str(offline / "findings.json"), "-o", str(rendered), "--format", "html,json"]) == 0
    assert json.loads((rendered / "findings.json").read_text())["surface"] == first["surface"]
    html = (rendered / "report.html").read_text()
    assert "Internet attack surface" in html
    assert [e["endpoint"] for e in surface_entries(parse(html))] == [ip]


def test_a_findings_file_from_before_the_surface_still_renders(
    aws: str, out_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ssh_host(aws, port=22)
    assert main([*RUN, "-o", str(out_dir), "--format", "json"]) == 0
    old = json.loads((out_dir / "findings.json").read_text())
    del old["surface"]
    old["schema_version"] = "1.0"
    path = tmp_path / "findings-1.0.json"
    path.write_text(json.dumps(old))

    code = main(["report", str(path), "-o", str(tmp_path / "out"), "--format", "html,json"])

    assert code == 0 and "Traceback" not in capsys.readouterr().err
    rewritten = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert rewritten["surface"] == [] and rewritten["findings"] == old["findings"]
    html = (tmp_path / "out" / "report.html").read_text()
    assert "does not record the attack surface" in html
