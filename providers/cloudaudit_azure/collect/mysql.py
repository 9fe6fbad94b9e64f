"""Azure Database for MySQL flexible servers (azure-mgmt-mysqlflexibleservers): see :mod:`.flexible`.
MySQL's ``tls_version`` parameter lists the accepted versions (``TLSv1.2,TLSv1.3``); the oldest counts."""

from __future__ import annotations

from azure.mgmt.mysqlflexibleservers import MySQLManagementClient

from cloudaudit_azure.assets_databases import MysqlServer
from cloudaudit_azure.collect.flexible import Engine

ENGINE = Engine(
    service="mysql",
    namespace="Microsoft.DBforMySQL",
    client=MySQLManagementClient,
    asset=MysqlServer,
    list_servers=lambda client: client.servers.list(),
    tls_parameter="tls_version",
)
COLLECTOR = ENGINE.collector()
