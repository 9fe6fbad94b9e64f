"""Pass/fail tables of the Cloud SQL checks (public IP exposure, TLS, users, backups, database flags)."""

from __future__ import annotations

from typing import Any

from cloudaudit.model.enums import Severity
from cloudaudit_gcp.assets_sql import AuthorizedNetwork, CloudSqlInstance, SqlUser
from gcp_cases import COMMON, PROJECT, REGION, CheckCase, case

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
IP = "34.30.0.7"


def rid(name: str) -> str:
    return f"//cloudsql.googleapis.com/projects/{PROJECT}/instances/{name}"


def nets(*values: str) -> tuple[AuthorizedNetwork, ...]:
    return tuple(AuthorizedNetwork(value=v, name=f"net-{i}") for i, v in enumerate(values))


ENGINES = {"postgres": "POSTGRES_15", "mysql": "MYSQL_8_0", "sqlserver": "SQLSERVER_2019_STANDARD"}


def db(name: str, engine: str = "postgres", **fields: Any) -> CloudSqlInstance:
    """An instance; ``public=True`` gives it the public IP, ``networks`` its authorized networks."""
    public = fields.pop("public", False)
    networks = fields.pop("networks", ())
    return CloudSqlInstance(
        **COMMON,
        region=REGION,
        id=rid(name),
        name=name,
        database_version=ENGINES[engine],
        engine=engine,
        instance_type=fields.pop("instance_type", "CLOUD_SQL_INSTANCE"),
        public_ip=IP if public else None,
        private_ip=None if public else "10.50.0.3",
        authorized_networks=nets(*networks),
        **fields,
    )


NETWORK_UNREAD = {"authorized_networks": "IAM_PERMISSION_DENIED on sql.instances.list"}

# ---------------------------------------------------------------------------------- exposure

OPEN = db("open", public=True, networks=("0.0.0.0/0",))
SPLIT = db("split", public=True, networks=("0.0.0.0/1", "128.0.0.0/1"))
OPEN_V6 = db("open-v6", public=True, networks=("::/0",))
BROAD = db("broad", public=True, networks=("52.0.0.0/8", "203.0.113.0/24"))
BROAD_15 = db("broad-15", public=True, networks=("198.18.0.0/15",))
EDGE_16 = db("edge-16", public=True, networks=("198.18.0.0/16",))
PRIVATE_RANGE = db("private-range", public=True, networks=("10.0.0.0/8",))
NARROW = db("narrow", public=True, networks=("203.0.113.0/24",))
CONNECTORS = db("connectors", public=True)
PRIVATE = db("private", networks=("0.0.0.0/0",))  # left over from when it had a public IP
UNREAD_NETWORKS = db("unread-networks", public=True, unread=NETWORK_UNREAD)

OPEN_TO_INTERNET = case(
    OPEN,
    SPLIT,
    OPEN_V6,
    BROAD,
    NARROW,
    CONNECTORS,
    PRIVATE,
    UNREAD_NETWORKS,
    failing={OPEN.id: C, SPLIT.id: C, OPEN_V6.id: C},
    passing=[BROAD.id, NARROW.id, CONNECTORS.id, PRIVATE.id],
    unknown=[UNREAD_NETWORKS.id],
    messages={OPEN.id: f"from anywhere on its public IP {IP}", PRIVATE.id: "no public IP"},
)

BROAD_NETWORK = case(
    BROAD,
    BROAD_15,
    EDGE_16,
    PRIVATE_RANGE,
    NARROW,
    CONNECTORS,
    PRIVATE,
    OPEN,
    UNREAD_NETWORKS,
    failing={BROAD.id: H, BROAD_15.id: H},
    passing=[EDGE_16.id, PRIVATE_RANGE.id, NARROW.id, CONNECTORS.id, PRIVATE.id],
    unknown=[UNREAD_NETWORKS.id],
    silent=[OPEN.id],  # reported by gcp.sql.open_to_internet
    messages={BROAD.id: "net-0 (52.0.0.0/8)"},
)

