"""Pass/fail fixtures of every ElastiCache check (merged into test_checks_aws.py's table).

Network context: ``PUBLIC_SUBNET`` routes 0.0.0.0/0 to an Internet gateway, ``PRIVATE_SUBNET``
only to a NAT gateway; ``sg-redis-open`` opens 6379 to the Internet, ``sg-cache-vpc`` allows the
cache ports from the VPC only.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_build_databases import (
    BUILT_IN_DEFAULT,
    DEFAULT_OFF,
    cache_cluster,
    cache_group,
    cache_user,
    cc_arn,
    memcached,
    rg_arn,
    user_group,
)
from aws_builders import ANYWHERE6, PRIVATE_SUBNET, PUBLIC_SUBNET, network, rule, security_group, tcp
from aws_cases import CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_aws.assets_elasticache import CacheCluster, CacheReplicationGroup, CacheUserGroup

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

CONTEXT = (
    *network(),
    security_group("sg-redis-open", [tcp(6379)]),
    security_group("sg-redis-v6", [tcp(6379, ANYWHERE6)]),
    security_group("sg-memcached-open", [rule("tcp", 11211, 11212, "0.0.0.0/0")]),
    security_group("sg-cache-vpc", [tcp(6379, "10.0.0.0/16"), tcp(11212, "10.0.0.0/16")]),
    security_group("sg-cache-app", [tcp(6380, "sg-0app0000000000000")]),
)
NO_AUTH = {"auth_token_enabled": False, "port": 6379}
PUBLIC_OPEN = {"subnet_ids": (PUBLIC_SUBNET,), "security_group_ids": ("sg-redis-open",)}
UNREAD_SUBNETS = {"subnet_ids": "member clusters (x-001) not listed by DescribeCacheClusters"}
IGW = "routes 0.0.0.0/0 -> igw-0123456789abcdef0"
APP = cache_user("app-writer")
CLOSED_USERS = user_group("app-users", DEFAULT_OFF, APP)
OPEN_USERS = user_group("legacy-users", BUILT_IN_DEFAULT, APP)


def rbac(*groups: CacheUserGroup) -> dict[str, object]:
    """A group's RBAC attributes: no AUTH token, ``groups`` attached (and read)."""
    return {
        "auth_token_enabled": False,
        "user_group_ids": tuple(g.user_group_id for g in groups),
        "user_groups": groups,
    }


# ------------------------------------------------------------------------------------ authentication

