"""Typed AWS asset models: what the collectors produce and the checks read."""

from __future__ import annotations

from typing import Any, Literal

from cloudaudit.compact import Frozen
from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit.model.network import AddressRole

PROVIDER = "aws"


def security_group_arns(asset: Asset, group_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The asset ids of security groups of ``asset``'s account and region."""
    return tuple(f"arn:aws:ec2:{asset.region}:{asset.account}:security-group/{g}" for g in group_ids)


class _Frozen(Frozen):
    """A frozen value object (its set of given field names shared)."""


class AclGrant(_Frozen):
    """One grant of an S3 ACL."""

    grantee_type: str
    """CanonicalUser, Group or AmazonCustomerByEmail."""
    grantee: str
    """The group URI, canonical user id or e-mail."""
    permission: str
    """READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL."""


class PublicAccessBlock(_Frozen):
    """The four S3 Block Public Access switches."""

    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    @property
    def fully_enabled(self) -> bool:
        """All four switches are on."""
        return all(
            (
                self.block_public_acls,
                self.ignore_public_acls,
                self.block_public_policy,
                self.restrict_public_buckets,
            )
        )


class CorsRule(_Frozen):
    """One S3 CORS rule."""

    allowed_origins: tuple[str, ...] = ()
    allowed_methods: tuple[str, ...] = ()
    allowed_headers: tuple[str, ...] = ()


@asset_kind("aws.s3.bucket", service="s3")
class S3Bucket(Asset):
    """An S3 bucket with its access and hardening configuration."""

    creation_date: str = ""
    owner_id: str = ""
    acl_grants: tuple[AclGrant, ...] = ()
    policy: dict[str, Any] | None = None
    """The bucket policy document, None when the bucket has none."""
    policy_error: str = ""
    """Set when the policy text could not be parsed as JSON."""
    policy_is_public: bool | None = None
    """AWS's own verdict (GetBucketPolicyStatus), None when there is no policy."""
    public_access_block: PublicAccessBlock | None = None
    """Bucket-level Block Public Access; None when not configured (all off)."""
    object_ownership: str | None = None
    """BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter; None when not configured."""
    website: dict[str, Any] | None = None
    """Static website hosting configuration, None when disabled."""
    encryption: tuple[dict[str, Any], ...] = ()
    """Default encryption rules; empty when none is configured."""
    versioning: str = ""
    """Enabled, Suspended, or empty when never enabled."""
    mfa_delete: str = ""
    logging_target: str | None = None
    """Target bucket of server access logs, None when logging is off."""
    cors_rules: tuple[CorsRule, ...] = ()


@asset_kind("aws.s3.account_settings", service="s3")
class S3AccountSettings(Asset):
    """Account-wide S3 settings (Block Public Access at account level)."""

    public_access_block: PublicAccessBlock | None = None


class IngressRule(_Frozen):
    """One source of one inbound security group permission."""

    protocol: str
    """tcp, udp, icmp, icmpv6, all, or an IP protocol number."""
    from_port: int
    to_port: int
    source: str
    """A CIDR, a prefix list id or a security group id."""
    source_kind: Literal["cidr4", "cidr6", "prefix_list", "security_group"]
    description: str = ""

    @property
    def from_anywhere(self) -> bool:
        """The source is the whole Internet (0.0.0.0/0 or ::/0)."""
        return self.source in ("0.0.0.0/0", "::/0")

    @property
    def all_traffic(self) -> bool:
        """All protocols and ports (or every TCP/UDP port)."""
        return self.protocol == "all" or (
            self.protocol in ("tcp", "udp") and self.from_port <= 0 and self.to_port >= 65535
        )

    def covers(self, port: int) -> bool:
        """True when this rule lets ``port`` in (TCP/UDP or all traffic)."""
        if self.protocol == "all":
            return True
        return self.protocol in ("tcp", "udp") and self.from_port <= port <= self.to_port

    def label(self) -> str:
        """A short human form: ``tcp/22 from 0.0.0.0/0``."""
        if self.protocol == "all":
            ports = "all traffic"
        elif self.from_port == self.to_port:
            ports = f"{self.protocol}/{self.from_port}"
        else:
            ports = f"{self.protocol}/{self.from_port}-{self.to_port}"
        return f"{ports} from {self.source}"


@asset_kind("aws.ec2.security_group", service="ec2")
class SecurityGroup(Asset):
    """A VPC security group, with where it is attached."""

    address_role = AddressRole.FIREWALL

    group_id: str
    vpc_id: str = ""
    description: str = ""
    is_default: bool = False
    ingress: tuple[IngressRule, ...] = ()
    egress_rule_count: int = 0
    attached_interfaces: tuple[str, ...] = ()
    """Network interface ids using this group."""
    public_ips: tuple[str, ...] = ()
    """Public IPs of the interfaces using this group."""

    def public_addresses(self) -> tuple[str, ...]:
        """The public IPs of the interfaces the group protects (observations there concern it too)."""
        return self.public_ips


@asset_kind("aws.ec2.network_interface", service="ec2")
class NetworkInterface(Asset):
    """An elastic network interface; Internet-facing ones carry endpoints."""

    address_role = AddressRole.INTERFACE

    interface_id: str
    interface_type: str = "interface"
    description: str = ""
    status: str = ""
    vpc_id: str = ""
    subnet_id: str = ""
    private_ips: tuple[str, ...] = ()
    public_ips: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    instance_id: str = ""
    requester_managed: bool = False

    def public_addresses(self) -> tuple[str, ...]:
        """Every public IP of the interface."""
        return tuple(dict.fromkeys((*self.public_ips, *super().public_addresses())))


@asset_kind("aws.ec2.instance", service="ec2")
class Instance(Asset):
    """An EC2 instance and the addresses it answers on."""

    instance_id: str
    state: str = ""
    instance_type: str = ""
    image_id: str = ""
    public_ips: tuple[str, ...] = ()
    private_ips: tuple[str, ...] = ()
    network_interface_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    public_dns_name: str = ""
    subnet_ids: tuple[str, ...] = ()
    """Subnets of the instance's network interfaces."""

    def public_addresses(self) -> tuple[str, ...]:
        """Every public IP of the instance (its public DNS name only resolves to one of them)."""
        return tuple(dict.fromkeys((*self.public_ips, *super().public_addresses())))


@asset_kind("aws.ec2.elastic_ip", service="ec2")
class ElasticIp(Asset):
    """An Elastic IP address and what it is attached to."""

    address_role = AddressRole.RESERVED_ADDRESS

    public_ip: str
    allocation_id: str = ""
    association_id: str = ""
    instance_id: str = ""
    network_interface_id: str = ""
    private_ip: str = ""

    def public_addresses(self) -> tuple[str, ...]:
        """The Elastic IP itself."""
        return (self.public_ip,)


class Route(_Frozen):
    """One route of a route table."""

    destination: str
    """An IPv4/IPv6 CIDR or a prefix list id."""
    target: str
    """The gateway, NAT gateway, interface, peering connection... the route sends traffic to."""
    state: str = "active"

    @property
    def to_internet_gateway(self) -> bool:
        """A default route (0.0.0.0/0 or ::/0) to an Internet gateway that is not a blackhole.

        Egress-only Internet gateways (``eigw-``) let no connection in, so they do not count.
        """
        return (
            self.destination in ("0.0.0.0/0", "::/0")
            and self.target.startswith("igw-")
            and self.state != "blackhole"
        )

    def label(self) -> str:
        """``0.0.0.0/0 -> igw-0abc``."""
        return f"{self.destination} -> {self.target}"


@asset_kind("aws.ec2.route_table", service="ec2")
class RouteTable(Asset):
    """A VPC route table and the subnets explicitly associated with it."""

    route_table_id: str
    vpc_id: str = ""
    main: bool = False
    """The VPC's main table: it routes every subnet without an explicit association."""
    subnet_ids: tuple[str, ...] = ()
    routes: tuple[Route, ...] = ()


@asset_kind("aws.ec2.subnet", service="ec2")
class Subnet(Asset):
    """A VPC subnet, joined at collection with the route table that governs it."""

    subnet_id: str
    vpc_id: str = ""
    availability_zone: str = ""
    cidr_block: str = ""
    map_public_ip_on_launch: bool = False
    route_table_id: str = ""
    """Explicitly associated table, else the VPC's main table; empty when none was found."""
    internet_routes: tuple[Route, ...] = ()
    """Default routes of that table to an Internet gateway (the subnet is "public")."""


ALL_ASSETS: tuple[type[Asset], ...] = (
    S3Bucket,
    S3AccountSettings,
    SecurityGroup,
    NetworkInterface,
    Instance,
    ElasticIp,
    RouteTable,
    Subnet,
)
