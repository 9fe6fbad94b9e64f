"""ElastiCache: replication groups, cache clusters, cache subnet groups and RBAC users of one region.

``fetch_elasticache`` does the three listings, plus the RBAC user groups and users when a
replication group has a user group attached (no per-resource calls); ``to_*`` translate and join
them without any I/O: a cluster gets its subnets from its cache subnet group, and a replication
group gets subnets, security groups and engine version from its member clusters
(DescribeReplicationGroups reports none of them) and its user groups with their users. Of a user,
only its id, name, authentication type and access string are kept (AWS returns no password, and
its password count is not kept either).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.model.asset import Asset
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.assets_elasticache import CacheCluster, CacheReplicationGroup, CacheUser, CacheUserGroup
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession

SERVICE = "elasticache"
PERMISSIONS = (
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeCacheSubnetGroups",
    "elasticache:DescribeUserGroups",
    "elasticache:DescribeUsers",
)
"""IAM actions of the calls below (documented in deploy/iam-readonly-policy.json)."""

# (paginated method, result key, extra arguments) per raw collection.
LISTINGS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "replication_groups": ("describe_replication_groups", "ReplicationGroups", {}),
    "cache_clusters": ("describe_cache_clusters", "CacheClusters", {"ShowCacheNodeInfo": True}),
    "subnet_groups": ("describe_cache_subnet_groups", "CacheSubnetGroups", {}),
}

RBAC_LISTINGS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "user_groups": ("describe_user_groups", "UserGroups", {}),
    "users": ("describe_users", "Users", {}),
}
"""Listed only when some replication group has a user group attached."""

NETWORK_FILLS = ("subnet_ids", "security_group_ids", "subnet_group", "engine_version")
"""Replication group attributes joined from its member clusters."""

RegionRaw = dict[str, list[Raw] | Failed]
SubnetMap = dict[str, tuple[str, ...]] | Failed
UserGroupMap = dict[str, Raw] | Failed
UserMap = dict[str, CacheUser] | Failed


# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_elasticache(aws: AwsSession, guard: Guard, region: str) -> RegionRaw:
    """The three ElastiCache listings of one region, and its RBAC user groups and users if used."""
    client = aws.client("elasticache", region)
    raw: RegionRaw = {
        name: guard.paginate(client, method, key, service=SERVICE, region=region, **extra)
        for name, (method, key, extra) in LISTINGS.items()
    }
    if uses_rbac(raw["replication_groups"]):
        raw.update(
            (name, guard.paginate(client, method, key, service=SERVICE, region=region, **extra))
            for name, (method, key, extra) in RBAC_LISTINGS.items()
        )
    return raw


def collect_elasticache(ctx: CollectContext, region: str) -> list[Asset]:
    """Fetch and translate one region."""
    return to_elasticache_assets(ctx.guard.account, region, fetch_elasticache(ctx.aws, ctx.guard, region))


# ---------------------------------------------------------------- translate (pure)


def _arn(region: str, account: str, kind: str, ident: str) -> str:
    return f"arn:aws:elasticache:{region}:{account}:{kind}:{ident}"


def _transit_mode(raw: Mapping[str, Any]) -> str:
    """``required``/``preferred``; TLS from before modes existed is always required."""
    if not raw.get("TransitEncryptionEnabled"):
        return ""
    return str(raw.get("TransitEncryptionMode") or "required")


def to_subnet_map(raw: list[Raw] | Failed) -> SubnetMap:
    """Cache subnet group name -> its subnet ids."""
    if isinstance(raw, Failed):
        return raw
    return {
        str(g["CacheSubnetGroupName"]): tuple(str(s["SubnetIdentifier"]) for s in g.get("Subnets", []) or [])
        for g in raw
    }


def uses_rbac(groups: list[Raw] | Failed) -> bool:
    """Some listed replication group has an RBAC user group attached (its users are then read)."""
    return not isinstance(groups, Failed) and any(g.get("UserGroupIds") for g in groups)


PASSWORD_RULES = (">", "<", "#", "!")
"""Redis ACL rules that carry a password or its hash (``>secret``, ``#sha256``...)."""


def without_passwords(access_string: str) -> str:
    """The access string with the value of every password rule replaced (ElastiCache sets passwords
    through the API, not in access strings, so none is expected; should one appear, it is not kept)."""
    return " ".join(
        f"{rule[0]}(redacted)" if rule.startswith(PASSWORD_RULES) else rule for rule in access_string.split()
    )


def to_cache_user(raw: Mapping[str, Any]) -> CacheUser:
    """A :class:`CacheUser` from one DescribeUsers item: id, name, authentication type and access
    string; not the password count, nor anything else."""
    return CacheUser(
        user_id=str(raw["UserId"]),
        user_name=str(raw.get("UserName", "")),
        authentication_type=str((raw.get("Authentication") or {}).get("Type", "")),
        access_string=without_passwords(str(raw.get("AccessString", ""))),
    )


def to_user_map(raw: list[Raw] | Failed) -> UserMap:
    """User id -> its :class:`CacheUser`."""
    if isinstance(raw, Failed):
        return raw
    return {str(u["UserId"]): to_cache_user(u) for u in raw}


def to_user_group_map(raw: list[Raw] | Failed) -> UserGroupMap:
    """User group id -> its DescribeUserGroups item."""
    if isinstance(raw, Failed):
        return raw
    return {str(g["UserGroupId"]): g for g in raw}


def _user_groups(
    group_ids: tuple[str, ...], groups: UserGroupMap, users: UserMap
) -> tuple[tuple[CacheUserGroup, ...], dict[str, str]]:
    """(attached user groups with their users, unread) of a replication group."""
    if not group_ids:
        return (), {}
    if isinstance(groups, Failed):
        return (), {"user_groups": groups.reason("DescribeUserGroups")}
    if isinstance(users, Failed):
        return (), {"user_groups": users.reason("DescribeUsers")}
    resolved: list[CacheUserGroup] = []
    missing: list[str] = []
    for group_id in group_ids:
        raw = groups.get(group_id)
        if raw is None:
            missing.append(f"user group {group_id} not listed by DescribeUserGroups")
            continue
        user_ids = [str(u) for u in raw.get("UserIds", []) or []]
        absent = [u for u in user_ids if u not in users]
        if absent:
            missing.append(
                f"user(s) {', '.join(absent)} of user group {group_id} not listed by DescribeUsers"
            )
        resolved.append(
            CacheUserGroup(
                user_group_id=group_id,
                status=str(raw.get("Status", "")),
                users=tuple(users[u] for u in user_ids if u in users),
            )
        )
    return tuple(resolved), ({"user_groups": "; ".join(missing)} if missing else {})


def _subnets(group: str, subnets: SubnetMap) -> tuple[tuple[str, ...], dict[str, str]]:
    """(subnet ids, unread) of a cache subnet group."""
    if not group:
        return (), {}
    if isinstance(subnets, Failed):
        return (), {"subnet_ids": subnets.reason("DescribeCacheSubnetGroups")}
    if group not in subnets:
        return (), {"subnet_ids": f"cache subnet group {group} not listed by DescribeCacheSubnetGroups"}
    return subnets[group], {}


def _cluster_endpoint(raw: Mapping[str, Any]) -> tuple[str, int, tuple[str, ...]]:
    """(endpoint address, port, node addresses): configuration endpoint first, else the first node."""
    nodes = [n.get("Endpoint") or {} for n in raw.get("CacheNodes", []) or []]
    addresses = tuple(str(n["Address"]) for n in nodes if n.get("Address"))
    config = raw.get("ConfigurationEndpoint") or {}
    first = next((n for n in nodes if n.get("Port")), {})
    host = str(config.get("Address") or first.get("Address", ""))
    return host, int(config.get("Port") or first.get("Port") or 0), addresses


def to_cache_cluster(account: str, region: str, raw: Mapping[str, Any], subnets: SubnetMap) -> CacheCluster:
    """A :class:`CacheCluster` from one DescribeCacheClusters item (ShowCacheNodeInfo=True)."""
    ident = str(raw["CacheClusterId"])
    host, port, addresses = _cluster_endpoint(raw)
    group = str(raw.get("CacheSubnetGroupName", ""))
    subnet_ids, unread = _subnets(group, subnets)
    if not port:
        status = raw.get("CacheClusterStatus", "unknown")
        unread["port"] = f"no node endpoint in the DescribeCacheClusters answer (status {status})"
    return CacheCluster(
        provider=PROVIDER,
        account=account,
        region=region,
        id=str(raw.get("ARN") or _arn(region, account, "cluster", ident)),
        name=ident,
        unread=unread,
        cache_cluster_id=ident,
        engine=str(raw.get("Engine", "")),
        engine_version=str(raw.get("EngineVersion", "")),
        port=port,
        endpoint_address=host,
        node_addresses=addresses,
        num_cache_nodes=int(raw.get("NumCacheNodes") or 0),
        replication_group_id=str(raw.get("ReplicationGroupId", "")),
        transit_encryption_enabled=bool(raw.get("TransitEncryptionEnabled")),
        transit_encryption_mode=_transit_mode(raw),
        at_rest_encryption_enabled=bool(raw.get("AtRestEncryptionEnabled")),
        auth_token_enabled=bool(raw.get("AuthTokenEnabled")),
        snapshot_retention_limit=int(raw.get("SnapshotRetentionLimit") or 0),
        auto_minor_version_upgrade=bool(raw.get("AutoMinorVersionUpgrade")),
        subnet_group=group,
        subnet_ids=subnet_ids,
        security_group_ids=tuple(
            str(g["SecurityGroupId"]) for g in raw.get("SecurityGroups", []) or [] if g.get("SecurityGroupId")
        ),
    )


def _group_endpoint(raw: Mapping[str, Any]) -> tuple[str, int]:
    """Configuration endpoint (cluster mode enabled), else the first node group's primary endpoint."""
    endpoint: Mapping[str, Any] = raw.get("ConfigurationEndpoint") or next(
        (g["PrimaryEndpoint"] for g in raw.get("NodeGroups", []) or [] if g.get("PrimaryEndpoint")), {}
    )
    return str(endpoint.get("Address", "")), int(endpoint.get("Port") or 0)


def _member_network(
    member_ids: tuple[str, ...], clusters: Mapping[str, CacheCluster] | Failed
) -> tuple[dict[str, Any], dict[str, str]]:
    """Subnets, security groups, subnet group and version of a group, from its member clusters."""
    if isinstance(clusters, Failed):
        return {}, dict.fromkeys(NETWORK_FILLS, clusters.reason("DescribeCacheClusters"))
    members = [clusters[m] for m in member_ids if m in clusters]
    if not members:
        why = f"member clusters ({', '.join(member_ids) or 'none'}) not listed by DescribeCacheClusters"
        return {}, dict.fromkeys(NETWORK_FILLS, why)
    unread = {k: v for m in members for k, v in m.unread.items() if k == "subnet_ids"}
    fields = {
        "subnet_ids": tuple(dict.fromkeys(s for m in members for s in m.subnet_ids)),
        "security_group_ids": tuple(dict.fromkeys(g for m in members for g in m.security_group_ids)),
        "subnet_group": members[0].subnet_group,
        "engine_version": members[0].engine_version,
        "auto_minor_version_upgrade": all(m.auto_minor_version_upgrade for m in members),
    }
    return fields, unread


def to_replication_group(
    account: str,
    region: str,
    raw: Mapping[str, Any],
    clusters: Mapping[str, CacheCluster] | Failed,
    user_groups: UserGroupMap,
    users: UserMap,
) -> CacheReplicationGroup:
    """A :class:`CacheReplicationGroup` from one DescribeReplicationGroups item, its members and
    its RBAC user groups (``user_groups``/``users``: DescribeUserGroups and DescribeUsers by id)."""
    ident = str(raw["ReplicationGroupId"])
    host, port = _group_endpoint(raw)
    member_ids = tuple(str(m) for m in raw.get("MemberClusters", []) or [])
    fields, unread = _member_network(member_ids, clusters)
    group_ids = tuple(str(u) for u in raw.get("UserGroupIds", []) or [])
    attached, rbac_unread = _user_groups(group_ids, user_groups, users)
    unread.update(rbac_unread)
    if "AutoMinorVersionUpgrade" in raw:  # reported on groups since 2022; else taken from members
        fields["auto_minor_version_upgrade"] = bool(raw["AutoMinorVersionUpgrade"])
    if not port:
        unread["port"] = f"no endpoint in the DescribeReplicationGroups answer (status {raw.get('Status')})"
    return CacheReplicationGroup(
        provider=PROVIDER,
        account=account,
        region=region,
        id=str(raw.get("ARN") or _arn(region, account, "replicationgroup", ident)),
        name=ident,
        unread=unread,
        replication_group_id=ident,
        engine=str(raw.get("Engine") or "redis"),
        port=port,
        endpoint_address=host,
        transit_encryption_enabled=bool(raw.get("TransitEncryptionEnabled")),
        transit_encryption_mode=_transit_mode(raw),
        at_rest_encryption_enabled=bool(raw.get("AtRestEncryptionEnabled")),
        auth_token_enabled=bool(raw.get("AuthTokenEnabled")),
        user_group_ids=group_ids,
        user_groups=attached,
        snapshot_retention_limit=int(raw.get("SnapshotRetentionLimit") or 0),
        cluster_enabled=bool(raw.get("ClusterEnabled")),
        automatic_failover=str(raw.get("AutomaticFailover", "")),
        member_clusters=member_ids,
        **fields,
    )


def to_elasticache_assets(account: str, region: str, raw: RegionRaw) -> list[Asset]:
    """Cache clusters (with their subnets) and replication groups (joined with their members and
    their RBAC user groups).

    Member clusters are judged on their group: what could not be read about them is recorded on
    the group (``unread``), so no check reports an UNKNOWN for a member it would stay silent on.
    """
    subnets = to_subnet_map(raw.get("subnet_groups", []))
    listed = raw.get("cache_clusters", [])
    clusters = (
        [] if isinstance(listed, Failed) else [to_cache_cluster(account, region, c, subnets) for c in listed]
    )
    by_id: dict[str, CacheCluster] | Failed = (
        listed if isinstance(listed, Failed) else {c.cache_cluster_id: c for c in clusters}
    )
    groups = raw.get("replication_groups", [])
    user_groups = to_user_group_map(raw.get("user_groups", []))
    users = to_user_map(raw.get("users", []))
    assets: list[Asset] = [
        to_replication_group(account, region, g, by_id, user_groups, users)
        for g in ([] if isinstance(groups, Failed) else groups)
    ]
    assets.extend(c.model_copy(update={"unread": {}}) if c.replication_group_id else c for c in clusters)
    return assets


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=True, collect=collect_elasticache, permissions=PERMISSIONS
)
