"""Pass/fail fixtures of every Redshift check (merged into test_checks_aws.py's table)."""

from __future__ import annotations

from collections.abc import Callable

from aws_build_databases import redshift, rs_arn
from aws_builders import PUBLIC_SUBNET, network, security_group, tcp
from aws_cases import CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_aws.assets_redshift import RedshiftCluster

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

CONTEXT = (
    *network(),
    security_group("sg-rs-open", [tcp(5439)]),
    security_group("sg-rs-office", [tcp(5439, "203.0.113.0/24")]),
    security_group("sg-rs-ssh-only", [tcp(22)]),
)
PUBLIC = {"publicly_accessible": True, "port": 5439}


def _public(ident: str, *groups: str, **attrs: object) -> RedshiftCluster:
    fields = {**PUBLIC, "subnet_ids": (PUBLIC_SUBNET,), "vpc_security_group_ids": groups, **attrs}
    return redshift(ident, **fields)


_PUBLIC_ACCESS = case(
    *CONTEXT,
    _public("rs-open", "sg-rs-open"),
    _public("rs-office-only", "sg-rs-office"),
    _public("rs-no-rule", "sg-rs-ssh-only"),
    redshift("rs-public-private-subnet", **PUBLIC, vpc_security_group_ids=("sg-rs-open",)),
    redshift("rs-private", vpc_security_group_ids=("sg-rs-open",), subnet_ids=(PUBLIC_SUBNET,)),
    _public("rs-group-not-collected", "sg-gone"),
    _public(
        "rs-subnets-unread",
        "sg-rs-open",
        unread={"subnet_ids": "AccessDenied on DescribeClusterSubnetGroups"},
    ),
    _public("rs-no-endpoint", "sg-rs-open", port=0, endpoint_address=""),
    failing={
        rs_arn("rs-open"): CRITICAL,
        rs_arn("rs-office-only"): MEDIUM,
        rs_arn("rs-no-rule"): LOW,
        rs_arn("rs-public-private-subnet"): LOW,
    },
    passing={rs_arn("rs-private")},
    unknown={rs_arn("rs-group-not-collected"), rs_arn("rs-subnets-unread"), rs_arn("rs-no-endpoint")},
    messages={
        rs_arn("rs-open"): "port 5439 is open to the Internet (sg-rs-open: tcp/5439 from 0.0.0.0/0)",
        rs_arn("rs-office-only"): "allowed only from (sg-rs-office: tcp/5439 from 203.0.113.0/24)",
        rs_arn("rs-public-private-subnet"): "routes to an Internet gateway",
        rs_arn("rs-group-not-collected"): "sg-gone not collected",
    },
)

_SSL = case(
    redshift("rs-ssl"),
    redshift("rs-plain-private", require_ssl=False, parameter_groups=("default.redshift-1.0",)),
    redshift("rs-plain-public", require_ssl=False, publicly_accessible=True),
    redshift(
        "rs-ssl-unread", require_ssl=None, unread={"require_ssl": "AccessDenied on DescribeClusterParameters"}
    ),
    failing={rs_arn("rs-plain-private"): MEDIUM, rs_arn("rs-plain-public"): HIGH},
    passing={rs_arn("rs-ssl")},
    unknown={rs_arn("rs-ssl-unread")},
    messages={
        rs_arn("rs-plain-private"): "require_ssl is false in parameter group default.redshift-1.0",
        rs_arn("rs-ssl-unread"): "AccessDenied on DescribeClusterParameters",
    },
)

_MASTER_USER = case(
    redshift("rs-awsuser", master_username="awsuser"),
    redshift("rs-admin-public", master_username="admin", publicly_accessible=True),
    redshift("rs-root-upper", master_username="ROOT"),
    redshift("rs-custom"),
    failing={rs_arn("rs-awsuser"): LOW, rs_arn("rs-admin-public"): MEDIUM, rs_arn("rs-root-upper"): LOW},
    passing={rs_arn("rs-custom")},
    messages={rs_arn("rs-awsuser"): "default admin username awsuser"},
)

_DB_NAME = case(
    redshift("rs-dev", db_name="dev"),
    redshift("rs-dev-public", db_name="dev", publicly_accessible=True),
    redshift("rs-analytics"),
    failing={rs_arn("rs-dev"): LOW, rs_arn("rs-dev-public"): MEDIUM},
    passing={rs_arn("rs-analytics")},
)

_ENCRYPTED = case(
    redshift("rs-encrypted"),
    redshift("rs-plain", encrypted=False),
    failing={rs_arn("rs-plain"): MEDIUM},
    passing={rs_arn("rs-encrypted")},
)

_EVR = case(
    redshift("rs-evr"),
    redshift("rs-no-evr", enhanced_vpc_routing=False),
    failing={rs_arn("rs-no-evr"): LOW},
    passing={rs_arn("rs-evr")},
)

_SNAPSHOTS = case(
    redshift("rs-snapshots", automated_snapshot_retention_period=1),
    redshift("rs-no-snapshots", automated_snapshot_retention_period=0),
    failing={rs_arn("rs-no-snapshots"): LOW},
    passing={rs_arn("rs-snapshots")},
)

_UPGRADES = case(
    redshift("rs-upgrades"),
    redshift("rs-no-upgrades", allow_version_upgrade=False),
    failing={rs_arn("rs-no-upgrades"): LOW},
    passing={rs_arn("rs-upgrades")},
)

_LOGGING = case(
    redshift("rs-logging"),
    redshift("rs-no-logging", audit_logging=False, log_destination=""),
    redshift(
        "rs-logging-unread",
        audit_logging=False,
        unread={"audit_logging": "AccessDenied on DescribeLoggingStatus"},
    ),
    failing={rs_arn("rs-no-logging"): LOW},
    passing={rs_arn("rs-logging")},
    unknown={rs_arn("rs-logging-unread")},
)

_DEFAULT_PORT = case(
    redshift("rs-5439", port=5439),
    redshift("rs-5440"),
    failing={rs_arn("rs-5439"): LOW},
    passing={rs_arn("rs-5440")},
)

CASES: dict[str, CheckCase] = {
    "aws.redshift.cluster_publicly_accessible": _PUBLIC_ACCESS,
    "aws.redshift.cluster_ssl_not_required": _SSL,
    "aws.redshift.cluster_default_master_username": _MASTER_USER,
    "aws.redshift.cluster_default_database_name": _DB_NAME,
    "aws.redshift.cluster_encrypted": _ENCRYPTED,
    "aws.redshift.cluster_enhanced_vpc_routing": _EVR,
    "aws.redshift.cluster_automated_snapshots": _SNAPSHOTS,
    "aws.redshift.cluster_version_upgrade": _UPGRADES,
    "aws.redshift.cluster_audit_logging": _LOGGING,
    "aws.redshift.cluster_default_port": _DEFAULT_PORT,
}

FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]] = {
    RedshiftCluster: lambda: redshift(
        "rs-worst",
        publicly_accessible=True,
        port=5439,
        subnet_ids=(PUBLIC_SUBNET,),
        vpc_security_group_ids=("sg-worst",),
        require_ssl=False,
        master_username="awsuser",
        db_name="dev",
        encrypted=False,
        enhanced_vpc_routing=False,
        automated_snapshot_retention_period=0,
        allow_version_upgrade=False,
        audit_logging=False,
        log_destination="",
    )
}
"""A cluster that every Redshift check fails (behind ``sg-worst`` + ``PUBLIC_SUBNET``)."""