PUBLIC_IP = case(
    OPEN,
    NARROW,
    CONNECTORS,
    PRIVATE,
    db("unread-ip", unread={"public_ip": "HTTP 500 on sql.instances.list"}),
    failing={OPEN.id: M, NARROW.id: M, CONNECTORS.id: L},
    passing=[PRIVATE.id],
    unknown=[rid("unread-ip")],
    messages={
        CONNECTORS.id: "only the Cloud SQL Auth Proxy and connectors",
        PRIVATE.id: "private IP 10.50.0.3",
    },
)

# ---------------------------------------------------------------------------------- TLS

ENCRYPTED = db("encrypted", public=True, networks=("0.0.0.0/0",), ssl_mode="ENCRYPTED_ONLY")
CLIENT_CERTS = db("client-certs", ssl_mode="TRUSTED_CLIENT_CERTIFICATE_REQUIRED", require_ssl=True)
LEGACY = db("legacy-require-ssl", require_ssl=True)
MODE_WINS = db("mode-wins", ssl_mode="ALLOW_UNENCRYPTED_AND_ENCRYPTED", require_ssl=True)

SSL = case(
    OPEN,
    BROAD,
    NARROW,
    CONNECTORS,
    PRIVATE,
    ENCRYPTED,
    CLIENT_CERTS,
    LEGACY,
    MODE_WINS,
    db("unread-ssl", unread={"ssl_mode": "HTTP 500 on sql.instances.list"}),
    failing={OPEN.id: H, BROAD.id: H, NARROW.id: M, CONNECTORS.id: L, PRIVATE.id: L, MODE_WINS.id: L},
    passing=[ENCRYPTED.id, CLIENT_CERTS.id, LEGACY.id],
    unknown=[rid("unread-ssl")],
    messages={OPEN.id: "accepts unencrypted PostgreSQL connections on its public IP"},
)

# ---------------------------------------------------------------------------------- users

ROOT_ANYWHERE = db(
    "root-anywhere",
    "mysql",
    public=True,
    networks=("0.0.0.0/0",),
    users=(SqlUser(name="root", host="%"), SqlUser(name="app", host="10.0.0.%")),
)
ANY_HOST_NARROW = db(
    "any-host-narrow",
    "mysql",
    public=True,
    networks=("203.0.113.0/24",),
    users=(SqlUser(name="app", host=""),),
)
ROOT_LOCAL = db("root-local", "mysql", users=(SqlUser(name="root", host="localhost"),))
IAM_ONLY = db(
    "iam-only",
    "mysql",
    public=True,
    networks=("0.0.0.0/0",),
    users=(
        SqlUser(name="alice@example.com", host="%", type="CLOUD_IAM_USER"),
        SqlUser(name="app", host="10.0.0.%"),
    ),
)
USERS_UNREAD = db("users-unread", "mysql", unread={"users": "IAM_PERMISSION_DENIED on sql.users.list"})
PG_USERS = db("pg-users", users=(SqlUser(name="postgres"),))

USERS = case(
    ROOT_ANYWHERE,
    ANY_HOST_NARROW,
    ROOT_LOCAL,
    IAM_ONLY,
    USERS_UNREAD,
    PG_USERS,
    db("pg-no-users"),
    failing={ROOT_ANYWHERE.id: H, ANY_HOST_NARROW.id: M, ROOT_LOCAL.id: L},
    passing=[IAM_ONLY.id, PG_USERS.id],
    unknown=[USERS_UNREAD.id],
    silent=[rid("pg-no-users")],
    messages={
        ROOT_ANYWHERE.id: "root@%: root and any host",
        ANY_HOST_NARROW.id: "app@%: any host",
        PG_USERS.id: "not a MySQL instance",
    },
)

# ---------------------------------------------------------------------------------- backups

