"""Cloud SQL assets: instances with their addresses, authorized networks, TLS mode, flags and users.

Who can reach a Cloud SQL instance is decided on the instance itself: its public IP (``ipAddresses``
of type PRIMARY) accepts direct connections only from its authorized networks; without any, only
the Cloud SQL Auth Proxy and the language connectors (IAM-authorised, always encrypted) get through.
An authorized network is *broad* when it is a public range with a prefix shorter than /16 (IPv4:
more than 65,536 addresses, larger than any one site's egress) or /32 (IPv6: an ISP's allocation);
networks inside private, loopback, link-local or shared (CGNAT) space never match Internet clients
and are not counted. The whole Internet is open when the networks together cover every address of
a family (``0.0.0.0/0``, ``::/0``, or ``0.0.0.0/1`` plus ``128.0.0.0/1``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Literal

from pydantic import Field

from cloudaudit.model.asset import Asset, Endpoint, asset_kind
from cloudaudit_gcp.assets import Frozen, IpNetwork, covers_family, parse_network

Exposure = Literal["internet", "broad", "restricted", "connectors", "private"]
"""How far the public IP is open: the whole Internet, a broad range, narrow authorized networks only,
only the Auth Proxy / connectors (no authorized network), or no public IP at all."""

ENGINE_PORTS: dict[str, int] = {"mysql": 3306, "postgres": 5432, "sqlserver": 1433}
"""The port each engine listens on at the instance's IP addresses."""
APPLICATIONS: dict[str, str] = {"mysql": "mysql", "postgres": "postgres", "sqlserver": "mssql"}
"""The protocol the exposure probe speaks to each engine."""
ENGINE_NAMES: dict[str, str] = {"mysql": "MySQL", "postgres": "PostgreSQL", "sqlserver": "SQL Server"}

BROAD_PREFIX: dict[int, int] = {4: 16, 6: 32}
"""IP version -> a public authorized network with a shorter prefix than this is broad."""
NOT_INTERNET: tuple[IpNetwork, ...] = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "fe80::/10",
        "::1/128",
    )
)
"""Ranges no Internet client connects from: an authorized network inside them admits nobody outside."""

PASSWORD_USER_TYPES = frozenset({"", "BUILT_IN"})
"""User types that log in with a password (the others authenticate through IAM or Entra ID)."""


def engine_of(database_version: str) -> str:
    """The engine of a version: ``MYSQL_8_0`` -> ``mysql``, ``SQLSERVER_2019_WEB`` -> ``sqlserver``."""
    head = database_version.split("_", 1)[0].upper()
    return {"MYSQL": "mysql", "POSTGRES": "postgres", "SQLSERVER": "sqlserver"}.get(head, "")


def _internet_range(network: IpNetwork) -> bool:
    """Not inside a range that no Internet client connects from."""
    if isinstance(network, ipaddress.IPv4Network):
        return not any(isinstance(r, ipaddress.IPv4Network) and network.subnet_of(r) for r in NOT_INTERNET)
    return not any(isinstance(r, ipaddress.IPv6Network) and network.subnet_of(r) for r in NOT_INTERNET)


def covers_internet(values: Iterable[str]) -> bool:
    """The ranges together cover every IPv4 or every IPv6 address."""
    ranges = tuple(values)
    return covers_family(ranges, 4) or covers_family(ranges, 6)


def is_broad(value: str) -> bool:
    """A public range with a prefix shorter than :data:`BROAD_PREFIX` (``0.0.0.0/0`` included)."""
    network = parse_network(value)
    return (
        network is not None and network.prefixlen < BROAD_PREFIX[network.version] and _internet_range(network)
    )


class AuthorizedNetwork(Frozen):
    """One authorized network of the public IP (``value`` is the CIDR as the API returned it)."""

    value: str
    name: str = ""
    expiration: str = ""
    """RFC 3339 time after which the entry stops applying (empty: never)."""

    @property
    def label(self) -> str:
        """``office (203.0.113.0/24)``, or the CIDR alone when the entry has no name."""
        return f"{self.name} ({self.value})" if self.name else self.value


