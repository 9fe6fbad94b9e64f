"""RDS: collector translation (pure), collection and `cloudaudit run` over moto's server.

The pass/fail table of every RDS check is tests/providers/aws/aws_cases_rds.py (merged into the meta-tests of
test_checks_aws.py, which require a table for every registered AWS check).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from aws_seed import default_vpc
from cloudaudit.cli.app import main
from cloudaudit.plugins import CollectOptions
from cloudaudit.progress import PlainProgress
from cloudaudit_aws.assets_rds import RdsCluster, RdsInstance, RdsSnapshot
from cloudaudit_aws.collect.guard import Failed
from cloudaudit_aws.collect.rds import PERMISSIONS, to_cluster, to_instance, to_snapshot
from cloudaudit_aws.collect.runner import collect
from cloudaudit_aws.collect.services import required_permissions
from cloudaudit_aws.plugin import plugin

plugin.load()  # `run --checks` validates ids before loading the provider (see report)

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _arn(kind: str, ident: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:{kind}:{ident}"


# ------------------------------------------------------------------------------ translation (pure)

RAW_INSTANCE: dict[str, Any] = {
    "DBInstanceIdentifier": "orders",
    "DBInstanceArn": _arn("db", "orders"),
    "Engine": "postgres",
    "EngineVersion": "16.3",
    "Endpoint": {"Address": "orders.abc.us-east-1.rds.amazonaws.com", "Port": 5432},
    "PubliclyAccessible": True,
    "MasterUsername": "postgres",
    "StorageEncrypted": False,
    "IAMDatabaseAuthenticationEnabled": False,
    "DeletionProtection": True,
    "BackupRetentionPeriod": 3,
    "AutoMinorVersionUpgrade": True,
    "CACertificateIdentifier": "rds-ca-rsa2048-g1",
    "DBParameterGroups": [{"DBParameterGroupName": "pg16-custom"}],
    "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-1", "Status": "active"}],
    "DBSubnetGroup": {"Subnets": [{"SubnetIdentifier": "subnet-a"}, {"SubnetIdentifier": "subnet-b"}]},
    "TagList": [{"Key": "team", "Value": "orders"}],
}


def test_instance_translation_keeps_the_aws_arn_and_publishes_its_endpoint() -> None:
    db = to_instance(ACCOUNT, REGION, RAW_INSTANCE)
    assert db.id == _arn("db", "orders") and db.name == "orders"
    assert (db.engine, db.port, db.master_username) == ("postgres", 5432, "postgres")
    assert (db.storage_encrypted, db.deletion_protection, db.backup_retention_period) == (False, True, 3)
    assert db.parameter_groups == ("pg16-custom",)
    assert db.vpc_security_group_ids == ("sg-1",)
    assert db.subnet_ids == ("subnet-a", "subnet-b")
    assert db.tags == {"team": "orders"}
    (endpoint,) = db.endpoints
    assert (endpoint.host, endpoint.from_port, endpoint.to_port, endpoint.via) == (
        "orders.abc.us-east-1.rds.amazonaws.com",
        5432,
        5432,
        "PubliclyAccessible",
    )
    private = to_instance(ACCOUNT, REGION, {**RAW_INSTANCE, "PubliclyAccessible": False})
    assert private.endpoints == ()


def test_cluster_translation_reads_docdb_and_neptune_clusters() -> None:
    cluster = to_cluster(
        ACCOUNT,
        REGION,
        {
            "DBClusterIdentifier": "graph",
            "DBClusterArn": _arn("cluster", "graph"),
            "Engine": "neptune",
            "Port": 8182,
            "Endpoint": "graph.cluster-abc.us-east-1.neptune.amazonaws.com",
            "ReaderEndpoint": "graph.cluster-ro-abc.us-east-1.neptune.amazonaws.com",
            "MasterUsername": "admin",
            "StorageEncrypted": True,
            "DeletionProtection": False,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": "sg-2"}],
            "DBClusterMembers": [{"DBInstanceIdentifier": "graph-1"}],
        },
    )
    assert cluster.id == _arn("cluster", "graph")
    assert (cluster.engine, cluster.port, cluster.publicly_accessible) == ("neptune", 8182, False)
    assert cluster.reader_endpoint_address.startswith("graph.cluster-ro-")
    assert cluster.members == ("graph-1",) and cluster.vpc_security_group_ids == ("sg-2",)
    assert cluster.endpoints == ()


def test_snapshot_attributes_make_it_public_or_shared() -> None:
    raw = {"DBSnapshotIdentifier": "s1", "DBSnapshotArn": _arn("snapshot", "s1"), "Encrypted": True}
    attrs = {
        "DBSnapshotAttributesResult": {
            "DBSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["all", "210987654321"]}]
        }
    }
    snap = to_snapshot(ACCOUNT, REGION, raw, attrs)
    assert (snap.id, snap.public, snap.shared_with, snap.encrypted) == (
        _arn("snapshot", "s1"),
        True,
        ("210987654321",),
        True,
    )
    cluster_raw = {
        "DBClusterSnapshotIdentifier": "cs1",
        "DBClusterSnapshotArn": _arn("cluster-snapshot", "cs1"),
        "DBClusterIdentifier": "c1",
        "StorageEncrypted": False,
    }
    cluster_attrs = {
        "DBClusterSnapshotAttributesResult": {
            "DBClusterSnapshotAttributes": [{"AttributeName": "restore", "AttributeValues": ["111100002222"]}]
        }
    }
    csnap = to_snapshot(ACCOUNT, REGION, cluster_raw, cluster_attrs)
    assert (csnap.snapshot_type, csnap.source_identifier, csnap.public, csnap.shared_with) == (
        "cluster",
        "c1",
        False,
        ("111100002222",),
    )


def test_failed_snapshot_attribute_read_is_unread_and_the_check_says_unknown() -> None:
    raw = {"DBSnapshotIdentifier": "s2", "DBSnapshotArn": _arn("snapshot", "s2")}
    snap = to_snapshot(ACCOUNT, REGION, raw, Failed("AccessDenied", "denied"))
    assert snap.unread == {
        "public": "AccessDenied on DescribeDBSnapshotAttributes",
        "shared_with": "AccessDenied on DescribeDBSnapshotAttributes",
    }
    assert (snap.public, snap.shared_with) == (False, ())


def test_rds_permissions_are_required_and_read_only() -> None:
    assert set(PERMISSIONS) <= set(required_permissions())
    assert all(p.startswith("rds:Describe") for p in PERMISSIONS)


# ------------------------------------------------------------------------------ end to end (moto server)


def _seed(endpoint: str) -> str:
    """A public postgres open on 5432, a private encrypted instance, public and shared snapshots."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=REGION)
    rds = boto3.client("rds", endpoint_url=endpoint, region_name=REGION)
    vpc, subnets = default_vpc(endpoint)
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
    rds.create_db_instance(
        DBInstanceIdentifier="pub-pg",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        EngineVersion="11.22",  # default parameter group: rds.force_ssl at its engine default, 0
        MasterUsername="postgres",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        PubliclyAccessible=True,
        StorageEncrypted=False,
        VpcSecurityGroupIds=[gid],
        DBSubnetGroupName="public-subnets",
        BackupRetentionPeriod=0,
        AutoMinorVersionUpgrade=False,
    )
    rds.create_db_parameter_group(
        DBParameterGroupName="pg16-tls", DBParameterGroupFamily="postgres16", Description="TLS only"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="pg16-tls",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    rds.create_db_instance(
        DBInstanceIdentifier="priv-enc",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        EngineVersion="16.3",
        DBParameterGroupName="pg16-tls",
        MasterUsername="app_owner",
        MasterUserPassword="password123",
        AllocatedStorage=20,
        Port=6543,
        PubliclyAccessible=False,
        StorageEncrypted=True,
        EnableIAMDatabaseAuthentication=True,
        DeletionProtection=True,
        BackupRetentionPeriod=7,
        AutoMinorVersionUpgrade=True,
    )
    rds.create_db_snapshot(DBSnapshotIdentifier="snap-public", DBInstanceIdentifier="priv-enc")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="snap-public", AttributeName="restore", ValuesToAdd=["all"]
    )
    rds.create_db_snapshot(DBSnapshotIdentifier="snap-shared", DBInstanceIdentifier="priv-enc")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="snap-shared", AttributeName="restore", ValuesToAdd=["210987654321"]
    )
    return gid