_GROUP_AUTH = case(
    *CONTEXT,
    cache_group("rg-auth-token"),
    cache_group("rg-rbac", **rbac(CLOSED_USERS)),
    cache_group(
        "rg-rbac-iam",
        **rbac(
            user_group("iam-users", DEFAULT_OFF, cache_user("svc", auth="iam", access="on ~svc:* +@read"))
        ),
    ),
    # Enabled and without a password, but granted no command: nothing to do but AUTH as someone else.
    cache_group(
        "rg-rbac-default-no-commands",
        **rbac(user_group("fenced", cache_user("default", auth="no-password", access="on ~* -@all"), APP)),
    ),
    # The defect: a user group is attached, yet it still holds the built-in default user.
    cache_group("rg-rbac-default-open", **rbac(OPEN_USERS)),
    cache_group("rg-rbac-default-open-public", **rbac(OPEN_USERS), **PUBLIC_OPEN, port=6379),
    cache_group("rg-rbac-one-open-group", **rbac(CLOSED_USERS, OPEN_USERS)),
    # A default user named so but with its own id, no password and no "off".
    cache_group(
        "rg-rbac-custom-default-open",
        **rbac(
            user_group("custom", cache_user("my-default", "default", auth="no-password", access="+get ~*"))
        ),
    ),
    # Another user without a password: AUTH with its name and any password gets in.
    cache_group(
        "rg-rbac-nopass-user",
        **rbac(
            user_group(
                "reports", DEFAULT_OFF, cache_user("reporting", auth="no-password", access="on ~rep:* +@read")
            )
        ),
    ),
    cache_group(
        "rg-rbac-users-denied",
        auth_token_enabled=False,
        user_group_ids=("app-users",),
        unread={"user_groups": "AccessDenied on DescribeUsers"},
    ),
    # Attached user group whose users the inventory does not hold (e.g. an older inventory.json).
    cache_group("rg-rbac-users-absent", auth_token_enabled=False, user_group_ids=("app-users",)),
    cache_group("rg-noauth-private", **NO_AUTH),
    cache_group("rg-noauth-public-open", **NO_AUTH, **PUBLIC_OPEN),
    cache_group(
        "rg-noauth-public-v6", **NO_AUTH, subnet_ids=(PUBLIC_SUBNET,), security_group_ids=("sg-redis-v6",)
    ),
    cache_group(
        "rg-noauth-public-vpc-only",
        **NO_AUTH,
        subnet_ids=(PUBLIC_SUBNET,),
        security_group_ids=("sg-cache-vpc",),
    ),
    # Open group, but the cache's own port is 6380: the 6379 rule does not let it in.
    cache_group("rg-noauth-other-port", auth_token_enabled=False, port=6380, **PUBLIC_OPEN),
    cache_group("rg-noauth-private-open", **NO_AUTH, security_group_ids=("sg-redis-open",)),
    cache_group("rg-noauth-network-unread", **NO_AUTH, subnet_ids=(), unread=UNREAD_SUBNETS),
    cache_group("rg-valkey-noauth", **NO_AUTH, engine="valkey", **PUBLIC_OPEN),
    cache_group(
        "rg-noauth-public-sg-gone", **NO_AUTH, subnet_ids=(PUBLIC_SUBNET,), security_group_ids=("sg-gone",)
    ),
    cache_group("rg-auth-unread", unread={"auth_token_enabled": "AccessDenied on DescribeReplicationGroups"}),
    failing={
        rg_arn("rg-noauth-private"): HIGH,
        rg_arn("rg-noauth-public-open"): CRITICAL,
        rg_arn("rg-noauth-public-v6"): CRITICAL,
        rg_arn("rg-noauth-public-vpc-only"): HIGH,
        rg_arn("rg-noauth-other-port"): HIGH,
        rg_arn("rg-noauth-private-open"): HIGH,
        rg_arn("rg-noauth-network-unread"): HIGH,
        rg_arn("rg-valkey-noauth"): CRITICAL,
        rg_arn("rg-noauth-public-sg-gone"): HIGH,
        rg_arn("rg-rbac-default-open"): HIGH,
        rg_arn("rg-rbac-default-open-public"): CRITICAL,
        rg_arn("rg-rbac-one-open-group"): HIGH,
        rg_arn("rg-rbac-custom-default-open"): HIGH,
        rg_arn("rg-rbac-nopass-user"): HIGH,
    },
    passing={
        rg_arn("rg-auth-token"),
        rg_arn("rg-rbac"),
        rg_arn("rg-rbac-iam"),
        rg_arn("rg-rbac-default-no-commands"),
    },
    unknown={rg_arn("rg-auth-unread"), rg_arn("rg-rbac-users-denied"), rg_arn("rg-rbac-users-absent")},
    messages={
        rg_arn(
            "rg-noauth-public-open"
        ): "port 6379 is open to the Internet (sg-redis-open: tcp/6379 from 0.0.0.0/0)",
        rg_arn("rg-noauth-public-vpc-only"): "no security group opens port 6379 to the Internet",
        rg_arn("rg-noauth-private"): "without an AUTH token or RBAC user group",
        rg_arn("rg-noauth-network-unread"): "could not be determined (subnet_ids not collected)",
        rg_arn("rg-rbac"): "RBAC user group(s) app-users; no enabled user without a password",
        rg_arn("rg-rbac-default-open"): "accepts unauthenticated redis connections: RBAC user group "
        "legacy-users holds user default (id default) with authentication no-password and access "
        "string 'on ~* +@all'; none of its subnets routes",
        rg_arn("rg-rbac-default-open-public"): "port 6379 is open to the Internet",
        rg_arn("rg-rbac-one-open-group"): "RBAC user group legacy-users holds user default",
        rg_arn("rg-rbac-custom-default-open"): "holds user default (id my-default)",
        rg_arn("rg-rbac-nopass-user"): "accepts redis connections with any password: RBAC user group "
        "reports holds user reporting (id reporting)",
        rg_arn("rg-rbac-users-denied"): "AccessDenied on DescribeUsers",
        rg_arn("rg-rbac-users-absent"): "the users of RBAC user group(s) app-users were not collected",
        rg_arn(
            "rg-noauth-public-sg-gone"
        ): "its security group rules could not be judged (sg-gone not collected)",
    },
)

