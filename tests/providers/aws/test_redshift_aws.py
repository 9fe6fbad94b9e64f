"""Redshift: collector translation (pure), collection and `cloudaudit run` over the real wire.

moto's server answers DescribeClusterParameters with the engine defaults for every group (it has
no ModifyClusterParameterGroup), so a custom group with require_ssl=true cannot be seeded there.
The `run` tests serve that one call from a local server on 127.0.0.1 in AWS's real Query-protocol
XML (AWS_ENDPOINT_URL_REDSHIFT); every other Redshift call is forwarded to moto.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from pytest_httpserver import HTTPServer

from aws_build_databases import access_denied, query_proxy
from cloudaudit.cli.app import main
from cloudaudit.plugins import CollectOptions
from cloudaudit.progress import PlainProgress
from cloudaudit_aws.assets_redshift import RedshiftCluster
from cloudaudit_aws.collect.guard import Failed
from cloudaudit_aws.collect.redshift import PERMISSIONS, require_ssl, to_cluster, to_subnet_map
from cloudaudit_aws.collect.runner import collect
from cloudaudit_aws.collect.services import required_permissions
from cloudaudit_aws.demo_redshift import seed
from cloudaudit_aws.plugin import plugin

plugin.load()

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAMESPACE = "http://redshift.amazonaws.com/doc/2012-12-01/"


def _arn(ident: str) -> str:
    return f"arn:aws:redshift:{REGION}:{ACCOUNT}:cluster:{ident}"


# ------------------------------------------------------------------------------ translation (pure)

RAW_CLUSTER: dict[str, Any] = {
    "ClusterIdentifier": "analytics",
    "NodeType": "ra3.xlplus",
    "ClusterStatus": "available",
    "MasterUsername": "awsuser",
    "DBName": "dev",
    "Endpoint": {"Address": "analytics.c1a2b3.us-east-1.redshift.amazonaws.com", "Port": 5439},
    "AutomatedSnapshotRetentionPeriod": 1,
    "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1", "Status": "active"}],
    "ClusterParameterGroups": [{"ParameterGroupName": "ssl-on", "ParameterApplyStatus": "in-sync"}],
    "ClusterSubnetGroupName": "warehouse",
    "VpcId": "vpc-1",
    "AllowVersionUpgrade": True,
    "PubliclyAccessible": True,
    "Encrypted": False,
    "EnhancedVpcRouting": False,
    "Tags": [{"Key": "team", "Value": "bi"}],
}
SUBNET_GROUPS = [{"ClusterSubnetGroupName": "warehouse", "Subnets": [{"SubnetIdentifier": "subnet-a"}]}]
SSL_ON = [
    {"ParameterName": "enable_user_activity_logging", "ParameterValue": "false"},
    {"ParameterName": "require_ssl", "ParameterValue": "true"},
]
LOGGING_S3 = {"LoggingEnabled": True, "BucketName": "audit-logs", "S3KeyPrefix": "redshift/"}


def test_cluster_translation_publishes_the_public_endpoint_and_joins_details() -> None:
    cluster = to_cluster(
        ACCOUNT, REGION, RAW_CLUSTER, to_subnet_map(SUBNET_GROUPS), {"ssl-on": SSL_ON}, LOGGING_S3
    )
    assert (cluster.id, cluster.name, cluster.tags) == (_arn("analytics"), "analytics", {"team": "bi"})
    assert (cluster.master_username, cluster.db_name, cluster.port) == ("awsuser", "dev", 5439)
    assert (cluster.subnet_ids, cluster.vpc_security_group_ids, cluster.parameter_groups) == (
        ("subnet-a",),
        ("sg-1",),
        ("ssl-on",),
    )
    assert (cluster.require_ssl, cluster.audit_logging, cluster.log_destination) == (True, True, "s3")
    (endpoint,) = cluster.endpoints
    assert (endpoint.host, endpoint.from_port, endpoint.to_port, endpoint.via) == (
        "analytics.c1a2b3.us-east-1.redshift.amazonaws.com",
        5439,
        5439,
        "PubliclyAccessible",
    )
    assert cluster.unread == {}
    private = to_cluster(
        ACCOUNT, REGION, {**RAW_CLUSTER, "PubliclyAccessible": False}, to_subnet_map(SUBNET_GROUPS), {}, None
    )
    assert private.endpoints == ()


def test_default_parameter_group_is_not_read_and_never_requires_ssl() -> None:
    assert require_ssl(("default.redshift-1.0",), {}) == (False, "")
    assert require_ssl(("ssl-on",), {"ssl-on": SSL_ON}) == (True, "")
    assert require_ssl(("ssl-on", "default.redshift-1.0"), {"ssl-on": SSL_ON}) == (False, "")
    assert require_ssl(
        ("custom",), {"custom": [{"ParameterName": "search_path", "ParameterValue": "x"}]}
    ) == (
        False,
        "",
    )


def test_failed_detail_reads_are_unread_not_guessed() -> None:
    denied = Failed("AccessDenied", "denied")
    cluster = to_cluster(ACCOUNT, REGION, RAW_CLUSTER, denied, {"ssl-on": denied}, denied)
    assert cluster.require_ssl is None
    assert cluster.unread == {
        "require_ssl": "AccessDenied on DescribeClusterParameters",
        "audit_logging": "AccessDenied on DescribeLoggingStatus",
        "log_destination": "AccessDenied on DescribeLoggingStatus",
        "subnet_ids": "AccessDenied on DescribeClusterSubnetGroups",
    }
    creating = {k: v for k, v in RAW_CLUSTER.items() if k != "Endpoint"}
    new = to_cluster(ACCOUNT, REGION, {**creating, "ClusterStatus": "creating"}, {}, {"ssl-on": SSL_ON}, None)
    assert new.endpoints == () and new.unread == {
        "port": "no endpoint in the DescribeClusters answer (status creating)",
        "subnet_ids": "cluster subnet group warehouse not listed by DescribeClusterSubnetGroups",
    }


def test_redshift_permissions_are_required_and_read_only() -> None:
    assert set(PERMISSIONS) <= set(required_permissions())
    assert all(p.startswith("redshift:Describe") for p in PERMISSIONS)


# ------------------------------------------------------------------------------ moto server


def _subnet(endpoint: str, name: str) -> str:
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=REGION)
    (subnet,) = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [name]}])["Subnets"]
    return str(subnet["SubnetId"])


def test_demo_seed_is_collected_from_moto(aws: str) -> None:
    seed(aws, REGION)

    inv = collect(
        CollectOptions(regions=(REGION,), services=frozenset({"redshift"}), max_workers=4), PlainProgress()
    )

    assert inv.gaps == ()
    clusters = {c.name: c for c in inv.of(RedshiftCluster)}
    assert set(clusters) == {"analytics-public", "finance-warehouse"}
    public, private = clusters["analytics-public"], clusters["finance-warehouse"]
    assert (public.publicly_accessible, public.master_username, public.db_name, public.encrypted) == (
        True,
        "awsuser",
        "dev",
        False,
    )
    assert [(e.host, e.from_port) for e in public.endpoints] == [(public.endpoint_address, 5439)]
    assert public.subnet_ids == (_subnet(aws, "warehouse-vpc-public"),)
    assert (public.parameter_groups, public.require_ssl, public.audit_logging) == (
        ("default.redshift-1.0",),
        False,
        False,
    )
    assert (private.publicly_accessible, private.endpoints, private.port, private.encrypted) == (
        False,
        (),
        5440,
        True,
    )
    assert (private.audit_logging, private.log_destination, private.enhanced_vpc_routing) == (
        True,
        "cloudwatch",
        True,
    )
    # moto reports the engine default for every group (see the module docstring).
    assert private.parameter_groups == ("finance-require-ssl",) and private.require_ssl is False


def parameters_xml(require: str) -> str:
    """The real DescribeClusterParameters answer of a custom group (require_ssl as given)."""
    params = [
        ("enable_user_activity_logging", "true", "user"),
        ("require_ssl", require, "user"),
        ("use_fips_ssl", "false", "engine-default"),
    ]
    items = "".join(
        f"<Parameter><ParameterName>{name}</ParameterName><ParameterValue>{value}</ParameterValue>"
        f"<DataType>boolean</DataType><Source>{source}</Source><IsModifiable>true</IsModifiable>"
        f"<ApplyType>static</ApplyType><Description>{name}</Description></Parameter>"
        for name, value, source in params
    )
    return (
        f'<DescribeClusterParametersResponse xmlns="{NAMESPACE}"><DescribeClusterParametersResult>'
        f"<Parameters>{items}</Parameters></DescribeClusterParametersResult>"
        "<ResponseMetadata><RequestId>req-params-1</RequestId></ResponseMetadata>"
        "</DescribeClusterParametersResponse>"
    )


def _serve(
    aws: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, answer: tuple[int, str]
) -> list[dict[str, str]]:
    seed(aws, REGION)
    calls: list[dict[str, str]] = []
    handler = query_proxy(aws, {"DescribeClusterParameters": answer}, calls)
    httpserver.expect_request("/", method="POST").respond_with_handler(handler)
    monkeypatch.setenv("AWS_ENDPOINT_URL_REDSHIFT", httpserver.url_for("/"))
    return calls


def _run(out: Path) -> dict[str, Any]:
    checks = "aws.redshift.*"
    assert main(["run", "--provider", "aws", "--regions", REGION, "--checks", checks, "-o", str(out)]) == 0
    return dict(json.loads((out / "findings.json").read_text()))


def _one(findings: list[dict[str, Any]], check_id: str, name: str) -> dict[str, Any]:
    (found,) = [f for f in findings if f["check_id"] == check_id and f["resource_name"] == name]
    return found


RS = "aws.redshift.cluster_"


def test_run_grades_the_public_cluster_by_its_network_path(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _serve(aws, httpserver, monkeypatch, (200, parameters_xml("true")))

    doc = _run(out_dir)

    findings = doc["findings"]
    assert doc["coverage"] == []
    assert [f for f in findings if f["status"] in ("UNKNOWN", "ERROR")] == []
    failing = {(f["check_id"], f["resource_name"]): f["severity"] for f in findings if f["status"] == "FAIL"}
    # moto keeps AutomatedSnapshotRetentionPeriod=0 as 1 day, so the snapshot check passes there.
    assert failing == {
        (f"{RS}publicly_accessible", "analytics-public"): "critical",
        (f"{RS}ssl_not_required", "analytics-public"): "high",
        (f"{RS}default_master_username", "analytics-public"): "medium",
        (f"{RS}default_database_name", "analytics-public"): "medium",
        (f"{RS}encrypted", "analytics-public"): "medium",
        (f"{RS}enhanced_vpc_routing", "analytics-public"): "low",
        (f"{RS}version_upgrade", "analytics-public"): "low",
        (f"{RS}audit_logging", "analytics-public"): "low",
        (f"{RS}default_port", "analytics-public"): "low",
    }
    assert {f["status"] for f in findings if f["resource_name"] == "finance-warehouse"} == {"PASS"}

    public = _one(findings, f"{RS}publicly_accessible", "analytics-public")
    evidence = public["evidence"]
    assert evidence["reachability"] == "reachable"
    resource, subnet, rule = evidence["path"]
    assert resource["id"] == _arn("analytics-public") and resource["detail"].endswith(":5439")
    assert subnet["id"] == _subnet(aws, "warehouse-vpc-public") and "0.0.0.0/0 -> igw-" in subnet["detail"]
    assert rule["detail"].endswith("tcp/5439 from 0.0.0.0/0")
    assert "port 5439 is open to the Internet" in public["message"]
    assert public["compliance"]["AWS-Foundational-Security-Best-Practices"] == ["Redshift.1"]
    ssl = _one(findings, f"{RS}ssl_not_required", "analytics-public")
    assert "require_ssl is false in parameter group default.redshift-1.0" in ssl["message"]
    # Only the custom group was read; the default group's require_ssl is known to be false.
    params = [c["ParameterGroupName"] for c in calls if c["Action"] == "DescribeClusterParameters"]
    assert params == ["finance-require-ssl"]


def test_denied_parameter_read_makes_ssl_unknown(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(aws, httpserver, monkeypatch, access_denied("DescribeClusterParameters", "redshift", NAMESPACE))

    doc = _run(out_dir)

    findings = doc["findings"]
    gaps = {(g["service"], g["operation"], g["error_code"]) for g in doc["coverage"]}
    assert gaps == {("redshift", "DescribeClusterParameters", "AccessDenied")}
    ssl = _one(findings, f"{RS}ssl_not_required", "finance-warehouse")
    assert ssl["status"] == "UNKNOWN"
    assert "require_ssl: AccessDenied on DescribeClusterParameters" in ssl["message"]
    # The default group needs no read: the public cluster is still judged.
    assert _one(findings, f"{RS}ssl_not_required", "analytics-public")["status"] == "FAIL"
    assert _one(findings, f"{RS}encrypted", "finance-warehouse")["status"] == "PASS"
