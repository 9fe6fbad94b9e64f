"""Build RDS assets for check tests: each passes every RDS check unless told otherwise."""

from __future__ import annotations

from typing import Any

from aws_builders import ACCOUNT, PUBLIC_SUBNET, REGION
from cloudaudit_aws.assets_rds import RdsCluster, RdsInstance, RdsSnapshot


def RDS(kind: str, ident: str) -> str:
    """The id the RDS collector gives a DB instance (``db``), cluster or snapshot (AWS's own ARN)."""
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:{kind}:{ident}"


def rds_db(ident: str, **attrs: Any) -> RdsInstance:
    """A DB instance that passes every RDS check; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "provider": "aws",
        "account": ACCOUNT,
        "region": REGION,
        "id": RDS("db", ident),
        "name": ident,
        "identifier": ident,
        "engine": "postgres",
        "engine_version": "16.3",
        "ca_certificate_identifier": "rds-ca-rsa2048-g1",
        "tls_parameters": {"rds.force_ssl": "1"},
        "port": 6543,
        "endpoint_address": f"{ident}.abc123.{REGION}.rds.amazonaws.com",
        "master_username": "app_owner",
        "storage_encrypted": True,
        "iam_auth_enabled": True,
        "deletion_protection": True,
        "backup_retention_period": 7,
        "auto_minor_version_upgrade": True,
    }
    fields.update(attrs)
    return RdsInstance(**fields)


def rds_cluster(ident: str, **attrs: Any) -> RdsCluster:
    """A DB cluster that passes every RDS check; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "provider": "aws",
        "account": ACCOUNT,
        "region": REGION,
        "id": RDS("cluster", ident),
        "name": ident,
        "identifier": ident,
        "engine": "aurora-postgresql",
        "engine_version": "15.4",
        "tls_parameters": {"rds.force_ssl": "1"},
        "port": 5432,
        "endpoint_address": f"{ident}.cluster-abc123.{REGION}.rds.amazonaws.com",
        "deletion_protection": True,
    }
    fields.update(attrs)
    return RdsCluster(**fields)


def rds_snapshot(ident: str, **attrs: Any) -> RdsSnapshot:
    """A private, encrypted manual DB snapshot; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "provider": "aws",
        "account": ACCOUNT,
        "region": REGION,
        "id": RDS("snapshot", ident),
        "name": ident,
        "identifier": ident,
        "source_identifier": "db-source",
        "engine": "postgres",
        "encrypted": True,
    }
    fields.update(attrs)
    return RdsSnapshot(**fields)


def public_db(
    ident: str, groups: tuple[str, ...], subnets: tuple[str, ...] = (PUBLIC_SUBNET,), **attrs: Any
) -> RdsInstance:
    """A publicly accessible PostgreSQL instance on 5432 in ``subnets`` behind ``groups``."""
    fields: dict[str, Any] = {"port": 5432, "publicly_accessible": True, "subnet_ids": subnets}
    return rds_db(ident, vpc_security_group_ids=groups, **{**fields, **attrs})