_CLUSTER_AUTH = case(
    *CONTEXT,
    cache_cluster("cc-redis-auth"),
    cache_cluster("cc-redis-noauth-public-open", **NO_AUTH, **PUBLIC_OPEN),
    cache_cluster("cc-redis-noauth-private", **NO_AUTH),
    cache_cluster("cc-valkey-noauth-public-open", **NO_AUTH, **PUBLIC_OPEN, engine="valkey"),
    # Memcached has no authentication to enable: not applicable wherever it sits (the subnet and
    # security group checks judge its placement).
    memcached("cc-mc-public-open", subnet_ids=(PUBLIC_SUBNET,), security_group_ids=("sg-memcached-open",)),
    memcached("cc-mc-public-vpc-only", subnet_ids=(PUBLIC_SUBNET,), security_group_ids=("sg-cache-vpc",)),
    memcached("cc-mc-private", security_group_ids=("sg-memcached-open",)),
    memcached("cc-mc-subnet-not-collected", subnet_ids=("subnet-gone",)),
    memcached("cc-mc-upper-case", engine="Memcached"),
    # An engine this check does not know: no verdict either way.
    cache_cluster("cc-unknown-engine", **NO_AUTH, engine="futurecache"),
    cache_cluster("cc-member", **NO_AUTH, replication_group_id="rg-noauth-private"),
    failing={
        cc_arn("cc-redis-noauth-public-open"): CRITICAL,
        cc_arn("cc-redis-noauth-private"): HIGH,
        cc_arn("cc-valkey-noauth-public-open"): CRITICAL,
    },
    passing={
        cc_arn("cc-redis-auth"),
        cc_arn("cc-mc-public-open"),
        cc_arn("cc-mc-public-vpc-only"),
        cc_arn("cc-mc-private"),
        cc_arn("cc-mc-subnet-not-collected"),
        cc_arn("cc-mc-upper-case"),
    },
    unknown={cc_arn("cc-unknown-engine")},
    silent={cc_arn("cc-member")},
    messages={
        cc_arn("cc-mc-public-open"): "runs Memcached: not applicable, ElastiCache has no client "
        "authentication for Memcached (AUTH tokens, RBAC user groups and IAM authentication exist for "
        "Valkey and Redis OSS only)",
        cc_arn("cc-mc-private"): "judged by aws.elasticache.cache_cluster_internet_routable_subnet and "
        "aws.ec2.sg_open_database_ports",
        cc_arn("cc-unknown-engine"): "runs engine 'futurecache': whether it can authenticate clients",
        cc_arn("cc-redis-noauth-public-open"): IGW,
        cc_arn("cc-valkey-noauth-public-open"): "accepts valkey connections without an AUTH token",
    },
)

# ------------------------------------------------------------------------------------ encryption

_GROUP_TRANSIT = case(
    cache_group("rg-tls-required"),
    cache_group("rg-tls-off", transit_encryption_enabled=False, transit_encryption_mode=""),
    cache_group("rg-tls-preferred", transit_encryption_mode="preferred"),
    failing={rg_arn("rg-tls-off"): MEDIUM, rg_arn("rg-tls-preferred"): LOW},
    passing={rg_arn("rg-tls-required")},
    messages={rg_arn("rg-tls-preferred"): "plaintext connections are still accepted"},
)

_CLUSTER_TRANSIT = case(
    cache_cluster("cc-tls-required"),
    memcached("cc-mc-tls-off", transit_encryption_enabled=False, transit_encryption_mode=""),
    cache_cluster("cc-tls-preferred", transit_encryption_mode="preferred"),
    cache_cluster("cc-member-tls-off", transit_encryption_enabled=False, replication_group_id="rg-1"),
    failing={cc_arn("cc-mc-tls-off"): MEDIUM, cc_arn("cc-tls-preferred"): LOW},
    passing={cc_arn("cc-tls-required")},
    silent={cc_arn("cc-member-tls-off")},
)

