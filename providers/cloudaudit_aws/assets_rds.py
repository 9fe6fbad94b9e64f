"""Typed RDS asset models: DB instances, DB clusters (Aurora, DocumentDB, Neptune) and snapshots."""

from __future__ import annotations

from typing import Literal

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit_aws.assets import security_group_arns


class _RdsDatabase(Asset):
    """What DB instances and DB clusters share (not an asset kind itself)."""

    identifier: str
    engine: str = ""
    engine_version: str = ""
    port: int = 0
    endpoint_address: str = ""
    publicly_accessible: bool = False
    master_username: str = ""
    storage_encrypted: bool = False
    iam_auth_enabled: bool = False
    deletion_protection: bool = False
    backup_retention_period: int = 0
    vpc_security_group_ids: tuple[str, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    """Subnets of the DB subnet group."""
    tls_parameters: dict[str, str] = {}
    """TLS-enforcing parameters explicitly set in the (cluster) parameter group(s): name -> value.

    Only ``rds.force_ssl``, ``require_secure_transport`` and ``tls`` are kept; a parameter that is
    absent is at its engine default.
    """

    def network_controls(self) -> tuple[str, ...]:
        """Its security groups: they decide who reaches its endpoint."""
        return security_group_arns(self, self.vpc_security_group_ids)


@asset_kind("aws.rds.db_instance", service="rds")
class RdsInstance(_RdsDatabase):
    """An RDS DB instance (also DocumentDB/Neptune instances, read through the RDS API)."""

    auto_minor_version_upgrade: bool = False
    ca_certificate_identifier: str = ""
    parameter_groups: tuple[str, ...] = ()
    cluster_identifier: str = ""
    """Set when the instance is a member of a DB cluster (Aurora, DocumentDB, Neptune)."""


@asset_kind("aws.rds.db_cluster", service="rds")
class RdsCluster(_RdsDatabase):
    """A DB cluster: Aurora MySQL/PostgreSQL, Multi-AZ RDS, DocumentDB or Neptune.

    ``publicly_accessible`` is only reported for Multi-AZ DB clusters; Aurora publicity is per
    member instance.
    """

    reader_endpoint_address: str = ""
    parameter_group: str = ""
    members: tuple[str, ...] = ()
    """DB instance identifiers of the cluster."""


@asset_kind("aws.rds.snapshot", service="rds")
class RdsSnapshot(Asset):
    """A manual or automated DB snapshot or DB cluster snapshot."""

    identifier: str
    snapshot_type: Literal["db", "cluster"] = "db"
    source_identifier: str = ""
    """The DB instance or DB cluster the snapshot was taken from."""
    engine: str = ""
    encrypted: bool = False
    public: bool = False
    """The ``restore`` attribute contains ``all``: any AWS account can restore it."""
    shared_with: tuple[str, ...] = ()
    """Account ids (other than ``all``) allowed to restore the snapshot."""


ALL_RDS_ASSETS: tuple[type[Asset], ...] = (RdsInstance, RdsCluster, RdsSnapshot)