def test_collector_reads_instances_and_snapshot_sharing(aws: str) -> None:
    gid = _seed(aws)
    boto3.client("rds", endpoint_url=aws, region_name=REGION).create_db_cluster(
        DBClusterIdentifier="graph",
        Engine="neptune",
        MasterUsername="dbadmin",
        MasterUserPassword="password123",
    )

    inv = collect(
        CollectOptions(regions=(REGION,), services=frozenset({"rds"}), max_workers=4), PlainProgress()
    )

    assert inv.gaps == ()
    instances = {a.id: a for a in inv.of(RdsInstance)}
    assert set(instances) == {_arn("db", "pub-pg"), _arn("db", "priv-enc")}
    pub, priv = instances[_arn("db", "pub-pg")], instances[_arn("db", "priv-enc")]
    assert (pub.publicly_accessible, pub.port, pub.master_username, pub.vpc_security_group_ids) == (
        True,
        5432,
        "postgres",
        (gid,),
    )
    assert (pub.storage_encrypted, pub.backup_retention_period, pub.auto_minor_version_upgrade) == (
        False,
        0,
        False,
    )
    assert [(e.host, e.from_port, e.via) for e in pub.endpoints] == [
        (pub.endpoint_address, 5432, "PubliclyAccessible")
    ]
    assert (priv.publicly_accessible, priv.port, priv.storage_encrypted, priv.endpoints) == (
        False,
        6543,
        True,
        (),
    )
    assert (priv.iam_auth_enabled, priv.deletion_protection) == (True, True)
    snapshots = {a.id: a for a in inv.of(RdsSnapshot)}
    manual = {rid: (s.public, s.shared_with) for rid, s in snapshots.items() if ":snapshot:snap-" in rid}
    assert manual == {
        _arn("snapshot", "snap-public"): (True, ()),
        _arn("snapshot", "snap-shared"): (False, ("210987654321",)),
    }
    assert not [s for s in snapshots.values() if s.public and s.id not in manual]
    (cluster,) = inv.of(RdsCluster)
    assert (cluster.id, cluster.engine, cluster.master_username) == (
        _arn("cluster", "graph"),
        "neptune",
        "dbadmin",
    )


