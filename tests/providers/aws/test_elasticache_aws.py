"""ElastiCache: collector translation (pure), collection and `cloudaudit run` over the real wire.

moto's server lacks, in DescribeCacheClusters, the node endpoints (CacheNodes /
ConfigurationEndpoint), the VPC SecurityGroups and AtRestEncryptionEnabled, and does not list the
member clusters of a replication group at all. The `run` tests therefore serve that one call from
a local server on 127.0.0.1 in AWS's real Query-protocol XML (AWS_ENDPOINT_URL_ELASTICACHE), built
from the ids moto gave the seeded resources; every other ElastiCache call is forwarded to moto.

RBAC: moto (5.2) implements CreateUser and DescribeUsers (with every region's built-in ``default``
user: no password, ``on ~* +@all``) and keeps the UserGroupIds given to CreateReplicationGroup, but
has no CreateUserGroup / DescribeUserGroups (HTTP 500) and ignores ModifyReplicationGroup's
UserGroupIdsToAdd. The RBAC tests therefore create the users in moto, attach the user groups at
creation, and serve DescribeUserGroups from the same local server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from pytest_httpserver import HTTPServer

from aws_build_databases import access_denied, query_proxy
from cloudaudit.cli.app import main
from cloudaudit.plugins import CollectOptions
from cloudaudit.progress import PlainProgress
from cloudaudit_aws.assets_elasticache import CacheCluster, CacheReplicationGroup, CacheUser
from cloudaudit_aws.collect.elasticache import (
    NETWORK_FILLS,
    PERMISSIONS,
    to_cache_cluster,
    to_cache_user,
    to_elasticache_assets,
    to_replication_group,
    to_subnet_map,
    to_user_group_map,
    to_user_map,
    uses_rbac,
)
from cloudaudit_aws.collect.guard import Failed
from cloudaudit_aws.collect.runner import collect
from cloudaudit_aws.collect.services import required_permissions
from cloudaudit_aws.demo_elasticache import seed
from cloudaudit_aws.plugin import plugin

plugin.load()

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAMESPACE = "http://elasticache.amazonaws.com/doc/2015-02-02/"


def _arn(kind: str, ident: str) -> str:
    return f"arn:aws:elasticache:{REGION}:{ACCOUNT}:{kind}:{ident}"


# ------------------------------------------------------------------------------ translation (pure)

SUBNET_GROUPS = [
    {
        "CacheSubnetGroupName": "cache-private",
        "VpcId": "vpc-1",
        "Subnets": [{"SubnetIdentifier": "subnet-a"}, {"SubnetIdentifier": "subnet-b"}],
    }
]
RAW_MEMCACHED: dict[str, Any] = {
    "CacheClusterId": "catalog",
    "ARN": _arn("cluster", "catalog"),
    "Engine": "memcached",
    "EngineVersion": "1.6.22",
    "CacheClusterStatus": "available",
    "NumCacheNodes": 2,
    "ConfigurationEndpoint": {"Address": "catalog.abc.cfg.use1.cache.amazonaws.com", "Port": 11211},
    "CacheNodes": [
        {
            "CacheNodeId": "0001",
            "Endpoint": {"Address": "catalog.abc.0001.use1.cache.amazonaws.com", "Port": 11211},
        },
        {
            "CacheNodeId": "0002",
            "Endpoint": {"Address": "catalog.abc.0002.use1.cache.amazonaws.com", "Port": 11211},
        },
    ],
    "SecurityGroups": [{"SecurityGroupId": "sg-1", "Status": "active"}],
    "CacheSubnetGroupName": "cache-private",
    "AutoMinorVersionUpgrade": True,
    "TransitEncryptionEnabled": False,
}
RAW_MEMBER: dict[str, Any] = {
    "CacheClusterId": "queue-0001-001",
    "Engine": "valkey",
    "EngineVersion": "8.0.1",
    "CacheClusterStatus": "available",
    "ReplicationGroupId": "queue",
    "CacheNodes": [{"CacheNodeId": "0001", "Endpoint": {"Address": "queue-0001-001.x", "Port": 6390}}],
    "SecurityGroups": [{"SecurityGroupId": "sg-app", "Status": "active"}],
    "CacheSubnetGroupName": "cache-private",
    "AutoMinorVersionUpgrade": True,
    "TransitEncryptionEnabled": True,
    "AtRestEncryptionEnabled": True,
}
RAW_GROUP: dict[str, Any] = {
    "ReplicationGroupId": "queue",
    "ARN": _arn("replicationgroup", "queue"),
    "Status": "available",
    "MemberClusters": ["queue-0001-001"],
    "NodeGroups": [{"NodeGroupId": "0001", "Slots": "0-16383"}],
    "ConfigurationEndpoint": {"Address": "clustercfg.queue.abc.use1.cache.amazonaws.com", "Port": 6390},
    "AutomaticFailover": "enabled",
    "ClusterEnabled": True,
    "SnapshotRetentionLimit": 5,
    "AuthTokenEnabled": False,
    "UserGroupIds": ["app-users"],
    "TransitEncryptionEnabled": True,
    "AtRestEncryptionEnabled": True,
    "Engine": "valkey",
}
RAW_USERS: list[dict[str, Any]] = [
    {
        "UserId": "default",
        "UserName": "default",
        "Status": "active",
        "Engine": "redis",
        "AccessString": "on ~* +@all",
        "UserGroupIds": ["legacy-users"],
        "Authentication": {"Type": "no-password"},
        "ARN": _arn("user", "default"),
    },
    {
        "UserId": "default-off",
        "UserName": "default",
        "Status": "active",
        "Engine": "valkey",
        "AccessString": "off -@all",
        "UserGroupIds": ["app-users"],
        "Authentication": {"Type": "no-password"},
        "ARN": _arn("user", "default-off"),
    },
    {
        "UserId": "app-writer",
        "UserName": "app-writer",
        "Status": "active",
        "Engine": "valkey",
        "AccessString": "on ~app:* +@all -@dangerous",
        "UserGroupIds": ["app-users"],
        "Authentication": {"Type": "password", "PasswordCount": 2},
        "ARN": _arn("user", "app-writer"),
    },
]
RAW_USER_GROUPS: list[dict[str, Any]] = [
    {
        "UserGroupId": "app-users",
        "Status": "active",
        "Engine": "valkey",
        "UserIds": ["default-off", "app-writer"],
        "ReplicationGroups": ["queue"],
        "ARN": _arn("usergroup", "app-users"),
    },
    {
        "UserGroupId": "legacy-users",
        "Status": "active",
        "Engine": "redis",
        "UserIds": ["default"],
        "ARN": _arn("usergroup", "legacy-users"),
    },
]
NO_RBAC = ({}, {})


def test_memcached_cluster_gets_its_configuration_endpoint_and_subnets() -> None:
    cluster = to_cache_cluster(ACCOUNT, REGION, RAW_MEMCACHED, to_subnet_map(SUBNET_GROUPS))
    assert cluster.id == _arn("cluster", "catalog") and cluster.name == "catalog"
    assert (cluster.engine, cluster.port, cluster.num_cache_nodes) == ("memcached", 11211, 2)
    assert cluster.endpoint_address == "catalog.abc.cfg.use1.cache.amazonaws.com"
    assert len(cluster.node_addresses) == 2
    assert (cluster.subnet_group, cluster.subnet_ids, cluster.security_group_ids) == (
        "cache-private",
        ("subnet-a", "subnet-b"),
        ("sg-1",),
    )
    assert (cluster.transit_encryption_enabled, cluster.transit_encryption_mode) == (False, "")
    assert cluster.endpoints == () and cluster.unread == {}


def test_cluster_without_node_endpoints_has_an_unread_port() -> None:
    creating = {k: v for k, v in RAW_MEMCACHED.items() if k not in ("CacheNodes", "ConfigurationEndpoint")}
    cluster = to_cache_cluster(ACCOUNT, REGION, {**creating, "CacheClusterStatus": "creating"}, {})
    assert cluster.port == 0
    assert cluster.unread == {
        "port": "no node endpoint in the DescribeCacheClusters answer (status creating)",
        "subnet_ids": "cache subnet group cache-private not listed by DescribeCacheSubnetGroups",
    }


def test_replication_group_joins_its_members_network() -> None:
    member = to_cache_cluster(ACCOUNT, REGION, RAW_MEMBER, to_subnet_map(SUBNET_GROUPS))
    group = to_replication_group(
        ACCOUNT,
        REGION,
        RAW_GROUP,
        {member.cache_cluster_id: member},
        to_user_group_map(RAW_USER_GROUPS),
        to_user_map(RAW_USERS),
    )
    assert group.id == _arn("replicationgroup", "queue")
    assert (group.engine, group.engine_version, group.port) == ("valkey", "8.0.1", 6390)
    assert group.endpoint_address.startswith("clustercfg.queue.")
    assert (group.subnet_ids, group.security_group_ids, group.subnet_group) == (
        ("subnet-a", "subnet-b"),
        ("sg-app",),
        "cache-private",
    )
    # TLS enabled before modes existed means required; no AutoMinorVersionUpgrade on the group: members'.
    assert (group.transit_encryption_mode, group.auto_minor_version_upgrade) == ("required", True)
    assert (group.auth_token_enabled, group.user_group_ids, group.cluster_enabled) == (
        False,
        ("app-users",),
        True,
    )
    assert group.unread == {}
    with_flag = to_replication_group(
        ACCOUNT,
        REGION,
        {
            **RAW_GROUP,
            "AutoMinorVersionUpgrade": False,
            "TransitEncryptionMode": "preferred",
            "UserGroupIds": [],
        },
        {},
        *NO_RBAC,
    )
    assert (with_flag.auto_minor_version_upgrade, with_flag.transit_encryption_mode) == (False, "preferred")


def test_replication_group_gets_its_user_groups_users_without_secrets() -> None:
    member = to_cache_cluster(ACCOUNT, REGION, RAW_MEMBER, to_subnet_map(SUBNET_GROUPS))
    group = to_replication_group(
        ACCOUNT,
        REGION,
        {**RAW_GROUP, "UserGroupIds": ["app-users", "legacy-users"]},
        {member.cache_cluster_id: member},
        to_user_group_map(RAW_USER_GROUPS),
        to_user_map(RAW_USERS),
    )
    assert group.unread == {}
    app, legacy = group.user_groups
    assert (app.user_group_id, app.status, legacy.user_group_id) == ("app-users", "active", "legacy-users")
    assert app.users == (
        CacheUser(
            user_id="default-off",
            user_name="default",
            authentication_type="no-password",
            access_string="off -@all",
        ),
        CacheUser(
            user_id="app-writer",
            user_name="app-writer",
            authentication_type="password",
            access_string="on ~app:* +@all -@dangerous",
        ),
    )
    assert [u.open_without_password for u in app.users] == [False, False]
    assert [u.open_without_password for u in legacy.users] == [True]
    # Only id, name, authentication type and access string are kept: no password count, no secret.
    assert set(CacheUser.model_fields) == {"user_id", "user_name", "authentication_type", "access_string"}


def test_password_rules_of_an_access_string_are_never_kept() -> None:
    user = to_cache_user({**RAW_USERS[0], "AccessString": "on >hunter2secret #a1b2c3 ~* +@all <old !d4e5"})
    assert user.access_string == "on >(redacted) #(redacted) ~* +@all <(redacted) !(redacted)"
    assert "hunter2secret" not in user.model_dump_json()
    assert user.open_without_password


def test_unreadable_rbac_leaves_user_groups_unread_only_where_attached() -> None:
    denied = Failed("AccessDenied", "denied")
    raw = {
        "replication_groups": [RAW_GROUP, {**RAW_GROUP, "ReplicationGroupId": "plain", "UserGroupIds": []}]
    }
    rbac, plain, _member = to_elasticache_assets(
        ACCOUNT,
        REGION,
        {
            **raw,
            "cache_clusters": [RAW_MEMBER],
            "subnet_groups": SUBNET_GROUPS,
            "user_groups": RAW_USER_GROUPS,
            "users": denied,
        },
    )
    assert rbac.unread == {"user_groups": "AccessDenied on DescribeUsers"}
    assert plain.unread == {}  # no user group attached: nothing to read
    groups_denied = to_replication_group(ACCOUNT, REGION, RAW_GROUP, {}, denied, to_user_map(RAW_USERS))
    assert groups_denied.unread["user_groups"] == "AccessDenied on DescribeUserGroups"
    # A group or a user the listings do not hold (created or deleted meanwhile) is not guessed.
    gone = to_replication_group(
        ACCOUNT,
        REGION,
        {**RAW_GROUP, "UserGroupIds": ["app-users", "gone"]},
        {},
        to_user_group_map(RAW_USER_GROUPS),
        to_user_map(RAW_USERS[:2]),
    )
    assert gone.unread["user_groups"] == (
        "user(s) app-writer of user group app-users not listed by DescribeUsers; "
        "user group gone not listed by DescribeUserGroups"
    )


def test_users_are_listed_only_when_a_group_has_a_user_group() -> None:
    assert uses_rbac([RAW_GROUP])
    assert not uses_rbac([{**RAW_GROUP, "UserGroupIds": []}, {"ReplicationGroupId": "x"}])
    assert not uses_rbac(Failed("AccessDenied", "denied"))


def test_failed_listings_leave_network_attributes_unread() -> None:
    denied = Failed("AccessDenied", "denied")
    assets = to_elasticache_assets(
        ACCOUNT,
        REGION,
        {
            "replication_groups": [RAW_GROUP],
            "cache_clusters": [RAW_MEMBER, RAW_MEMCACHED],
            "subnet_groups": denied,
            "user_groups": RAW_USER_GROUPS,
            "users": RAW_USERS,
        },
    )
    group = next(a for a in assets if isinstance(a, CacheReplicationGroup))
    clusters = {a.name: a for a in assets if isinstance(a, CacheCluster)}
    assert clusters["catalog"].unread == {"subnet_ids": "AccessDenied on DescribeCacheSubnetGroups"}
    # The member's gap is recorded on its group, which is judged in its place.
    assert group.unread == {"subnet_ids": "AccessDenied on DescribeCacheSubnetGroups"}
    assert clusters["queue-0001-001"].unread == {}
    assert group.security_group_ids == ("sg-app",)

    no_clusters = to_elasticache_assets(
        ACCOUNT,
        REGION,
        {
            "replication_groups": [{**RAW_GROUP, "UserGroupIds": []}],
            "cache_clusters": denied,
            "subnet_groups": SUBNET_GROUPS,
        },
    )
    (only,) = no_clusters
    assert only.unread == dict.fromkeys(NETWORK_FILLS, "AccessDenied on DescribeCacheClusters")


def test_elasticache_permissions_are_required_and_read_only() -> None:
    assert set(PERMISSIONS) <= set(required_permissions())
    assert all(p.startswith("elasticache:Describe") for p in PERMISSIONS)


# ------------------------------------------------------------------------------ moto server


def _ids(endpoint: str) -> dict[str, str]:
    """Security group ids by name and subnet ids by Name tag, as moto created them."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=REGION)
    ids = {g["GroupName"]: g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]}
    for subnet in ec2.describe_subnets()["Subnets"]:
        for tag in subnet.get("Tags", []):
            if tag["Key"] == "Name":
                ids[tag["Value"]] = subnet["SubnetId"]
    return ids


