"""Benchmark: one account's audit at 1x, 10x and 100x the organization benchmark's resources: how peak
memory grows with the data.

    python bench/bench_scale.py [--sizes 1,10,100] [--regions us-east-1,eu-west-1]

1x is what bench/bench_org.py seeds over its 20 accounts, put in one account: 60 buckets (a third
public, a third hardened), and in each region 60 security groups open to the world (ports 22, 443,
6379) and 20 REST APIs with two methods and a stage. For each size, moto's server (127.0.0.1) is
seeded afresh and `cloudaudit run --provider aws --regions R` (every check, HTML and JSON reports)
runs once in its own process.

Prints per size: resources, findings, wall time, requests, the bytes of findings.json and
inventory.json (the data), and the audit's peak RSS (VmHWM); then how much RSS and data grew from the
smallest size. Goal (issue #15): peak RSS grows far slower than the data; at 100x under 500 MB.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from bench_org import CountingMotoServer
from benchlib import CLOUDAUDIT, findings_counts, mb, timed

ACCOUNTS = 20
"""bench_org.py's organization: its resources are this many accounts' worth."""
_CONFIG = Config(max_pool_connections=32, retries={"max_attempts": 10, "mode": "standard"})


def _buckets(endpoint: str, first: int, count: int) -> None:
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", config=_CONFIG)
    block = dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    for i in range(first, first + count):
        name = f"bench-scale-{i:06d}"
        s3.create_bucket(Bucket=name)
        if i % 3 == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
        elif i % 3 == 1:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def _groups(endpoint: str, region: str, first: int, count: int) -> None:
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region, config=_CONFIG)
    for i in range(first, first + count):
        port = (22, 443, 6379)[i % 3]
        gid = ec2.create_security_group(GroupName=f"bench-{i:06d}", Description="bench")["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=gid,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )


def _apis(endpoint: str, region: str, first: int, count: int) -> None:
    apigw = boto3.client("apigateway", endpoint_url=endpoint, region_name=region, config=_CONFIG)
    for i in range(first, first + count):
        api = apigw.create_rest_api(name=f"bench-{i:06d}")["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        orders = apigw.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
        for verb, auth in (("GET", "NONE"), ("POST", "AWS_IAM")):
            apigw.put_method(restApiId=api, resourceId=orders, httpMethod=verb, authorizationType=auth)
            apigw.put_integration(restApiId=api, resourceId=orders, httpMethod=verb, type="MOCK")
        apigw.create_deployment(restApiId=api, stageName="prod")


def seed(endpoint: str, size: int, regions: list[str]) -> int:
    """``size`` times bench_org's resources in one account; returns how many resources."""
    jobs: list[Callable[[], None]] = []
    chunk = 50

    def split(total: int, work: Callable[[int, int], None]) -> None:
        jobs.extend(
            lambda first=first: work(first, min(chunk, total - first))  # type: ignore[misc]
            for first in range(0, total, chunk)
        )

    buckets, groups, apis = 3 * ACCOUNTS * size, 3 * ACCOUNTS * size, ACCOUNTS * size
    split(buckets, lambda f, n: _buckets(endpoint, f, n))
    for region in regions:  # one job per region and service: moto's EC2 and API Gateway are not thread-safe
        jobs.append(lambda r=region: _groups(endpoint, r, 0, groups))  # type: ignore[misc]
        jobs.append(lambda r=region: _apis(endpoint, r, 0, apis))  # type: ignore[misc]
    with ThreadPoolExecutor(8) as pool:
        for done in pool.map(lambda job: job(), jobs):
            del done
    return buckets + (groups + apis) * len(regions)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--regions", default="us-east-1,eu-west-1")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true"
    )
    rows: list[dict[str, Any]] = []
    for size in sizes:
        server = CountingMotoServer()
        server.start()
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # moto's backends live in this process, shared by every server: start each size empty
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
        env = {
            **{k: v for k, v in os.environ.items() if k != "AWS_PROFILE"},
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        try:
            t0 = time.perf_counter()
            resources = seed(endpoint, size, regions)
            print(f"{size}x: seeded {resources} resources in {time.perf_counter() - t0:.0f}s", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp)
                cmd = [
                    sys.executable,
                    "-c",
                    CLOUDAUDIT,
                    "run",
                    "-p",
                    "aws",
                    "--regions",
                    ",".join(regions),
                    "-o",
                    str(out),
                ]
                run = timed(cmd, env, lambda s=server: s.requests, str)  # type: ignore[misc]
                findings = findings_counts(out)
                data = sum((out / name).stat().st_size for name in ("findings.json", "inventory.json"))
        finally:
            server.stop()
        row = {"size": size, "resources": resources, "findings": findings[0], "run": run, "data": data}
        rows.append(row)
        print(
            f"{size:>4}x: {resources:>6} resources  {findings[0]:>7} findings  {run.seconds:7.1f}s  "
            f"{run.requests:>7} requests  data {data / 2**20:7.1f} MB  peak RSS {mb(run.rss_kib)}"
            f" (largest forked child {mb(run.child_rss_kib)})",
            flush=True,
        )
    base = rows[0]
    print()
    for row in rows[1:]:
        print(
            f"{row['size']}x / {base['size']}x: data x{row['data'] / base['data']:.1f}, "
            f"peak RSS x{row['run'].rss_kib / base['run'].rss_kib:.2f}"
        )
    print(f"peak RSS at {rows[-1]['size']}x = {mb(rows[-1]['run'].rss_kib)}  (goal at 100x: < 500 MB)")


if __name__ == "__main__":
    main()