_GROUP_AT_REST = case(
    cache_group("rg-encrypted"),
    cache_group("rg-plain", at_rest_encryption_enabled=False),
    failing={rg_arn("rg-plain"): MEDIUM},
    passing={rg_arn("rg-encrypted")},
)

_CLUSTER_AT_REST = case(
    cache_cluster("cc-encrypted"),
    cache_cluster("cc-plain", at_rest_encryption_enabled=False),
    memcached("cc-memcached"),
    cache_cluster("cc-member-plain", at_rest_encryption_enabled=False, replication_group_id="rg-1"),
    failing={cc_arn("cc-plain"): MEDIUM},
    passing={cc_arn("cc-encrypted")},
    silent={cc_arn("cc-memcached"), cc_arn("cc-member-plain")},
)

# ------------------------------------------------------------------------------------ network placement

_GROUP_ROUTABLE = case(
    *CONTEXT,
    cache_group("rg-private"),
    cache_group("rg-public", subnet_ids=(PUBLIC_SUBNET,)),
    cache_group("rg-mixed", subnet_ids=(PRIVATE_SUBNET, PUBLIC_SUBNET)),
    cache_group("rg-subnet-not-collected", subnet_ids=("subnet-gone",)),
    cache_group("rg-subnets-unread", subnet_ids=(), unread=UNREAD_SUBNETS),
    failing={rg_arn("rg-public"): MEDIUM, rg_arn("rg-mixed"): MEDIUM},
    passing={rg_arn("rg-private")},
    unknown={rg_arn("rg-subnet-not-collected"), rg_arn("rg-subnets-unread")},
    messages={rg_arn("rg-public"): IGW, rg_arn("rg-subnet-not-collected"): "subnet-gone"},
)

_CLUSTER_ROUTABLE = case(
    *CONTEXT,
    memcached("cc-mc-private"),
    memcached("cc-mc-public", subnet_ids=(PUBLIC_SUBNET,)),
    cache_cluster("cc-member-public", subnet_ids=(PUBLIC_SUBNET,), replication_group_id="rg-1"),
    failing={cc_arn("cc-mc-public"): MEDIUM},
    passing={cc_arn("cc-mc-private")},
    silent={cc_arn("cc-member-public")},
    messages={cc_arn("cc-mc-public"): IGW},
)

_GROUP_DEFAULT_PORT = case(
    cache_group("rg-6379", port=6379),
    cache_group("rg-valkey-6379", engine="valkey", port=6379),
    cache_group("rg-6380"),
    cache_group(
        "rg-port-unread", port=0, unread={"port": "no endpoint in the DescribeReplicationGroups answer"}
    ),
    failing={rg_arn("rg-6379"): LOW, rg_arn("rg-valkey-6379"): LOW},
    passing={rg_arn("rg-6380")},
    unknown={rg_arn("rg-port-unread")},
)

_CLUSTER_DEFAULT_PORT = case(
    memcached("cc-mc-11211", port=11211),
    cache_cluster("cc-redis-6379", port=6379),
    memcached("cc-mc-11212"),
    cache_cluster("cc-exotic", engine="exotic", port=6379),
    failing={cc_arn("cc-mc-11211"): LOW, cc_arn("cc-redis-6379"): LOW},
    passing={cc_arn("cc-mc-11212")},
    silent={cc_arn("cc-exotic")},
    messages={cc_arn("cc-mc-11211"): "default port 11211"},
)

_GROUP_DEFAULT_SUBNET_GROUP = case(
    cache_group("rg-default-sng", subnet_group="default"),
    cache_group("rg-custom-sng"),
    cache_group(
        "rg-sng-unread", subnet_group="", unread={"subnet_group": "Throttling on DescribeCacheClusters"}
    ),
    failing={rg_arn("rg-default-sng"): LOW},
    passing={rg_arn("rg-custom-sng")},
    unknown={rg_arn("rg-sng-unread")},
)

_CLUSTER_DEFAULT_SUBNET_GROUP = case(
    memcached("cc-default-sng", subnet_group="default"),
    cache_cluster("cc-custom-sng"),
    cache_cluster("cc-classic", subnet_group="", subnet_ids=()),
    failing={cc_arn("cc-default-sng"): LOW},
    passing={cc_arn("cc-custom-sng")},
    silent={cc_arn("cc-classic")},
)

