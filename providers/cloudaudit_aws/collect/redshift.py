"""Redshift: provisioned clusters of one region, with subnets, ``require_ssl`` and audit logging.

``fetch_redshift`` lists clusters and cluster subnet groups; the ``require_ssl`` parameter of
each distinct custom parameter group and each cluster's logging status are read in the shared
detail pool. Default parameter groups (``default.redshift-1.0``) cannot be modified, so their
``require_ssl`` is the engine default (false) without a call. ``to_*`` translate without I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.assets_redshift import RedshiftCluster
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession

SERVICE = "redshift"
PERMISSIONS = (
    "redshift:DescribeClusters",
    "redshift:DescribeClusterSubnetGroups",
    "redshift:DescribeClusterParameters",
    "redshift:DescribeLoggingStatus",
)
"""IAM actions of the calls below (documented in deploy/iam-readonly-policy.json)."""

LISTINGS: dict[str, tuple[str, str]] = {
    "clusters": ("describe_clusters", "Clusters"),
    "subnet_groups": ("describe_cluster_subnet_groups", "ClusterSubnetGroups"),
}

LOGGING_FILLS = ("audit_logging", "log_destination")
"""Attributes filled by the DescribeLoggingStatus read."""

RegionRaw = dict[str, list[Raw] | Failed]
Parameters = list[Raw] | Failed
SubnetMap = dict[str, tuple[str, ...]] | Failed


# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_redshift(aws: AwsSession, guard: Guard, region: str) -> RegionRaw:
    """Clusters and cluster subnet groups of one region."""
    client = aws.client("redshift", region)
    return {
        name: guard.paginate(client, method, key, service=SERVICE, region=region)
        for name, (method, key) in LISTINGS.items()
    }


def fetch_parameters(aws: AwsSession, guard: Guard, region: str, group: str) -> Parameters:
    """Every parameter of one cluster parameter group."""
    client = aws.client("redshift", region)
    return guard.paginate(
        client,
        "describe_cluster_parameters",
        "Parameters",
        service=SERVICE,
        region=region,
        ParameterGroupName=group,
    )


def fetch_logging_status(aws: AwsSession, guard: Guard, region: str, cluster: Raw) -> Raw | Failed:
    """Audit logging status of one cluster."""
    ident = str(cluster["ClusterIdentifier"])
    resp = guard.call(
        aws.client("redshift", region).describe_logging_status,
        service=SERVICE,
        region=region,
        resource_id=_arn(region, guard.account, ident),
        ClusterIdentifier=ident,
    )
    return resp if isinstance(resp, dict | Failed) else {}


def collect_redshift(ctx: CollectContext, region: str) -> list[Asset]:
    """Fetch one region; parameter groups and logging status are read in the detail pool."""
    aws, guard = ctx.aws, ctx.guard
    raw = fetch_redshift(aws, guard, region)
    clusters = _listed(raw.get("clusters", []))
    groups = sorted({g for c in clusters for g in parameter_group_names(c) if not is_default_group(g)})
    ctx.progress.add_total(len(groups) + len(clusters))
    param_futures = {g: ctx.detail_pool.submit(fetch_parameters, aws, guard, region, g) for g in groups}
    log_futures = [(c, ctx.detail_pool.submit(fetch_logging_status, aws, guard, region, c)) for c in clusters]
    params: dict[str, Parameters] = {}
    for group, pending in param_futures.items():
        params[group] = pending.result()
        ctx.progress.advance(f"redshift parameter group {group}")
    subnets = to_subnet_map(raw.get("subnet_groups", []))
    assets: list[Asset] = []
    for cluster, future in log_futures:
        assets.append(to_cluster(guard.account, region, cluster, subnets, params, future.result()))
        ctx.progress.advance(f"redshift {cluster.get('ClusterIdentifier', '')}")
    return assets


# ---------------------------------------------------------------- translate (pure)


def _listed(raw: list[Raw] | Failed) -> list[Raw]:
    return [] if isinstance(raw, Failed) else raw


def _arn(region: str, account: str, ident: str) -> str:
    return f"arn:aws:redshift:{region}:{account}:cluster:{ident}"


def is_default_group(name: str) -> bool:
    """AWS-managed parameter groups (``default.redshift-1.0``): not modifiable, require_ssl false."""
    return name.startswith("default.")


def parameter_group_names(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """Parameter group names of one DescribeClusters item."""
    return tuple(str(p["ParameterGroupName"]) for p in raw.get("ClusterParameterGroups", []) or [])


def to_subnet_map(raw: list[Raw] | Failed) -> SubnetMap:
    """Cluster subnet group name -> its subnet ids."""
    if isinstance(raw, Failed):
        return raw
    return {
        str(g["ClusterSubnetGroupName"]): tuple(
            str(s["SubnetIdentifier"]) for s in g.get("Subnets", []) or []
        )
        for g in raw
    }


def require_ssl(groups: tuple[str, ...], params: Mapping[str, Parameters]) -> tuple[bool | None, str]:
    """(require_ssl of every group, why unread); None with a reason when a group was not read."""
    values: list[bool] = []
    for group in groups:
        answer = params.get(group) if not is_default_group(group) else []
        if isinstance(answer, Failed):
            return None, answer.reason("DescribeClusterParameters")
        if answer is None:
            return None, f"parameter group {group} was not read"
        value = next(
            (p.get("ParameterValue") for p in answer if p.get("ParameterName") == "require_ssl"), None
        )
        values.append(str(value).lower() == "true")
    return (all(values) if values else False), ""


def _logging(answer: Raw | Failed | None) -> tuple[dict[str, Any], dict[str, str]]:
    if isinstance(answer, Failed):
        return {}, dict.fromkeys(LOGGING_FILLS, answer.reason("DescribeLoggingStatus"))
    if not answer:
        return {}, {}
    enabled = bool(answer.get("LoggingEnabled"))
    destination = str(answer.get("LogDestinationType") or ("s3" if answer.get("BucketName") else ""))
    return {"audit_logging": enabled, "log_destination": destination if enabled else ""}, {}


def to_cluster(
    account: str,
    region: str,
    raw: Mapping[str, Any],
    subnets: SubnetMap,
    params: Mapping[str, Parameters],
    logging: Raw | Failed | None,
) -> RedshiftCluster:
    """A :class:`RedshiftCluster` from one DescribeClusters item and its detail reads."""
    ident = str(raw["ClusterIdentifier"])
    endpoint = raw.get("Endpoint") or {}
    host, port = str(endpoint.get("Address", "")), int(endpoint.get("Port") or 0)
    public = bool(raw.get("PubliclyAccessible"))
    groups = parameter_group_names(raw)
    ssl, ssl_unread = require_ssl(groups, params)
    log_fields, unread = _logging(logging)
    if ssl_unread:
        unread["require_ssl"] = ssl_unread
    if not port:
        unread["port"] = f"no endpoint in the DescribeClusters answer (status {raw.get('ClusterStatus')})"
    subnet_group = str(raw.get("ClusterSubnetGroupName", ""))
    subnet_ids: tuple[str, ...] = ()
    if isinstance(subnets, Failed):
        unread["subnet_ids"] = subnets.reason("DescribeClusterSubnetGroups")
    elif subnet_group and subnet_group not in subnets:
        unread["subnet_ids"] = (
            f"cluster subnet group {subnet_group} not listed by DescribeClusterSubnetGroups"
        )
    else:
        subnet_ids = subnets.get(subnet_group, ())
    return RedshiftCluster(
        provider=PROVIDER,
        account=account,
        region=region,
        id=_arn(region, account, ident),
        name=ident,
        tags={str(t["Key"]): str(t.get("Value", "")) for t in raw.get("Tags", []) or []},
        endpoints=(
            (Endpoint(host=host, from_port=port, to_port=port, via="PubliclyAccessible"),)
            if public and host
            else ()
        ),
        unread=unread,
        identifier=ident,
        node_type=str(raw.get("NodeType", "")),
        endpoint_address=host,
        port=port,
        publicly_accessible=public,
        master_username=str(raw.get("MasterUsername", "")),
        db_name=str(raw.get("DBName", "")),
        encrypted=bool(raw.get("Encrypted")),
        enhanced_vpc_routing=bool(raw.get("EnhancedVpcRouting")),
        vpc_id=str(raw.get("VpcId", "")),
        vpc_security_group_ids=tuple(
            str(g["VpcSecurityGroupId"]) for g in raw.get("VpcSecurityGroups", []) or []
        ),
        subnet_group=subnet_group,
        subnet_ids=subnet_ids,
        parameter_groups=groups,
        require_ssl=ssl,
        automated_snapshot_retention_period=int(raw.get("AutomatedSnapshotRetentionPeriod") or 0),
        allow_version_upgrade=bool(raw.get("AllowVersionUpgrade")),
        **log_fields,
    )


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=True, collect=collect_redshift, permissions=PERMISSIONS
)