class SqlUser(Frozen):
    """A database user (``host`` is MySQL's: ``%`` or empty means any host)."""

    name: str
    host: str = ""
    type: str = "BUILT_IN"

    @property
    def account(self) -> str:
        """``root@%``: the user as MySQL names it."""
        return f"{self.name}@{self.host or '%'}"

    @property
    def any_host(self) -> bool:
        """The user may connect from any host."""
        return self.host in ("", "%")

    @property
    def password_login(self) -> bool:
        """A built-in user that logs in with a password (not an IAM or Entra ID principal)."""
        return self.type in PASSWORD_USER_TYPES


@asset_kind("gcp.sql.instance", service="sql")
class CloudSqlInstance(Asset):
    """A Cloud SQL instance (MySQL, PostgreSQL or SQL Server); ``region`` is its region."""

    database_version: str = ""
    """``MYSQL_8_0``, ``POSTGRES_15``, ``SQLSERVER_2019_STANDARD``..."""
    engine: str = ""
    """``mysql``, ``postgres``, ``sqlserver``; empty for a version this model does not know."""
    instance_type: str = ""
    """CLOUD_SQL_INSTANCE, READ_REPLICA_INSTANCE, READ_POOL_INSTANCE..."""
    state: str = ""
    activation_policy: str = ""
    """ALWAYS, or NEVER for a stopped instance."""
    connection_name: str = ""
    public_ip: str | None = None
    private_ip: str | None = None
    authorized_networks: tuple[AuthorizedNetwork, ...] = ()
    ssl_mode: str = ""
    """ALLOW_UNENCRYPTED_AND_ENCRYPTED, ENCRYPTED_ONLY, TRUSTED_CLIENT_CERTIFICATE_REQUIRED or empty."""
    require_ssl: bool = False
    """The legacy setting; ``ssl_mode`` takes priority when it is set."""
    database_flags: dict[str, str] = Field(default_factory=dict)
    """Flags set on the instance (name -> value); a flag that is absent is at the engine's default."""
    backups_enabled: bool = False
    point_in_time_recovery: bool = False
    users: tuple[SqlUser, ...] = ()
    """Users of a MySQL instance (``users.list``); not read for the other engines."""

    @property
    def port(self) -> int | None:
        """The engine's port; None for an unknown engine."""
        return ENGINE_PORTS.get(self.engine)

    @property
    def engine_name(self) -> str:
        """``PostgreSQL``; the database version for an unknown engine."""
        return ENGINE_NAMES.get(self.engine, self.database_version or "database")

    @property
    def replica(self) -> bool:
        """A read replica or read pool (no backups of its own)."""
        return self.instance_type in ("READ_REPLICA_INSTANCE", "READ_POOL_INSTANCE")

    @property
    def ssl_required(self) -> bool:
        """Unencrypted connections are refused (``sslMode`` first, else the legacy ``requireSsl``)."""
        if self.ssl_mode and self.ssl_mode != "SSL_MODE_UNSPECIFIED":
            return self.ssl_mode in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
        return self.require_ssl

    def internet_networks(self) -> tuple[AuthorizedNetwork, ...]:
        """The broad authorized networks (see the module doc); none without a public IP."""
        if not self.public_ip:
            return ()
        return tuple(n for n in self.authorized_networks if is_broad(n.value))

    def exposure(self) -> Exposure:
        """How far the public IP is open (see :data:`Exposure`)."""
        if not self.public_ip:
            return "private"
        if covers_internet(n.value for n in self.authorized_networks):
            return "internet"
        if self.internet_networks():
            return "broad"
        return "restricted" if self.authorized_networks else "connectors"

    def public_addresses(self) -> tuple[str, ...]:
        """The public IP, whether or not an authorized network opens it (InternetDB and Shodan still look)."""
        return (self.public_ip,) if self.public_ip else ()


def internet_endpoints(
    public_ip: str | None, engine: str, networks: Iterable[AuthorizedNetwork]
) -> tuple[Endpoint, ...]:
    """The engine's port at the public IP when broad authorized networks open it to the Internet."""
    port = ENGINE_PORTS.get(engine)
    opening = [n.label for n in networks if is_broad(n.value)]
    if not public_ip or port is None or not opening:
        return ()
    via = "authorized network " + ", ".join(opening)
    return (
        Endpoint(host=public_ip, from_port=port, to_port=port, via=via, application=APPLICATIONS[engine]),
    )