# ------------------------------------------------------------------------------------ resilience

_GROUP_BACKUPS = case(
    cache_group("rg-backups"),
    cache_group("rg-no-backups", snapshot_retention_limit=0),
    failing={rg_arn("rg-no-backups"): LOW},
    passing={rg_arn("rg-backups")},
)

_CLUSTER_BACKUPS = case(
    cache_cluster("cc-backups", snapshot_retention_limit=1),
    cache_cluster("cc-no-backups", snapshot_retention_limit=0),
    memcached("cc-memcached"),
    failing={cc_arn("cc-no-backups"): LOW},
    passing={cc_arn("cc-backups")},
    silent={cc_arn("cc-memcached")},
)

_GROUP_MINOR = case(
    cache_group("rg-minor"),
    cache_group("rg-no-minor", auto_minor_version_upgrade=False),
    failing={rg_arn("rg-no-minor"): LOW},
    passing={rg_arn("rg-minor")},
)

_CLUSTER_MINOR = case(
    memcached("cc-minor"),
    memcached("cc-no-minor", auto_minor_version_upgrade=False),
    cache_cluster("cc-member-no-minor", auto_minor_version_upgrade=False, replication_group_id="rg-1"),
    failing={cc_arn("cc-no-minor"): LOW},
    passing={cc_arn("cc-minor")},
    silent={cc_arn("cc-member-no-minor")},
)

_GROUP_FAILOVER = case(
    cache_group("rg-failover"),
    cache_group("rg-no-failover", automatic_failover="disabled"),
    failing={rg_arn("rg-no-failover"): LOW},
    passing={rg_arn("rg-failover")},
)

CASES: dict[str, CheckCase] = {
    "aws.elasticache.replication_group_auth_disabled": _GROUP_AUTH,
    "aws.elasticache.cache_cluster_auth_disabled": _CLUSTER_AUTH,
    "aws.elasticache.replication_group_transit_encryption": _GROUP_TRANSIT,
    "aws.elasticache.cache_cluster_transit_encryption": _CLUSTER_TRANSIT,
    "aws.elasticache.replication_group_at_rest_encryption": _GROUP_AT_REST,
    "aws.elasticache.cache_cluster_at_rest_encryption": _CLUSTER_AT_REST,
    "aws.elasticache.replication_group_internet_routable_subnet": _GROUP_ROUTABLE,
    "aws.elasticache.cache_cluster_internet_routable_subnet": _CLUSTER_ROUTABLE,
    "aws.elasticache.replication_group_default_port": _GROUP_DEFAULT_PORT,
    "aws.elasticache.cache_cluster_default_port": _CLUSTER_DEFAULT_PORT,
    "aws.elasticache.replication_group_default_subnet_group": _GROUP_DEFAULT_SUBNET_GROUP,
    "aws.elasticache.cache_cluster_default_subnet_group": _CLUSTER_DEFAULT_SUBNET_GROUP,
    "aws.elasticache.replication_group_backups": _GROUP_BACKUPS,
    "aws.elasticache.cache_cluster_backups": _CLUSTER_BACKUPS,
    "aws.elasticache.replication_group_auto_minor_upgrade": _GROUP_MINOR,
    "aws.elasticache.cache_cluster_auto_minor_upgrade": _CLUSTER_MINOR,
    "aws.elasticache.replication_group_automatic_failover": _GROUP_FAILOVER,
}

_WORST = {
    "engine": "redis",
    "port": 6379,
    "auth_token_enabled": False,
    "transit_encryption_enabled": False,
    "transit_encryption_mode": "",
    "at_rest_encryption_enabled": False,
    "snapshot_retention_limit": 0,
    "auto_minor_version_upgrade": False,
    "subnet_group": "default",
    "subnet_ids": (PUBLIC_SUBNET,),
    "security_group_ids": ("sg-worst",),
}

FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]] = {
    CacheReplicationGroup: lambda: cache_group("rg-worst", **_WORST, automatic_failover="disabled"),
    CacheCluster: lambda: cache_cluster("cc-worst", **_WORST),
}
"""Per asset kind, a resource every check of that kind fails (behind ``sg-worst`` + ``PUBLIC_SUBNET``)."""
