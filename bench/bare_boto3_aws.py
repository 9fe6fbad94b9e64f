"""The baseline: a bare boto3 script reading the same configuration cloudaudit reads.

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


def main() -> None:
    cfg = Config(retries={"mode": "adaptive", "max_attempts": 8}, max_pool_connections=2 * WORKERS)
    session = boto3.Session()
    s3 = session.client("s3", region_name=REGION, config=cfg)
    ec2 = session.client("ec2", region_name=REGION, config=cfg)
    buckets = [b["Name"] for page in s3.get_paginator("list_buckets").paginate() for b in page["Buckets"]]

    def bucket(name: str) -> dict[str, Any]:
        out = {"location": _safe(s3.get_bucket_location, Bucket=name)}
        out.update({call: _safe(getattr(s3, call), Bucket=name) for call in BUCKET_CALLS})
        return out

    with ThreadPoolExecutor(WORKERS) as pool:
        details = list(pool.map(bucket, buckets))
        ec2_calls = [
            pool.submit(lambda m=m, k=k: [x for p in ec2.get_paginator(m).paginate() for x in p[k]])
            for m, k in (
                ("describe_security_groups", "SecurityGroups"),
                ("describe_network_interfaces", "NetworkInterfaces"),
                ("describe_instances", "Reservations"),
            )
        ]
        ec2_data = [f.result() for f in ec2_calls] + [ec2.describe_addresses()["Addresses"]]
    print(f"bare: {len(details)} buckets, {len(ec2_data[0])} security groups", file=sys.stderr)
    with open("/proc/self/status") as status:  # VmHWM: peak RSS of this process image only
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak_rss_kib={hwm}", file=sys.stderr)


if __name__ == "__main__":
    main()
