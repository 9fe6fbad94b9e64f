"""RDS: DB instances, DB clusters and their snapshots (DocumentDB and Neptune share the RDS API).

``fetch_*`` do the SDK calls of one region; the per-snapshot ``restore`` attribute reads run
in the shared detail pool. ``to_*`` translate the answers without any I/O.

The TLS-enforcing parameters (``rds.force_ssl``, ``require_secure_transport``, DocumentDB's
``tls``) are read once per distinct parameter group of the region, also in the detail pool.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.assets_rds import RdsCluster, RdsInstance, RdsSnapshot
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Absent, Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession

SERVICE = "rds"
PERMISSIONS = (
    "rds:DescribeDBInstances",
    "rds:DescribeDBClusters",
    "rds:DescribeDBSnapshots",
    "rds:DescribeDBClusterSnapshots",
    "rds:DescribeDBSnapshotAttributes",
    "rds:DescribeDBClusterSnapshotAttributes",
    "rds:DescribeDBSubnetGroups",
    "rds:DescribeDBParameters",
    "rds:DescribeDBClusterParameters",
)
"""IAM actions of the calls below (documented in deploy/iam-readonly-policy.json)."""

# (paginated method, result key) per raw collection.
LISTINGS: dict[str, tuple[str, str]] = {
    "instances": ("describe_db_instances", "DBInstances"),
    "clusters": ("describe_db_clusters", "DBClusters"),
    "snapshots": ("describe_db_snapshots", "DBSnapshots"),
    "cluster_snapshots": ("describe_db_cluster_snapshots", "DBClusterSnapshots"),
    "subnet_groups": ("describe_db_subnet_groups", "DBSubnetGroups"),
}

TLS_PARAMETERS = frozenset({"rds.force_ssl", "require_secure_transport", "tls"})
"""Parameters that make an engine refuse unencrypted connections."""

PARAMETER_LISTINGS: dict[str, tuple[str, str]] = {
    "db": ("describe_db_parameters", "DBParameterGroupName"),
    "cluster": ("describe_db_cluster_parameters", "DBClusterParameterGroupName"),
}
"""(paginated method, name argument) per kind of parameter group."""

PUBLIC_ATTRIBUTE_FILLS = ("public", "shared_with")
"""Snapshot attributes filled by the DescribeDB(Cluster)SnapshotAttributes read."""

RegionRaw = dict[str, list[Raw] | Failed]
GroupKey = tuple[str, str]
"""(kind "db" | "cluster", parameter group name)."""
TlsParameters = dict[GroupKey, dict[str, str] | Failed]
Attributes = Raw | Failed | None
"""A snapshot's attribute answer; None when not read (automated snapshots cannot be shared)."""


# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_rds(aws: AwsSession, guard: Guard, region: str) -> RegionRaw:
    """The RDS listings of one region."""
    client = aws.client("rds", region)
    return {
        name: guard.paginate(client, method, key, service=SERVICE, region=region)
        for name, (method, key) in LISTINGS.items()
    }


def fetch_snapshot_attributes(aws: AwsSession, guard: Guard, region: str, snapshot: Raw) -> Attributes:
    """Who may restore a manual snapshot (DB or cluster); None for automated ones."""
    if str(snapshot.get("SnapshotType", "manual")) != "manual":
        return None
    client = aws.client("rds", region)
    if "DBClusterSnapshotIdentifier" in snapshot:
        resp = guard.call(
            client.describe_db_cluster_snapshot_attributes,
            service=SERVICE,
            region=region,
            resource_id=str(snapshot.get("DBClusterSnapshotArn", "")),
            DBClusterSnapshotIdentifier=snapshot["DBClusterSnapshotIdentifier"],
        )
    else:
        resp = guard.call(
            client.describe_db_snapshot_attributes,
            service=SERVICE,
            region=region,
            resource_id=str(snapshot.get("DBSnapshotArn", "")),
            DBSnapshotIdentifier=snapshot["DBSnapshotIdentifier"],
        )
    return None if isinstance(resp, Absent) else resp


def fetch_tls_parameters(
    aws: AwsSession, guard: Guard, region: str, group: GroupKey
) -> dict[str, str] | Failed:
    """The TLS parameters explicitly set in one parameter group (a group not found sets none)."""
    kind, name = group
    method, argument = PARAMETER_LISTINGS[kind]
    params = guard.paginate(
        aws.client("rds", region),
        method,
        "Parameters",
        service=SERVICE,
        region=region,
        resource_id=name,
        absent=("DBParameterGroupNotFound", "DBClusterParameterGroupNotFound"),
        **{argument: name},
    )
    if isinstance(params, Failed):
        return params
    return {
        str(p["ParameterName"]): str(p["ParameterValue"])
        for p in params
        if p.get("ParameterName") in TLS_PARAMETERS and p.get("ParameterValue") is not None
    }


