"""Demo seed: RDS instances, an Aurora cluster and snapshots in a VPC with a public and a private subnet.

Bad: "orders-db" (PostgreSQL 11 publicly accessible in the public subnet, 5432 open to the
Internet: reachable; master user postgres, unencrypted, TLS not forced, no backups) and its public
snapshot "orders-db-export"; "billing-db" (MySQL, public but 3306 allowed only from one partner
range: restricted; TLS required); "analytics-aurora" (Aurora PostgreSQL whose cluster parameter group
does not force TLS, no deletion protection). Good: "reports-db" (private subnet, encrypted, TLS
forced, IAM auth, deletion protection, backups).
"""

from __future__ import annotations

from typing import Any

import boto3

from cloudaudit_aws.demo import group, tcp, vpc_with_subnets

DEMO_PASSWORD = "DemoOnly-Passw0rd"
"""The emulator needs a master password; this one protects nothing."""


def _parameter_group(rds: Any, name: str, family: str, parameter: str, value: str) -> None:
    rds.create_db_parameter_group(DBParameterGroupName=name, DBParameterGroupFamily=family, Description=name)
    rds.modify_db_parameter_group(
        DBParameterGroupName=name,
        Parameters=[{"ParameterName": parameter, "ParameterValue": value, "ApplyMethod": "immediate"}],
    )


def seed(endpoint: str, region: str) -> None:
    """Create the demo databases (and their network) in ``region`` of the emulator at ``endpoint``."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    rds = boto3.client("rds", endpoint_url=endpoint, region_name=region)
    vpc, public, private = vpc_with_subnets(ec2, "10.40", "database-vpc")
    open_pg = group(ec2, "orders-db-open-5432", vpc, [tcp(5432, "0.0.0.0/0")])
    partner = group(ec2, "billing-db-partner-only", vpc, [tcp(3306, "203.0.113.0/24")])
    app_only = group(ec2, "reports-db-from-vpc", vpc, [tcp(6543, "10.40.0.0/16")])
    for name, subnet in (("db-public", public), ("db-private", private)):
        rds.create_db_subnet_group(DBSubnetGroupName=name, DBSubnetGroupDescription=name, SubnetIds=[subnet])
    _parameter_group(rds, "mysql84-tls", "mysql8.4", "require_secure_transport", "ON")
    _parameter_group(rds, "pg16-tls", "postgres16", "rds.force_ssl", "1")

    common: dict[str, Any] = {
        "DBInstanceClass": "db.t3.micro",
        "AllocatedStorage": 20,
        "MasterUserPassword": DEMO_PASSWORD,
    }
    rds.create_db_instance(
        DBInstanceIdentifier="orders-db",
        Engine="postgres",
        EngineVersion="11.22",
        MasterUsername="postgres",
        Port=5432,
        PubliclyAccessible=True,
        StorageEncrypted=False,
        DBSubnetGroupName="db-public",
        VpcSecurityGroupIds=[open_pg],
        BackupRetentionPeriod=0,
        AutoMinorVersionUpgrade=False,
        **common,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="billing-db",
        Engine="mysql",
        EngineVersion="8.4.3",
        MasterUsername="billing_owner",
        Port=3306,
        PubliclyAccessible=True,
        StorageEncrypted=True,
        DBParameterGroupName="mysql84-tls",
        DBSubnetGroupName="db-public",
        VpcSecurityGroupIds=[partner],
        DeletionProtection=True,
        BackupRetentionPeriod=7,
        **common,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="reports-db",
        Engine="postgres",
        EngineVersion="16.3",
        MasterUsername="reports_owner",
        Port=6543,
        PubliclyAccessible=False,
        StorageEncrypted=True,
        EnableIAMDatabaseAuthentication=True,
        DBParameterGroupName="pg16-tls",
        DBSubnetGroupName="db-private",
        VpcSecurityGroupIds=[app_only],
        DeletionProtection=True,
        BackupRetentionPeriod=14,
        AutoMinorVersionUpgrade=True,
        **common,
    )
    rds.create_db_snapshot(DBSnapshotIdentifier="orders-db-export", DBInstanceIdentifier="orders-db")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="orders-db-export", AttributeName="restore", ValuesToAdd=["all"]
    )
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName="aurora-pg-defaults",
        DBParameterGroupFamily="aurora-postgresql15",
        Description="no TLS enforcement",
    )
    rds.create_db_cluster(
        DBClusterIdentifier="analytics-aurora",
        Engine="aurora-postgresql",
        EngineVersion="15.4",
        MasterUsername="analytics_owner",
        MasterUserPassword=DEMO_PASSWORD,
        DBClusterParameterGroupName="aurora-pg-defaults",
        DBSubnetGroupName="db-private",
        VpcSecurityGroupIds=[app_only],
        StorageEncrypted=True,
        DeletionProtection=False,
    )
