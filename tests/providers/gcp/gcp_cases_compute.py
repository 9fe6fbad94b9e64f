"""Pass/fail tables of the Compute Engine checks (firewall rules graded by reach, instances, networks)."""

from __future__ import annotations

from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_gcp.assets import full_name
from cloudaudit_gcp.assets_compute import ForwardingRule, StaticAddress
from gcp_build_compute import SA, deny, network, rule, vm
from gcp_cases import COMMON, PROJECT, REGION, CheckCase, case

C, H, M, L, INFO = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO
UNREAD = {"exposed_addresses": "HTTP 403 on compute.instances.aggregatedList"}

# Instances, one per tag the rules below target.
PUB = vm("pub", "192.0.2.10", network_tags=("pub",))
PUB2 = vm("pub2", "192.0.2.14", network_tags=("pub2",))
PRIV = vm("priv", internal="10.128.0.3", network_tags=("priv",))
SHUT = vm("shut", "192.0.2.11", network_tags=("shut",))
STOP = vm("stop", "192.0.2.12", network_tags=("stop",), status="TERMINATED")
SA_VM = vm("sa-vm", "192.0.2.13", service_accounts=(SA,))
HOSTS = (PUB, PUB2, PRIV, SHUT, STOP, SA_VM)

# ---------------------------------------------------------------------------------- all ports

ALL_PUBLIC = rule("all-public", "all", target_tags=("pub",))
ALL_PRIVATE = rule("all-private", "all", target_tags=("priv",))
ALL_NOTHING = rule("all-nothing", "tcp", target_tags=("ghost",))
ALL_SHADOWED = rule("all-shadowed", "all", target_tags=("shut",))
DENY_SHUT = deny("deny-shut", "all", priority=10, target_tags=("shut",))
ALL_STOPPED = rule("all-stopped", "all", target_tags=("stop",))
ALL_SA = rule("all-sa", "all", target_service_accounts=(SA,))
ALL_UNREAD = rule("all-unread", "all", target_tags=("ghost",), unread=UNREAD)
ALL_DISABLED = rule("all-disabled", "all", target_tags=("pub",), disabled=True)
ALL_EGRESS = rule("all-egress", "all", direction="EGRESS", sources=(), destination_ranges=("0.0.0.0/0",))
ALL_INTERNAL = rule("all-internal", "all", sources=("10.128.0.0/9",))
SSH_ONLY = rule("ssh-only", "tcp:22", target_tags=("ghost",))

_ALL_PORTS = case(
    *HOSTS,
    ALL_PUBLIC,
    ALL_PRIVATE,
    ALL_NOTHING,
    ALL_SHADOWED,
    DENY_SHUT,
    ALL_STOPPED,
    ALL_SA,
    ALL_UNREAD,
    ALL_DISABLED,
    ALL_EGRESS,
    ALL_INTERNAL,
    SSH_ONLY,
    failing={
        ALL_PUBLIC.id: C,
        ALL_PRIVATE.id: M,
        ALL_NOTHING.id: L,
        ALL_SHADOWED.id: M,
        ALL_STOPPED.id: M,
        ALL_SA.id: C,
        ALL_UNREAD.id: C,
    },
    passing=[DENY_SHUT.id, ALL_DISABLED.id, ALL_EGRESS.id, ALL_INTERNAL.id, SSH_ONLY.id],
    messages={
        ALL_PUBLIC.id: "exposes 192.0.2.10 (pub)",
        ALL_PRIVATE.id: "only instances without an external address",
        ALL_NOTHING.id: "targets no instance",
        ALL_SHADOWED.id: "higher-priority deny",
        ALL_UNREAD.id: "could not be read",
        ALL_DISABLED.id: "disabled",
        ALL_EGRESS.id: "egress rule",
        DENY_SHUT.id: "opens nothing",
        ALL_INTERNAL.id: "does not allow the whole Internet",
    },
)

# ---------------------------------------------------------------------------------- admin ports

SSH_PUBLIC = rule("ssh-public", "tcp:22", target_tags=("pub",))
RDP_SHADOWED = rule("rdp-shadowed", "tcp:3389", target_tags=("shut",))
DENY_RDP = deny("deny-rdp", "tcp:3389", priority=100, target_tags=("shut",))
WINRM_PRIVATE = rule("winrm-private", "tcp:5985-5986", target_tags=("priv",))
SSH_NOTHING = rule("ssh-nothing", "tcp:22", target_tags=("ghost",))
SSH_NARROW_DENY = rule("ssh-despite-narrow-deny", "tcp:22", target_tags=("pub2",))
DENY_OFFICE = deny("deny-office", "tcp:22", priority=10, sources=("203.0.113.0/24",), target_tags=("pub2",))
SSH_V6_ONLY = rule("ssh-v6-to-v4-host", "tcp:22", sources=("::/0",), target_tags=("pub",))
ALL_FOR_ADMIN = rule("all-admin", "all", target_tags=("pub",))
WEB_ONLY = rule("web-only", "tcp:80,443", target_tags=("pub",))
OFFICE_SSH = rule("office-ssh", "tcp:22", sources=("203.0.113.0/24",), target_tags=("pub",))
SSH_DISABLED = rule("ssh-disabled", "tcp:22", target_tags=("pub",), disabled=True)

