"""The sample subscription's databases: an open and a hardened server of each engine, a SQL server with
only the "Allow Azure services" rule, a PostgreSQL server accepting unencrypted connections, and a
Cosmos DB account open to all networks beside a restricted one."""

from __future__ import annotations

from cloudaudit_azure.fake.model_databases import (
    cosmos_account,
    firewall_rules,
    flexible_server,
    sql_entra_only,
    sql_server,
    tls_parameters,
)
from cloudaudit_azure.fake.state import FakeSubscription, arm_id

GROUP = "rg-data"
ZERO = "0.0.0.0"  # noqa: S104 - a firewall rule's start address, nothing binds it
EVERYONE = ("AllowAll", ZERO, "255.255.255.255")
AZURE_SERVICES = ("AllowAllWindowsAzureIps", ZERO, ZERO)
OFFICE = ("office", "203.0.113.0", "203.0.113.255")


def add_databases(sub: FakeSubscription) -> None:
    """Add the sample databases to ``sub``."""
    s = sub.id
    subnet = arm_id(s, "rg-network", "Microsoft.Network", "virtualNetworks", "vnet-data", "subnets", "db")

    sql_open = sql_server(s, GROUP, "sql-open", minimal_tls="1.0", tags={"env": "dev"})
    sub.add(sql_open, *firewall_rules(sql_open, [EVERYONE, AZURE_SERVICES]), sql_entra_only(sql_open, False))
    sql_azure = sql_server(s, GROUP, "sql-azure-services", location="westeurope")
    sub.add(sql_azure, *firewall_rules(sql_azure, [AZURE_SERVICES]), sql_entra_only(sql_azure, False))
    sql_closed = sql_server(s, GROUP, "sql-hardened", public_network_access="Disabled")
    sub.add(sql_closed, *firewall_rules(sql_closed, [OFFICE]), sql_entra_only(sql_closed, True))

    pg_open = flexible_server("postgresql", s, GROUP, "pg-open")
    sub.add(pg_open, *firewall_rules(pg_open, [EVERYONE]), *tls_parameters("postgresql", pg_open))
    pg_plain = flexible_server("postgresql", s, GROUP, "pg-plaintext", location="westeurope")
    office = ("office", "198.51.100.0", "198.51.100.255")
    sub.add(pg_plain, *firewall_rules(pg_plain, [office]))
    sub.add(*tls_parameters("postgresql", pg_plain, secure_transport="off"))
    pg_private = flexible_server(
        "postgresql",
        s,
        GROUP,
        "pg-private",
        public_network_access="Disabled",
        delegated_subnet=subnet,
        auth=("Enabled", "Disabled"),
    )
    sub.add(pg_private, *tls_parameters("postgresql", pg_private, tls="TLSv1.3"))

    split = [("low-half", ZERO, "127.255.255.255"), ("high-half", "128.0.0.0", "255.255.255.255")]
    my_open = flexible_server("mysql", s, GROUP, "mysql-open")
    sub.add(my_open, *firewall_rules(my_open, split))
    sub.add(*tls_parameters("mysql", my_open, tls="TLSv1,TLSv1.1,TLSv1.2"))
    my_closed = flexible_server("mysql", s, GROUP, "mysql-hardened", public_network_access="Disabled")
    sub.add(my_closed, *tls_parameters("mysql", my_closed))

    sub.add(
        cosmos_account(s, GROUP, "cosmos-open", minimal_tls="Tls"),
        cosmos_account(
            s,
            GROUP,
            "cosmos-restricted",
            location="North Europe",
            ip_rules=["203.0.113.0/24"],
            virtual_network_filter=True,
            virtual_network_rules=[subnet],
            disable_local_auth=True,
        ),
    )
