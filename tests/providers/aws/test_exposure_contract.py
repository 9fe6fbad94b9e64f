"""The typed exposure contract: what AWS checks say about addresses, ports and paths, and how it grades.

Pure tables: inventories built with the AWS builders, findings from the real checks, observations
as the sources would return them. Correlation reads only ``Finding.network`` and the assets' roles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aws_build_apigateway import domain as api_domain
from aws_build_apigateway import worst_api
from aws_build_apigatewayv2 import api as http_api
from aws_build_apigatewayv2 import cors as http_cors
from aws_build_databases import cache_group, redshift
from aws_build_opensearch import OPEN_POLICY
from aws_build_opensearch import domain as search_domain
from aws_build_rds import public_db
from aws_builders import (
    PUBLIC_SUBNET,
    all_traffic,
    instance,
    inventory,
    network,
    security_group,
    sg_arn,
    tcp,
)
from aws_seed import client, default_vpc
from cloudaudit.cli.app import main
from cloudaudit.engine.outcome import Outcome, passed
from cloudaudit.engine.registry import REGISTRY, CheckRegistry, RegistryError, check
from cloudaudit.engine.runner import evaluate
from cloudaudit.exposure.correlate import correlate
from cloudaudit.exposure.model import ExposureLevel, Observation, SourceResult
from cloudaudit.exposure.proofs import (
    CACHE_WITHOUT_AUTH,
    CORS,
    LEGACY_TLS,
    SEARCH_WITHOUT_AUTH,
    UNAUTHENTICATED_SERVICE,
)
from cloudaudit.exposure.targets import targets_from_inventory
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, ports_of
from cloudaudit.runflow import findings_document
from cloudaudit_aws.assets import Instance
from cloudaudit_aws.plugin import plugin

plugin.load()

IP = "54.210.9.9"
SEEN = datetime(2024, 5, 1, 11, 0, tzinfo=UTC)
DB_HOST = "orders.abc123.us-east-1.rds.amazonaws.com"
WAREHOUSE_HOST = "wh.c1a2b3.us-east-1.redshift.amazonaws.com"
SEARCH_HOST = "search-logs-abc123.us-east-1.es.amazonaws.com"
HTTP_API_HOST = "h1.execute-api.us-east-1.amazonaws.com"


def _orders_db() -> Asset:
    """A public PostgreSQL instance whose collector published its endpoint on 5432."""
    endpoint = Endpoint(host=DB_HOST, from_port=5432, to_port=5432, via="PubliclyAccessible")
    return public_db("orders", ("sg-pg",)).model_copy(
        update={"endpoint_address": DB_HOST, "endpoints": (endpoint,)}
    )


def _host(*rules: object) -> tuple[Asset, ...]:
    group = security_group("sg-host", rules, public_ips=[IP])  # type: ignore[arg-type]
    host = instance("i-host", [IP], ["sg-host"]).model_copy(update={"subnet_ids": (PUBLIC_SUBNET,)})
    return (*network(), group, host)


def _warehouse(port: int = 5440) -> Asset:
    endpoint = Endpoint(host=WAREHOUSE_HOST, from_port=port, to_port=port, via="PubliclyAccessible")
    return redshift(
        "wh",
        port=port,
        publicly_accessible=True,
        subnet_ids=(PUBLIC_SUBNET,),
        vpc_security_group_ids=("sg-rs",),
        endpoint_address=WAREHOUSE_HOST,
        endpoints=(endpoint,),
    )


@dataclass(frozen=True)
class Contract:
    """The network facts one check must attach to its finding on one resource."""

    assets: tuple[Asset, ...]
    check: str
    resource: str
    addresses: tuple[str, ...]
    ports: tuple[tuple[int, int, str], ...]
    reachability: str | None
    hops: tuple[str, ...]
    exploited_by: tuple[str, ...]


CONTRACTS = {
    "instance opening Redis": Contract(
        _host(tcp(6379)),
        "aws.ec2.instance_exposed_sensitive_ports",
        "i-host",
        (IP,),
        ((6379, 6379, "tcp"),),
        "reachable",
        ("subnet",),
        UNAUTHENTICATED_SERVICE,
    ),
    "instance opening all traffic": Contract(
        _host(all_traffic()),
        "aws.ec2.instance_exposed_sensitive_ports",
        "i-host",
        (IP,),
        ((0, 65535, "all"),),
        "reachable",
        ("subnet",),
        UNAUTHENTICATED_SERVICE,
    ),
    "security group on a public host": Contract(
        _host(tcp(22), tcp(8000)),
        "aws.ec2.sg_open_admin_ports",
        "sg-host",
        (IP,),
        ((22, 22, "tcp"),),
        None,
        (),
        UNAUTHENTICATED_SERVICE,
    ),
    "unattached security group": Contract(
        (security_group("sg-idle", [tcp(3306)]),),
        "aws.ec2.sg_open_database_ports",
        "sg-idle",
        (),
        ((3306, 3306, "tcp"),),
        "private",
        (),
        UNAUTHENTICATED_SERVICE,
    ),
    "security group in front of a public database": Contract(
        (*network(), security_group("sg-pg", [tcp(5432)]), _orders_db()),
        "aws.ec2.sg_open_database_ports",
        "sg-pg",
        (DB_HOST,),
        ((5432, 5432, "tcp"),),
        None,
        (),
        UNAUTHENTICATED_SERVICE,
    ),
    "public RDS instance": Contract(
        (*network(), security_group("sg-pg", [tcp(5432)]), _orders_db()),
        "aws.rds.instance_publicly_accessible",
        "orders",
        (DB_HOST,),
        ((5432, 5432, "tcp"),),
        "reachable",
        ("resource", "subnet", "security_group"),
        UNAUTHENTICATED_SERVICE,
    ),
    "public Redshift cluster": Contract(
        (*network(), security_group("sg-rs", [tcp(5440)]), _warehouse()),
        "aws.redshift.cluster_publicly_accessible",
        "wh",
        (WAREHOUSE_HOST,),
        ((5440, 5440, "tcp"),),
        "reachable",
        ("resource", "subnet", "security_group"),
        UNAUTHENTICATED_SERVICE,
    ),
    "RDS instance on its default port": Contract(
        (_orders_db(),),
        "aws.rds.instance_default_port",
        "orders",
        (DB_HOST,),
        ((5432, 5432, "tcp"),),
        None,
        (),
        (),
    ),
    "Redshift cluster on its default port (declarative check)": Contract(
        (_warehouse(5439),),
        "aws.redshift.cluster_default_port",
        "wh",
        (WAREHOUSE_HOST,),
        ((5439, 5439, "tcp"),),
        None,
        (),
        (),
    ),
    "ElastiCache without AUTH": Contract(
        (
            *network(),
            security_group("sg-cache", [tcp(6379)]),
            cache_group(
                "sessions",
                auth_token_enabled=False,
                port=6379,
                subnet_ids=(PUBLIC_SUBNET,),
                security_group_ids=("sg-cache",),
            ),
        ),
        "aws.elasticache.replication_group_auth_disabled",
        "sessions",
        (),
        ((6379, 6379, "tcp"),),
        "private",  # no ElastiCache node has a public address, however open its path
        ("subnet", "security_group"),
        CACHE_WITHOUT_AUTH,
    ),
    "OpenSearch open policy": Contract(
        (search_domain("logs", access_policy=OPEN_POLICY),),
        "aws.opensearch.domain_access_policy_public",
        "logs",
        (SEARCH_HOST,),
        ((443, 443, "tcp"), (80, 80, "tcp")),
        None,
        (),
        SEARCH_WITHOUT_AUTH,
    ),
    "OpenSearch legacy TLS": Contract(
        (search_domain("logs", enforce_https=True),),
        "aws.opensearch.domain_tls_outdated",
        "logs",
        (SEARCH_HOST,),
        ((443, 443, "tcp"),),
        None,
        (),
        LEGACY_TLS,
    ),
    "REST API without authorization": Contract(
        (worst_api("rest1"),),
        "aws.apigateway.rest_api_unauthenticated_methods",
        "rest1",
        ("rest1.execute-api.us-east-1.amazonaws.com", "api.example.com"),
        ((443, 443, "tcp"),),
        None,
        (),
        (),
    ),
    "API custom domain on TLS 1.0": Contract(
        (api_domain("legacy.example.com", "TLS_1_0"),),
        "aws.apigateway.domain_tls_1_0",
        "legacy.example.com",
        ("legacy.example.com",),
        ((443, 443, "tcp"),),
        None,
        (),
        LEGACY_TLS,
    ),
    "HTTP API CORS any origin": Contract(
        (http_api("h1", cors_config=http_cors(["*"])),),
        "aws.apigatewayv2.cors_any_origin",
        "h1",
        (HTTP_API_HOST,),
        ((443, 443, "tcp"),),
        None,
        (),
        CORS,
    ),
}


def _findings(inv: Inventory, *check_ids: str) -> list[Finding]:
    return evaluate(inv, [s for s in (REGISTRY.get(c) for c in check_ids) if s is not None])


def _one(findings: list[Finding], check_id: str, name: str) -> Finding:
    (found,) = [f for f in findings if f.check_id == check_id and f.resource_name in (name, f"{name}-name")]
    return found


@pytest.mark.parametrize("contract", CONTRACTS.values(), ids=CONTRACTS.keys())
def test_aws_checks_fill_the_network_contract(contract: Contract) -> None:
    finding = _one(_findings(inventory(*contract.assets), contract.check), contract.check, contract.resource)
    assert finding.status is Status.FAIL
    facts = finding.network
    assert facts is not None
    assert facts.addresses == contract.addresses
    assert tuple((p.from_port, p.to_port, p.transport) for p in facts.ports) == contract.ports
    assert facts.reachability == contract.reachability
    assert tuple(h.hop for h in facts.path) == contract.hops
    assert facts.exploited_by == contract.exploited_by


@pytest.mark.parametrize(
    "check_id", ["aws.rds.instance_storage_encrypted", "aws.rds.instance_backups_enabled"]
)
def test_hardening_findings_carry_no_network_facts(check_id: str) -> None:
    db = _orders_db().model_copy(update={"storage_encrypted": False, "backup_retention_period": 0})
    (finding,) = _findings(inventory(db), check_id)
    assert finding.status is Status.FAIL and finding.network is None


def _seen(host: str, port: int, level: ExposureLevel, check: str = "") -> Observation:
    kind = "misconfiguration" if level is ExposureLevel.EXPLOITABLE else "open_port"
    return Observation(
        source="probe" if level.rank >= ExposureLevel.CONFIRMED.rank else "shodan",
        host=host,
        kind=kind,
        level=level,
        summary=f"{check or kind} on {host}:{port}",
        seen_at=SEEN,
        port=port,
        check=check,
    )


def _graded(inv: Inventory, check_ids: tuple[str, ...], *observations: Observation) -> list[Finding]:
    result = SourceResult(source="test", observations=observations)
    return correlate(_findings(inv, *check_ids), inv, targets_from_inventory(inv), [result]).findings


def test_a_finding_without_network_facts_is_not_graded_by_observations() -> None:
    db = _orders_db().model_copy(update={"storage_encrypted": False})
    inv = inventory(*network(), security_group("sg-pg", [tcp(5432)]), db)
    checks = ("aws.rds.instance_storage_encrypted", "aws.rds.instance_publicly_accessible")
    graded = _graded(inv, checks, _seen(DB_HOST, 5432, ExposureLevel.CONFIRMED))
    hardening = _one(graded, "aws.rds.instance_storage_encrypted", "orders")
    assert hardening.exposure.level is ExposureLevel.CONFIGURED and hardening.exposure.evidence == ()
    assert hardening.severity is Severity.MEDIUM
    exposed = _one(graded, "aws.rds.instance_publicly_accessible", "orders")
    assert exposed.exposure.level is ExposureLevel.CONFIRMED


@pytest.mark.parametrize("level", [ExposureLevel.OBSERVED, ExposureLevel.CONFIRMED])
def test_evidence_on_a_database_hostname_grades_the_database_and_the_group_that_opens_its_port(
    level: ExposureLevel,
) -> None:
    inv = inventory(*network(), security_group("sg-pg", [tcp(5432)]), _orders_db())
    (target,) = targets_from_inventory(inv)
    assert target.host == DB_HOST and sg_arn("sg-pg") in target.asset_ids
    checks = ("aws.rds.instance_publicly_accessible", "aws.ec2.sg_open_database_ports")
    graded = _graded(inv, checks, _seen(DB_HOST, 5432, level))
    database = _one(graded, "aws.rds.instance_publicly_accessible", "orders")
    group = _one(graded, "aws.ec2.sg_open_database_ports", "sg-pg")
    assert database.exposure.level is level
    assert group.exposure.level is level
    assert group.severity is Severity.MEDIUM  # low (no interface with a public IP), one step up
    assert [e.endpoint for e in group.exposure.evidence] == [f"{DB_HOST}:5432"]


def test_a_port_the_group_does_not_open_leaves_it_ungraded_and_is_reported_on_the_database() -> None:
    inv = inventory(*network(), security_group("sg-pg", [tcp(5432)]), _orders_db())
    checks = ("aws.rds.instance_publicly_accessible", "aws.ec2.sg_open_database_ports")
    graded = _graded(inv, checks, _seen(DB_HOST, 8080, ExposureLevel.OBSERVED))
    assert _one(graded, "aws.ec2.sg_open_database_ports", "sg-pg").exposure.level is ExposureLevel.CONFIGURED
    (unexpected,) = [f for f in graded if f.check_id == "exposure.unexpected_open_port"]
    assert unexpected.resource_type == "aws.rds.db_instance"  # the workload, not its group


@pytest.mark.parametrize(
    ("assets", "check_id", "name", "host", "probe_check"),
    [
        (
            (search_domain("logs", enforce_https=True),),
            "aws.opensearch.domain_tls_outdated",
            "logs",
            SEARCH_HOST,
            "probe.tls.tls1_0_accepted",
        ),
        (
            (
                http_api(
                    "h1",
                    cors_config=http_cors(["https://*"], credentials=True),
                    endpoints=(Endpoint(host=HTTP_API_HOST, from_port=443, to_port=443),),
                ),
            ),
            "aws.apigatewayv2.cors_any_origin",
            "h1",
            HTTP_API_HOST,
            "probe.http.cors_reflected_with_credentials",
        ),
        (
            (*network(), security_group("sg-pg", [tcp(5432)]), _orders_db()),
            "aws.rds.instance_publicly_accessible",
            "orders",
            DB_HOST,
            "probe.mongodb.no_auth",
        ),
    ],
    ids=["tls-on-search-domain", "cors-on-http-api", "no-auth-on-database-hostname"],
)
def test_the_probe_check_that_fired_makes_the_finding_exploitable_and_is_named(
    assets: tuple[Asset, ...], check_id: str, name: str, host: str, probe_check: str
) -> None:
    port = 5432 if host == DB_HOST else 443
    graded = _graded(
        inventory(*assets), (check_id,), _seen(host, port, ExposureLevel.EXPLOITABLE, probe_check)
    )
    finding = _one(graded, check_id, name)
    assert finding.exposure.level is ExposureLevel.EXPLOITABLE and finding.severity is Severity.CRITICAL
    assert [e.check for e in finding.exposure.evidence if e.source == "probe"] == [probe_check]
    own = _one(graded, f"exposure.{probe_check}", name)
    assert own.exposure.evidence[0].check == probe_check


def test_a_probe_result_the_check_does_not_declare_does_not_make_it_exploitable() -> None:
    inv = inventory(search_domain("logs", enforce_https=True))
    trace = _seen(SEARCH_HOST, 443, ExposureLevel.EXPLOITABLE, "probe.http.trace_enabled")
    finding = _one(
        _graded(inv, ("aws.opensearch.domain_tls_outdated",), trace),
        "aws.opensearch.domain_tls_outdated",
        "logs",
    )
    assert finding.exposure.level is ExposureLevel.CONFIGURED


def test_a_hand_built_finding_is_graded_by_its_contract_alone() -> None:
    """No provider vocabulary: evidence keys mean nothing, the typed facts decide."""
    base = {
        "check_id": "gcp.compute.firewall_open",
        "title": "t",
        "severity": Severity.HIGH,
        "status": Status.FAIL,
        "message": "m",
        "provider": "gcp",
        "account": "p",
        "region": "global",
        "service": "compute",
        "resource_type": "gcp.compute.firewall",
        "resource_id": "fw-1",
        "resource_name": "fw-1",
        "evidence": {"reachability": "reachable", "ports": {"6379": "Redis"}, "endpoint": f"{IP}:6379"},
    }
    typed = Finding.model_validate(
        {
            **base,
            "network": NetworkExposure(
                addresses=(IP,), ports=ports_of([6379]), exploited_by=("probe.redis.",)
            ),
        }
    )
    untyped = Finding.model_validate(base)
    no_auth = _seen(IP, 6379, ExposureLevel.EXPLOITABLE, "probe.redis.no_auth")
    graded = correlate(
        [typed, untyped], inventory(), [], [SourceResult(source="probe", observations=(no_auth,))]
    )
    assert [f.exposure.level for f in graded.findings] == [
        ExposureLevel.EXPLOITABLE,
        ExposureLevel.CONFIGURED,
    ]


def test_a_findings_file_written_before_the_contract_still_loads_and_renders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = inventory(*_host(tcp(6379)))
    doc = findings_document(inv, list(REGISTRY), None)
    data = json.loads(doc.model_dump_json())
    for finding in data["findings"]:
        finding.pop("network")
    old = tmp_path / "findings.json"
    old.write_text(json.dumps(data))
    assert main(["report", str(old), "-o", str(tmp_path / "out"), "-f", "json"]) == 0
    again = json.loads((tmp_path / "out" / "findings.json").read_text())
    assert {f.get("network") for f in again["findings"]} == {None}


def test_a_sighting_of_a_public_rds_hostname_grades_the_database_and_its_group_end_to_end(
    aws: str, out_dir: Path, tmp_path: Path
) -> None:
    """moto's RDS and EC2 through boto3's real client; the index sighting comes from a snapshot file."""
    vpc, subnets = default_vpc(aws)
    ec2, rds = client(aws, "ec2"), client(aws, "rds")
    rds.create_db_subnet_group(
        DBSubnetGroupName="public-subnets", DBSubnetGroupDescription="default VPC", SubnetIds=subnets[:2]
    )
    gid = str(ec2.create_security_group(GroupName="db-open", Description="db", VpcId=vpc)["GroupId"])
    ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    db = rds.create_db_instance(
        DBInstanceIdentifier="pub-pg",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="app_owner",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        PubliclyAccessible=True,
        VpcSecurityGroupIds=[gid],
        DBSubnetGroupName="public-subnets",
    )["DBInstance"]
    host = rds.describe_db_instances(DBInstanceIdentifier="pub-pg")["DBInstances"][0]["Endpoint"]["Address"]
    assert db["DBInstanceIdentifier"] == "pub-pg" and host
    banner = {
        "ip_str": "198.51.100.40",
        "port": 5432,
        "transport": "tcp",
        "timestamp": "2024-04-29T03:44:05.000001",
        "hostnames": [host],
        "product": "PostgreSQL",
        "data": "PostgreSQL: authentication method SSL required",
    }
    snapshot = tmp_path / "snapshot.jsonl"
    snapshot.write_text(json.dumps({"ip_str": "198.51.100.40", "hostnames": [host], "data": [banner]}) + "\n")

    code = main(
        [
            "run",
            "--provider",
            "aws",
            "--regions",
            "us-east-1",
            "-o",
            str(out_dir),
            "--exposure",
            f"file:{snapshot}",
        ]
    )

    assert code == 0
    findings = json.loads((out_dir / "findings.json").read_text())["findings"]
    database = next(f for f in findings if f["check_id"] == "aws.rds.instance_publicly_accessible")
    group = next(
        f
        for f in findings
        if f["check_id"] == "aws.ec2.sg_open_database_ports" and f["resource_id"].endswith(gid)
    )
    assert database["exposure"]["level"] == "observed" and group["exposure"]["level"] == "observed"
    assert group["network"]["addresses"] == [host]
    assert [e["endpoint"] for e in group["exposure"]["evidence"]] == [f"{host}:5432"]


def test_exploited_by_must_name_probe_checks() -> None:
    """A typo (or a configuration check id) would make nothing exploitable, silently: refused at import."""
    reg = CheckRegistry()

    def run(bucket: Asset, inventory: Inventory) -> Outcome:
        return passed("fine")

    meta = {"title": "T", "severity": Severity.LOW, "asset": Instance, "rationale": "R", "remediation": "F"}
    check(
        id="test.ec2.proved", registry=reg, exploited_by=("probe.redis.", "probe.tls.tls1_0_accepted"), **meta
    )(run)  # type: ignore[arg-type]
    with pytest.raises(RegistryError, match="exploited_by names no probe check: \\['redis'\\]"):
        check(id="test.ec2.typo", registry=reg, exploited_by=("redis",), **meta)(run)  # type: ignore[arg-type]
    assert [s.exploited_by for s in reg] == [("probe.redis.", "probe.tls.tls1_0_accepted")]
