"""Pass/fail tables of the Azure SQL, PostgreSQL and MySQL checks: firewall exposure (whole Internet,
"Allow Azure services", broad ranges), unencrypted connections, minimum TLS, Entra-only logins.

The firewall and TLS tables are the same for the three engines (twin checks): built once per engine.
"""

from __future__ import annotations

from typing import Any

from azure_cases import COMMON, GROUP, REGION, SUBSCRIPTION, CheckCase, case
from cloudaudit.model.enums import Severity
from cloudaudit_azure.assets_databases import DatabaseServer, MysqlServer, PostgresServer, SqlServer
from cloudaudit_azure.db_firewall import FirewallRule
from cloudaudit_azure.fake.state import arm_id

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
ZERO = "0.0.0.0"  # the start address of a rule
TYPES: dict[type[DatabaseServer], tuple[str, str]] = {
    SqlServer: ("Microsoft.Sql", "servers"),
    PostgresServer: ("Microsoft.DBforPostgreSQL", "flexibleServers"),
    MysqlServer: ("Microsoft.DBforMySQL", "flexibleServers"),
}
ENGINES = tuple(TYPES)
FLEXIBLE = (PostgresServer, MysqlServer)
SUBNET = arm_id(SUBSCRIPTION, "rg-net", "Microsoft.Network", "virtualNetworks", "vnet", "subnets", "db")


def server(cls: type[DatabaseServer], name: str, *rules: tuple[str, str, str], **fields: Any) -> Any:
    """A server of ``cls`` with ``(name, start, end)`` rules; public network access on by default."""
    namespace, kind = TYPES[cls]
    return cls(
        **COMMON,
        region=REGION,
        id=arm_id(SUBSCRIPTION, GROUP, namespace, kind, name),
        name=name,
        fqdn=f"{name}.db.example.test",
        public_network_access=fields.pop("public_network_access", "Enabled"),
        firewall_rules=tuple(FirewallRule(name=n, start=a, end=b) for n, a, b in rules),
        min_tls=fields.pop("min_tls", "1.2"),
        **fields,
    )


EVERYONE = ("AllowAll", ZERO, "255.255.255.255")
AZURE = ("AllowAllWindowsAzureIps", ZERO, ZERO)
OFFICE = ("office", "203.0.113.0", "203.0.113.255")
LOW_HALF, HIGH_HALF = ("low", ZERO, "127.255.255.255"), ("high", "128.0.0.0", "255.255.255.255")
PUBLIC_ONLY = (("a", "1.0.0.0", "9.255.255.255"), ("b", "11.0.0.0", "255.255.255.255"))  # skips 10/8 only
ONE_GAP = (("a", ZERO, "8.8.8.7"), ("b", "8.8.8.9", "255.255.255.255"))  # one public address left out
SLASH_8 = ("provider", "52.0.0.0", "52.255.255.255")
SLASH_15 = ("isp", "198.18.0.0", "198.19.255.255")
SLASH_16 = ("campus", "198.18.0.0", "198.18.255.255")
PRIVATE_8 = ("vnet", "10.0.0.0", "10.255.255.255")
RULES_UNREAD = {"firewall_rules": "AuthorizationFailed on firewallRules.listByServer"}


def firewall_cases(cls: type[DatabaseServer]) -> dict[str, CheckCase]:
    """The three firewall checks of one engine."""
    open_ = server(cls, "open", EVERYONE)
    split = server(cls, "split", LOW_HALF, HIGH_HALF)
    public_only = server(cls, "public-only", *PUBLIC_ONLY)
    unset = server(cls, "unset-switch", EVERYONE, public_network_access="")
    one_gap = server(cls, "one-gap", *ONE_GAP)
    azure = server(cls, "azure", AZURE)
    open_azure = server(cls, "open-azure", EVERYONE, AZURE)
    narrow = server(cls, "narrow", OFFICE)
    closed = server(cls, "closed")
    disabled = server(cls, "disabled", EVERYONE, AZURE, SLASH_8, public_network_access="Disabled")
    unread = server(cls, "unread", unread=RULES_UNREAD)
    slash8 = server(cls, "slash-8", SLASH_8, OFFICE)
    slash15 = server(cls, "slash-15", SLASH_15)
    slash16 = server(cls, "slash-16", SLASH_16)
    private8 = server(cls, "private-8", PRIVATE_8)
    if cls in FLEXIBLE:  # a server injected in a virtual network: no public endpoint at all
        extra = server(cls, "vnet", EVERYONE, public_network_access="Disabled", delegated_subnet=SUBNET)
        why = "no public endpoint (injected in a virtual network)"
    else:  # a network security perimeter decides, not the firewall rules
        extra = server(cls, "perimeter", EVERYONE, AZURE, public_network_access="SecuredByPerimeter")
        why = "public network access SecuredByPerimeter: its firewall rules AllowAll"
    service = cls.service
    return {
        f"azure.{service}.open_to_internet": case(
            open_,
            split,
            public_only,
            unset,
            one_gap,
            azure,
            narrow,
            closed,
            disabled,
            unread,
            extra,
            failing={open_.id: C, split.id: C, public_only.id: C, unset.id: C},
            passing=[one_gap.id, azure.id, narrow.id, closed.id, disabled.id, extra.id],
            unknown=[unread.id],
            messages={
                open_.id: f"connections on open.db.example.test:{cls.port} from the whole Internet",
                disabled.id: "public network access disabled: its firewall rules AllowAll",
                closed.id: "no firewall rule: public connections are refused",
                extra.id: why,
            },
        ),
        f"azure.{service}.allows_azure_services": case(
            azure,
            open_azure,
            narrow,
            closed,
            disabled,
            unread,
            extra,
            failing={azure.id: M, open_azure.id: M},
            passing=[narrow.id, closed.id, disabled.id, extra.id],
            unknown=[unread.id],
            messages={
                azure.id: "any resource of any Azure customer",
                disabled.id: "rule AllowAllWindowsAzureIps (0.0.0.0-0.0.0.0) is neutralised",
                narrow.id: 'no "Allow Azure services" rule',
            },
        ),
        f"azure.{service}.broad_firewall_rule": case(
            slash8,
            slash15,
            slash16,
            private8,
            one_gap,
            open_,
            split,
            narrow,
            azure,
            closed,
            disabled,
            unread,
            failing={slash8.id: H, slash15.id: M, one_gap.id: H},
            passing=[slash16.id, private8.id, narrow.id, azure.id, closed.id, disabled.id],
            unknown=[unread.id],
            silent=[open_.id, split.id],  # reported by open_to_internet
            messages={
                slash8.id: "from broad ranges: provider (52.0.0.0-52.255.255.255)",
                disabled.id: "its broad firewall rules AllowAll (0.0.0.0-255.255.255.255), provider",
            },
        ),
    }


