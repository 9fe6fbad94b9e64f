"""Benchmark: `cloudaudit run --organization` against a bare boto3 enumeration of the same organization.

    python bench/bench_org.py [--accounts 20] [--regions us-east-1,eu-west-1] [--repeat 3]

Seeds moto's server (127.0.0.1) with an AWS Organization of N accounts (the management account and
N-1 members in two units) and, in every account, a few resources: 3 buckets (one public, one
hardened), and in each region 3 security groups open to the world and a REST API with two methods.
Then times, alternating, each in its own child process: (a) `cloudaudit run --provider aws
--organization --regions R` (every check, HTML and JSON reports, the combined set and one per
account; 4 accounts at a time, 16 workers each: the defaults) and (b) bench/bare_aws_org.py (the same
listing, role assumptions and reads, 4 accounts at a time with 16 workers each).

Prints per run and as medians: wall times and their ratio, requests (counted by a middleware in front
of moto) and their ratio with the per-route difference, peak RSS (VmHWM) of both, findings.
Goal (issue #15): time <= 1.5x the floor.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from benchlib import CLOUDAUDIT, alternate, findings_counts, summary, timed

logging.getLogger("werkzeug").setLevel(logging.ERROR)

HERE = Path(__file__).resolve().parent
MANAGEMENT = "123456789012"


class CountingMotoServer(ThreadedMotoServer):
    """moto's threaded server with a middleware that logs each request's route (service operation)."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.requests: list[str] = []
        self._lock = threading.Lock()

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)

        def counted(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size) if size else b""
            environ["wsgi.input"] = io.BytesIO(body)
            with self._lock:
                self.requests.append(route(environ, body))
            return app(environ, start_response)  # type: ignore[no-any-return]

        self._server = make_server(self._ip_address, self._port, counted, True)
        self._server_ready_event.set()
        self._server.serve_forever()


def route(environ: dict[str, Any], body: bytes) -> str:
    """``ec2 DescribeSecurityGroups``, ``s3 GET ?acl``, ``apigateway GET``: service and operation."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/") if "Credential=" in auth else []
    service = scope[3] if len(scope) > 3 else "?"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return f"{service} {target.rsplit('.', 1)[-1]}"
    if environ.get("REQUEST_METHOD") == "POST" and service not in ("s3", "apigateway"):
        action = parse_qs(body.decode(errors="replace")).get("Action", ["?"])[0]
        return f"{service} {action}"
    query = sorted(parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    if service == "s3":
        return (
            f"s3 {environ.get('REQUEST_METHOD')} {'/' if environ.get('PATH_INFO') == '/' else 'bucket'}"
            + (f" ?{','.join(query)}" if query else "")
        )
    return f"{service} {environ.get('REQUEST_METHOD')}"


def _as(endpoint: str, account: str) -> dict[str, Any]:
    """Client arguments acting in ``account`` (moto: credentials of a role assumed there)."""
    if account == MANAGEMENT:
        return {"endpoint_url": endpoint}
    sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/seed", RoleSessionName="seed")[
        "Credentials"
    ]
    return {
        "endpoint_url": endpoint,
        "aws_access_key_id": creds["AccessKeyId"],
        "aws_secret_access_key": creds["SecretAccessKey"],
        "aws_session_token": creds["SessionToken"],
    }


def seed_organization(endpoint: str, accounts: int) -> list[str]:
    """The organization: the management account and ``accounts - 1`` members over two units."""
    org = boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    units = [
        org.create_organizational_unit(ParentId=root, Name=n)["OrganizationalUnit"]["Id"]
        for n in ("prod", "dev")
    ]
    ids = [MANAGEMENT]
    for i in range(accounts - 1):
        made = org.create_account(Email=f"member{i}@example.com", AccountName=f"member-{i:02d}")
        account = made["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=units[i % 2])
        ids.append(account)
    return ids


def seed_account(endpoint: str, account: str, regions: list[str]) -> None:
    """3 buckets (public, hardened, default); per region 3 open security groups and a REST API."""
    creds = _as(endpoint, account)
    s3 = boto3.client("s3", region_name="us-east-1", **creds)
    for kind in range(3):
        name = f"bench-{account}-{kind}"
        s3.create_bucket(Bucket=name)
        if kind == 0:
            s3.put_bucket_acl(Bucket=name, ACL="public-read")
        elif kind == 1:
            block = dict.fromkeys(
                ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
            )
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=block)
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for region in regions:
        ec2 = boto3.client("ec2", region_name=region, **creds)
        for port in (22, 443, 6379):
            gid = ec2.create_security_group(GroupName=f"bench-{port}", Description="bench")["GroupId"]
            ec2.authorize_security_group_ingress(
                GroupId=gid,
                IpPermissions=[
                    {
                        "IpProtocol": "tcp",
                        "FromPort": port,
                        "ToPort": port,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            )
        apigw = boto3.client("apigateway", region_name=region, **creds)
        api = apigw.create_rest_api(name=f"bench-{region}")["id"]
        root = apigw.get_resources(restApiId=api)["items"][0]["id"]
        orders = apigw.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
        for verb, auth in (("GET", "NONE"), ("POST", "AWS_IAM")):
            apigw.put_method(restApiId=api, resourceId=orders, httpMethod=verb, authorizationType=auth)
            apigw.put_integration(restApiId=api, resourceId=orders, httpMethod=verb, type="MOCK")
        apigw.create_deployment(restApiId=api, stageName="prod")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--regions", default="us-east-1,eu-west-1")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_EC2_METADATA_DISABLED="true"
    )
    server = CountingMotoServer()
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "AWS_PROFILE"},
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "BENCH_REGIONS": ",".join(regions),
    }
    try:
        t0 = time.perf_counter()
        ids = seed_organization(endpoint, args.accounts)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda a: seed_account(endpoint, a, regions), ids))
        print(
            f"seeded an organization of {len(ids)} accounts x {len(regions)} regions "
            f"({3 * len(ids)} buckets, {3 * len(ids) * len(regions)} security groups, "
            f"{len(ids) * len(regions)} REST APIs) in {time.perf_counter() - t0:.1f}s"
        )
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            audit = [
                sys.executable,
                "-c",
                CLOUDAUDIT,
                "run",
                "-p",
                "aws",
                "--organization",
                "--regions",
                ",".join(regions),
                "-o",
                str(out),
            ]
            floor = [sys.executable, str(HERE / "bare_aws_org.py")]
            audits, floors = alternate(
                audit, floor, env, args.repeat, lambda cmd: timed(cmd, env, lambda: server.requests, str), out
            )
            findings = findings_counts(out)
            per_account = len(list((out / "accounts").iterdir()))
            accounts = json.loads((out / "findings.json").read_text())["run"]["accounts"]
    finally:
        server.stop()
    print(f"\n{len(accounts)} accounts audited, {per_account} per-account report sets")
    summary(audits, floors, findings, rss_goal_mb=500)


if __name__ == "__main__":
    main()
