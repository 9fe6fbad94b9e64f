"""Pass/fail fixtures of the RDS checks (instances, clusters, snapshots; reachability, TLS, lifecycle)."""

from __future__ import annotations

from collections.abc import Callable

from aws_build_rds import RDS, public_db, rds_cluster, rds_db, rds_snapshot
from aws_builders import (
    ANYWHERE6,
    PRIVATE_SUBNET,
    PUBLIC_SUBNET,
    all_traffic,
    igw_route,
    network,
    security_group,
    subnet,
    tcp,
)
from aws_cases import CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_aws.assets_rds import RdsCluster, RdsInstance, RdsSnapshot

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

_RDS_GROUPS = (
    security_group("sg-db-open", [tcp(5432)]),
    security_group("sg-db-v6", [tcp(3306, ANYWHERE6)]),
    security_group("sg-db-all", [all_traffic()]),
    security_group("sg-db-vpc", [tcp(5432, "10.0.0.0/16")]),
    security_group("sg-db-other-port", [tcp(3306)]),
)

_RDS_NETWORK = (
    *network(),
    subnet("subnet-blackhole", igw_route(state="blackhole")),
    subnet("subnet-egress-only", igw_route(ANYWHERE6, target="eigw-0123456789abcdef0")),
    subnet("subnet-routes-unread", unread={"internet_routes": "AccessDenied on DescribeRouteTables"}),
)


_RDS_PUBLIC = case(
    *_RDS_GROUPS,
    *_RDS_NETWORK,
    public_db("db-open", ("sg-db-open",)),
    public_db("db-v6", ("sg-db-v6",), engine="mysql", port=3306),
    public_db("db-all", ("sg-db-all",), port=6543),
    public_db("db-open-and-unread", ("sg-not-collected", "sg-db-open")),
    public_db("db-one-public-subnet", ("sg-db-open",), (PRIVATE_SUBNET, PUBLIC_SUBNET)),
    public_db("db-restricted", ("sg-db-vpc",)),
    public_db("db-no-rule-for-port", ("sg-db-vpc", "sg-db-other-port"), port=6543),
    public_db("db-private-subnet", ("sg-db-open",), (PRIVATE_SUBNET,)),
    public_db("db-blackhole", ("sg-db-open",), ("subnet-blackhole",)),
    public_db("db-egress-only", ("sg-db-v6",), ("subnet-egress-only",), engine="mysql", port=3306),
    public_db("db-no-route-group-unread", ("sg-not-collected",), (PRIVATE_SUBNET,)),
    public_db("db-group-unread", ("sg-not-collected",)),
    public_db("db-subnet-unread", ("sg-db-open",), ("subnet-not-collected",)),
    public_db("db-routes-unread", ("sg-db-open",), ("subnet-routes-unread",)),
    public_db("db-no-subnets", ("sg-db-open",), ()),
    rds_db("db-private", port=5432, vpc_security_group_ids=("sg-db-open",), subnet_ids=(PUBLIC_SUBNET,)),
    failing={
        RDS("db", "db-open"): CRITICAL,
        RDS("db", "db-v6"): CRITICAL,
        RDS("db", "db-all"): CRITICAL,
        RDS("db", "db-open-and-unread"): CRITICAL,
        RDS("db", "db-one-public-subnet"): CRITICAL,
        RDS("db", "db-restricted"): MEDIUM,
        RDS("db", "db-no-rule-for-port"): LOW,
        RDS("db", "db-private-subnet"): LOW,
        RDS("db", "db-blackhole"): LOW,
        RDS("db", "db-egress-only"): LOW,
        RDS("db", "db-no-route-group-unread"): LOW,
    },
    passing={RDS("db", "db-private")},
    unknown={
        RDS("db", "db-group-unread"),
        RDS("db", "db-subnet-unread"),
        RDS("db", "db-routes-unread"),
        RDS("db", "db-no-subnets"),
    },
    messages={
        RDS("db", "db-open"): "subnet-public routes 0.0.0.0/0 -> igw-0123456789abcdef0",
        RDS("db", "db-all"): "sg-db-all: all traffic from 0.0.0.0/0",
        RDS("db", "db-restricted"): "allowed only from (sg-db-vpc: tcp/5432 from 10.0.0.0/16)",
        RDS("db", "db-no-rule-for-port"): "no security group rule allows port 6543",
        RDS(
            "db", "db-private-subnet"
        ): f"none of its subnets ({PRIVATE_SUBNET}) routes to an Internet gateway",
        RDS("db", "db-group-unread"): "sg-not-collected not collected",
    },
)