def parameter_groups(raw: RegionRaw) -> list[GroupKey]:
    """Distinct parameter groups used by the region's instances and clusters."""
    groups = [
        ("db", str(g["DBParameterGroupName"]))
        for i in _listed(raw.get("instances", []))
        for g in i.get("DBParameterGroups", []) or []
    ]
    groups += [
        ("cluster", str(c["DBClusterParameterGroup"]))
        for c in _listed(raw.get("clusters", []))
        if c.get("DBClusterParameterGroup")
    ]
    return list(dict.fromkeys(groups))


def collect_rds(ctx: CollectContext, region: str) -> list[Asset]:
    """Fetch one region; parameter groups and snapshot attributes are read in the detail pool."""
    aws, guard = ctx.aws, ctx.guard
    raw = fetch_rds(aws, guard, region)
    groups = parameter_groups(raw)
    pending = {g: ctx.detail_pool.submit(fetch_tls_parameters, aws, guard, region, g) for g in groups}
    tls: TlsParameters = {g: future.result() for g, future in pending.items()}
    assets = to_rds_assets(guard.account, region, raw, tls)
    snapshots = [s for key in ("snapshots", "cluster_snapshots") for s in _listed(raw.get(key, []))]
    ctx.progress.add_total(len(snapshots))
    futures = [
        (s, ctx.detail_pool.submit(fetch_snapshot_attributes, aws, guard, region, s)) for s in snapshots
    ]
    for snapshot, future in futures:
        assets.append(to_snapshot(guard.account, region, snapshot, future.result()))
        ctx.progress.advance(f"rds {_snapshot_id(snapshot)}")
    return assets


# ---------------------------------------------------------------- translate (pure)


def _listed(raw: list[Raw] | Failed) -> list[Raw]:
    return [] if isinstance(raw, Failed) else raw


def _tags(raw: Mapping[str, Any]) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in raw.get("TagList", []) or []}


def _arn(region: str, account: str, kind: str, ident: str) -> str:
    return f"arn:aws:rds:{region}:{account}:{kind}:{ident}"


def _sg_ids(raw: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(g["VpcSecurityGroupId"]) for g in raw.get("VpcSecurityGroups", []) or [])


def _public_endpoint(public: bool, host: str, port: int) -> tuple[Endpoint, ...]:
    if not public or not host:
        return ()
    return (Endpoint(host=host, from_port=port, to_port=port, via="PubliclyAccessible"),)


def _database_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Fields DescribeDBInstances and DescribeDBClusters items spell the same way."""
    return {
        "engine": str(raw.get("Engine", "")),
        "engine_version": str(raw.get("EngineVersion", "")),
        "master_username": str(raw.get("MasterUsername", "")),
        "storage_encrypted": bool(raw.get("StorageEncrypted")),
        "iam_auth_enabled": bool(raw.get("IAMDatabaseAuthenticationEnabled")),
        "deletion_protection": bool(raw.get("DeletionProtection")),
        "backup_retention_period": int(raw.get("BackupRetentionPeriod") or 0),
    }


def _tls(groups: list[GroupKey], tls: TlsParameters | None) -> tuple[dict[str, str], dict[str, str]]:
    """(merged TLS parameters, unread entry) for a resource using ``groups``."""
    merged: dict[str, str] = {}
    for group in groups:
        values = (tls or {}).get(group, {})
        if isinstance(values, Failed):
            op = "DescribeDBParameters" if group[0] == "db" else "DescribeDBClusterParameters"
            return {}, {"tls_parameters": values.reason(op)}
        merged.update(values)
    return merged, {}


def to_instance(
    account: str, region: str, raw: Mapping[str, Any], tls: TlsParameters | None = None
) -> RdsInstance:
    """An :class:`RdsInstance` from one DescribeDBInstances item and its groups' TLS parameters."""
    ident = str(raw["DBInstanceIdentifier"])
    endpoint = raw.get("Endpoint") or {}
    port = int(endpoint.get("Port") or raw.get("DbInstancePort") or 0)
    host = str(endpoint.get("Address", ""))
    public = bool(raw.get("PubliclyAccessible"))
    subnet_group = raw.get("DBSubnetGroup") or {}
    groups = [str(p["DBParameterGroupName"]) for p in raw.get("DBParameterGroups", []) or []]
    tls_parameters, unread = _tls([("db", g) for g in groups], tls)
    return RdsInstance(
        provider=PROVIDER,
        account=account,
        region=region,
        id=str(raw.get("DBInstanceArn") or _arn(region, account, "db", ident)),
        name=ident,
        tags=_tags(raw),
        unread=unread,
        tls_parameters=tls_parameters,
        endpoints=_public_endpoint(public, host, port),
        identifier=ident,
        **_database_fields(raw),
        port=port,
        endpoint_address=host,
        publicly_accessible=public,
        auto_minor_version_upgrade=bool(raw.get("AutoMinorVersionUpgrade")),
        ca_certificate_identifier=str(raw.get("CACertificateIdentifier", "")),
        parameter_groups=tuple(groups),
        vpc_security_group_ids=_sg_ids(raw),
        subnet_ids=tuple(str(s["SubnetIdentifier"]) for s in subnet_group.get("Subnets", []) or []),
        cluster_identifier=str(raw.get("DBClusterIdentifier", "")),
    )