def test_demo_seed_is_collected_from_moto(aws: str) -> None:
    """What moto itself answers: enough for identity, auth, TLS and subnets (not ports or groups)."""
    seed(aws, REGION)

    inv = collect(
        CollectOptions(regions=(REGION,), services=frozenset({"elasticache"}), max_workers=4), PlainProgress()
    )

    assert inv.gaps == ()
    ids = _ids(aws)
    clusters = {a.name: a for a in inv.of(CacheCluster)}
    assert set(clusters) == {"sessions-cache", "catalog-memcached"}
    sessions = clusters["sessions-cache"]
    assert (sessions.engine, sessions.auth_token_enabled, sessions.transit_encryption_enabled) == (
        "redis",
        False,
        False,
    )
    assert (sessions.subnet_group, sessions.subnet_ids) == ("cache-public", (ids["cache-vpc-public"],))
    assert clusters["catalog-memcached"].engine == "memcached"
    (queue,) = inv.of(CacheReplicationGroup)
    assert (queue.id, queue.port, queue.auth_token_enabled) == (
        _arn("replicationgroup", "queue-cache"),
        6390,
        True,
    )
    assert (queue.transit_encryption_mode, queue.at_rest_encryption_enabled, queue.automatic_failover) == (
        "required",
        True,
        "enabled",
    )
    # moto lists no member clusters: the group's network is honestly unknown, not guessed.
    assert "not listed by DescribeCacheClusters" in queue.unread["subnet_ids"]