PUBLIC = (PUBLIC_SUBNET,)

_RDS_CLUSTER_PUBLIC = case(
    *_RDS_GROUPS,
    *network(),
    rds_cluster(
        "cl-open",
        publicly_accessible=True,
        vpc_security_group_ids=("sg-db-open",),
        subnet_ids=(PUBLIC_SUBNET,),
    ),
    rds_cluster(
        "cl-restricted",
        publicly_accessible=True,
        vpc_security_group_ids=("sg-db-vpc",),
        subnet_ids=(PUBLIC_SUBNET,),
    ),
    rds_cluster(
        "cl-private-subnet",
        publicly_accessible=True,
        vpc_security_group_ids=("sg-db-open",),
        subnet_ids=(PRIVATE_SUBNET,),
    ),
    rds_cluster("cl-private", vpc_security_group_ids=("sg-db-open",), subnet_ids=(PUBLIC_SUBNET,)),
    failing={
        RDS("cluster", "cl-open"): CRITICAL,
        RDS("cluster", "cl-restricted"): MEDIUM,
        RDS("cluster", "cl-private-subnet"): LOW,
    },
    passing={RDS("cluster", "cl-private")},
)

_RDS_SNAPSHOT_PUBLIC = case(
    rds_snapshot("snap-public", public=True),
    rds_snapshot(
        "csnap-public", id=RDS("cluster-snapshot", "csnap-public"), snapshot_type="cluster", public=True
    ),
    rds_snapshot("snap-shared", shared_with=("210987654321",)),
    rds_snapshot("snap-private"),
    rds_snapshot("snap-unread", unread={"public": "AccessDenied on DescribeDBSnapshotAttributes"}),
    failing={RDS("snapshot", "snap-public"): CRITICAL, RDS("cluster-snapshot", "csnap-public"): CRITICAL},
    passing={RDS("snapshot", "snap-shared"), RDS("snapshot", "snap-private")},
    unknown={RDS("snapshot", "snap-unread")},
)

_RDS_DEFAULT_PORT = case(
    rds_db("db-pg-5432", port=5432),
    rds_db("db-mysql-3306", engine="mysql", port=3306),
    rds_db("db-sqlserver-1433", engine="sqlserver-se", port=1433),
    rds_db("db-docdb-27017", engine="docdb", port=27017),
    rds_db("db-neptune-8182", engine="neptune", port=8182),
    rds_db("db-pg-6543"),
    rds_db("db-oracle-1522", engine="oracle-ee", port=1522),
    rds_db("db-exotic", engine="exotic", port=1),
    # Aurora members are judged on their cluster's port (the instance's own may differ, as moto reports)
    rds_cluster("cl-mysql-3307", engine="aurora-mysql", port=3307),
    rds_cluster("cl-mysql-3306", engine="aurora-mysql", port=3306),
    rds_cluster(
        "cl-port-unread", engine="aurora-mysql", unread={"port": "AccessDenied on DescribeDBClusters"}
    ),
    rds_db("db-member-3307", engine="aurora-mysql", cluster_identifier="cl-mysql-3307", port=3306),
    rds_db("db-member-3306", engine="aurora-mysql", cluster_identifier="cl-mysql-3306", port=13306),
    rds_db("db-member-unread", engine="aurora-mysql", cluster_identifier="cl-port-unread", port=13306),
    rds_db("db-member-orphan", engine="aurora-mysql", cluster_identifier="cl-not-collected", port=3306),
    failing={
        RDS("db", "db-pg-5432"): LOW,
        RDS("db", "db-mysql-3306"): LOW,
        RDS("db", "db-sqlserver-1433"): LOW,
        RDS("db", "db-docdb-27017"): LOW,
        RDS("db", "db-neptune-8182"): LOW,
        RDS("db", "db-member-3306"): LOW,
    },
    passing={RDS("db", "db-pg-6543"), RDS("db", "db-oracle-1522"), RDS("db", "db-member-3307")},
    unknown={RDS("db", "db-member-unread"), RDS("db", "db-member-orphan")},
    silent={RDS("db", "db-exotic")},
    messages={
        RDS("db", "db-pg-5432"): "listens on the default port 5432.",
        RDS("db", "db-member-3307"): "non-default port 3307 of its DB cluster cl-mysql-3307",
        RDS("db", "db-member-3306"): "default port 3306 of its DB cluster cl-mysql-3306",
        RDS("db", "db-member-unread"): "port of DB cluster cl-port-unread was not read",
        RDS("db", "db-member-orphan"): "DB cluster cl-not-collected is not in the inventory",
    },
)

