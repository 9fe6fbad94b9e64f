"""``cloudaudit demo``: moto's server on 127.0.0.1, seeded with a realistic sample account.

The demo changes nothing in the audit path: it points the SDK at the emulator the standard
way (``AWS_ENDPOINT_URL`` and static test credentials) for the duration of the run.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import requests
from moto.server import ThreadedMotoServer

from cloudaudit.exposure.demo_services import demo_services
from cloudaudit.exposure.snapshot import fill_template
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions, SourceSpec
from cloudaudit.plugins import CollectOptions, DemoAccount
from cloudaudit_aws.emulator_proxy import DENIED_BUCKET, denying_proxy

ACCOUNT = "123456789012"
PUBLIC_ADDRESSES = {
    "web-1": "203.0.113.10",
    "legacy-db-1": "203.0.113.20",
    "unattached": "203.0.113.99",
    "eu-bastion": "198.51.100.30",
}
"""Elastic IPs of the sample account: documentation ranges (RFC 5737), never a real host."""
REGIONS = ("us-east-1", "eu-west-1")
_ENV = {
    "AWS_ACCESS_KEY_ID": "demo-access-key",
    "AWS_SECRET_ACCESS_KEY": "demo-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}
_UNSET = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@contextmanager
def demo_account(probe: bool = False) -> Iterator[DemoAccount]:
    """Start the emulator, seed it, and yield how to audit it (with its exposure snapshot).

    S3 is reached through :func:`~cloudaudit_aws.emulator_proxy.denying_proxy`, which denies the
    auditor one bucket policy: the report always shows what a coverage gap looks like.

    With ``probe``, the misconfigured local services of :mod:`cloudaudit.exposure.demo_services`
    also start and the sample account's web and cache endpoints are mapped onto them; the probe is
    restricted to mapped endpoints, so it contacts nothing but 127.0.0.1.
    """
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    saved = {k: os.environ.get(k) for k in (*_ENV, *_UNSET, "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3")}
    try:
        for key in _UNSET:
            os.environ.pop(key, None)
        os.environ.update(_ENV, AWS_ENDPOINT_URL=f"http://{host}:{port}")
        _reset(os.environ["AWS_ENDPOINT_URL"])
        seed(os.environ["AWS_ENDPOINT_URL"])
        addresses = demo_addresses(os.environ["AWS_ENDPOINT_URL"])
        with tempfile.TemporaryDirectory(prefix="cloudaudit-demo-") as tmp, ExitStack() as stack:
            os.environ["AWS_ENDPOINT_URL_S3"] = stack.enter_context(denying_proxy(host, port))
            snapshot = write_snapshot(Path(tmp), addresses)
            exposure = ExposureOptions(sources=(SourceSpec("file", str(snapshot)),))
            if probe:
                services = stack.enter_context(demo_services())
                exposure = replace(
                    exposure,
                    probe=True,
                    probe_only_mapped=True,
                    connect_to=(
                        ConnectTo(addresses["web-1"], 80, services.host, services.http_port),
                        ConnectTo(addresses["legacy-db-1"], 6379, services.host, services.redis_port),
                    ),
                )
            yield DemoAccount(options=CollectOptions(regions=REGIONS), exposure=exposure)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.stop()


def _reset(endpoint: str) -> None:
    """Empty the emulator: moto keeps its state per process, so a second demo would find the first's."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()


def demo_addresses(endpoint: str) -> dict[str, str]:
    """Public addresses of the sample account's named hosts and the orders database endpoint."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=REGIONS[0])
    rds = boto3.client("rds", endpoint_url=endpoint, region_name=REGIONS[0])
    found: dict[str, str] = {}
    for reservation in ec2.describe_instances()["Reservations"]:
        for inst in reservation["Instances"]:
            name = next((t["Value"] for t in inst.get("Tags", []) if t["Key"] == "Name"), "")
            if name and inst.get("PublicIpAddress"):
                found[name] = str(inst["PublicIpAddress"])
    for db in rds.describe_db_instances()["DBInstances"]:
        found[str(db["DBInstanceIdentifier"])] = str(db["Endpoint"]["Address"])
    return found


def write_snapshot(directory: Path, addresses: dict[str, str]) -> Path:
    """The bundled Shodan-shaped snapshot with the emulator's addresses filled in."""
    return fill_template(
        "cloudaudit_aws", "data/demo_exposure.json", addresses, directory / "demo-exposure.json"
    )


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _tls_only(bucket: str) -> dict[str, Any]:
    return {
        "Sid": "DenyPlainHttp",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _harden(s3: Any, bucket: str) -> None:
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )


def _bucket(s3: Any, name: str, region: str, tags: dict[str, str]) -> None:
    kwargs: dict[str, Any] = (
        {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    )
    s3.create_bucket(Bucket=name, **kwargs)
    s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]})


