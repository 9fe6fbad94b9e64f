"""ElastiCache: collector translation (pure), collection and `cloudaudit run` over the real wire.

moto's server lacks, in DescribeCacheClusters, the node endpoints (CacheNodes /
ConfigurationEndpoint), the VPC SecurityGroups and AtRestEncryptionEnabled, and does not list the
member clusters of a replication group at all. The `run` tests therefore serve that one call from
a local server on 127.0.0.1 in AWS's real Query-protocol XML (AWS_ENDPOINT_URL_ELASTICACHE), built
from the ids moto gave the seeded resources; every other ElastiCache call is forwarded to moto.
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
from cloudaudit_aws.assets_elasticache import CacheCluster, CacheReplicationGroup
from cloudaudit_aws.collect.elasticache import (
    NETWORK_FILLS,
    PERMISSIONS,
    to_cache_cluster,
    to_elasticache_assets,
    to_replication_group,
    to_subnet_map,
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
    group = to_replication_group(ACCOUNT, REGION, RAW_GROUP, {member.cache_cluster_id: member})
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
        {**RAW_GROUP, "AutoMinorVersionUpgrade": False, "TransitEncryptionMode": "preferred"},
        {},
    )
    assert (with_flag.auto_minor_version_upgrade, with_flag.transit_encryption_mode) == (False, "preferred")


def test_failed_listings_leave_network_attributes_unread() -> None:
    denied = Failed("AccessDenied", "denied")
    assets = to_elasticache_assets(
        ACCOUNT,
        REGION,
        {
            "replication_groups": [RAW_GROUP],
            "cache_clusters": [RAW_MEMBER, RAW_MEMCACHED],
            "subnet_groups": denied,
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
        {"replication_groups": [RAW_GROUP], "cache_clusters": denied, "subnet_groups": SUBNET_GROUPS},
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
        f"{CC}auth_disabled": {"sessions-cache": "critical", "catalog-memcached": "critical"},
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
    memcached = _one(findings, f"{CC}auth_disabled", "catalog-memcached")
    assert "has no authentication" in memcached["message"]
    # The cache clusters were read with node details; the EC2 network came along (also_collect).
    assert {"ShowCacheNodeInfo": "true"}.items() <= next(
        c for c in calls if c["Action"] == "DescribeCacheClusters"
    ).items()


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
