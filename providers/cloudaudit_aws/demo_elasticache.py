"""Demo seed: ElastiCache caches in a VPC with one public and one private subnet.

Bad: "sessions-cache" (Redis OSS without AUTH or TLS, in the public subnet, port 6379 open to
the Internet) and "catalog-memcached" (Memcached, which has no authentication, in the public
subnet with 11211 open). Good: "queue-cache" (replication group with AUTH, TLS required, at-rest
encryption, backups and failover, in the private subnet, reachable from the VPC only).
"""

from __future__ import annotations

from typing import Any

import boto3

DEMO_AUTH_TOKEN = "demo-only-auth-token-not-a-secret-0123"
"""The emulator needs some AUTH token value; this one protects nothing."""


def _tcp(port: int, cidr: str) -> list[dict[str, Any]]:
    return [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}]


def security_group(ec2: Any, vpc: str, name: str, port: int, cidr: str) -> str:
    """A security group allowing ``port`` from ``cidr``; returns its id."""
    gid = str(ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"])
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=_tcp(port, cidr))
    return gid


def vpc_with_subnets(ec2: Any, cidr16: str, name: str) -> tuple[str, str, str]:
    """(vpc, public subnet, private subnet): the public one's route table sends 0.0.0.0/0 to an IGW.

    ``cidr16`` is the first two octets (``"10.20"``).
    """
    vpc = str(ec2.create_vpc(CidrBlock=f"{cidr16}.0.0/16")["Vpc"]["VpcId"])
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": name}])
    public = str(ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr16}.1.0/24")["Subnet"]["SubnetId"])
    private = str(ec2.create_subnet(VpcId=vpc, CidrBlock=f"{cidr16}.2.0/24")["Subnet"]["SubnetId"])
    igw = str(ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"])
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = str(ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"])
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    ec2.create_tags(Resources=[public], Tags=[{"Key": "Name", "Value": f"{name}-public"}])
    ec2.create_tags(Resources=[private], Tags=[{"Key": "Name", "Value": f"{name}-private"}])
    return vpc, public, private


def seed(endpoint: str, region: str) -> None:
    """Create the demo caches (and their network) in ``region`` of the emulator at ``endpoint``."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    cache = boto3.client("elasticache", endpoint_url=endpoint, region_name=region)
    vpc, public, private = vpc_with_subnets(ec2, "10.20", "cache-vpc")
    open_redis = security_group(ec2, vpc, "sessions-cache-open-6379", 6379, "0.0.0.0/0")
    open_memcached = security_group(ec2, vpc, "catalog-memcached-open-11211", 11211, "0.0.0.0/0")
    app_only = security_group(ec2, vpc, "queue-cache-from-vpc", 6390, "10.20.0.0/16")
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
