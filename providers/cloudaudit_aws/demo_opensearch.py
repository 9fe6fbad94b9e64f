"""Demo OpenSearch domains: an open legacy log cluster, a hardened VPC domain, an IP-restricted one."""

from __future__ import annotations

import json
from typing import Any

import boto3

LOG_GROUP = "arn:aws:logs:{region}:{account}:log-group:/aws/opensearch/{name}"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(principal: object, resource: str, **condition: Any) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "es:*", "Resource": resource}
    if condition:
        stmt["Condition"] = condition
    return stmt


def seed(endpoint: str, region: str) -> None:
    """Create three domains in ``region`` of the emulator at ``endpoint``."""
    account = str(
        boto3.client("sts", endpoint_url=endpoint, region_name=region).get_caller_identity()["Account"]
    )
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    client = boto3.client("opensearch", endpoint_url=endpoint, region_name=region)

    def arn(name: str) -> str:
        return f"arn:aws:es:{region}:{account}:domain/{name}/*"

    def logs(name: str) -> dict[str, Any]:
        group = LOG_GROUP.format(region=region, account=account, name=name)
        return {
            kind: {"CloudWatchLogsLogGroupArn": f"{group}/{kind.lower()}", "Enabled": True}
            for kind in ("AUDIT_LOGS", "ES_APPLICATION_LOGS")
        }

    # BAD: legacy Elasticsearch log cluster on the Internet, open to anyone, no TLS enforcement,
    # no fine-grained access control, nothing encrypted, one node.
    client.create_domain(
        DomainName="logs-public",
        EngineVersion="Elasticsearch_7.4",
        ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 1},
        AccessPolicies=_policy(_allow({"AWS": "*"}, arn("logs-public"))),
        DomainEndpointOptions={"EnforceHTTPS": False, "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"},
        NodeToNodeEncryptionOptions={"Enabled": False},
        EncryptionAtRestOptions={"Enabled": False},
        AdvancedSecurityOptions={"Enabled": False},
        TagList=[{"Key": "team", "Value": "platform"}, {"Key": "env", "Value": "prod"}],
    )

    # GOOD: VPC domain, IAM-only policy, FGAC with an IAM master role, everything encrypted, logs on.
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    group = ec2.create_security_group(
        GroupName="search-private-clients", Description="HTTPS from the search API only", VpcId=vpc
    )["GroupId"]
    client.create_domain(
        DomainName="search-private",
        EngineVersion="OpenSearch_2.13",
        ClusterConfig={
            "InstanceType": "r6g.large.search",
            "InstanceCount": 3,
            "ZoneAwarenessEnabled": True,
            "ZoneAwarenessConfig": {"AvailabilityZoneCount": 3},
            "DedicatedMasterEnabled": True,
            "DedicatedMasterCount": 3,
        },
        VPCOptions={"SubnetIds": [s["SubnetId"] for s in subnets[:3]], "SecurityGroupIds": [group]},
        AccessPolicies=_policy(
            _allow({"AWS": f"arn:aws:iam::{account}:role/search-api"}, arn("search-private"))
        ),
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10"},
        NodeToNodeEncryptionOptions={"Enabled": True},
        EncryptionAtRestOptions={"Enabled": True},
        AdvancedSecurityOptions={
            "Enabled": True,
            "InternalUserDatabaseEnabled": False,
            "AnonymousAuthEnabled": False,
            "MasterUserOptions": {"MasterUserARN": f"arn:aws:iam::{account}:role/search-admin"},
        },
        LogPublishingOptions=logs("search-private"),
        TagList=[{"Key": "team", "Value": "search"}, {"Key": "env", "Value": "prod"}],
    )

    # MIXED: public endpoint whose open policy is confined to the office network (policy passes),
    # HTTPS/TLS 1.2 and encryption on, but no fine-grained access control.
    client.create_domain(
        DomainName="reports-office-only",
        EngineVersion="OpenSearch_2.11",
        AccessPolicies=_policy(
            _allow("*", arn("reports-office-only"), IpAddress={"aws:SourceIp": ["203.0.113.0/24"]})
        ),
        DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
        NodeToNodeEncryptionOptions={"Enabled": True},
        EncryptionAtRestOptions={"Enabled": True},
        AdvancedSecurityOptions={"Enabled": False},
        TagList=[{"Key": "team", "Value": "finance"}],
    )
