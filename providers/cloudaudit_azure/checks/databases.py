"""Who reaches Azure SQL, PostgreSQL and MySQL servers (and Cosmos DB accounts) through their IP
firewall: the whole Internet, every Azure tenant ("Allow Azure services"), or a broad range.

Each check is declared once for every engine (``azure.sql.*``, ``azure.postgresql.*``,
``azure.mysql.*``). Public network access disabled neutralises the rules: such a server passes, and
the message says which rules are neutralised. Rule semantics: :mod:`cloudaudit_azure.db_firewall`.
"""

from __future__ import annotations

from collections.abc import Iterator

from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.exposure.proofs import UNAUTHENTICATED_SERVICE
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_azure.assets_cosmosdb import CosmosAccount
from cloudaudit_azure.assets_databases import (
    DatabaseServer,
    FlexibleServer,
    MysqlServer,
    PostgresServer,
    SqlServer,
)
from cloudaudit_azure.checks.db_common import account_network, per_engine, server_network
from cloudaudit_azure.db_firewall import VERY_BROAD_SIZE, FirewallRule, labels

_RULE_INPUTS = ("public_network_access", "firewall_rules")


def _evidence(db: DatabaseServer | CosmosAccount, rules: tuple[FirewallRule, ...]) -> dict[str, object]:
    return {
        "public_network_access": db.public_network_access or "not set (Enabled)",
        "firewall_rules": [r.label for r in rules],
    }


def _closed(db: DatabaseServer | CosmosAccount, rules: tuple[FirewallRule, ...], what: str) -> str:
    """Why ``db`` passes when public access is off: its ``rules`` (a ``what``) are neutralised."""
    access = db.public_network_access
    how = (
        "public network access disabled"
        if access.lower() == "disabled"
        else f"public network access {access}"
    )
    if isinstance(db, FlexibleServer) and db.delegated_subnet:
        how = "no public endpoint (injected in a virtual network)"
    if len(rules) == 1:
        return f"{db.subject} has {how}: its {what} {labels(rules)} is neutralised."
    if rules:
        return f"{db.subject} has {how}: its {what}s {labels(rules)} are neutralised."
    return f"{db.subject} has {how}."


def _rules_text(db: DatabaseServer) -> str:
    if not db.firewall_rules:
        return "no firewall rule: public connections are refused"
    return f"firewall rules: {labels(db.firewall_rules)}"


# ---------------------------------------------------------------------------------- whole Internet