_RDS_DEFAULT_USER = case(
    rds_db("db-admin-public", master_username="admin", publicly_accessible=True),
    rds_db("db-postgres", master_username="postgres"),
    rds_db("db-root-upper", master_username="ROOT"),
    rds_db("db-app"),
    failing={
        RDS("db", "db-admin-public"): MEDIUM,
        RDS("db", "db-postgres"): LOW,
        RDS("db", "db-root-upper"): LOW,
    },
    passing={RDS("db", "db-app")},
)

_RDS_ENCRYPTED = case(
    rds_db("db-plain", storage_encrypted=False),
    rds_db("db-encrypted"),
    failing={RDS("db", "db-plain"): MEDIUM},
    passing={RDS("db", "db-encrypted")},
)

_RDS_IAM_AUTH = case(
    rds_db("db-mysql-no-iam", engine="mysql", iam_auth_enabled=False),
    rds_db("db-neptune-no-iam", engine="neptune", iam_auth_enabled=False),
    rds_db("db-pg-iam"),
    rds_db("db-sqlserver", engine="sqlserver-ee", iam_auth_enabled=False),
    rds_db("db-docdb", engine="docdb", iam_auth_enabled=False),
    # An Aurora member's own flag stays false (AWS and moto): its cluster's setting is the one judged
    rds_cluster("cl-iam", engine="aurora-mysql", iam_auth_enabled=True),
    rds_cluster("cl-no-iam", engine="aurora-postgresql", iam_auth_enabled=False),
    rds_cluster("cl-iam-unread", unread={"iam_auth_enabled": "AccessDenied on DescribeDBClusters"}),
    rds_db("db-member-iam", engine="aurora-mysql", cluster_identifier="cl-iam", iam_auth_enabled=False),
    rds_db("db-member-no-iam", engine="aurora-postgresql", cluster_identifier="cl-no-iam"),
    rds_db("db-member-unread", engine="aurora-postgresql", cluster_identifier="cl-iam-unread"),
    rds_db("db-member-orphan", engine="aurora-mysql", cluster_identifier="cl-not-collected"),
    rds_db("db-docdb-member", engine="docdb", cluster_identifier="cl-not-collected"),
    failing={
        RDS("db", "db-mysql-no-iam"): LOW,
        RDS("db", "db-neptune-no-iam"): LOW,
        RDS("db", "db-member-no-iam"): LOW,
    },
    passing={RDS("db", "db-pg-iam"), RDS("db", "db-member-iam")},
    unknown={RDS("db", "db-member-unread"), RDS("db", "db-member-orphan")},
    silent={RDS("db", "db-sqlserver"), RDS("db", "db-docdb"), RDS("db", "db-docdb-member")},
    messages={
        RDS("db", "db-mysql-no-iam"): "DB instance db-mysql-no-iam does not use IAM database authentication.",
        RDS("db", "db-member-iam"): "enabled on its DB cluster cl-iam",
        RDS("db", "db-member-no-iam"): "its DB cluster cl-no-iam, where the setting is made, has it off",
        RDS("db", "db-member-unread"): "iam_auth_enabled of DB cluster cl-iam-unread was not read",
        RDS("db", "db-member-orphan"): "DB cluster cl-not-collected is not in the inventory",
    },
)

_RDS_INSTANCE_DELETION = case(
    rds_db("db-unprotected", deletion_protection=False),
    rds_db("db-protected"),
    rds_db("db-aurora-member", engine="aurora-mysql", cluster_identifier="cl-1", deletion_protection=False),
    failing={RDS("db", "db-unprotected"): LOW},
    passing={RDS("db", "db-protected")},
    silent={RDS("db", "db-aurora-member")},
)

_RDS_CLUSTER_DELETION = case(
    rds_cluster("cl-unprotected", deletion_protection=False),
    rds_cluster("cl-protected"),
    failing={RDS("cluster", "cl-unprotected"): LOW},
    passing={RDS("cluster", "cl-protected")},
)

