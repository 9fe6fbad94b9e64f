"""Demo seed: ElastiCache caches in a VPC with one public and one private subnet.

Bad: "sessions-cache" (Redis OSS without AUTH or TLS, in the public subnet, port 6379 open to
the Internet) and "catalog-memcached" (Memcached, which has no authentication, in the public
subnet with 11211 open). Good: "queue-cache" (replication group with AUTH, TLS required, at-rest
encryption, backups and failover, in the private subnet, reachable from the VPC only).
"""

from __future__ import annotations

import boto3

from cloudaudit_aws.demo import group, tcp, vpc_with_subnets

DEMO_AUTH_TOKEN = "demo-only-auth-token-not-a-secret-0123"
"""The emulator needs some AUTH token value; this one protects nothing."""


def seed(endpoint: str, region: str) -> None:
    """Create the demo caches (and their network) in ``region`` of the emulator at ``endpoint``."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    cache = boto3.client("elasticache", endpoint_url=endpoint, region_name=region)
    vpc, public, private = vpc_with_subnets(ec2, "10.20", "cache-vpc")
    open_redis = group(ec2, "sessions-cache-open-6379", vpc, [tcp(6379, "0.0.0.0/0")])
    open_memcached = group(ec2, "catalog-memcached-open-11211", vpc, [tcp(11211, "0.0.0.0/0")])
    app_only = group(ec2, "queue-cache-from-vpc", vpc, [tcp(6390, "10.20.0.0/16")])
    for name, subnet in (("cache-public", public), ("cache-private", private)):
        cache.create_cache_subnet_group(
            CacheSubnetGroupName=name, CacheSubnetGroupDescription=name, SubnetIds=[subnet]
        )

    cache.create_cache_cluster(
        CacheClusterId="sessions-cache",
        Engine="redis",
        EngineVersion="7.1",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=1,
        Port=6379,
        CacheSubnetGroupName="cache-public",
        SecurityGroupIds=[open_redis],
        SnapshotRetentionLimit=0,
        AutoMinorVersionUpgrade=False,
    )
    cache.create_cache_cluster(
        CacheClusterId="catalog-memcached",
        Engine="memcached",
        EngineVersion="1.6.22",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=2,
        Port=11211,
        CacheSubnetGroupName="cache-public",
        SecurityGroupIds=[open_memcached],
        AutoMinorVersionUpgrade=True,
    )
    cache.create_replication_group(
        ReplicationGroupId="queue-cache",
        ReplicationGroupDescription="job queue: AUTH + TLS, private subnet",
        Engine="redis",
        EngineVersion="7.1",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=2,
        Port=6390,
        CacheSubnetGroupName="cache-private",
        SecurityGroupIds=[app_only],
        AuthToken=DEMO_AUTH_TOKEN,
        TransitEncryptionEnabled=True,
        TransitEncryptionMode="required",
        AtRestEncryptionEnabled=True,
        AutomaticFailoverEnabled=True,
        SnapshotRetentionLimit=7,
        AutoMinorVersionUpgrade=True,
    )
