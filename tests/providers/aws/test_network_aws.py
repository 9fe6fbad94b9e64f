"""Subnets and route tables: translation (pure), collection over moto, and the reachability join."""

from __future__ import annotations

from typing import Any

from aws_builders import ACCOUNT, REGION, inventory, network, security_group, tcp
from aws_seed import default_vpc, private_subnet
from cloudaudit.plugins import CollectOptions
from cloudaudit.progress import PlainProgress
from cloudaudit_aws.assets import RouteTable, Subnet
from cloudaudit_aws.checks.reachability import internet_routes, network_reachability
from cloudaudit_aws.collect.ec2 import to_network_assets
from cloudaudit_aws.collect.guard import Failed
from cloudaudit_aws.collect.runner import collect

VPC = "vpc-1"


def _table(
    rid: str, routes: list[dict[str, Any]], subnets: tuple[str, ...] = (), main: bool = False
) -> dict[str, Any]:
    associations: list[dict[str, Any]] = [
        {"Main": False, "SubnetId": s, "RouteTableId": rid} for s in subnets
    ]
    if main:
        associations.append({"Main": True, "RouteTableId": rid})
    return {"RouteTableId": rid, "VpcId": VPC, "Associations": associations, "Routes": routes}


LOCAL = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}
RAW_TABLES = [
    _table(
        "rtb-main",
        [LOCAL, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}],
        main=True,
    ),
    _table(
        "rtb-nat",
        [LOCAL, {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"}],
        ("subnet-nat",),
    ),
    _table(
        "rtb-dead",
        [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-old", "State": "blackhole"}],
        ("subnet-dead",),
    ),
    _table(
        "rtb-v6",
        [{"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"}],
        ("subnet-eigw",),
    ),
]
RAW_SUBNETS = [
    {"SubnetId": sid, "VpcId": VPC, "AvailabilityZone": "us-east-1a", "CidrBlock": "10.0.1.0/24"}
    for sid in ("subnet-implicit", "subnet-nat", "subnet-dead", "subnet-eigw")
]


def _subnets(route_tables: list[dict[str, Any]] | Failed) -> dict[str, Subnet]:
    assets = to_network_assets(ACCOUNT, REGION, RAW_SUBNETS, route_tables)
    return {a.subnet_id: a for a in assets if isinstance(a, Subnet)}


def test_subnet_without_association_uses_the_main_table() -> None:
    subnets = _subnets(RAW_TABLES)
    implicit = subnets["subnet-implicit"]
    assert implicit.route_table_id == "rtb-main"
    assert [r.label() for r in implicit.internet_routes] == ["0.0.0.0/0 -> igw-1"]
    assert implicit.id == f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-implicit"


def test_nat_blackhole_and_egress_only_routes_do_not_make_a_subnet_public() -> None:
    subnets = _subnets(RAW_TABLES)
    assert {sid: s.route_table_id for sid, s in subnets.items() if not s.internet_routes} == {
        "subnet-nat": "rtb-nat",
        "subnet-dead": "rtb-dead",
        "subnet-eigw": "rtb-v6",
    }


def test_route_tables_are_assets_with_their_routes() -> None:
    tables = {
        a.route_table_id: a
        for a in to_network_assets(ACCOUNT, REGION, [], RAW_TABLES)
        if isinstance(a, RouteTable)
    }
    assert tables["rtb-main"].main and not tables["rtb-nat"].main
    assert tables["rtb-nat"].subnet_ids == ("subnet-nat",)
    assert [r.target for r in tables["rtb-v6"].routes] == ["eigw-1"]


def test_unreadable_route_tables_leave_subnets_unknown_not_private() -> None:
    subnets = _subnets(Failed("AccessDenied", "no"))
    assert all(s.unread["internet_routes"] == "AccessDenied on DescribeRouteTables" for s in subnets.values())
    verdict = internet_routes(
        inventory(*subnets.values()), account=ACCOUNT, region=REGION, subnet_ids=["subnet-implicit"]
    )
    assert verdict.state == "unknown" and verdict.unread == ("subnet-implicit",)


def test_collection_joins_subnets_with_their_route_tables(aws: str) -> None:
    vpc, public = default_vpc(aws)
    private = private_subnet(aws, vpc, "172.31.200.0/24")

    inv = collect(CollectOptions(regions=(REGION,), services=("ec2",)), PlainProgress())

    subnets = {s.subnet_id: s for s in inv.of(Subnet)}
    assert set(public) | {private} <= set(subnets)
    assert all(subnets[sid].internet_routes for sid in public)
    assert subnets[private].internet_routes == () and subnets[private].route_table_id.startswith("rtb-")
    assert not inv.gaps


def test_reachability_needs_route_and_rule_together() -> None:
    groups = (security_group("sg-open", [tcp(9200)]), security_group("sg-other", [tcp(22)]))
    inv = inventory(*network(), *groups)

    def level(subnet: str, group: str, public: bool = True) -> str:
        return network_reachability(
            inv,
            account=ACCOUNT,
            region=REGION,
            resource_id="r",
            public=public,
            subnet_ids=[subnet],
            security_group_ids=[group],
            port=9200,
            endpoint="search.example:9200",
        ).level

    assert level("subnet-public", "sg-open") == "reachable"
    assert level("subnet-private", "sg-open") == "blocked"
    assert level("subnet-public", "sg-other") == "blocked"
    assert level("subnet-public", "sg-open", public=False) == "private"
    assert level("subnet-gone", "sg-open") == "unknown"
