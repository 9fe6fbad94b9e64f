"""Build AWS assets for check tests, without any cloud or emulator.

Identifiers follow what the collectors produce (``cloudaudit_aws.collect``), so checks that
look assets up by ARN (an instance's security groups, a bucket's account settings) find them:

* bucket            ``arn:aws:s3:::{name}``
* account settings  ``arn:aws:s3::{account}:account-settings``
* security group    ``arn:aws:ec2:{region}:{account}:security-group/{gid}``
* instance          ``arn:aws:ec2:{region}:{account}:instance/{iid}``
* network interface ``arn:aws:ec2:{region}:{account}:network-interface/{eni}``
* subnet            ``arn:aws:ec2:{region}:{account}:subnet/{subnet_id}``
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from cloudaudit.model.asset import Asset
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit_aws.assets import (
    AclGrant,
    CorsRule,
    IngressRule,
    Instance,
    NetworkInterface,
    PublicAccessBlock,
    Route,
    S3AccountSettings,
    S3Bucket,
    SecurityGroup,
    Subnet,
)

PROVIDER = "aws"
ACCOUNT = "111122223333"
REGION = "us-east-1"
STARTED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
FINISHED = datetime(2024, 5, 1, 12, 3, 0, tzinfo=UTC)

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
OWNER_ID = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
ANYWHERE4 = "0.0.0.0/0"
ANYWHERE6 = "::/0"


# ----------------------------------------------------------------------------------------- identifiers


def bucket_arn(name: str) -> str:
    """The id the S3 collector gives a bucket."""
    return f"arn:aws:s3:::{name}"


def settings_arn(account: str = ACCOUNT) -> str:
    """The id of an account's S3 settings."""
    return f"arn:aws:s3::{account}:account-settings"


