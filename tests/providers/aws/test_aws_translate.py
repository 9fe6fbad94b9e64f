"""Pure translation of recorded AWS response shapes into assets (no SDK, no server)."""

from __future__ import annotations

from datetime import UTC, datetime

from cloudaudit_aws.assets import NetworkInterface, SecurityGroup
from cloudaudit_aws.collect.ec2 import to_ec2_assets, to_ingress_rules
from cloudaudit_aws.collect.guard import ABSENT, Failed
from cloudaudit_aws.collect.s3 import BUCKET_DETAILS, to_bucket

ACCOUNT = "111122223333"


def test_ingress_rules_cover_every_source_kind() -> None:
    rules = to_ingress_rules(
        [
            {
                "IpProtocol": "tcp",
                "FromPort": 22,
                "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                "PrefixListIds": [{"PrefixListId": "pl-123"}],
                "UserIdGroupPairs": [{"GroupId": "sg-app"}],
            },
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "17", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ]
    )
    assert [(r.protocol, r.from_port, r.to_port, r.source, r.source_kind) for r in rules] == [
        ("tcp", 22, 22, "0.0.0.0/0", "cidr4"),
        ("tcp", 22, 22, "::/0", "cidr6"),
        ("tcp", 22, 22, "pl-123", "prefix_list"),
        ("tcp", 22, 22, "sg-app", "security_group"),
        ("all", 0, 65535, "10.0.0.0/8", "cidr4"),
        ("udp", 53, 53, "0.0.0.0/0", "cidr4"),
    ]
    assert rules[0].description == "ssh" and rules[4].all_traffic and not rules[0].all_traffic


def test_security_group_knows_the_public_ips_it_exposes() -> None:
    raw = {
        "security_groups": [
            {
                "GroupId": "sg-web",
                "GroupName": "web",
                "VpcId": "vpc-1",
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 443,
                        "ToPort": 443,
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    }
                ],
            }
        ],
        "network_interfaces": [
            {
                "NetworkInterfaceId": "eni-1",
                "Groups": [{"GroupId": "sg-web"}],
                "Association": {"PublicIp": "198.51.100.7"},
                "PrivateIpAddresses": [
                    {"PrivateIpAddress": "10.0.0.5", "Association": {"PublicIp": "198.51.100.7"}}
                ],
                "Attachment": {"InstanceId": "i-1"},
            }
        ],
        "reservations": [
            {
                "Instances": [
                    {
                        "InstanceId": "i-1",
                        "State": {"Name": "running"},
                        "Tags": [{"Key": "Name", "Value": "web-1"}],
                    }
                ]
            }
        ],
        "addresses": [],
    }
    assets = to_ec2_assets(ACCOUNT, "eu-west-1", raw)
    group = next(a for a in assets if isinstance(a, SecurityGroup))
    assert group.public_ips == ("198.51.100.7",) and group.attached_interfaces == ("eni-1",)
    eni = next(a for a in assets if isinstance(a, NetworkInterface))
    assert [(e.host, e.from_port, e.via) for e in eni.endpoints] == [
        ("198.51.100.7", 443, "sg-web: tcp/443 from 0.0.0.0/0")
    ]
    instance = next(a for a in assets if a.kind == "aws.ec2.instance")
    assert instance.id == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-1" and instance.name == "web-1"


def test_unreadable_interfaces_make_group_attachment_unknown() -> None:
    raw = {
        "security_groups": [{"GroupId": "sg-1", "GroupName": "g"}],
        "network_interfaces": Failed("AccessDenied", "no"),
        "reservations": [],
        "addresses": [],
    }
    (group,) = to_ec2_assets(ACCOUNT, "us-east-1", raw)
    assert set(group.unread) == {"attached_interfaces", "public_ips"}
    assert "AccessDenied on DescribeNetworkInterfaces" in group.unread["public_ips"]


def test_bucket_records_failed_reads_and_absent_configuration() -> None:
    details = {d.key: ABSENT for d in BUCKET_DETAILS}
    details["acl"] = {
        "Owner": {"ID": "owner"},
        "Grants": [
            {
                "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                "Permission": "READ",
            }
        ],
    }
    details["encryption"] = Failed("AccessDenied", "denied")
    details["policy"] = {"Policy": "{not json"}
    bucket = to_bucket(
        ACCOUNT,
        {"Name": "b1", "Region": "eu-west-1", "CreationDate": datetime(2024, 1, 2, tzinfo=UTC)},
        details,
    )
    assert bucket.unread == {"encryption": "AccessDenied on GetBucketEncryption"}
    assert bucket.policy is None and "not valid JSON" in bucket.policy_error
    assert [(g.grantee, g.permission) for g in bucket.acl_grants] == [
        ("http://acs.amazonaws.com/groups/global/AllUsers", "READ")
    ]
    assert bucket.public_access_block is None and bucket.logging_target is None and bucket.website is None
    assert bucket.creation_date.startswith("2024-01-02")