BACKUPS = case(
    db("no-backups"),
    db("backups", backups_enabled=True),
    db("replica", instance_type="READ_REPLICA_INSTANCE"),
    db("backups-unread", unread={"backups_enabled": "HTTP 500 on sql.instances.list"}),
    failing={rid("no-backups"): M},
    passing=[rid("backups")],
    unknown=[rid("backups-unread")],
    silent=[rid("replica")],
)

# ---------------------------------------------------------------------------------- flags

FLAGS: dict[str, tuple[str, str, str, str, bool, Severity]] = {
    # check: (engine, flag, a passing value, a failing value, the default passes, severity)
    "mysql_local_infile": ("mysql", "local_infile", "off", "on", False, M),
    "mysql_skip_show_database": ("mysql", "skip_show_database", "on", "off", False, L),
    "postgres_log_error_verbosity": ("postgres", "log_error_verbosity", "terse", "verbose", True, L),
    "postgres_log_connections": ("postgres", "log_connections", "on", "off", False, L),
    "postgres_log_disconnections": ("postgres", "log_disconnections", "on", "off", False, L),
    "postgres_log_statement": ("postgres", "log_statement", "ddl", "none", False, L),
    "postgres_log_min_messages": ("postgres", "log_min_messages", "ERROR", "notice", True, L),
    "postgres_log_min_error_statement": ("postgres", "log_min_error_statement", "error", "warning", True, L),
    "postgres_log_min_duration_statement": ("postgres", "log_min_duration_statement", "-1", "0", True, L),
    "postgres_pgaudit": ("postgres", "cloudsql.enable_pgaudit", "on", "off", False, L),
    "sqlserver_external_scripts": ("sqlserver", "external scripts enabled", "off", "on", True, M),
    "sqlserver_cross_db_ownership_chaining": (
        "sqlserver",
        "cross db ownership chaining",
        "off",
        "on",
        True,
        M,
    ),
    "sqlserver_user_connections": ("sqlserver", "user connections", "0", "100", True, L),
    "sqlserver_user_options": ("sqlserver", "user options", "0", "512", True, L),
    "sqlserver_remote_access": ("sqlserver", "remote access", "off", "on", False, L),
    "sqlserver_trace_flag_3625": ("sqlserver", "3625", "on", "off", False, L),
    "sqlserver_contained_database_authentication": (
        "sqlserver",
        "contained database authentication",
        "off",
        "on",
        True,
        M,
    ),
}
OTHER_ENGINE = {"mysql": "postgres", "postgres": "sqlserver", "sqlserver": "mysql"}


def flag_case(check: str) -> CheckCase:
    """Set to a passing value, to a failing one, unset (the default), another engine, flags unread."""
    engine, flag, good, bad, default_passes, severity = FLAGS[check]
    good_db = db(f"{check}-good", engine, database_flags={flag: good, "other": "x"})
    bad_db = db(f"{check}-bad", engine, database_flags={flag: bad})
    unset = db(f"{check}-unset", engine)
    other = db(f"{check}-other-engine", OTHER_ENGINE[engine], database_flags={flag: bad})
    unread = db(f"{check}-unread", engine, unread={"database_flags": "HTTP 500 on sql.instances.list"})
    failing = {bad_db.id: severity} | ({} if default_passes else {unset.id: severity})
    return case(
        good_db,
        bad_db,
        unset,
        other,
        unread,
        failing=failing,
        passing=[good_db.id, *([unset.id] if default_passes else [])],
        unknown=[unread.id],
        silent=[other.id],
        messages={bad_db.id: f"{flag} is not"},
    )


CASES: dict[str, CheckCase] = {
    "gcp.sql.open_to_internet": OPEN_TO_INTERNET,
    "gcp.sql.broad_authorized_network": BROAD_NETWORK,
    "gcp.sql.public_ip": PUBLIC_IP,
    "gcp.sql.ssl_not_required": SSL,
    "gcp.sql.mysql_root_or_any_host_user": USERS,
    "gcp.sql.backups_disabled": BACKUPS,
    **{f"gcp.sql.{check}": flag_case(check) for check in FLAGS},
}