def tls_case(cls: type[DatabaseServer]) -> CheckCase:
    """The minimum TLS check of one engine."""
    old = server(cls, "tls-1-0", min_tls="1.0", tls_setting="TLSv1")
    v11 = server(cls, "tls-1-1", min_tls="1.1", tls_setting="TLSv1.1")
    v12 = server(cls, "tls-1-2", min_tls="1.2", tls_setting="TLSv1.2")
    v13 = server(cls, "tls-1-3", min_tls="1.3", tls_setting="TLSv1.3")
    unread = server(cls, "tls-unread", min_tls="", unread={"min_tls": "HTTP 500 on configurations.get"})
    return case(
        old,
        v11,
        v12,
        v13,
        unread,
        failing={old.id: M, v11.id: M},
        passing=[v12.id, v13.id],
        unknown=[unread.id],
        messages={old.id: "accepts TLS 1.0 connections", v13.id: "requires TLS 1.3 or later"},
    )


def secure_transport_case(cls: type[DatabaseServer]) -> CheckCase:
    """``require_secure_transport`` of one flexible engine: high when public, medium otherwise."""
    public_off = server(cls, "plain-public", OFFICE, require_secure_transport=False)
    private_off = server(
        cls, "plain-private", require_secure_transport=False, public_network_access="Disabled"
    )
    vnet_off = server(cls, "plain-vnet", require_secure_transport=False, delegated_subnet=SUBNET)
    on = server(cls, "encrypted", EVERYONE)
    unread = server(cls, "stopped", unread={"require_secure_transport": "the server is Stopped"})
    return case(
        public_off,
        private_off,
        vnet_off,
        on,
        unread,
        failing={public_off.id: H, private_off.id: M, vnet_off.id: M},
        passing=[on.id],
        unknown=[unread.id],
        messages={public_off.id: "require_secure_transport OFF", on.id: "refuses unencrypted connections"},
    )


def entra_case(cls: type[DatabaseServer]) -> CheckCase:
    """Entra-only authentication: medium with public access, low without."""
    passwords = server(cls, "passwords", OFFICE, entra_only=False)
    private = server(cls, "passwords-private", entra_only=False, public_network_access="Disabled")
    entra = server(cls, "entra-only", EVERYONE, entra_only=True)
    unread = server(cls, "entra-unread", unread={"entra_only": "AuthorizationFailed on listByServer"})
    return case(
        passwords,
        private,
        entra,
        unread,
        failing={passwords.id: M, private.id: L},
        passing=[entra.id],
        unknown=[unread.id],
    )


SQL_NONE = server(SqlServer, "tls-none", min_tls="1.0", tls_setting="None")

CASES: dict[str, CheckCase] = {}
for _engine in ENGINES:
    CASES.update(firewall_cases(_engine))
    CASES[f"azure.{_engine.service}.min_tls_below_1_2"] = tls_case(_engine)
for _engine in FLEXIBLE:
    CASES[f"azure.{_engine.service}.secure_transport_disabled"] = secure_transport_case(_engine)
CASES["azure.sql.entra_only_disabled"] = entra_case(SqlServer)
CASES["azure.postgresql.entra_only_disabled"] = entra_case(PostgresServer)
_sql_tls = CASES["azure.sql.min_tls_below_1_2"]
CASES["azure.sql.min_tls_below_1_2"] = case(
    *_sql_tls.inventory.assets,
    SQL_NONE,
    failing={**_sql_tls.failing, SQL_NONE.id: M},
    passing=_sql_tls.passing,
    unknown=_sql_tls.unknown,
    messages={
        SQL_NONE.id: "(minimalTlsVersion None: no minimum, every version and even unencrypted connections)"
    },
)