@per_engine(
    (SqlServer, PostgresServer, MysqlServer),
    id="azure.{service}.open_to_internet",
    title="{noun} accepts connections from the whole Internet",
    severity=Severity.CRITICAL,
    requires=_RULE_INPUTS,
    rationale="""A firewall rule 0.0.0.0-255.255.255.255 (or rules that add up to every public address)
        with public network access enabled lets anyone on the Internet open a connection to the
        server's endpoint: scanners find it within hours and brute-force its logins.""",
    remediation="""Delete the rule and admit only the addresses that need direct access (az sql server
        firewall-rule delete / az postgres|mysql flexible-server firewall-rule delete), or disable public
        network access (--public-network-access Disabled) and connect through a private endpoint or the
        virtual network.""",
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def open_to_internet(db: DatabaseServer, inventory: Inventory) -> Outcome:
    """Public access on and the IPv4 rules cover every public address."""
    level = db.exposure()
    opening = db.broad_rules() or db.firewall_rules
    if level == "internet":
        return fail(
            f"{db.subject} accepts connections on {db.address} from the whole Internet "
            f"(firewall rules {labels(opening)}).",
            _evidence(db, opening),
            network=server_network(db, opening),
        )
    if level == "private":
        message = _closed(db, db.firewall_rules, "firewall rule")
    else:
        message = f"{db.subject} is not open to the whole Internet ({_rules_text(db)})."
    return passed(message, _evidence(db, db.firewall_rules), server_network(db))


# ---------------------------------------------------------------------------------- Azure services


@per_engine(
    (SqlServer, PostgresServer, MysqlServer, CosmosAccount),
    id="azure.{service}.allows_azure_services",
    title='{noun} firewall admits every Azure tenant ("Allow Azure services")',
    severity=Severity.MEDIUM,
    requires=_RULE_INPUTS,
    rationale="""The rule 0.0.0.0-0.0.0.0 ("Allow Azure services and resources to access this server",
        AllowAllWindowsAzureIps; 0.0.0.0 in a Cosmos DB account's IP rules) does not mean "my services": it
        admits every address of every Azure datacenter, so a VM, function or App Service of any Azure
        customer passes the firewall and only authentication stands between it and the data. Commonly
        treated as safe; it is not.""",
    remediation="""Turn off "Allow Azure services and resources to access this server" (delete the
        0.0.0.0-0.0.0.0 rule; Cosmos DB: remove 0.0.0.0 from the IP rules, "Accept connections from within
        public Azure datacenters") and reach the server from your own resources through a private endpoint,
        a virtual network rule or their fixed outbound addresses.""",
)
def allows_azure_services(db: DatabaseServer | CosmosAccount, inventory: Inventory) -> Outcome:
    """Public access on and a ``0.0.0.0``-``0.0.0.0`` rule."""
    rules = db.azure_rules()
    facts = server_network(db, rules) if isinstance(db, DatabaseServer) else account_network(db)
    if not db.public:
        return passed(_closed(db, rules, '"Allow Azure services" rule'), _evidence(db, rules), facts)
    if not rules:
        return passed(f'{db.subject} has no "Allow Azure services" rule.', _evidence(db, rules), facts)
    return fail(
        f'{db.subject} has the "Allow Azure services" rule {labels(rules)}: every Azure datacenter address '
        f"passes its firewall on {db.address}, so any resource of any Azure customer (a VM, a function, "
        "an App Service in another tenant), not only yours, can connect; only authentication stands in the "
        "way.",
        _evidence(db, rules),
        network=facts,
    )


# ---------------------------------------------------------------------------------- broad ranges


@per_engine(
    (SqlServer, PostgresServer, MysqlServer),
    id="azure.{service}.broad_firewall_rule",
    title="{noun} firewall rule admits a broad public address range",
    severity=Severity.HIGH,
    requires=_RULE_INPUTS,
    rationale="""A firewall rule spanning more than a /16 (65,536 addresses) of public space admits far
        more than one organisation's egress (a whole provider or ISP), so strangers reach the server's
        endpoint: high for a /8 or more, medium otherwise. Servers open to every address are reported by
        the open_to_internet check.""",
    remediation="""Narrow the rule to the exact addresses that need access (az sql server firewall-rule
        update / az postgres|mysql flexible-server firewall-rule update --start-ip-address
        --end-ip-address), or disable public network access and use a private endpoint.""",
    exploited_by=UNAUTHENTICATED_SERVICE,
)
def broad_firewall_rule(db: DatabaseServer, inventory: Inventory) -> Iterator[Outcome]:
    """A rule of more than a /16 of public space (silent when the whole Internet is open)."""
    level = db.exposure()
    broad = db.broad_rules()
    if level == "internet":
        return
    if level != "broad":
        message = _closed(db, broad, "broad firewall rule") if level == "private" else None
        yield passed(
            message or f"{db.subject} has no broad firewall rule ({_rules_text(db)}).", {}, server_network(db)
        )
        return
    widest = max(r.size for r in broad)
    yield fail(
        f"{db.subject} accepts connections on {db.address} from broad ranges: {labels(broad)}.",
        {**_evidence(db, broad), "widest_rule_addresses": widest},
        Severity.HIGH if widest >= VERY_BROAD_SIZE else Severity.MEDIUM,
        server_network(db, broad),
    )