def _node(ident: str, address: str, port: int) -> str:
    return (
        f"<CacheNode><CacheNodeId>{ident}</CacheNodeId><CacheNodeStatus>available</CacheNodeStatus>"
        f"<Endpoint><Address>{address}</Address><Port>{port}</Port></Endpoint></CacheNode>"
    )


def _cluster(
    ident: str, engine: str, version: str, sg: str, subnet_group: str, port: int, **extra: str
) -> str:
    """One <CacheCluster> as DescribeCacheClusters (ShowCacheNodeInfo=true) sends it."""
    fields = "".join(f"<{k}>{v}</{k}>" for k, v in extra.items())
    nodes = _node("0001", f"{ident}.abc123.0001.use1.cache.amazonaws.com", port)
    return (
        f"<CacheCluster><CacheClusterId>{ident}</CacheClusterId><CacheNodeType>cache.t3.micro</CacheNodeType>"
        f"<Engine>{engine}</Engine><EngineVersion>{version}</EngineVersion>"
        f"<CacheClusterStatus>available</CacheClusterStatus><NumCacheNodes>1</NumCacheNodes>"
        f"<CacheSubnetGroupName>{subnet_group}</CacheSubnetGroupName><CacheNodes>{nodes}</CacheNodes>"
        f"<SecurityGroups><member><SecurityGroupId>{sg}</SecurityGroupId><Status>active</Status></member>"
        f"</SecurityGroups>{fields}"
        f"<ARN>arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:{ident}</ARN></CacheCluster>"
    )