_ADMIN = case(
    *HOSTS,
    SSH_PUBLIC,
    RDP_SHADOWED,
    DENY_RDP,
    WINRM_PRIVATE,
    SSH_NOTHING,
    SSH_NARROW_DENY,
    DENY_OFFICE,
    SSH_V6_ONLY,
    ALL_FOR_ADMIN,
    WEB_ONLY,
    OFFICE_SSH,
    SSH_DISABLED,
    failing={
        SSH_PUBLIC.id: H,
        RDP_SHADOWED.id: M,
        WINRM_PRIVATE.id: M,
        SSH_NOTHING.id: L,
        SSH_NARROW_DENY.id: H,
        SSH_V6_ONLY.id: M,
        ALL_FOR_ADMIN.id: H,
    },
    passing=[DENY_RDP.id, DENY_OFFICE.id, WEB_ONLY.id, OFFICE_SSH.id, SSH_DISABLED.id],
    messages={
        SSH_PUBLIC.id: "exposes 192.0.2.10",
        SSH_NARROW_DENY.id: "exposes 192.0.2.14",
        WEB_ONLY.id: "opens no administration ports",
    },
)

# ---------------------------------------------------------------------------------- data ports

REDIS_PUBLIC = rule("redis-public", "tcp:6379", target_tags=("pub",))
POSTGRES_PUBLIC = rule("postgres-public", "tcp:5432", target_tags=("pub",))
MONGO_PRIVATE = rule("mongo-private", "tcp:27017", target_tags=("priv",))
MYSQL_NOTHING = rule("mysql-nothing", "tcp:3306", target_tags=("ghost",))
PG_AND_REDIS = rule("pg-and-redis", "tcp:5432,6379", target_tags=("pub2",))
DENY_REDIS = deny("deny-redis", "tcp:6379", priority=100, target_tags=("pub2",))
MEMCACHED_UNREAD = rule("memcached-unread", "udp:11211", target_tags=("ghost",), unread=UNREAD)
SSH_NOT_DATA = rule("ssh-not-data", "tcp:22", target_tags=("pub",))
REDIS_OFFICE = rule("redis-office", "tcp:6379", sources=("203.0.113.0/24",), target_tags=("pub",))

_DATA = case(
    *HOSTS,
    REDIS_PUBLIC,
    POSTGRES_PUBLIC,
    MONGO_PRIVATE,
    MYSQL_NOTHING,
    PG_AND_REDIS,
    DENY_REDIS,
    MEMCACHED_UNREAD,
    SSH_NOT_DATA,
    REDIS_OFFICE,
    failing={
        REDIS_PUBLIC.id: C,
        POSTGRES_PUBLIC.id: H,
        MONGO_PRIVATE.id: M,
        MYSQL_NOTHING.id: L,
        PG_AND_REDIS.id: H,  # Redis is shadowed by deny-redis: only PostgreSQL reaches the Internet
        MEMCACHED_UNREAD.id: C,
    },
    passing=[DENY_REDIS.id, SSH_NOT_DATA.id, REDIS_OFFICE.id],
    messages={REDIS_PUBLIC.id: "database, cache or other data-service ports"},
)

# ---------------------------------------------------------------------------------- other ports

WEB_PUBLIC = rule("web-public", "tcp:80,443", target_tags=("pub",))
APP_PUBLIC = rule("app-public", "tcp:8081", target_tags=("pub",))
APP_PRIVATE = rule("app-private", "tcp:9999", target_tags=("priv",))
APP_NOTHING = rule("app-nothing", "udp:9999", target_tags=("ghost",))
ICMP_PUBLIC = rule("icmp-public", "icmp", target_tags=("pub",))
SSH_NOT_OTHER = rule("ssh-not-other", "tcp:22", target_tags=("pub",))
ALL_NOT_OTHER = rule("all-not-other", "all", target_tags=("pub",))
DENY_APP = deny("deny-app", "tcp:8081", priority=2000)

_OTHER = case(
    *HOSTS,
    WEB_PUBLIC,
    APP_PUBLIC,
    APP_PRIVATE,
    APP_NOTHING,
    ICMP_PUBLIC,
    SSH_NOT_OTHER,
    ALL_NOT_OTHER,
    DENY_APP,
    failing={
        WEB_PUBLIC.id: INFO,
        APP_PUBLIC.id: M,
        APP_PRIVATE.id: L,
        APP_NOTHING.id: INFO,
        ICMP_PUBLIC.id: INFO,
    },
    passing=[SSH_NOT_OTHER.id, ALL_NOT_OTHER.id, DENY_APP.id],
    messages={APP_PUBLIC.id: "tcp:8081"},
)

# ---------------------------------------------------------------------------------- logging