def seed_s3(endpoint: str) -> None:
    """Good and bad buckets in two regions; account-level Block Public Access left off."""
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    _bucket(s3, "acme-logs", "us-east-1", {"team": "platform"})
    _harden(s3, "acme-logs")
    log_delivery = {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::acme-logs/*",
    }
    s3.put_bucket_policy(Bucket="acme-logs", Policy=_policy(log_delivery))

    _bucket(s3, "acme-vpce-only-data", "us-east-1", {"team": "data", "classification": "confidential"})
    _harden(s3, "acme-vpce-only-data")
    s3.put_bucket_logging(
        Bucket="acme-vpce-only-data",
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "acme-logs", "TargetPrefix": "vpce-only/"}},
    )
    s3.put_bucket_policy(Bucket="acme-logs", Policy=_policy(log_delivery, _tls_only("acme-logs")))
    s3.put_bucket_policy(
        Bucket="acme-vpce-only-data",
        Policy=_policy(
            {
                "Sid": "ReadFromVpcEndpoint",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-vpce-only-data/*",
                "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f"}},
            },
            _tls_only("acme-vpce-only-data"),
        ),
    )

    _bucket(s3, "acme-public-website", "us-east-1", {"team": "marketing", "note": "<b>legacy site</b>"})
    s3.put_bucket_acl(Bucket="acme-public-website", ACL="public-read")
    s3.put_bucket_website(
        Bucket="acme-public-website", WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}}
    )

    _bucket(s3, "acme-customer-exports", "us-east-1", {"team": "billing"})
    s3.put_bucket_policy(
        Bucket="acme-customer-exports",
        Policy=_policy(
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::acme-customer-exports/*",
            }
        ),
    )
    s3.put_bucket_cors(
        Bucket="acme-customer-exports",
        CORSConfiguration={
            "CORSRules": [
                {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"]}
            ]
        },
    )

    _bucket(s3, "acme-partner-uploads", "us-east-1", {"team": "integrations"})
    s3.put_bucket_policy(
        Bucket="acme-partner-uploads",
        Policy=_policy(
            {
                "Sid": "AnyoneCanUpload",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::acme-partner-uploads/*",
            }
        ),
    )

    _bucket(s3, DENIED_BUCKET, "us-east-1", {"team": "finance"})
    _harden(s3, DENIED_BUCKET)
    s3.put_bucket_policy(
        Bucket=DENIED_BUCKET, Policy=_policy(_tls_only(DENIED_BUCKET))
    )  # the auditor is denied it

    _bucket(s3, "acme-eu-backups", "eu-west-1", {"team": "platform"})
    s3.put_public_access_block(
        Bucket="acme-eu-backups",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def _ami(ec2: Any) -> str:
    return str(ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"])


def group(ec2: Any, name: str, vpc: str, perms: list[dict[str, Any]]) -> str:
    """A security group with these ingress permissions; returns its id."""
    gid = str(ec2.create_security_group(GroupName=name, Description=f"{name} tier", VpcId=vpc)["GroupId"])
    if perms:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=perms)
    return gid


def tcp(port: int, cidr: str = "0.0.0.0/0", to: int | None = None) -> dict[str, Any]:
    """An ingress permission for TCP ``port`` (to ``to``) from ``cidr`` (IPv4 or IPv6)."""
    key, rng = ("Ipv6Ranges", {"CidrIpv6": cidr}) if ":" in cidr else ("IpRanges", {"CidrIp": cidr})
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": to or port, key: [rng]}


def _elastic_ip(ec2: Any, name: str, instance: str | None = None) -> None:
    """Allocate the documentation address of ``name`` (and associate it with ``instance``).

    An associated Elastic IP replaces an instance's auto-assigned public address, as on AWS.
    """
    eip = ec2.allocate_address(Domain="vpc", Address=PUBLIC_ADDRESSES[name])
    if instance is not None:
        ec2.associate_address(AllocationId=eip["AllocationId"], InstanceId=instance)


def _instance(ec2: Any, ami: str, name: str, groups: list[str], subnet: str, public: bool) -> str:
    resp = ec2.run_instances(
        ImageId=ami,
        MinCount=1,
        MaxCount=1,
        InstanceType="t3.micro",
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet, "Groups": groups, "AssociatePublicIpAddress": public}
        ],
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}],
    )
    return str(resp["Instances"][0]["InstanceId"])


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


def seed_ec2(endpoint: str, region: str) -> None:
    """Web, database, bastion and internal hosts with good and bad security groups."""
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    ami = _ami(ec2)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    _default_vpc_route(ec2, vpc)
    subnet = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"][0]["SubnetId"]
    if region != "us-east-1":
        bastion = group(ec2, "eu-bastion", vpc, [tcp(22)])
        _elastic_ip(ec2, "eu-bastion", _instance(ec2, ami, "eu-bastion", [bastion], subnet, public=True))
        return
    web = group(ec2, "web-frontend", vpc, [tcp(80), tcp(443), tcp(443, "::/0"), tcp(22)])
    _elastic_ip(ec2, "web-1", _instance(ec2, ami, "web-1", [web], subnet, public=True))
    legacy = group(ec2, "legacy-db", vpc, [tcp(3306), tcp(6379)])
    db = _instance(ec2, ami, "legacy-db-1", [legacy], subnet, public=False)
    _elastic_ip(ec2, "legacy-db-1", db)
    group(ec2, "debug-all-open", vpc, [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    internal = group(ec2, "internal-api", vpc, [tcp(8080, "10.0.0.0/16")])
    _instance(ec2, ami, "internal-api-1", [internal], subnet, public=False)
    rdp = group(ec2, "windows-jump", vpc, [tcp(3389, "::/0")])
    _instance(ec2, ami, "windows-jump-1", [rdp], subnet, public=False)
    _elastic_ip(ec2, "unattached")


def _default_vpc_route(ec2: Any, vpc: str) -> None:
    """Give the default VPC's main route table an Internet gateway route, as AWS's default VPC has."""
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)


def service_seeds() -> list[Callable[[str, str], None]]:
    """``seed(endpoint, region)`` of every ``cloudaudit_aws.demo_<service>`` module."""
    package = importlib.import_module("cloudaudit_aws")
    names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("demo_"))
    return [importlib.import_module(f"cloudaudit_aws.{name}").seed for name in names]


def seed(endpoint: str) -> None:
    """Seed every service of the sample account (the per-service modules in the first region)."""
    seed_s3(endpoint)
    for region in REGIONS:
        seed_ec2(endpoint, region)
    for service_seed in service_seeds():
        service_seed(endpoint, REGIONS[0])
