"""Azure Database for PostgreSQL flexible servers (azure-mgmt-postgresqlflexibleservers): see
:mod:`.flexible`; PostgreSQL adds its authentication configuration (Entra ID, passwords)."""

from __future__ import annotations

from typing import Any

from azure.mgmt.postgresqlflexibleservers import PostgreSQLManagementClient

from cloudaudit_azure.assets import text
from cloudaudit_azure.assets_databases import PostgresServer
from cloudaudit_azure.collect.flexible import Engine
from cloudaudit_azure.collect.sdk_json import JSON


def auth_config(properties: JSON) -> dict[str, Any]:
    """``authConfig``: Entra-only when Entra ID authentication is on and password authentication off
    (a server without ``authConfig`` predates it: passwords only)."""
    config = properties.get("authConfig") or {}
    entra, password = text(config.get("activeDirectoryAuth")), text(config.get("passwordAuth"))
    return {
        "active_directory_auth": entra,
        "password_auth": password,
        "entra_only": entra.lower() == "enabled" and password.lower() == "disabled",
    }


ENGINE = Engine(
    service="postgresql",
    namespace="Microsoft.DBforPostgreSQL",
    client=PostgreSQLManagementClient,
    asset=PostgresServer,
    list_servers=lambda client: client.servers.list_by_subscription(),
    tls_parameter="ssl_min_protocol_version",
    fields_of=auth_config,
)
COLLECTOR = ENGINE.collector()