OPEN_UNLOGGED = rule("open-unlogged", "tcp:443")
OPEN_LOGGED = rule("open-logged", "tcp:443", logging=True)
NARROW_UNLOGGED = rule("narrow-unlogged", "tcp:443", sources=("203.0.113.0/24",))
DISABLED_UNLOGGED = rule("disabled-unlogged", "tcp:443", disabled=True)

_LOGGING = case(
    OPEN_UNLOGGED,
    OPEN_LOGGED,
    NARROW_UNLOGGED,
    DISABLED_UNLOGGED,
    failing={OPEN_UNLOGGED.id: L},
    passing=[OPEN_LOGGED.id, NARROW_UNLOGGED.id, DISABLED_UNLOGGED.id],
    messages={OPEN_UNLOGGED.id: "without logging"},
)

# ---------------------------------------------------------------------------------- instances

SSH_HOST = vm("ssh-host", "192.0.2.20", network_tags=("ssh",))
REDIS_HOST = vm("redis-host", "192.0.2.21", network_tags=("redis",))
OPEN_HOST = vm("open-host", "192.0.2.22", network_tags=("everything",))
STOPPED_HOST = vm("stopped-host", "192.0.2.23", network_tags=("ssh",), status="TERMINATED")
INTERNAL_HOST = vm("internal-host", network_tags=("ssh",))
WEB_HOST = vm("web-host", "192.0.2.24", network_tags=("web",))
OFFICE_HOST = vm("office-host", "192.0.2.25", network_tags=("office",))
SHUT_HOST = vm("shut-host", "192.0.2.26", network_tags=("ssh", "shut"))
V6_HOST = vm("v6-host", "2001:db8::26", network_tags=("ssh6",))
UNREAD_HOST = vm("unread-host", "192.0.2.27", network_tags=("ssh",), unread={"firewalls": "HTTP 403"})
HOST_RULES = (
    rule("ssh", "tcp:22", target_tags=("ssh",)),
    rule("ssh6", "tcp:22", sources=("::/0",), target_tags=("ssh6",)),
    rule("redis", "tcp:6379", target_tags=("redis",)),
    rule("everything", "all", target_tags=("everything",)),
    rule("web", "tcp:80,443", target_tags=("web",)),
    rule("office", "tcp:22,5432", sources=("203.0.113.0/24",), target_tags=("office",)),
    deny("shut", "tcp:22", priority=100, target_tags=("shut",)),
)

_INSTANCES = case(
    SSH_HOST,
    REDIS_HOST,
    OPEN_HOST,
    STOPPED_HOST,
    INTERNAL_HOST,
    WEB_HOST,
    OFFICE_HOST,
    SHUT_HOST,
    V6_HOST,
    UNREAD_HOST,
    *HOST_RULES,
    failing={SSH_HOST.id: H, REDIS_HOST.id: C, OPEN_HOST.id: C, STOPPED_HOST.id: L, V6_HOST.id: H},
    passing=[INTERNAL_HOST.id, WEB_HOST.id, OFFICE_HOST.id, SHUT_HOST.id],
    unknown=[UNREAD_HOST.id],
    messages={
        SSH_HOST.id: "reachable from the Internet at 192.0.2.20 on 22 (SSH)",
        OPEN_HOST.id: "all ports",
        STOPPED_HOST.id: "once it starts",
        INTERNAL_HOST.id: "no external address",
        UNREAD_HOST.id: "HTTP 403",
    },
)

# ---------------------------------------------------------------------------------- networks

DEFAULT = network("default", auto_create_subnetworks=True)
CUSTOM = network("prod-vpc", auto_create_subnetworks=False)

_DEFAULT_NETWORK = case(
    DEFAULT,
    CUSTOM,
    PUB,
    failing={DEFAULT.id: M},
    passing=[CUSTOM.id],
    messages={DEFAULT.id: "used by 1 instance(s)"},
)

CASES: dict[str, CheckCase] = {
    "gcp.compute.firewall_open_all_ports": _ALL_PORTS,
    "gcp.compute.firewall_open_admin_ports": _ADMIN,
    "gcp.compute.firewall_open_database_ports": _DATA,
    "gcp.compute.firewall_open_other_ports": _OTHER,
    "gcp.compute.firewall_logging_disabled": _LOGGING,
    "gcp.compute.instance_exposed_sensitive_ports": _INSTANCES,
    "gcp.compute.default_network": _DEFAULT_NETWORK,
}

UNCHECKED: list[Asset] = [
    ForwardingRule(
        **COMMON,
        region=REGION,
        id=full_name("compute", f"projects/{PROJECT}/regions/{REGION}/forwardingRules/web-lb"),
        name="web-lb",
        address="192.0.2.40",
        ip_protocol="TCP",
        port_range="443-443",
        load_balancing_scheme="EXTERNAL_MANAGED",
    ),
    StaticAddress(
        **COMMON,
        region=REGION,
        id=full_name("compute", f"projects/{PROJECT}/regions/{REGION}/addresses/web-lb-ip"),
        name="web-lb-ip",
        address="192.0.2.40",
        address_type="EXTERNAL",
        status="IN_USE",
    ),
]