def to_cluster(
    account: str,
    region: str,
    raw: Mapping[str, Any],
    subnet_groups: Mapping[str, tuple[str, ...]] | None = None,
    tls: TlsParameters | None = None,
) -> RdsCluster:
    """An :class:`RdsCluster` from one DescribeDBClusters item (its subnet group named only)."""
    ident = str(raw["DBClusterIdentifier"])
    group = str(raw.get("DBClusterParameterGroup", ""))
    tls_parameters, unread = _tls([("cluster", group)] if group else [], tls)
    port = int(raw.get("Port") or 0)
    host = str(raw.get("Endpoint", ""))
    public = bool(raw.get("PubliclyAccessible"))
    return RdsCluster(
        provider=PROVIDER,
        account=account,
        region=region,
        id=str(raw.get("DBClusterArn") or _arn(region, account, "cluster", ident)),
        name=ident,
        tags=_tags(raw),
        unread=unread,
        tls_parameters=tls_parameters,
        endpoints=_public_endpoint(public, host, port),
        identifier=ident,
        **_database_fields(raw),
        port=port,
        endpoint_address=host,
        reader_endpoint_address=str(raw.get("ReaderEndpoint", "")),
        publicly_accessible=public,
        parameter_group=group,
        vpc_security_group_ids=_sg_ids(raw),
        subnet_ids=(subnet_groups or {}).get(str(raw.get("DBSubnetGroup", "")), ()),
        members=tuple(str(m["DBInstanceIdentifier"]) for m in raw.get("DBClusterMembers", []) or []),
    )


def _snapshot_id(raw: Mapping[str, Any]) -> str:
    return str(raw.get("DBClusterSnapshotIdentifier") or raw.get("DBSnapshotIdentifier", ""))


def _restore_values(attributes: Raw) -> list[str]:
    result = attributes.get("DBClusterSnapshotAttributesResult") or attributes.get(
        "DBSnapshotAttributesResult", {}
    )
    entries = result.get("DBClusterSnapshotAttributes") or result.get("DBSnapshotAttributes") or []
    return [
        str(v) for e in entries if e.get("AttributeName") == "restore" for v in e.get("AttributeValues", [])
    ]


def to_snapshot(account: str, region: str, raw: Mapping[str, Any], attributes: Attributes) -> RdsSnapshot:
    """An :class:`RdsSnapshot` from a DB or cluster snapshot and its attribute answer."""
    cluster = "DBClusterSnapshotIdentifier" in raw
    ident = _snapshot_id(raw)
    kind = "cluster-snapshot" if cluster else "snapshot"
    arn = raw.get("DBClusterSnapshotArn") if cluster else raw.get("DBSnapshotArn")
    unread: dict[str, str] = {}
    values: list[str] = []
    if isinstance(attributes, Failed):
        op = "DescribeDBClusterSnapshotAttributes" if cluster else "DescribeDBSnapshotAttributes"
        unread = dict.fromkeys(PUBLIC_ATTRIBUTE_FILLS, attributes.reason(op))
    elif attributes is not None:
        values = _restore_values(attributes)
    return RdsSnapshot(
        provider=PROVIDER,
        account=account,
        region=region,
        id=str(arn or _arn(region, account, kind, ident)),
        name=ident,
        tags=_tags(raw),
        unread=unread,
        identifier=ident,
        snapshot_type="cluster" if cluster else "db",
        source_identifier=str(
            raw.get("DBClusterIdentifier", "") if cluster else raw.get("DBInstanceIdentifier", "")
        ),
        engine=str(raw.get("Engine", "")),
        encrypted=bool(raw.get("StorageEncrypted") if cluster else raw.get("Encrypted")),
        public="all" in values,
        shared_with=tuple(v for v in values if v != "all"),
    )


def to_rds_assets(account: str, region: str, raw: RegionRaw, tls: TlsParameters | None = None) -> list[Asset]:
    """Instances and clusters of one region (snapshots need their attribute reads)."""
    assets: list[Asset] = [to_instance(account, region, i, tls) for i in _listed(raw.get("instances", []))]
    subnet_groups = {
        str(g["DBSubnetGroupName"]): tuple(str(s["SubnetIdentifier"]) for s in g.get("Subnets", []) or [])
        for g in _listed(raw.get("subnet_groups", []))
    }
    assets.extend(
        to_cluster(account, region, c, subnet_groups, tls) for c in _listed(raw.get("clusters", []))
    )
    return assets


COLLECTOR = ServiceCollector(service=SERVICE, regional=True, collect=collect_rds, permissions=PERMISSIONS)
