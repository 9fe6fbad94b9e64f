"""Typed Redshift asset model: provisioned clusters."""

from __future__ import annotations

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit_aws.assets import security_group_arns


@asset_kind("aws.redshift.cluster", service="redshift")
class RedshiftCluster(Asset):
    """A provisioned Redshift cluster; a publicly accessible one publishes its endpoint."""

    identifier: str
    node_type: str = ""
    endpoint_address: str = ""
    port: int = 0
    publicly_accessible: bool = False
    master_username: str = ""
    db_name: str = ""
    encrypted: bool = False
    enhanced_vpc_routing: bool = False
    vpc_id: str = ""
    vpc_security_group_ids: tuple[str, ...] = ()
    subnet_group: str = ""
    subnet_ids: tuple[str, ...] = ()
    """Subnets of the cluster subnet group."""
    parameter_groups: tuple[str, ...] = ()
    require_ssl: bool | None = None
    """``require_ssl`` of the parameter group(s); None when not read (see ``unread``)."""
    automated_snapshot_retention_period: int = 0
    allow_version_upgrade: bool = False
    audit_logging: bool = False
    """Audit logging to S3 or CloudWatch (DescribeLoggingStatus)."""
    log_destination: str = ""
    """``s3`` or ``cloudwatch`` when audit logging is on."""

    def network_controls(self) -> tuple[str, ...]:
        """Its security groups: they decide who reaches its endpoint."""
        return security_group_arns(self, self.vpc_security_group_ids)


ALL_REDSHIFT_ASSETS: tuple[type[Asset], ...] = (RedshiftCluster,)