_RDS_BACKUPS = case(
    rds_db("db-no-backup", backup_retention_period=0),
    rds_db("db-one-day", backup_retention_period=1),
    failing={RDS("db", "db-no-backup"): MEDIUM},
    passing={RDS("db", "db-one-day")},
)

_RDS_MINOR_UPGRADE = case(
    rds_db("db-no-minor", auto_minor_version_upgrade=False),
    rds_db("db-minor"),
    failing={RDS("db", "db-no-minor"): LOW},
    passing={RDS("db", "db-minor")},
)

_RDS_TLS = case(
    rds_db("db-pg16-forced"),
    rds_db("db-pg16-default", tls_parameters={}),
    rds_db("db-pg14-default", engine_version="14.10", tls_parameters={}),
    rds_db("db-pg-off", tls_parameters={"rds.force_ssl": "0"}),
    rds_db("db-pg-off-public", tls_parameters={"rds.force_ssl": "0"}, publicly_accessible=True),
    rds_db("db-mysql-default", engine="mysql", engine_version="8.0.35", tls_parameters={}),
    rds_db(
        "db-mysql-on",
        engine="mysql",
        engine_version="8.0.35",
        tls_parameters={"require_secure_transport": "ON"},
    ),
    rds_db(
        "db-mariadb-1",
        engine="mariadb",
        engine_version="10.11.6",
        tls_parameters={"require_secure_transport": "1"},
    ),
    rds_db("db-sqlserver", engine="sqlserver-se", engine_version="16.00", tls_parameters={}),
    rds_db("db-oracle", engine="oracle-ee", engine_version="19.0", tls_parameters={}),
    rds_db("db-aurora-member", cluster_identifier="cl", tls_parameters={}),
    rds_db("db-unread", tls_parameters={}, unread={"tls_parameters": "AccessDenied on DescribeDBParameters"}),
    failing={
        RDS("db", "db-pg14-default"): MEDIUM,
        RDS("db", "db-pg-off"): MEDIUM,
        RDS("db", "db-pg-off-public"): HIGH,
        RDS("db", "db-mysql-default"): MEDIUM,
        RDS("db", "db-sqlserver"): MEDIUM,
    },
    passing={
        RDS("db", "db-pg16-forced"),
        RDS("db", "db-pg16-default"),
        RDS("db", "db-mysql-on"),
        RDS("db", "db-mariadb-1"),
    },
    unknown={RDS("db", "db-unread")},
    silent={RDS("db", "db-oracle"), RDS("db", "db-aurora-member")},
    messages={
        RDS("db", "db-pg14-default"): "rds.force_ssl not set: engine default 0",
        RDS("db", "db-mysql-default"): "require_secure_transport not set: engine default OFF",
        RDS("db", "db-pg16-default"): "rds.force_ssl not set: engine default 1",
    },
)

_RDS_CLUSTER_TLS = case(
    rds_cluster("cl-pg-forced"),
    rds_cluster("cl-pg-default", tls_parameters={}),
    rds_cluster("cl-mysql-off", engine="aurora-mysql", tls_parameters={"require_secure_transport": "OFF"}),
    rds_cluster("cl-docdb-default", engine="docdb", tls_parameters={}),
    rds_cluster("cl-docdb-disabled", engine="docdb", tls_parameters={"tls": "disabled"}),
    rds_cluster("cl-neptune", engine="neptune", tls_parameters={}),
    failing={
        RDS("cluster", "cl-pg-default"): MEDIUM,
        RDS("cluster", "cl-mysql-off"): MEDIUM,
        RDS("cluster", "cl-docdb-disabled"): MEDIUM,
    },
    passing={RDS("cluster", "cl-pg-forced"), RDS("cluster", "cl-docdb-default")},
    silent={RDS("cluster", "cl-neptune")},
)

