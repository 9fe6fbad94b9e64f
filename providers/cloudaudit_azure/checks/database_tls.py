"""Encryption and authentication of Azure databases: unencrypted connections accepted (PostgreSQL and
MySQL ``require_secure_transport``), a minimum TLS version below 1.2 (every engine and Cosmos DB), and
password logins left on beside Microsoft Entra ID (SQL, PostgreSQL).

Severity follows the public endpoint: high (medium for authentication) when public network access is
on, one step lower when only private endpoints or the virtual network reach the server.
"""

from __future__ import annotations

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.predicates import is_true
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_azure.assets_cosmosdb import CosmosAccount
from cloudaudit_azure.assets_databases import DatabaseServer, MysqlServer, PostgresServer, SqlServer
from cloudaudit_azure.checks.db_common import account_network, per_engine, server_network

MODERN_TLS = ("1.2", "1.3")

# ---------------------------------------------------------------------------------- secure transport

for _flexible, _cli in ((PostgresServer, "postgres"), (MysqlServer, "mysql")):
    expect(
        id=f"azure.{_flexible.service}.secure_transport_disabled",
        title=f"{_flexible.label} flexible server accepts unencrypted connections",
        severity=Severity.HIGH,
        asset=_flexible,
        attr="require_secure_transport",
        ok=is_true,
        requires=("public_network_access",),
        grade=lambda db, _: Severity.HIGH if db.public else Severity.MEDIUM,
        network=server_network,
        pass_msg=f"{_flexible.noun} {{name}} refuses unencrypted connections (require_secure_transport ON).",
        fail_msg=f"{_flexible.noun} {{name}} accepts unencrypted connections "
        "(require_secure_transport OFF): logins and data may cross the network in clear text.",
        rationale="""With the server parameter require_secure_transport OFF, clients may connect without
            TLS: passwords and query results travel readable by anyone on the path. High when public
            network access is on, medium when only the virtual network or private endpoints reach it.""",
        remediation=f"""az {_cli} flexible-server
            parameter set --resource-group RG --server-name SERVER --name require_secure_transport
            --value ON.""",
    )

# ---------------------------------------------------------------------------------- minimum TLS

_TLS_SETTING = {
    SqlServer: "minimalTlsVersion",
    PostgresServer: "ssl_min_protocol_version",
    MysqlServer: "tls_version",
    CosmosAccount: "minimalTlsVersion",
}


@per_engine(
    (SqlServer, PostgresServer, MysqlServer, CosmosAccount),
    id="azure.{service}.min_tls_below_1_2",
    title="{noun} accepts TLS versions older than 1.2",
    severity=Severity.MEDIUM,
    requires=("min_tls",),
    rationale="""TLS 1.0 and 1.1 have known weaknesses and are deprecated (RFC 8996). Azure is retiring
        them platform-wide (2025-2026), but until the resource's own setting says 1.2 it still permits
        them wherever the platform has not yet enforced it (sovereign clouds, resources not yet
        migrated); on Azure SQL the setting None even allowed unencrypted connections.""",
    remediation="""Set the minimum TLS version to 1.2 or later: az sql server update --minimal-tls-version
        1.2; az postgres flexible-server parameter set --name ssl_min_protocol_version --value TLSv1.2; az
        mysql flexible-server parameter set --name tls_version --value TLSv1.2 (static: restart the server);
        az cosmosdb update --minimal-tls-version Tls12.""",
)
def min_tls_below_1_2(db: DatabaseServer | CosmosAccount, inventory: Inventory) -> Outcome:
    """The lowest accepted TLS version (from the engine's setting) is 1.2 or later."""
    setting = _TLS_SETTING.get(type(db), "minimum TLS version")
    evidence = {"min_tls": db.min_tls, setting: db.tls_setting}
    facts = server_network(db) if isinstance(db, DatabaseServer) else account_network(db)
    if db.min_tls in MODERN_TLS:
        return passed(
            f"{db.subject} requires TLS {db.min_tls} or later ({setting} {db.tls_setting}).", evidence, facts
        )
    unset = ": no minimum, every version and even unencrypted connections" if db.tls_setting == "None" else ""
    return fail(
        f"{db.subject} accepts TLS {db.min_tls} connections ({setting} {db.tls_setting}{unset}).",
        {**evidence, "expected": "TLS 1.2 or later"},
        network=facts,
    )


# ---------------------------------------------------------------------------------- Entra ID only

expect(
    id="azure.sql.entra_only_disabled",
    title="SQL server accepts SQL authentication (Microsoft Entra-only authentication is off)",
    severity=Severity.MEDIUM,
    asset=SqlServer,
    attr="entra_only",
    ok=is_true,
    requires=("public_network_access",),
    grade=lambda db, _: Severity.MEDIUM if db.public else Severity.LOW,
    pass_msg="SQL server {name} accepts Microsoft Entra ID logins only.",
    fail_msg="SQL server {name} accepts SQL logins (passwords): Microsoft Entra-only authentication is off.",
    rationale="""SQL authentication keeps passwords (the server admin's among them) that can be guessed,
        reused or leaked, outside Entra ID's MFA, conditional access and central revocation. Medium when
        public network access is on, low otherwise. CIS 5.1.4 asks for Entra authentication to be
        configured; Entra-only goes further and turns the passwords off.""",
    remediation="""az sql server ad-only-auth enable --resource-group RG --name SERVER (after an Entra
        admin is set: az sql server ad-admin create).""",
)

expect(
    id="azure.postgresql.entra_only_disabled",
    title="PostgreSQL flexible server accepts password authentication",
    severity=Severity.MEDIUM,
    asset=PostgresServer,
    attr="entra_only",
    ok=is_true,
    requires=("public_network_access",),
    grade=lambda db, _: Severity.MEDIUM if db.public else Severity.LOW,
    pass_msg="PostgreSQL flexible server {name} accepts Microsoft Entra ID authentication only.",
    fail_msg="PostgreSQL flexible server {name} accepts password authentication (authConfig "
    "passwordAuth is not Disabled with Entra ID authentication on).",
    rationale="""PostgreSQL passwords can be guessed, reused or leaked and escape Entra ID's MFA,
        conditional access and central revocation. Medium when public network access is on, low
        otherwise.""",
    remediation="""az postgres flexible-server update --resource-group RG --name SERVER
        --microsoft-entra-auth Enabled --password-auth Disabled (after adding an Entra administrator).""",
)
