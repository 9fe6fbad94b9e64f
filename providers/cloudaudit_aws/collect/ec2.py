"""EC2 networking: security groups, network interfaces, instances, Elastic IPs, subnets, routes.

``fetch_ec2`` does the SDK calls of one region; ``to_ec2_assets`` joins the answers
(which groups sit on which Internet-facing interfaces, which route table governs each subnet)
without any I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_aws.assets import (
    PROVIDER,
    ElasticIp,
    IngressRule,
    Instance,
    NetworkInterface,
    Route,
    RouteTable,
    SecurityGroup,
    Subnet,
)
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession

SERVICE = "ec2"
PERMISSIONS = (
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstances",
    "ec2:DescribeAddresses",
    "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables",
)
"""IAM actions of the calls below (documented in deploy/iam-readonly-policy.json)."""

# (paginated method, result key) per raw collection; addresses has no paginator.
LISTINGS: dict[str, tuple[str, str]] = {
    "security_groups": ("describe_security_groups", "SecurityGroups"),
    "network_interfaces": ("describe_network_interfaces", "NetworkInterfaces"),
    "reservations": ("describe_instances", "Reservations"),
    "subnets": ("describe_subnets", "Subnets"),
    "route_tables": ("describe_route_tables", "RouteTables"),
}

RegionRaw = dict[str, list[Raw] | Failed]


# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_ec2(aws: AwsSession, guard: Guard, region: str) -> RegionRaw:
    """All raw EC2 answers needed for one region."""
    client = aws.client("ec2", region)
    raw: RegionRaw = {
        name: guard.paginate(client, method, key, service=SERVICE, region=region)
        for name, (method, key) in LISTINGS.items()
    }
    addresses = guard.call(client.describe_addresses, service=SERVICE, region=region)
    raw["addresses"] = (
        addresses.get("Addresses", [])
        if isinstance(addresses, dict)
        else (addresses if isinstance(addresses, Failed) else [])
    )
    return raw


def collect_ec2(ctx: CollectContext, region: str) -> list[Asset]:
    """Fetch and translate one region."""
    return to_ec2_assets(ctx.guard.account, region, fetch_ec2(ctx.aws, ctx.guard, region))


# ---------------------------------------------------------------- translate (pure)


def _arn(region: str, account: str, kind: str, ident: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:{kind}/{ident}"


def _tags(raw: Mapping[str, Any]) -> dict[str, str]:
    return {str(t["Key"]): str(t.get("Value", "")) for t in raw.get("Tags", raw.get("TagSet", [])) or []}


def _proto(value: Any) -> str:
    text = str(value).lower()
    return {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}.get(text, text)


def to_ingress_rules(permissions: Iterable[Mapping[str, Any]]) -> tuple[IngressRule, ...]:
    """One :class:`IngressRule` per (permission, source)."""
    rules: list[IngressRule] = []
    for perm in permissions:
        proto = _proto(perm.get("IpProtocol", "-1"))
        lo = int(perm.get("FromPort", 0) if proto != "all" else 0)
        hi = int(perm.get("ToPort", 65535) if proto != "all" else 65535)
        if proto in ("tcp", "udp") and (lo, hi) == (-1, -1):
            lo, hi = 0, 65535
        base = {"protocol": proto, "from_port": lo, "to_port": hi}
        sources: list[tuple[str, str, str]] = []
        sources += [(r["CidrIp"], "cidr4", r.get("Description", "")) for r in perm.get("IpRanges", [])]
        sources += [(r["CidrIpv6"], "cidr6", r.get("Description", "")) for r in perm.get("Ipv6Ranges", [])]
        sources += [
            (r["PrefixListId"], "prefix_list", r.get("Description", ""))
            for r in perm.get("PrefixListIds", [])
        ]
        sources += [
            (r.get("GroupId", ""), "security_group", r.get("Description", ""))
            for r in perm.get("UserIdGroupPairs", [])
        ]
        rules.extend(
            IngressRule(**base, source=src, source_kind=kind, description=desc) for src, kind, desc in sources
        )
    return tuple(rules)


def _eni_public_ips(eni: Mapping[str, Any]) -> tuple[str, ...]:
    ips = [eni.get("Association", {}).get("PublicIp")]
    ips += [p.get("Association", {}).get("PublicIp") for p in eni.get("PrivateIpAddresses", [])]
    ips += [a.get("Ipv6Address") for a in eni.get("Ipv6Addresses", [])]
    return tuple(dict.fromkeys(ip for ip in ips if ip))


def _endpoints(public_ips: Iterable[str], groups: Iterable[SecurityGroup]) -> tuple[Endpoint, ...]:
    """Internet-facing endpoints: each public IP x each rule open to the whole Internet."""
    open_rules = [(g, r) for g in groups for r in g.ingress if r.from_anywhere]
    out: list[Endpoint] = []
    for ip in public_ips:
        v6 = ":" in ip
        for group, rule in open_rules:
            if (rule.source_kind == "cidr6") != v6:
                continue
            proto = rule.protocol if rule.protocol in ("tcp", "udp", "icmp", "all") else "all"
            out.append(
                Endpoint(
                    host=ip,
                    protocol=proto,
                    from_port=max(rule.from_port, 0),
                    to_port=rule.to_port if rule.to_port >= 0 else 65535,
                    via=f"{group.group_id}: {rule.label()}",
                )
            )
    return tuple(dict.fromkeys(out))


def to_ec2_assets(account: str, region: str, raw: RegionRaw) -> list[Asset]:
    """Translate one region's raw answers into security groups, interfaces, instances and EIPs."""
    enis = raw.get("network_interfaces", [])
    eni_list = [] if isinstance(enis, Failed) else enis
    attached: dict[str, list[str]] = defaultdict(list)
    exposed: dict[str, list[str]] = defaultdict(list)
    for eni in eni_list:
        for g in eni.get("Groups", []):
            attached[g["GroupId"]].append(eni["NetworkInterfaceId"])
            exposed[g["GroupId"]].extend(_eni_public_ips(eni))

    groups: dict[str, SecurityGroup] = {}
    sgs = raw.get("security_groups", [])
    unread_links = (
        {
            "attached_interfaces": enis.reason("DescribeNetworkInterfaces"),
            "public_ips": enis.reason("DescribeNetworkInterfaces"),
        }
        if isinstance(enis, Failed)
        else {}
    )
    for sg in [] if isinstance(sgs, Failed) else sgs:
        gid = sg["GroupId"]
        groups[gid] = SecurityGroup(
            provider=PROVIDER,
            account=account,
            region=region,
            id=_arn(region, account, "security-group", gid),
            name=sg.get("GroupName", gid),
            tags=_tags(sg),
            group_id=gid,
            vpc_id=sg.get("VpcId", ""),
            description=sg.get("Description", ""),
            is_default=sg.get("GroupName") == "default",
            ingress=to_ingress_rules(sg.get("IpPermissions", [])),
            egress_rule_count=len(to_ingress_rules(sg.get("IpPermissionsEgress", []))),
            attached_interfaces=tuple(attached.get(gid, ())),
            public_ips=tuple(dict.fromkeys(exposed.get(gid, ()))),
            unread=dict(unread_links),
        )

    assets: list[Asset] = list(groups.values())
    eni_by_instance: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for eni in eni_list:
        public = _eni_public_ips(eni)
        sg_ids = tuple(g["GroupId"] for g in eni.get("Groups", []))
        instance_id = eni.get("Attachment", {}).get("InstanceId", "")
        if instance_id:
            eni_by_instance[instance_id].append(eni)
        eid = eni["NetworkInterfaceId"]
        assets.append(
            NetworkInterface(
                provider=PROVIDER,
                account=account,
                region=region,
                id=_arn(region, account, "network-interface", eid),
                name=_tags(eni).get("Name", eid),
                tags=_tags(eni),
                interface_id=eid,
                interface_type=eni.get("InterfaceType", "interface"),
                description=eni.get("Description", ""),
                status=eni.get("Status", ""),
                vpc_id=eni.get("VpcId", ""),
                subnet_id=eni.get("SubnetId", ""),
                private_ips=tuple(p["PrivateIpAddress"] for p in eni.get("PrivateIpAddresses", [])),
                public_ips=public,
                security_group_ids=sg_ids,
                instance_id=instance_id,
                requester_managed=bool(eni.get("RequesterManaged")),
                endpoints=_endpoints(public, (groups[g] for g in sg_ids if g in groups)),
            )
        )

    reservations = raw.get("reservations", [])
    assets.extend(
        _instance(account, region, inst, eni_by_instance, groups)
        for res in ([] if isinstance(reservations, Failed) else reservations)
        for inst in res.get("Instances", [])
    )

    addresses = raw.get("addresses", [])
    for addr in [] if isinstance(addresses, Failed) else addresses:
        ident = addr.get("AllocationId") or addr["PublicIp"]
        assets.append(
            ElasticIp(
                provider=PROVIDER,
                account=account,
                region=region,
                id=_arn(region, account, "elastic-ip", ident),
                name=_tags(addr).get("Name", addr["PublicIp"]),
                tags=_tags(addr),
                public_ip=addr["PublicIp"],
                allocation_id=addr.get("AllocationId", ""),
                association_id=addr.get("AssociationId", ""),
                instance_id=addr.get("InstanceId", ""),
                network_interface_id=addr.get("NetworkInterfaceId", ""),
                private_ip=addr.get("PrivateIpAddress", ""),
            )
        )
    assets.extend(to_network_assets(account, region, raw.get("subnets", []), raw.get("route_tables", [])))
    return assets