def cache_clusters_xml(ids: dict[str, str]) -> str:
    """The real DescribeCacheClusters answer for the demo seed (node endpoints, groups, encryption)."""
    member = {
        "ReplicationGroupId": "queue-cache",
        "AuthTokenEnabled": "true",
        "TransitEncryptionEnabled": "true",
        "TransitEncryptionMode": "required",
        "AtRestEncryptionEnabled": "true",
        "AutoMinorVersionUpgrade": "true",
        "SnapshotRetentionLimit": "7",
    }
    queue_sg = ids["queue-cache-from-vpc"]
    clusters = [
        _cluster(
            "sessions-cache",
            "redis",
            "7.1.0",
            ids["sessions-cache-open-6379"],
            "cache-public",
            6379,
            AutoMinorVersionUpgrade="false",
            SnapshotRetentionLimit="0",
            AuthTokenEnabled="false",
            TransitEncryptionEnabled="false",
            AtRestEncryptionEnabled="false",
        ),
        _cluster(
            "catalog-memcached",
            "memcached",
            "1.6.22",
            ids["catalog-memcached-open-11211"],
            "cache-public",
            11211,
            ConfigurationEndpoint="<Address>catalog-memcached.abc123.cfg.use1.cache.amazonaws.com</Address>"
            "<Port>11211</Port>",
            AutoMinorVersionUpgrade="true",
            TransitEncryptionEnabled="false",
        ),
        _cluster("queue-cache-001", "redis", "7.1.0", queue_sg, "cache-private", 6390, **member),
        _cluster("queue-cache-002", "redis", "7.1.0", queue_sg, "cache-private", 6390, **member),
    ]
    return (
        f'<DescribeCacheClustersResponse xmlns="{NAMESPACE}"><DescribeCacheClustersResult>'
        f"<CacheClusters>{''.join(clusters)}</CacheClusters></DescribeCacheClustersResult>"
        "<ResponseMetadata><RequestId>req-clusters-1</RequestId></ResponseMetadata>"
        "</DescribeCacheClustersResponse>"
    )


