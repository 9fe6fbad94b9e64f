"""The floor of bench_org.py: a bare boto3 script reading an organization as `cloudaudit run --organization`.

Lists the organization's ACTIVE accounts, then reads 4 accounts at a time (16 workers each): the
caller's own account with its credentials, every other one through an assumed role; in each, the
identity, the enabled regions, S3 (the account's public access block, every bucket's 12 reads), and
in each region of BENCH_REGIONS the EC2 networking, RDS, ElastiCache, Redshift, OpenSearch and API
Gateway (v1 with each API's resources, authorizers, gateway responses and stages; v2) listings.

Minimal calls, thread pools, one botocore model loader shared by the sessions (as cloudaudit's), no
model, no checks, no reports. Prints its peak RSS (KiB) on stderr.
Run against the same endpoint (AWS_ENDPOINT_URL).
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.loaders import create_loader

ACCOUNTS_AT_ONCE = 4
WORKERS = 16
ROLE = "CloudAuditReadOnly"
BUCKET_CALLS = (
    "get_bucket_location",
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
LISTINGS = (
    ("ec2", "describe_security_groups", "SecurityGroups"),
    ("ec2", "describe_network_interfaces", "NetworkInterfaces"),
    ("ec2", "describe_instances", "Reservations"),
    ("ec2", "describe_subnets", "Subnets"),
    ("ec2", "describe_route_tables", "RouteTables"),
    ("ec2", "describe_addresses", None),
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
CONFIG = Config(retries={"mode": "adaptive", "max_attempts": 8}, max_pool_connections=2 * WORKERS)


def _safe(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except ClientError as exc:
        return exc.response.get("Error", {}).get("Code")


def _all(client: Any, method: str, key: str | None, **kwargs: Any) -> list[Any]:
    """Every item of a listing, paginated when botocore can (an error code counts as nothing listed)."""
    try:
        if key is None:
            return [getattr(client, method)(**kwargs)]
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


def _strip_account(request: Any, **_: Any) -> None:
    """S3 Control prefixes the host with the account id, which a custom endpoint does not serve."""
    scheme, _, rest = request.url.partition("://")
    first, dot, remainder = rest.partition(".")
    if first.isdigit() and len(first) == 12 and dot:
        request.url = f"{scheme}://{remainder}"


LOADER = create_loader()
"""One model loader for every account's session, as cloudaudit does (each would parse its own models)."""


def session_of(account: str, caller: str, sts: Any) -> boto3.Session:
    """The caller's own session, or the role assumed in ``account``."""
    core = botocore.session.Session()
    core.register_component("data_loader", LOADER)
    if account == caller:
        return boto3.Session(botocore_session=core)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ROLE}", RoleSessionName="bare-floor", DurationSeconds=3600
    )["Credentials"]
    return boto3.Session(
        botocore_session=core,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def audit(account: str, caller: str, sts: Any, regions: list[str]) -> int:
    """Every read of one account; the number of results."""
    session = session_of(account, caller, sts)
    home = "us-east-1"

    def client(service: str, region: str = home) -> Any:
        made = session.client(service, region_name=region, config=CONFIG)
        if service == "s3control":
            made.meta.events.register("before-sign.s3-control.*", _strip_account)
        return made

    client("sts").get_caller_identity()
    client("ec2").describe_regions()
    s3 = client("s3")
    per_region = {r: {s: client(s, r) for s in ("ec2", "rds", "elasticache", "redshift")} for r in regions}
    apis = {r: (client("apigateway", r), client("apigatewayv2", r), client("opensearch", r)) for r in regions}

    def bucket(name: str) -> list[Any]:
        return [_safe(getattr(s3, call), Bucket=name) for call in BUCKET_CALLS]

    def api(region: str, api_id: str) -> list[Any]:
        apigw = apis[region][0]
        return [
            _items(apigw.get_resources, restApiId=api_id, embed=["methods"]),
            _items(apigw.get_authorizers, restApiId=api_id),
            _items(apigw.get_gateway_responses, restApiId=api_id),
            _safe(apigw.get_stages, restApiId=api_id),
        ]

    with ThreadPoolExecutor(WORKERS) as pool:
        account_block = pool.submit(_safe, client("s3control").get_public_access_block, AccountId=account)
        listed = [
            pool.submit(_all, per_region[r][svc], method, key)
            for r in regions
            for svc, method, key in LISTINGS
        ]
        rest_apis = {r: pool.submit(_items, apis[r][0].get_rest_apis) for r in regions}
        others = [pool.submit(_items, apis[r][0].get_domain_names) for r in regions]
        others += [pool.submit(_safe, apis[r][1].get_apis) for r in regions]
        others += [pool.submit(_safe, apis[r][1].get_domain_names) for r in regions]
        others += [pool.submit(_safe, apis[r][2].list_domain_names) for r in regions]
        buckets = [b["Name"] for page in s3.get_paginator("list_buckets").paginate() for b in page["Buckets"]]
        details = list(pool.map(bucket, buckets))
        api_details = [
            f.result() for r in regions for f in [pool.submit(api, r, a["id"]) for a in rest_apis[r].result()]
        ]
        results = [f.result() for f in listed] + [f.result() for f in others] + [account_block.result()]
    return len(details) + len(api_details) + len(results)


def main() -> None:
    regions = os.environ.get("BENCH_REGIONS", "us-east-1").split(",")
    sts = boto3.client("sts", region_name="us-east-1", config=CONFIG)
    caller = sts.get_caller_identity()["Account"]
    org = boto3.client("organizations", region_name="us-east-1", config=CONFIG)
    org.describe_organization()
    accounts = sorted(
        a["Id"]
        for page in org.get_paginator("list_accounts").paginate()
        for a in page["Accounts"]
        if a.get("State", a.get("Status")) == "ACTIVE"
    )
    with ThreadPoolExecutor(ACCOUNTS_AT_ONCE) as pool:
        read = list(pool.map(lambda a: audit(a, caller, sts, regions), accounts))
    print(f"bare: {len(accounts)} accounts, {sum(read)} results", file=sys.stderr)
    with open("/proc/self/status") as status:  # VmHWM: peak RSS of this process image only
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak_rss_kib={hwm}", file=sys.stderr)


if __name__ == "__main__":
    main()