def _route(raw: Mapping[str, Any]) -> Route:
    destination = raw.get("DestinationCidrBlock") or raw.get("DestinationIpv6CidrBlock")
    target = next(
        (
            str(raw[key])
            for key in (
                "GatewayId",
                "NatGatewayId",
                "TransitGatewayId",
                "VpcPeeringConnectionId",
                "NetworkInterfaceId",
                "InstanceId",
                "EgressOnlyInternetGatewayId",
                "LocalGatewayId",
                "CarrierGatewayId",
                "CoreNetworkArn",
            )
            if raw.get(key)
        ),
        "",
    )
    return Route(
        destination=str(destination or raw.get("DestinationPrefixListId", "")),
        target=target,
        state=str(raw.get("State", "active")),
    )


def to_route_table(account: str, region: str, raw: Mapping[str, Any]) -> RouteTable:
    """A :class:`RouteTable` from one DescribeRouteTables item."""
    rid = str(raw["RouteTableId"])
    associations = raw.get("Associations", []) or []
    return RouteTable(
        provider=PROVIDER,
        account=account,
        region=region,
        id=_arn(region, account, "route-table", rid),
        name=_tags(raw).get("Name", rid),
        tags=_tags(raw),
        route_table_id=rid,
        vpc_id=str(raw.get("VpcId", "")),
        main=any(a.get("Main") for a in associations),
        subnet_ids=tuple(str(a["SubnetId"]) for a in associations if a.get("SubnetId")),
        routes=tuple(_route(r) for r in raw.get("Routes", []) or []),
    )


