"""Seed helpers for integration tests: real boto3 calls against the emulator."""

from __future__ import annotations

import json
from typing import Any

import boto3

PUBLIC_READ_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Public",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::{name}/*",
        }
    ],
}


def client(endpoint: str, service: str, region: str = "us-east-1") -> Any:
    """A boto3 client on the emulator."""
    return boto3.client(service, endpoint_url=endpoint, region_name=region)


def public_bucket(endpoint: str, name: str, tags: dict[str, str] | None = None) -> None:
    """A bucket whose policy lets anyone read objects."""
    s3 = client(endpoint, "s3")
    s3.create_bucket(Bucket=name)
    policy = json.dumps(PUBLIC_READ_POLICY).replace("{name}", name)
    s3.put_bucket_policy(Bucket=name, Policy=policy)
    if tags:
        s3.put_bucket_tagging(
            Bucket=name, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
        )


def private_bucket(endpoint: str, name: str) -> None:
    """A locked-down bucket (Block Public Access on, encrypted, versioned)."""
    s3 = client(endpoint, "s3")
    s3.create_bucket(Bucket=name)
    s3.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=name,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})


def ssh_host(endpoint: str, region: str = "us-east-1", port: int = 22) -> tuple[str, str, str]:
    """An instance with a public IP in a public subnet whose group opens ``port`` to the world.

    Returns (instance id, ip, group id).
    """
    ec2 = client(endpoint, "ec2", region)
    ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    vpc, subnets = default_vpc(endpoint, region)
    subnet = subnets[0]
    gid = ec2.create_security_group(GroupName=f"open-{port}", Description="test", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=gid,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    inst = ec2.run_instances(
        ImageId=ami,
        MinCount=1,
        MaxCount=1,
        NetworkInterfaces=[
            {"DeviceIndex": 0, "SubnetId": subnet, "Groups": [gid], "AssociatePublicIpAddress": True}
        ],
    )
    iid = inst["Instances"][0]["InstanceId"]
    desc = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    return iid, desc["PublicIpAddress"], gid


def default_vpc(endpoint: str, region: str = "us-east-1") -> tuple[str, list[str]]:
    """The default VPC made to look like AWS's (main route table 0.0.0.0/0 -> an Internet gateway).

    moto's default VPC has no Internet gateway route; AWS's has one. Returns (vpc id, subnet ids).
    """
    ec2 = client(endpoint, "ec2", region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    main = ec2.describe_route_tables(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "association.main", "Values": ["true"]}]
    )["RouteTables"][0]
    if not any(r.get("GatewayId", "").startswith("igw-") for r in main["Routes"]):
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return vpc, [s["SubnetId"] for s in subnets]


def private_subnet(endpoint: str, vpc: str, cidr: str, region: str = "us-east-1") -> str:
    """A subnet with its own route table that has no route to the Internet gateway."""
    ec2 = client(endpoint, "ec2", region)
    sid = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.associate_route_table(RouteTableId=table, SubnetId=sid)
    return str(sid)


def rest_api_with_domains(endpoint: str, *domains: str, execute_api: bool = True) -> str:
    """A deployed REST API (IAM-authorised GET /) and custom domains mapped to it.

    moto answers 500 for a custom domain without base path mappings, so every domain is mapped.
    """
    apigateway = client(endpoint, "apigateway")
    api = apigateway.create_rest_api(
        name="orders",
        disableExecuteApiEndpoint=not execute_api,
        endpointConfiguration={"types": ["REGIONAL"]},
    )["id"]
    root = apigateway.get_resources(restApiId=api)["items"][0]["id"]
    apigateway.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="AWS_IAM")
    apigateway.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    apigateway.create_deployment(restApiId=api, stageName="prod")
    for name in domains:
        apigateway.create_domain_name(
            domainName=name,
            regionalCertificateArn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
            endpointConfiguration={"types": ["REGIONAL"]},
            securityPolicy="TLS_1_2",
        )
        apigateway.create_base_path_mapping(domainName=name, restApiId=api, stage="prod")
    return str(api)