_RDS_LIFECYCLE = case(
    rds_db("db-current"),
    rds_db("db-pg11", engine_version="11.22"),
    rds_db("db-pg13-before-its-end", engine_version="13.14"),
    rds_db("db-mysql57", engine="mysql", engine_version="5.7.44"),
    rds_db("db-mysql56-unlisted", engine="mysql", engine_version="5.6.51"),
    rds_db("db-old-ca", ca_certificate_identifier="rds-ca-2019"),
    rds_db("db-member-old-engine", cluster_identifier="cl", engine_version="11.22"),
    rds_db("db-member-old-ca", cluster_identifier="cl", ca_certificate_identifier="rds-ca-2019"),
    rds_db("db-oracle", engine="oracle-ee", engine_version="19.0", ca_certificate_identifier=""),
    failing={
        RDS("db", "db-pg11"): MEDIUM,
        RDS("db", "db-mysql57"): MEDIUM,
        RDS("db", "db-mysql56-unlisted"): MEDIUM,
        RDS("db", "db-old-ca"): MEDIUM,
        RDS("db", "db-member-old-ca"): MEDIUM,
    },
    passing={
        RDS("db", "db-current"),
        RDS("db", "db-pg13-before-its-end"),
        RDS("db", "db-member-old-engine"),
    },
    silent={RDS("db", "db-oracle")},
    messages={
        RDS("db", "db-pg11"): "postgres 11.22 left RDS standard support on 2024-02-29",
        RDS("db", "db-old-ca"): "rds-ca-2019 expired on 2024-08-22",
    },
)

_RDS_CLUSTER_LIFECYCLE = case(
    rds_cluster("cl-current"),
    rds_cluster("cl-aurora-mysql2", engine="aurora-mysql", engine_version="5.7.mysql_aurora.2.11.2"),
    rds_cluster("cl-aurora-mysql3", engine="aurora-mysql", engine_version="8.0.mysql_aurora.3.05.2"),
    rds_cluster("cl-aurora-pg11", engine_version="11.21"),
    failing={RDS("cluster", "cl-aurora-pg11"): MEDIUM},
    passing={RDS("cluster", "cl-aurora-mysql2")},  # the scan (2024-05-01) predates its end (2024-10-31)
    silent={RDS("cluster", "cl-current"), RDS("cluster", "cl-aurora-mysql3")},  # not in the table
)


CASES: dict[str, CheckCase] = {
    "aws.rds.instance_publicly_accessible": _RDS_PUBLIC,
    "aws.rds.cluster_publicly_accessible": _RDS_CLUSTER_PUBLIC,
    "aws.rds.snapshot_public": _RDS_SNAPSHOT_PUBLIC,
    "aws.rds.instance_default_port": _RDS_DEFAULT_PORT,
    "aws.rds.instance_default_master_username": _RDS_DEFAULT_USER,
    "aws.rds.instance_storage_encrypted": _RDS_ENCRYPTED,
    "aws.rds.instance_iam_auth": _RDS_IAM_AUTH,
    "aws.rds.instance_deletion_protection": _RDS_INSTANCE_DELETION,
    "aws.rds.cluster_deletion_protection": _RDS_CLUSTER_DELETION,
    "aws.rds.instance_backups_enabled": _RDS_BACKUPS,
    "aws.rds.instance_auto_minor_upgrade": _RDS_MINOR_UPGRADE,
    "aws.rds.instance_tls_not_enforced": _RDS_TLS,
    "aws.rds.cluster_tls_not_enforced": _RDS_CLUSTER_TLS,
    "aws.rds.instance_deprecated_engine_or_ca": _RDS_LIFECYCLE,
    "aws.rds.cluster_deprecated_engine": _RDS_CLUSTER_LIFECYCLE,
}

FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]] = {
    RdsInstance: lambda: rds_db(
        "db-worst",
        publicly_accessible=True,
        port=5432,
        master_username="postgres",
        storage_encrypted=False,
        iam_auth_enabled=False,
        deletion_protection=False,
        backup_retention_period=0,
        auto_minor_version_upgrade=False,
        vpc_security_group_ids=("sg-worst",),
        subnet_ids=(PUBLIC_SUBNET,),
        engine_version="11.22",
        ca_certificate_identifier="rds-ca-2019",
        tls_parameters={},
    ),
    RdsCluster: lambda: rds_cluster(
        "cl-worst",
        engine_version="11.21",
        tls_parameters={},
        publicly_accessible=True,
        deletion_protection=False,
        vpc_security_group_ids=("sg-worst",),
        subnet_ids=(PUBLIC_SUBNET,),
    ),
    RdsSnapshot: lambda: rds_snapshot("snap-worst", public=True),
}
"""Per RDS asset kind, a resource every check of that kind fails (behind sg-worst, in PUBLIC_SUBNET)."""