def to_network_assets(
    account: str, region: str, subnets: list[Raw] | Failed, route_tables: list[Raw] | Failed
) -> list[Asset]:
    """Route tables, and subnets joined with the table that governs them (explicit, else main)."""
    tables = (
        [] if isinstance(route_tables, Failed) else [to_route_table(account, region, r) for r in route_tables]
    )
    explicit = {sid: t for t in tables for sid in t.subnet_ids}
    main = {t.vpc_id: t for t in tables if t.main}
    unread = (
        dict.fromkeys(("route_table_id", "internet_routes"), route_tables.reason("DescribeRouteTables"))
        if isinstance(route_tables, Failed)
        else {}
    )
    assets: list[Asset] = list(tables)
    for raw in [] if isinstance(subnets, Failed) else subnets:
        sid = str(raw["SubnetId"])
        vpc = str(raw.get("VpcId", ""))
        table = explicit.get(sid) or main.get(vpc)
        assets.append(
            Subnet(
                provider=PROVIDER,
                account=account,
                region=region,
                id=str(raw.get("SubnetArn") or _arn(region, account, "subnet", sid)),
                name=_tags(raw).get("Name", sid),
                tags=_tags(raw),
                unread=dict(unread),
                subnet_id=sid,
                vpc_id=vpc,
                availability_zone=str(raw.get("AvailabilityZone", "")),
                cidr_block=str(raw.get("CidrBlock", "")),
                map_public_ip_on_launch=bool(raw.get("MapPublicIpOnLaunch")),
                route_table_id=table.route_table_id if table else "",
                internet_routes=tuple(r for r in table.routes if r.to_internet_gateway) if table else (),
            )
        )
    return assets


def _instance(
    account: str,
    region: str,
    inst: Mapping[str, Any],
    eni_by_instance: Mapping[str, list[Mapping[str, Any]]],
    groups: Mapping[str, SecurityGroup],
) -> Instance:
    iid = inst["InstanceId"]
    enis = eni_by_instance.get(iid) or inst.get("NetworkInterfaces", [])
    public = [inst.get("PublicIpAddress")] + [ip for e in enis for ip in _eni_public_ips(e)]
    public_ips = tuple(dict.fromkeys(ip for ip in public if ip))
    sg_ids = tuple(
        dict.fromkeys(
            [g["GroupId"] for g in inst.get("SecurityGroups", [])]
            + [g["GroupId"] for e in enis for g in e.get("Groups", [])]
        )
    )
    return Instance(
        provider=PROVIDER,
        account=account,
        region=region,
        id=_arn(region, account, "instance", iid),
        name=_tags(inst).get("Name", iid),
        tags=_tags(inst),
        instance_id=iid,
        state=inst.get("State", {}).get("Name", ""),
        instance_type=inst.get("InstanceType", ""),
        image_id=inst.get("ImageId", ""),
        public_ips=public_ips,
        private_ips=tuple(ip for ip in [inst.get("PrivateIpAddress")] if ip),
        network_interface_ids=tuple(e["NetworkInterfaceId"] for e in enis if "NetworkInterfaceId" in e),
        security_group_ids=sg_ids,
        public_dns_name=inst.get("PublicDnsName", ""),
        subnet_ids=tuple(
            dict.fromkeys(s for s in [inst.get("SubnetId")] + [e.get("SubnetId") for e in enis] if s)
        ),
        endpoints=_endpoints(public_ips, (groups[g] for g in sg_ids if g in groups)),
    )


COLLECTOR = ServiceCollector(service=SERVICE, regional=True, collect=collect_ec2, permissions=PERMISSIONS)