def _findings(out: Path) -> list[dict[str, Any]]:
    return list(json.loads((out / "findings.json").read_text())["findings"])


def _run(out: Path, checks: str) -> list[dict[str, Any]]:
    assert main(["run", "--provider", "aws", "--regions", REGION, "--checks", checks, "-o", str(out)]) == 0
    return _findings(out)


def _failing(findings: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    failing: dict[str, dict[str, str]] = {}
    for f in findings:
        if f["status"] == "FAIL" and f["check_id"].startswith("aws.rds."):
            failing.setdefault(f["check_id"], {})[f["resource_id"]] = f["severity"]
    return failing


def _one(findings: list[dict[str, Any]], check_id: str, rid: str) -> dict[str, Any]:
    (found,) = [f for f in findings if f["check_id"] == check_id and f["resource_id"] == rid]
    return found


PUB, PRIV = _arn("db", "pub-pg"), _arn("db", "priv-enc")
SNAP_PUBLIC, SNAP_SHARED = _arn("snapshot", "snap-public"), _arn("snapshot", "snap-shared")
HARDENING_FAILURES = {
    "aws.rds.snapshot_public": {SNAP_PUBLIC: "critical"},
    "aws.rds.instance_default_port": {PUB: "low"},
    "aws.rds.instance_default_master_username": {PUB: "medium"},
    "aws.rds.instance_storage_encrypted": {PUB: "medium"},
    "aws.rds.instance_iam_auth": {PUB: "low"},
    "aws.rds.instance_deletion_protection": {PUB: "low"},
    "aws.rds.instance_backups_enabled": {PUB: "medium"},
    "aws.rds.instance_auto_minor_upgrade": {PUB: "low"},
    "aws.rds.instance_tls_not_enforced": {PUB: "high"},
    "aws.rds.instance_deprecated_engine_or_ca": {PUB: "medium"},
}


def test_run_rds_checks_only_still_reads_the_security_groups(aws: str, out_dir: Path) -> None:
    """``--checks aws.rds.*``: the exposure checks declare also_collect=("ec2",), so groups are read."""
    _seed(aws)

    findings = _run(out_dir, "aws.rds.*")

    assert findings and all(f["check_id"].startswith("aws.rds.") for f in findings)
    assert _failing(findings) == {
        **HARDENING_FAILURES,
        "aws.rds.instance_publicly_accessible": {PUB: "critical"},
    }
    assert _one(findings, "aws.rds.instance_publicly_accessible", PRIV)["status"] == "PASS"
    assert _one(findings, "aws.rds.snapshot_public", SNAP_SHARED)["status"] == "PASS"
    assert [f for f in findings if f["status"] in ("UNKNOWN", "ERROR")] == []


def test_run_grades_public_database_by_its_network_path(aws: str, out_dir: Path) -> None:
    gid = _seed(aws)

    findings = _run(out_dir, "aws.rds.*,aws.ec2.sg_open_database_ports")

    assert _failing(findings) == {
        **HARDENING_FAILURES,
        "aws.rds.instance_publicly_accessible": {PUB: "critical"},
    }
    assert not [f for f in findings if f["status"] in ("UNKNOWN", "ERROR")]
    public = _one(findings, "aws.rds.instance_publicly_accessible", PUB)
    resource, *subnets, rule = public["evidence"]["path"]
    assert (resource["hop"], resource["id"]) == ("resource", PUB)
    assert len(subnets) == 2  # both subnets of its DB subnet group use the main table's IGW route
    assert all(s["hop"] == "subnet" and " routes 0.0.0.0/0 -> igw-" in s["detail"] for s in subnets)
    assert rule == {"hop": "security_group", "id": gid, "detail": f"{gid}: tcp/5432 from 0.0.0.0/0"}
    assert public["evidence"]["reachability"] == "reachable"
    assert public["compliance"]["AWS-Foundational-Security-Best-Practices"] == ["RDS.2"]


def test_tls_parameters_come_from_the_instance_group_and_a_failed_read_is_unread() -> None:
    group = ("db", "pg16-custom")
    read = to_instance(ACCOUNT, REGION, RAW_INSTANCE, {group: {"rds.force_ssl": "1"}})
    assert read.tls_parameters == {"rds.force_ssl": "1"} and "tls_parameters" not in read.unread

    denied = to_instance(ACCOUNT, REGION, RAW_INSTANCE, {group: Failed("AccessDenied", "no")})
    assert denied.unread == {"tls_parameters": "AccessDenied on DescribeDBParameters"}


def test_cluster_takes_subnets_from_its_named_subnet_group_and_tls_from_its_cluster_group() -> None:
    raw = {
        "DBClusterIdentifier": "aurora",
        "Engine": "aurora-mysql",
        "DBSubnetGroup": "app-subnets",
        "DBClusterParameterGroup": "aurora-tls",
    }
    cluster = to_cluster(
        ACCOUNT,
        REGION,
        raw,
        {"app-subnets": ("subnet-a", "subnet-b")},
        {("cluster", "aurora-tls"): {"require_secure_transport": "ON"}},
    )
    assert cluster.subnet_ids == ("subnet-a", "subnet-b")
    assert cluster.tls_parameters == {"require_secure_transport": "ON"}


def test_aurora_members_are_judged_by_their_cluster_over_moto(aws: str, out_dir: Path) -> None:
    """moto, like AWS, reports the member's own IAMDatabaseAuthenticationEnabled false and port 3306."""
    rds = boto3.client("rds", endpoint_url=aws, region_name=REGION)
    for ident, iam, port in (("aur-iam", True, 3307), ("aur-noiam", False, 3306)):
        rds.create_db_cluster(
            DBClusterIdentifier=ident,
            Engine="aurora-mysql",
            MasterUsername="app_owner",
            MasterUserPassword="password123",
            EnableIAMDatabaseAuthentication=iam,
            Port=port,
        )
        rds.create_db_instance(
            DBInstanceIdentifier=f"{ident}-1",
            DBInstanceClass="db.r6g.large",
            Engine="aurora-mysql",
            DBClusterIdentifier=ident,
        )

    findings = _run(out_dir, "aws.rds.instance_iam_auth,aws.rds.instance_default_port")

    status = {(f["check_id"], f["resource_id"]): f["status"] for f in findings}
    assert status == {
        ("aws.rds.instance_iam_auth", _arn("db", "aur-iam-1")): "PASS",
        ("aws.rds.instance_iam_auth", _arn("db", "aur-noiam-1")): "FAIL",
        ("aws.rds.instance_default_port", _arn("db", "aur-iam-1")): "PASS",
        ("aws.rds.instance_default_port", _arn("db", "aur-noiam-1")): "FAIL",
    }
    assert (
        "DB cluster aur-noiam"
        in _one(findings, "aws.rds.instance_iam_auth", _arn("db", "aur-noiam-1"))["message"]
    )