def ec2_arn(kind: str, ident: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """The id the EC2 collector gives a resource of ``kind`` (security-group, instance, ...)."""
    return f"arn:aws:ec2:{region}:{account}:{kind}/{ident}"


def sg_arn(gid: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """Security group id."""
    return ec2_arn("security-group", gid, region, account)


def instance_arn(iid: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """Instance id."""
    return ec2_arn("instance", iid, region, account)


def eni_arn(eni_id: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """Network interface id."""
    return ec2_arn("network-interface", eni_id, region, account)


# ----------------------------------------------------------------------------------------------- S3


def bucket(name: str, region: str = REGION, **attrs: Any) -> S3Bucket:
    """A bucket in ``ACCOUNT`` with the model's defaults; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "provider": PROVIDER,
        "account": ACCOUNT,
        "region": region,
        "id": bucket_arn(name),
        "name": name,
    }
    fields.update(attrs)
    return S3Bucket(**fields)


def hardened_bucket(name: str, region: str = REGION, **attrs: Any) -> S3Bucket:
    """A bucket that passes every S3 hardening check; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "acl_grants": (owner_grant(),),
        "owner_id": OWNER_ID,
        "policy": policy(tls_deny_statement(name)),
        "policy_is_public": False,
        "public_access_block": full_pab(),
        "object_ownership": "BucketOwnerEnforced",
        "encryption": (sse_kms_rule(),),
        "versioning": "Enabled",
        "logging_target": "central-access-logs",
    }
    fields.update(attrs)
    return bucket(name, region, **fields)


def full_pab() -> PublicAccessBlock:
    """All four Block Public Access switches on."""
    return PublicAccessBlock(
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=True,
        restrict_public_buckets=True,
    )


def pab(**switches: bool) -> PublicAccessBlock:
    """A Block Public Access configuration with only the given switches on."""
    return PublicAccessBlock(**switches)


def account_settings(
    pab: PublicAccessBlock | None,
    unread: Mapping[str, str] | None = None,
    account: str = ACCOUNT,
    region: str = REGION,
) -> S3AccountSettings:
    """An account's S3 settings (account-level Block Public Access)."""
    return S3AccountSettings(
        provider=PROVIDER,
        account=account,
        region=region,
        id=settings_arn(account),
        name=f"S3 account settings ({account})",
        public_access_block=pab,
        unread=dict(unread or {}),
    )


def acl_grant(permission: str, grantee: str = ALL_USERS) -> AclGrant:
    """An ACL grant; to AllUsers unless ``grantee`` says otherwise."""
    grantee_type = "Group" if grantee.startswith("http://acs.amazonaws.com/groups/") else "CanonicalUser"
    return AclGrant(grantee_type=grantee_type, grantee=grantee, permission=permission)


def owner_grant() -> AclGrant:
    """The bucket owner's FULL_CONTROL grant every bucket has."""
    return acl_grant("FULL_CONTROL", OWNER_ID)


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    """A policy document."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow_anyone(
    name: str,
    actions: str | list[str] = "s3:GetObject",
    condition: dict[str, Any] | None = None,
    sid: str = "Public",
) -> dict[str, Any]:
    """An Allow statement for Principal "*" on the bucket's objects."""
    stmt: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": "*",
        "Action": actions,
        "Resource": [bucket_arn(name), f"{bucket_arn(name)}/*"],
    }
    if condition is not None:
        stmt["Condition"] = condition
    return stmt


def tls_deny_statement(name: str, secure_transport: str = "false") -> dict[str, Any]:
    """Deny every S3 action to anyone when aws:SecureTransport is ``secure_transport``."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn(name), f"{bucket_arn(name)}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": secure_transport}},
    }


def public_policy(name: str, actions: str | list[str] = "s3:GetObject", **cond: Any) -> dict[str, Any]:
    """A policy letting anyone do ``actions`` on the bucket's objects."""
    return policy(allow_anyone(name, actions, cond or None))


def sse_kms_rule() -> dict[str, Any]:
    """A default-encryption rule (SSE-KMS)."""
    return {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}, "BucketKeyEnabled": True}


def cors(origins: Iterable[str], methods: Iterable[str] = ("GET",)) -> CorsRule:
    """One CORS rule."""
    return CorsRule(allowed_origins=tuple(origins), allowed_methods=tuple(methods), allowed_headers=("*",))


WEBSITE = {"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}}


# ---------------------------------------------------------------------------------------------- EC2


def rule(proto: str, from_port: int, to_port: int, source: str, description: str = "") -> IngressRule:
    """An ingress rule; ``source_kind`` is inferred from ``source``.

    ``0.0.0.0/0`` and other IPv4 CIDRs -> cidr4, ``::/0`` and other IPv6 CIDRs -> cidr6,
    ``pl-...`` -> prefix_list, ``sg-...`` -> security_group.
    """
    if source.startswith("pl-"):
        kind = "prefix_list"
    elif source.startswith("sg-"):
        kind = "security_group"
    elif ":" in source:
        kind = "cidr6"
    else:
        kind = "cidr4"
    if proto == "all":
        from_port, to_port = 0, 65535
    return IngressRule(
        protocol=proto,
        from_port=from_port,
        to_port=to_port,
        source=source,
        source_kind=kind,
        description=description,
    )


def tcp(port: int, source: str = ANYWHERE4) -> IngressRule:
    """One TCP port from ``source`` (the whole IPv4 Internet by default)."""
    return rule("tcp", port, port, source)


def all_traffic(source: str = ANYWHERE4) -> IngressRule:
    """All protocols and ports from ``source``."""
    return rule("all", 0, 65535, source)


def security_group(
    gid: str,
    ingress: Iterable[IngressRule] = (),
    public_ips: Iterable[str] = (),
    attached: Iterable[str] = (),
    is_default: bool = False,
    region: str = REGION,
    account: str = ACCOUNT,
    name: str | None = None,
    vpc_id: str = "vpc-0a1b2c3d4e5f60718",
    egress_rule_count: int = 0,
    unread: Mapping[str, str] | None = None,
    tags: Mapping[str, str] | None = None,
) -> SecurityGroup:
    """A security group.

    A group with public IPs is necessarily attached to an interface: when ``public_ips`` is given
    without ``attached``, one interface ``eni-<gid suffix>`` is recorded.
    """
    ips = tuple(public_ips)
    interfaces = tuple(attached) or ((f"eni-{gid.removeprefix('sg-')}",) if ips else ())
    return SecurityGroup(
        provider=PROVIDER,
        account=account,
        region=region,
        id=sg_arn(gid, region, account),
        name=name or ("default" if is_default else f"{gid}-name"),
        tags=dict(tags or {}),
        group_id=gid,
        vpc_id=vpc_id,
        description="default VPC security group" if is_default else f"group {gid}",
        is_default=is_default,
        ingress=tuple(ingress),
        egress_rule_count=egress_rule_count,
        attached_interfaces=interfaces,
        public_ips=ips,
        unread=dict(unread or {}),
    )


def instance(
    iid: str,
    public_ips: Iterable[str],
    sg_ids: Iterable[str],
    state: str = "running",
    region: str = REGION,
    account: str = ACCOUNT,
    tags: Mapping[str, str] | None = None,
) -> Instance:
    """An EC2 instance with its public IPs and security groups."""
    return Instance(
        provider=PROVIDER,
        account=account,
        region=region,
        id=instance_arn(iid, region, account),
        name=iid,
        tags=dict(tags or {}),
        instance_id=iid,
        state=state,
        instance_type="t3.micro",
        image_id="ami-0123456789abcdef0",
        public_ips=tuple(public_ips),
        private_ips=("10.0.1.10",),
        network_interface_ids=(f"eni-{iid.removeprefix('i-')}",),
        security_group_ids=tuple(sg_ids),
    )


def interface(
    eni_id: str,
    public_ips: Iterable[str],
    sg_ids: Iterable[str],
    instance_id: str = "",
    region: str = REGION,
    account: str = ACCOUNT,
) -> NetworkInterface:
    """An elastic network interface, standalone unless ``instance_id`` is given."""
    return NetworkInterface(
        provider=PROVIDER,
        account=account,
        region=region,
        id=eni_arn(eni_id, region, account),
        name=eni_id,
        interface_id=eni_id,
        status="in-use",
        vpc_id="vpc-0a1b2c3d4e5f60718",
        subnet_id="subnet-0a1b2c3d",
        private_ips=("10.0.2.20",),
        public_ips=tuple(public_ips),
        security_group_ids=tuple(sg_ids),
        instance_id=instance_id,
    )


PUBLIC_SUBNET = "subnet-public"
PRIVATE_SUBNET = "subnet-private"


def subnet_arn(sid: str, region: str = REGION, account: str = ACCOUNT) -> str:
    """The id the EC2 collector gives a subnet."""
    return ec2_arn("subnet", sid, region, account)


def igw_route(
    destination: str = ANYWHERE4, target: str = "igw-0123456789abcdef0", state: str = "active"
) -> Route:
    """A default route to an Internet gateway (a blackhole when ``state`` says so)."""
    return Route(destination=destination, target=target, state=state)


def subnet(
    sid: str,
    *routes: Route,
    region: str = REGION,
    account: str = ACCOUNT,
    unread: Mapping[str, str] | None = None,
) -> Subnet:
    """A subnet governed by a table with ``routes`` (only those to an IGW are kept, as collected)."""
    return Subnet(
        provider=PROVIDER,
        account=account,
        region=region,
        id=subnet_arn(sid, region, account),
        name=sid,
        subnet_id=sid,
        vpc_id="vpc-0a1b2c3d4e5f60718",
        availability_zone=f"{region}a",
        route_table_id=f"rtb-{sid.removeprefix('subnet-')}",
        internet_routes=tuple(r for r in routes if r.to_internet_gateway),
        unread=dict(unread or {}),
    )


def network() -> tuple[Subnet, Subnet]:
    """``PUBLIC_SUBNET`` (0.0.0.0/0 -> IGW) and ``PRIVATE_SUBNET`` (default route to a NAT gateway)."""
    return subnet(PUBLIC_SUBNET, igw_route()), subnet(
        PRIVATE_SUBNET, Route(destination=ANYWHERE4, target="nat-0123456789abcdef0")
    )


# ----------------------------------------------------------------------------------------- inventory


def inventory(*assets: Asset) -> Inventory:
    """An inventory of ``assets`` with a fixed AWS scan scope."""
    accounts = tuple(dict.fromkeys(a.account for a in assets)) or (ACCOUNT,)
    regions = tuple(dict.fromkeys(a.region for a in assets)) or (REGION,)
    return Inventory(
        scope=ScanScope(
            provider=PROVIDER, accounts=accounts, regions=regions, started=STARTED, finished=FINISHED
        ),
        assets=assets,
    )
