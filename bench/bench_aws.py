"""Benchmark: `cloudaudit run` against a bare boto3 enumeration, same emulator, same run.

    python bench/bench_aws.py --buckets 500 --groups 500 --apis 500 --databases 50 [--repeat 3]

Seeds moto's server (127.0.0.1) with N buckets (a third public, a third hardened), N security
groups, N REST APIs (three resources, four methods, a stage each) and N/10 RDS instances (half
public, half with a TLS parameter group, a snapshot each), then times (a) `cloudaudit run
--provider aws --regions us-east-1` and (b) bench/bare_boto3_aws.py, alternating, each in its own
process. Prints the median wall times, the ratio a/b and both processes' peak memory.
Goals (issues #2, #3): ratio <= 1.5 at N=500; cloudaudit peak RSS < 250 MB at N=1000.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from moto.server import ThreadedMotoServer

from benchlib import CLOUDAUDIT, byte_compile

logging.getLogger("werkzeug").setLevel(logging.ERROR)

HERE = Path(__file__).resolve().parent


def seed_apis(endpoint: str, apis: int) -> None:
    """N REST APIs: /orders (GET open, POST IAM), /orders/{id} (ANY), /admin (GET with API key), a stage."""
    apigw = boto3.client("apigateway", endpoint_url=endpoint, region_name="us-east-1")

    def api(i: int) -> None:
        api_id = apigw.create_rest_api(
            name=f"bench-api-{i:05d}", endpointConfiguration={"types": ["REGIONAL" if i % 2 else "EDGE"]}
        )["id"]
        root = apigw.get_resources(restApiId=api_id)["items"][0]["id"]
        orders = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
        item = apigw.create_resource(restApiId=api_id, parentId=orders, pathPart="{id}")["id"]
        admin = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="admin")["id"]
        for resource, verb, auth, key in (
            (orders, "GET", "NONE", False),
            (orders, "POST", "AWS_IAM", False),
            (item, "ANY", "NONE", False),
            (admin, "GET", "NONE", True),
        ):
            apigw.put_method(
                restApiId=api_id,
                resourceId=resource,
                httpMethod=verb,
                authorizationType=auth,
                apiKeyRequired=key,
            )
            apigw.put_integration(restApiId=api_id, resourceId=resource, httpMethod=verb, type="MOCK")
        apigw.create_deployment(restApiId=api_id, stageName="prod")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(api, range(apis)))


def seed_databases(endpoint: str, databases: int) -> None:
    """N RDS PostgreSQL instances: even ones public behind a group open on 5432, odd ones TLS-only."""
    rds = boto3.client("rds", endpoint_url=endpoint, region_name="us-east-1")
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = [
        s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    ]
    rds.create_db_subnet_group(DBSubnetGroupName="bench", DBSubnetGroupDescription="bench", SubnetIds=subnets)
    gid = ec2.create_security_group(GroupName="bench-db-open", Description="bench", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    rds.create_db_parameter_group(
        DBParameterGroupName="bench-tls", DBParameterGroupFamily="postgres16", Description="bench"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="bench-tls",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )

    def database(i: int) -> None:
        ident = f"bench-db-{i:04d}"
        extra = {"DBParameterGroupName": "bench-tls"} if i % 2 else {}
        rds.create_db_instance(
            DBInstanceIdentifier=ident,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            EngineVersion="16.3",
            MasterUsername="postgres",
            MasterUserPassword="bench-password",
            AllocatedStorage=20,
            PubliclyAccessible=i % 2 == 0,
            DBSubnetGroupName="bench",
            VpcSecurityGroupIds=[gid],
            **extra,
        )
        rds.create_db_snapshot(DBSnapshotIdentifier=f"{ident}-snap", DBInstanceIdentifier=ident)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(database, range(databases)))


def seed(endpoint: str, buckets: int, groups: int) -> None:
    """N buckets with mixed configurations and N security groups."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="us-east-1")

    def bucket(i: int) -> None:
        name = f"bench-bucket-{i:05d}"
        s3.create_bucket(Bucket=name)
        if i % 3 == 0:
            s3.put_bucket_policy(
                Bucket=name,
                Policy=json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": "*",
                                "Action": "s3:GetObject",
                                "Resource": f"arn:aws:s3:::{name}/*",
                            }
                        ],
                    }
                ),
            )
        elif i % 3 == 1:
            s3.put_public_access_block(
                Bucket=name,
                PublicAccessBlockConfiguration={
                    "BlockPublicAcls": True,
                    "IgnorePublicAcls": True,
                    "BlockPublicPolicy": True,
                    "RestrictPublicBuckets": True,
                },
            )
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})

    def group(i: int) -> None:
        gid = ec2.create_security_group(GroupName=f"bench-sg-{i:05d}", Description="bench")["GroupId"]
        port = (22, 443, 6379, 8080)[i % 4]
        ec2.authorize_security_group_ingress(
            GroupId=gid,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(bucket, range(buckets)))
        list(pool.map(group, range(groups)))


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process (cloudaudit's modules byte-compiled first)."""
    byte_compile()
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    match = re.search(r"peak_rss_kib=(\d+)", proc.stderr)
    return elapsed, int(match.group(1)) if match else -1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buckets", type=int, default=500)
    parser.add_argument("--groups", type=int, default=500)
    parser.add_argument("--apis", type=int, default=500)
    parser.add_argument("--databases", type=int, default=None, help="default: apis / 10")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true"
    )
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env.pop("AWS_PROFILE", None)
    try:
        t0 = time.perf_counter()
        databases = args.apis // 10 if args.databases is None else args.databases
        seed(endpoint, args.buckets, args.groups)
        seed_apis(endpoint, args.apis)
        seed_databases(endpoint, databases)
        print(
            f"seeded {args.buckets} buckets, {args.groups} security groups, {args.apis} REST APIs and "
            f"{databases} RDS instances in {time.perf_counter() - t0:.1f}s"
        )
        audit_t, bare_t, audit_rss, bare_rss = [], [], [], []
        with tempfile.TemporaryDirectory() as out:
            audit_cmd = [
                sys.executable,
                "-c",
                CLOUDAUDIT,
                "run",
                "--provider",
                "aws",
                "--regions",
                "us-east-1",
                "-o",
                out,
            ]
            for _ in range(args.repeat):
                t, rss = timed(audit_cmd, env)
                audit_t.append(t)
                audit_rss.append(rss)
                t, rss = timed([sys.executable, str(HERE / "bare_boto3_aws.py")], env)
                bare_t.append(t)
                bare_rss.append(rss)
            findings = len(json.loads((Path(out) / "findings.json").read_text())["findings"])
    finally:
        server.stop()

    a, b = statistics.median(audit_t), statistics.median(bare_t)
    print(
        f"cloudaudit run : median {a:6.2f}s  runs {[round(x, 2) for x in audit_t]}  "
        f"peak RSS {max(audit_rss) / 1024:.0f} MB  ({findings} findings, reports written)"
    )
    print(
        f"bare boto3     : median {b:6.2f}s  runs {[round(x, 2) for x in bare_t]}  "
        f"peak RSS {max(bare_rss) / 1024:.0f} MB"
    )
    print(f"ratio cloudaudit/bare = {a / b:.2f}  (goal <= 1.5 at N=500)")


if __name__ == "__main__":
    main()
