"""Cloud SQL: fetch instances and MySQL users (sqladmin v1), then map them to assets (pure).

``instances.list`` is project-wide (every region at once, paged); ``--regions`` keeps the instances of
the regions asked for. Users are listed per MySQL instance in the detail pool, the only engine whose
users carry a host; the call is not made for an instance that is not running (it cannot answer)
and a failed one leaves the users unread, so the user check says UNKNOWN for that instance only.
Representations of external primaries (ON_PREMISES_INSTANCE) are not Cloud SQL databases and are
left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudaudit.collect.guard import Failed, Raw
from cloudaudit.model.asset import Asset
from cloudaudit_gcp.assets import PROVIDER, full_name
from cloudaudit_gcp.assets_sql import (
    AuthorizedNetwork,
    CloudSqlInstance,
    SqlUser,
    engine_of,
    internet_endpoints,
)
from cloudaudit_gcp.collect.context import CollectContext, ServiceCollector

SERVICE = "sql"
API = "sqladmin.googleapis.com"
GLOBAL = "global"
PERMISSIONS = ("cloudsql.instances.list", "cloudsql.users.list")
LIST_INSTANCES = "sql.instances.list"
LIST_USERS = "sql.users.list"
PUBLIC_TYPES = ("PRIMARY", "MIGRATED_1ST_GEN")
"""``ipAddresses`` types that accept connections from the Internet (a migrated V1 IP counts as PRIMARY)."""

# ---------------------------------------------------------------- fetch (SDK I/O)


def fetch_instances(ctx: CollectContext) -> list[Raw] | Failed:
    """Every instance of the project (all pages of ``instances.list``)."""
    return ctx.guard.discovery_list(
        ctx.gcp,
        ctx.gcp.collection("sqladmin", "v1", "instances"),
        "items",
        service=SERVICE,
        region=GLOBAL,
        operation=LIST_INSTANCES,
        project=ctx.project,
    )


def fetch_users(ctx: CollectContext, raw: Raw) -> list[Raw] | Failed | None:
    """The users of a running MySQL instance; None when they are not read (see :func:`users_not_read`)."""
    if users_not_read(raw):
        return None
    users = ctx.gcp.collection("sqladmin", "v1", "users")  # built once: each build documents every method
    request = users.list(project=ctx.project, instance=raw["name"])
    answer = ctx.guard.fetch(
        lambda: ctx.gcp.execute(request),
        service=SERVICE,
        region=str(raw.get("region") or GLOBAL),
        operation=LIST_USERS,
        resource_id=instance_id(ctx.project, raw["name"]),
    )
    if isinstance(answer, Failed):
        return answer
    return list(answer.get("items") or ())


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every Cloud SQL instance of the wanted regions, with the users of the MySQL ones."""
    listed = fetch_instances(ctx)
    if isinstance(listed, Failed):
        return []
    wanted = [raw for raw in listed if managed(raw) and ctx.wanted(str(raw.get("region") or ""))]
    users = list(ctx.detail_pool.map(lambda raw: fetch_users(ctx, raw), wanted))
    return [to_instance(ctx.project, raw, read) for raw, read in zip(wanted, users, strict=True)]


# ---------------------------------------------------------------- translate (pure)


def instance_id(project: str, name: str) -> str:
    """An instance's full resource name (``//cloudsql.googleapis.com/projects/p/instances/db``)."""
    return full_name("cloudsql", f"projects/{project}/instances/{name}")


def managed(raw: Raw) -> bool:
    """A database Cloud SQL runs (not the representation of an external primary)."""
    return raw.get("instanceType") != "ON_PREMISES_INSTANCE"


def users_not_read(raw: Raw) -> str | None:
    """Why the users of an instance are not listed, or None when they are."""
    if engine_of(str(raw.get("databaseVersion", ""))) != "mysql":
        return "not a MySQL instance"
    state = str(raw.get("state", ""))
    policy = str((raw.get("settings") or {}).get("activationPolicy", ""))
    if state not in ("", "RUNNABLE") or policy == "NEVER":
        return f"the instance is not running (state {state or 'unknown'}, activation {policy or 'unknown'})"
    return None


def to_instance(project: str, raw: Raw, users: list[Raw] | Failed | None) -> CloudSqlInstance:
    """A :class:`CloudSqlInstance` from its ``DatabaseInstance`` and its users (None: not read)."""
    settings: Mapping[str, Any] = raw.get("settings") or {}
    ip_config: Mapping[str, Any] = settings.get("ipConfiguration") or {}
    backup: Mapping[str, Any] = settings.get("backupConfiguration") or {}
    engine = engine_of(str(raw.get("databaseVersion", "")))
    public_ip = _address(raw, PUBLIC_TYPES)
    networks = tuple(
        AuthorizedNetwork(
            value=str(n.get("value", "")),
            name=str(n.get("name", "")),
            expiration=str(n.get("expirationTime", "")),
        )
        for n in ip_config.get("authorizedNetworks") or ()
    )
    unread: dict[str, str] = {}
    read_users: tuple[SqlUser, ...] = ()
    if isinstance(users, Failed):
        unread["users"] = users.reason(LIST_USERS)
    elif users is not None:
        read_users = tuple(
            SqlUser(name=str(u.get("name", "")), host=str(u.get("host", "")), type=str(u.get("type", "")))
            for u in users
        )
    elif engine == "mysql" and (why := users_not_read(raw)):
        unread["users"] = why
    return CloudSqlInstance(
        provider=PROVIDER,
        account=project,
        region=str(raw.get("region") or GLOBAL),
        id=instance_id(project, raw["name"]),
        name=raw["name"],
        tags={str(k): str(v) for k, v in (settings.get("userLabels") or {}).items()},
        endpoints=internet_endpoints(public_ip, engine, networks),
        database_version=str(raw.get("databaseVersion", "")),
        engine=engine,
        instance_type=str(raw.get("instanceType", "")),
        state=str(raw.get("state", "")),
        activation_policy=str(settings.get("activationPolicy", "")),
        connection_name=str(raw.get("connectionName", "")),
        public_ip=public_ip,
        private_ip=_address(raw, ("PRIVATE",)),
        authorized_networks=networks,
        ssl_mode=str(ip_config.get("sslMode", "")),
        require_ssl=bool(ip_config.get("requireSsl", False)),
        database_flags={
            str(f.get("name", "")): str(f.get("value", "")) for f in settings.get("databaseFlags") or ()
        },
        backups_enabled=bool(backup.get("enabled", False)),
        point_in_time_recovery=bool(backup.get("pointInTimeRecoveryEnabled", False)),
        users=read_users,
        unread=unread,
    )


def _address(raw: Raw, types: tuple[str, ...]) -> str | None:
    """The first address of one of ``types``."""
    for mapping in raw.get("ipAddresses") or ():
        if mapping.get("type") in types and mapping.get("ipAddress"):
            return str(mapping["ipAddress"])
    return None


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=False, collect=collect, permissions=PERMISSIONS, api=API
)