def _serve(
    aws: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, **extra: tuple[int, str]
) -> list[dict[str, str]]:
    seed(aws, REGION)
    calls: list[dict[str, str]] = []
    answers = {"DescribeCacheClusters": (200, cache_clusters_xml(_ids(aws))), **extra}
    httpserver.expect_request("/", method="POST").respond_with_handler(query_proxy(aws, answers, calls))
    monkeypatch.setenv("AWS_ENDPOINT_URL_ELASTICACHE", httpserver.url_for("/"))
    return calls


def _run(out: Path) -> dict[str, Any]:
    checks = "aws.elasticache.*"
    assert main(["run", "--provider", "aws", "--regions", REGION, "--checks", checks, "-o", str(out)]) == 0
    return dict(json.loads((out / "findings.json").read_text()))


def _by_check(findings: list[dict[str, Any]], status: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in findings:
        if f["status"] == status:
            out.setdefault(f["check_id"], {})[f["resource_name"]] = f["severity"]
    return out


def _one(findings: list[dict[str, Any]], check_id: str, name: str) -> dict[str, Any]:
    (found,) = [f for f in findings if f["check_id"] == check_id and f["resource_name"] == name]
    return found


CC = "aws.elasticache.cache_cluster_"


def test_run_grades_unauthenticated_caches_by_subnet_routes_and_groups(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _serve(aws, httpserver, monkeypatch)

    doc = _run(out_dir)

    findings = doc["findings"]
    assert doc["coverage"] == []
    assert [f for f in findings if f["status"] in ("UNKNOWN", "ERROR")] == []
    assert _by_check(findings, "FAIL") == {
        f"{CC}auth_disabled": {"sessions-cache": "critical"},
        f"{CC}transit_encryption": {"sessions-cache": "medium", "catalog-memcached": "medium"},
        f"{CC}at_rest_encryption": {"sessions-cache": "medium"},
        f"{CC}internet_routable_subnet": {"sessions-cache": "medium", "catalog-memcached": "medium"},
        f"{CC}default_port": {"sessions-cache": "low", "catalog-memcached": "low"},
        f"{CC}backups": {"sessions-cache": "low"},
        f"{CC}auto_minor_upgrade": {"sessions-cache": "low"},
    }
    # The good replication group passes everything; its members say nothing (judged on the group).
    queue = {f["check_id"]: f["status"] for f in findings if f["resource_name"] == "queue-cache"}
    assert len(queue) == 9 and set(queue.values()) == {"PASS"}
    assert not [f for f in findings if f["resource_name"].startswith("queue-cache-0")]

    ids = _ids(aws)
    sessions = _one(findings, f"{CC}auth_disabled", "sessions-cache")
    sg = ids["sessions-cache-open-6379"]
    assert f"port 6379 is open to the Internet ({sg}: tcp/6379 from 0.0.0.0/0)" in sessions["message"]
    evidence = sessions["evidence"]
    assert (evidence["network"], evidence["auth_token_enabled"], evidence["subnets"]) == (
        "internet",
        False,
        [ids["cache-vpc-public"]],
    )
    subnet_hop, rule_hop = evidence["path"]
    assert subnet_hop["id"] == ids["cache-vpc-public"] and "0.0.0.0/0 -> igw-" in subnet_hop["detail"]
    assert rule_hop == {"hop": "security_group", "id": sg, "detail": f"{sg}: tcp/6379 from 0.0.0.0/0"}
    assert sessions["compliance"]["AWS-Foundational-Security-Best-Practices"] == ["ElastiCache.6"]
    # Memcached has no authentication to enable: not applicable, while its public subnet and the
    # security group opening 11211 to the Internet stay the network findings they are.
    memcached = _one(findings, f"{CC}auth_disabled", "catalog-memcached")
    assert (memcached["status"], memcached["evidence"]["engine"]) == ("PASS", "memcached")
    assert "runs Memcached: not applicable, ElastiCache has no client authentication" in memcached["message"]
    network_checks = [f"{CC}internet_routable_subnet", "aws.ec2.sg_open_database_ports"]
    assert memcached["evidence"]["judged_by"] == network_checks
    # No replication group has a user group: RBAC users and groups are not listed at all.
    assert not {"DescribeUsers", "DescribeUserGroups"} & {c["Action"] for c in calls}
    # The cache clusters were read with node details; the EC2 network came along (also_collect).
    assert {"ShowCacheNodeInfo": "true"}.items() <= next(
        c for c in calls if c["Action"] == "DescribeCacheClusters"
    ).items()


def test_memcached_is_not_applicable_to_auth_but_its_open_port_still_fails(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(aws, httpserver, monkeypatch)
    checks = f"{CC}auth_disabled,{CC}internet_routable_subnet,aws.ec2.sg_open_database_ports"
    args = ["run", "--provider", "aws", "--regions", REGION, "--checks", checks, "-o", str(out_dir)]
    assert main(args) == 0

    findings = json.loads((out_dir / "findings.json").read_text())["findings"]

    auth = _one(findings, f"{CC}auth_disabled", "catalog-memcached")
    assert auth["status"] == "PASS" and "not applicable" in auth["message"]
    # The Redis stand-alone cluster beside it still fails for lacking AUTH/RBAC.
    assert _one(findings, f"{CC}auth_disabled", "sessions-cache")["status"] == "FAIL"
    # The real risk signals of the Memcached cluster: public subnet, 11211 open to the Internet.
    assert _one(findings, f"{CC}internet_routable_subnet", "catalog-memcached")["status"] == "FAIL"
    sg = _ids(aws)["catalog-memcached-open-11211"]
    (open_sg,) = [
        f
        for f in findings
        if f["check_id"] == "aws.ec2.sg_open_database_ports" and f["resource_id"].endswith(sg)
    ]
    assert open_sg["status"] == "FAIL" and "11211" in open_sg["message"]


def test_denied_subnet_groups_make_placement_unknown_not_pass(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = access_denied("DescribeCacheSubnetGroups", "elasticache", NAMESPACE)
    _serve(aws, httpserver, monkeypatch, DescribeCacheSubnetGroups=denied)

    doc = _run(out_dir)

    findings = doc["findings"]
    gaps = {(g["service"], g["operation"], g["error_code"]) for g in doc["coverage"]}
    assert gaps == {("elasticache", "DescribeCacheSubnetGroups", "AccessDenied")}
    routable = {
        f["resource_name"]: (f["status"], f["message"])
        for f in findings
        if f["check_id"].endswith("internet_routable_subnet")
    }
    assert {name: status for name, (status, _) in routable.items()} == {
        "sessions-cache": "UNKNOWN",
        "catalog-memcached": "UNKNOWN",
        "queue-cache": "UNKNOWN",
    }
    assert all("AccessDenied on DescribeCacheSubnetGroups" in msg for _, msg in routable.values())
    # Authentication is still judged: disabled is a fact; only the network grade is uncertain.
    sessions = _one(findings, f"{CC}auth_disabled", "sessions-cache")
    assert (sessions["status"], sessions["severity"]) == ("FAIL", "high")
    assert "could not be determined (subnet_ids not collected)" in sessions["message"]
    assert _one(findings, f"{CC}transit_encryption", "sessions-cache")["status"] == "FAIL"


# ------------------------------------------------------------------------------ RBAC over the wire

RBAC_PASSWORD = "rbac-test-password-not-a-secret-0123"
"""moto needs some password for a password user; it must never reach a report."""
RBAC_GROUPS = {"legacy-cache": "legacy-users", "orders-cache": "orders-users"}
"""Replication group -> its user group: legacy-users still holds the built-in default user."""
USER_GROUP_MEMBERS = {
    "legacy-users": ("default", "app-writer"),
    "orders-users": ("default-off", "app-writer"),
}
RG = "aws.elasticache.replication_group_"


def seed_rbac(endpoint: str) -> None:
    """Users in moto (beside its built-in ``default``), and two groups with a user group each."""
    cache = boto3.client("elasticache", endpoint_url=endpoint, region_name=REGION)
    cache.create_user(
        UserId="app-writer",
        UserName="app-writer",
        Engine="redis",
        AccessString="on ~app:* +@all -@dangerous",
        Passwords=[RBAC_PASSWORD],
    )
    cache.create_user(
        UserId="default-off",
        UserName="default",
        Engine="redis",
        AccessString="off -@all",
        NoPasswordRequired=True,
    )
    for ident, user_group in RBAC_GROUPS.items():
        cache.create_replication_group(
            ReplicationGroupId=ident,
            ReplicationGroupDescription=f"{ident}: RBAC with {user_group}",
            Engine="redis",
            EngineVersion="7.1",
            CacheNodeType="cache.t3.micro",
            NumCacheClusters=1,
            Port=6390,
            CacheSubnetGroupName="cache-private",
            TransitEncryptionEnabled=True,
            TransitEncryptionMode="required",
            UserGroupIds=[user_group],
        )


def user_groups_xml() -> str:
    """The real DescribeUserGroups answer for the RBAC seed (moto has no user groups)."""
    items = "".join(
        f"<member><UserGroupId>{group}</UserGroupId><Status>active</Status><Engine>redis</Engine>"
        f"<UserIds>{''.join(f'<member>{u}</member>' for u in USER_GROUP_MEMBERS[group])}</UserIds>"
        f"<MinimumEngineVersion>6.0</MinimumEngineVersion>"
        f"<ReplicationGroups><member>{ident}</member></ReplicationGroups>"
        f"<ARN>{_arn('usergroup', group)}</ARN></member>"
        for ident, group in RBAC_GROUPS.items()
    )
    return (
        f'<DescribeUserGroupsResponse xmlns="{NAMESPACE}"><DescribeUserGroupsResult>'
        f"<UserGroups>{items}</UserGroups></DescribeUserGroupsResult>"
        "<ResponseMetadata><RequestId>req-user-groups-1</RequestId></ResponseMetadata>"
        "</DescribeUserGroupsResponse>"
    )


def _serve_rbac(
    aws: str, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch, **extra: tuple[int, str]
) -> list[dict[str, str]]:
    seed(aws, REGION)
    seed_rbac(aws)
    ids = _ids(aws)
    members = "".join(
        _cluster(
            f"{ident}-001",
            "redis",
            "7.1.0",
            ids["queue-cache-from-vpc"],
            "cache-private",
            6390,
            ReplicationGroupId=ident,
            TransitEncryptionEnabled="true",
        )
        for ident in RBAC_GROUPS
    )
    clusters = cache_clusters_xml(ids).replace("</CacheClusters>", f"{members}</CacheClusters>")
    answers = {
        "DescribeCacheClusters": (200, clusters),
        "DescribeUserGroups": (200, user_groups_xml()),
        **extra,
    }
    calls: list[dict[str, str]] = []
    httpserver.expect_request("/", method="POST").respond_with_handler(query_proxy(aws, answers, calls))
    monkeypatch.setenv("AWS_ENDPOINT_URL_ELASTICACHE", httpserver.url_for("/"))
    return calls


def _run_auth(out: Path) -> dict[str, Any]:
    checks = "aws.elasticache.*_auth_disabled"
    assert main(["run", "--provider", "aws", "--regions", REGION, "--checks", checks, "-o", str(out)]) == 0
    return dict(json.loads((out / "findings.json").read_text()))


def test_run_fails_a_user_group_that_still_holds_the_default_user(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _serve_rbac(aws, httpserver, monkeypatch)

    doc = _run_auth(out_dir)

    findings = doc["findings"]
    assert doc["coverage"] == []
    verdicts = {
        f["resource_name"]: (f["status"], f["severity"]) for f in findings if f["check_id"].startswith(RG)
    }
    assert verdicts == {
        "legacy-cache": ("FAIL", "high"),
        "orders-cache": ("PASS", "high"),
        "queue-cache": ("PASS", "high"),
    }
    legacy = _one(findings, f"{RG}auth_disabled", "legacy-cache")
    assert legacy["message"].startswith(
        "Replication group legacy-cache accepts unauthenticated redis connections: RBAC user group "
        "legacy-users holds user default (id default) with authentication no-password and access "
        "string 'on ~* +@all'; none of its subnets routes to an Internet gateway."
    )
    evidence = legacy["evidence"]
    assert (evidence["user_group_ids"], evidence["network"]) == (["legacy-users"], "private")
    assert evidence["users_without_password"] == [
        {
            "user_group_id": "legacy-users",
            "user_id": "default",
            "user_name": "default",
            "authentication_type": "no-password",
            "access_string": "on ~* +@all",
        }
    ]
    orders = _one(findings, f"{RG}auth_disabled", "orders-cache")
    assert "RBAC user group(s) orders-users; no enabled user without a password" in orders["message"]
    assert [(u["user_id"], u["access_string"]) for u in orders["evidence"]["users"]] == [
        ("default-off", "off -@all"),
        ("app-writer", "on ~app:* +@all -@dangerous"),
    ]
    # Both listings were paginated reads; no password reached any output file.
    actions = [c["Action"] for c in calls]
    assert actions.count("DescribeUsers") == 1 and actions.count("DescribeUserGroups") == 1
    for written in out_dir.iterdir():
        assert RBAC_PASSWORD not in written.read_text(errors="replace"), written.name


def test_denied_describe_users_makes_rbac_groups_unknown_not_pass_or_fail(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = access_denied("DescribeUsers", "elasticache", NAMESPACE)
    _serve_rbac(aws, httpserver, monkeypatch, DescribeUsers=denied)

    doc = _run_auth(out_dir)

    findings = doc["findings"]
    gaps = {(g["service"], g["operation"], g["error_code"]) for g in doc["coverage"]}
    assert gaps == {("elasticache", "DescribeUsers", "AccessDenied")}
    verdicts = {f["resource_name"]: f["status"] for f in findings if f["check_id"].startswith(RG)}
    assert verdicts == {"legacy-cache": "UNKNOWN", "orders-cache": "UNKNOWN", "queue-cache": "PASS"}
    legacy = _one(findings, f"{RG}auth_disabled", "legacy-cache")
    assert "AccessDenied on DescribeUsers" in legacy["message"]
    assert legacy["evidence"]["unread"] == {"user_groups": "AccessDenied on DescribeUsers"}
    # Caches without a user group are judged as before.
    assert _one(findings, f"{CC}auth_disabled", "sessions-cache")["status"] == "FAIL"
