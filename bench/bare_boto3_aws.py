"""The baseline: a bare boto3 script reading the same configuration cloudaudit reads.

S3 buckets (11 reads each), EC2 networking, API Gateway REST APIs (resources with methods,
authorizers, gateway responses, stages), RDS (listings, parameter groups, snapshot attributes)
and the listings of API Gateway v2, ElastiCache, Redshift and OpenSearch.

Minimal calls, a thread pool, no model, no checks, no reports. Prints its peak RSS (KiB)
on stderr (from /proc/self/status). Used by bench_aws.py; run against the same endpoint (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
WORKERS = 16
BUCKET_CALLS = (
    "get_bucket_acl",
    "get_bucket_policy",
    "get_bucket_policy_status",
    "get_public_access_block",
    "get_bucket_ownership_controls",
    "get_bucket_website",
    "get_bucket_encryption",
    "get_bucket_versioning",
    "get_bucket_logging",
    "get_bucket_cors",
    "get_bucket_tagging",
)


def _safe(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except ClientError as exc:
        return exc.response.get("Error", {}).get("Code")


def _all(client: Any, method: str, key: str, **kwargs: Any) -> list[Any]:
    """Every item of a paginated listing (an error code counts as nothing listed)."""
    try:
        return [x for page in client.get_paginator(method).paginate(**kwargs) for x in page.get(key, [])]
    except ClientError:
        return []


def _items(fn: Any, **kwargs: Any) -> list[Any]:
    """Every item of an API Gateway ``position``-paginated listing."""
    items: list[Any] = []
    while True:
        page = _safe(fn, **kwargs)
        if not isinstance(page, dict):
            return items
        items.extend(page.get("items", []))
        if not page.get("position"):
            return items
        kwargs["position"] = page["position"]


LISTINGS = (
    ("ec2", "describe_security_groups", "SecurityGroups"),
    ("ec2", "describe_network_interfaces", "NetworkInterfaces"),
    ("ec2", "describe_instances", "Reservations"),
    ("ec2", "describe_subnets", "Subnets"),
    ("ec2", "describe_route_tables", "RouteTables"),
    ("rds", "describe_db_instances", "DBInstances"),
    ("rds", "describe_db_clusters", "DBClusters"),
    ("rds", "describe_db_snapshots", "DBSnapshots"),
    ("rds", "describe_db_cluster_snapshots", "DBClusterSnapshots"),
    ("rds", "describe_db_subnet_groups", "DBSubnetGroups"),
    ("elasticache", "describe_cache_clusters", "CacheClusters"),
    ("elasticache", "describe_replication_groups", "ReplicationGroups"),
    ("elasticache", "describe_cache_subnet_groups", "CacheSubnetGroups"),
    ("redshift", "describe_clusters", "Clusters"),
    ("redshift", "describe_cluster_subnet_groups", "ClusterSubnetGroups"),
)


def main() -> None:
    cfg = Config(retries={"mode": "adaptive", "max_attempts": 8}, max_pool_connections=2 * WORKERS)
    session = boto3.Session()
    clients = {
        name: session.client(name, region_name=REGION, config=cfg)
        for name in (
            "s3",
            "ec2",
            "rds",
            "apigateway",
            "apigatewayv2",
            "elasticache",
            "redshift",
            "opensearch",
        )
    }
    s3, rds, apigw = clients["s3"], clients["rds"], clients["apigateway"]
    buckets = [b["Name"] for page in s3.get_paginator("list_buckets").paginate() for b in page["Buckets"]]

    def bucket(name: str) -> dict[str, Any]:
        out = {"location": _safe(s3.get_bucket_location, Bucket=name)}
        out.update({call: _safe(getattr(s3, call), Bucket=name) for call in BUCKET_CALLS})
        return out

    def api(api_id: str) -> list[Any]:
        return [
            _items(apigw.get_resources, restApiId=api_id, embed=["methods"]),
            _items(apigw.get_authorizers, restApiId=api_id),
            _items(apigw.get_gateway_responses, restApiId=api_id),
            _safe(apigw.get_stages, restApiId=api_id),
        ]

    def parameters(group: str) -> list[Any]:
        return _all(rds, "describe_db_parameters", "Parameters", DBParameterGroupName=group)

    def snapshot(ident: str) -> Any:
        return _safe(rds.describe_db_snapshot_attributes, DBSnapshotIdentifier=ident)

    with ThreadPoolExecutor(WORKERS) as pool:
        listed = {
            (svc, method): pool.submit(_all, clients[svc], method, key) for svc, method, key in LISTINGS
        }
        apis = pool.submit(_items, apigw.get_rest_apis)
        domains = pool.submit(_items, apigw.get_domain_names)
        v2 = [
            pool.submit(_safe, clients["apigatewayv2"].get_apis),
            pool.submit(_safe, clients["apigatewayv2"].get_domain_names),
        ]
        search = pool.submit(_safe, clients["opensearch"].list_domain_names)
        details = list(pool.map(bucket, buckets))
        api_details = list(pool.map(api, [a["id"] for a in apis.result()]))
        instances = listed[("rds", "describe_db_instances")].result()
        groups = {g["DBParameterGroupName"] for i in instances for g in i.get("DBParameterGroups", [])}
        params = list(pool.map(parameters, sorted(groups)))
        snapshots = [s["DBSnapshotIdentifier"] for s in listed[("rds", "describe_db_snapshots")].result()]
        attributes = list(pool.map(snapshot, snapshots))
        rest = (
            [f.result() for f in listed.values()]
            + [domains.result(), search.result()]
            + [f.result() for f in v2]
        )
    print(
        f"bare: {len(details)} buckets, {len(rest[0])} security groups, {len(api_details)} REST APIs, "
        f"{len(instances)} DB instances ({len(params)} parameter groups, {len(attributes)} snapshots)",
        file=sys.stderr,
    )
    with open("/proc/self/status") as status:  # VmHWM: peak RSS of this process image only
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak_rss_kib={hwm}", file=sys.stderr)


if __name__ == "__main__":
    main()
