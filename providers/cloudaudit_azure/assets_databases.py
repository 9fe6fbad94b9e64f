"""Azure SQL logical servers and Azure Database for PostgreSQL / MySQL flexible servers.

The three share one shape: a public endpoint (``fullyQualifiedDomainName`` on the engine's port)
whose public network access switch and server-level IP firewall rules decide who connects
(:mod:`cloudaudit_azure.db_firewall`), a minimum TLS version, and (PostgreSQL, MySQL) the
``require_secure_transport`` server parameter. A server with public access and firewall rules is an
exposure target: its FQDN and port, as an endpoint. An Azure SQL FQDN resolves to a regional gateway
shared by many customers: an answer there proves the gateway, not the firewall, which rejects
clients at login.
"""

from __future__ import annotations

from typing import ClassVar

from cloudaudit.model.asset import Asset, Endpoint, asset_kind
from cloudaudit_azure.db_firewall import Exposure, FirewallRule, exposure, labels

TLS_VERSIONS = ("1.0", "1.1", "1.2", "1.3")
"""Normalised minimum TLS versions, oldest first."""


class DatabaseServer(Asset):
    """What the database servers share (not an asset kind of its own)."""

    label: ClassVar[str] = "database"
    """The engine's name (``SQL``, ``PostgreSQL``, ``MySQL``)."""
    noun: ClassVar[str] = "database server"
    """How messages name such a resource (``PostgreSQL flexible server``)."""
    port: ClassVar[int] = 0
    application: ClassVar[str] = ""
    """The protocol the exposure probe speaks to the port."""

    fqdn: str = ""
    version: str = ""
    state: str = ""
    public_network_access: str = ""
    """``Enabled``, ``Disabled`` (SQL also ``SecuredByPerimeter``); empty when not returned."""
    firewall_rules: tuple[FirewallRule, ...] = ()
    min_tls: str = ""
    """Lowest TLS version the server accepts (``1.0``..``1.3``, see :data:`TLS_VERSIONS`)."""
    tls_setting: str = ""
    """The setting ``min_tls`` comes from, as Azure wrote it (``None``, ``TLSv1,TLSv1.1``...)."""

    @property
    def public(self) -> bool:
        """Public network access is on (the firewall rules apply); an unset switch is on."""
        return self.public_network_access.lower() in ("enabled", "")

    def exposure(self) -> Exposure:
        """How far the firewall rules open the public endpoint."""
        return exposure(self.public, self.firewall_rules)

    def broad_rules(self) -> tuple[FirewallRule, ...]:
        """The rules spanning more than a /16 of public space."""
        return tuple(r for r in self.firewall_rules if r.broad)

    def azure_rules(self) -> tuple[FirewallRule, ...]:
        """The "Allow Azure services" rules (``0.0.0.0``-``0.0.0.0``)."""
        return tuple(r for r in self.firewall_rules if r.azure_services)

    @property
    def address(self) -> str:
        """``host:port`` of the public endpoint."""
        return f"{self.fqdn}:{self.port}" if self.fqdn else f"port {self.port}"

    @property
    def subject(self) -> str:
        """``SQL server sales``: how messages name it."""
        return f"{self.noun} {self.name}"


def public_endpoints(server: DatabaseServer) -> tuple[Endpoint, ...]:
    """The engine's port at the FQDN when public access is on and firewall rules admit someone."""
    if not (server.public and server.fqdn and server.firewall_rules):
        return ()
    via = "firewall rules " + labels(server.firewall_rules)
    port, application = server.port, server.application
    return (Endpoint(host=server.fqdn, from_port=port, to_port=port, via=via, application=application),)


@asset_kind("azure.sql.server", service="sql")
class SqlServer(DatabaseServer):
    """An Azure SQL logical server (its databases share its endpoint, firewall and logins)."""

    label: ClassVar[str] = "SQL"
    noun: ClassVar[str] = "SQL server"
    port: ClassVar[int] = 1433
    application: ClassVar[str] = "mssql"

    administrator_login: str = ""
    entra_only: bool = False
    """Microsoft Entra-only authentication: SQL logins (passwords) are refused."""


class FlexibleServer(DatabaseServer):
    """What the PostgreSQL and MySQL flexible servers add (not an asset kind of its own)."""

    delegated_subnet: str = ""
    """Subnet of a server injected in a virtual network (it then has no public endpoint)."""
    require_secure_transport: bool = True
    """Server parameter ``require_secure_transport``: unencrypted connections are refused."""

    @property
    def public(self) -> bool:
        """Public access on and not injected in a virtual network."""
        return not self.delegated_subnet and super().public


@asset_kind("azure.postgresql.flexible_server", service="postgresql")
class PostgresServer(FlexibleServer):
    """An Azure Database for PostgreSQL flexible server."""

    label: ClassVar[str] = "PostgreSQL"
    noun: ClassVar[str] = "PostgreSQL flexible server"
    port: ClassVar[int] = 5432
    application: ClassVar[str] = "postgres"

    active_directory_auth: str = ""
    password_auth: str = ""
    entra_only: bool = False
    """Entra ID authentication on and password authentication off."""


@asset_kind("azure.mysql.flexible_server", service="mysql")
class MysqlServer(FlexibleServer):
    """An Azure Database for MySQL flexible server."""

    label: ClassVar[str] = "MySQL"
    noun: ClassVar[str] = "MySQL flexible server"
    port: ClassVar[int] = 3306
    application: ClassVar[str] = "mysql"
