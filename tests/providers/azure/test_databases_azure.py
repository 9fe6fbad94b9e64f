"""Azure databases through ``cloudaudit run --provider azure``: the real azure-mgmt-sql,
-postgresqlflexibleservers, -mysqlflexibleservers and -cosmosdb clients against the HTTPS fake.

What a user sees: verdicts and severities of the sample databases, UNKNOWN (never FAIL) where a
detail call was refused, coverage gaps, the exposure targets, and that nothing but GET was sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azure_run import SUBSCRIPTION, findings, run_azure, serve, verdicts
from cloudaudit_azure.fake import FakeArm, FakeSubscription
from cloudaudit_azure.fake.faults import denied, not_registered
from cloudaudit_azure.fake.model_databases import firewall_rules, flexible_server, sql_entra_only, sql_server
from cloudaudit_azure.fake.sample_databases import EVERYONE, GROUP, add_databases

DATABASES = "azure.sql.*,azure.postgresql.*,azure.mysql.*,azure.cosmosdb.*"
SECRET_CALLS = ("listkeys", "listconnectionstrings", "readonlykeys", "regeneratekey", "listcredentials")


def sample(*extra: dict[str, Any]) -> FakeSubscription:
    sub = FakeSubscription(SUBSCRIPTION)
    add_databases(sub)
    sub.add(*extra)
    return sub


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    yield from serve(monkeypatch, sample())


def run(arm: FakeArm, out: Path, *args: str, checks: str = DATABASES) -> int:
    return run_azure(arm, out, "--checks", checks, *args)


def by_name(out: Path, check: str, name: str) -> dict[str, Any]:
    found = [f for f in findings(out)["findings"] if f["check_id"] == check and f["resource_name"] == name]
    assert len(found) == 1, (check, name, found)
    result: dict[str, Any] = found[0]
    return result


def assets(out: Path) -> dict[str, dict[str, Any]]:
    inventory = json.loads((out / "inventory.json").read_text())
    return {a["name"]: a for a in inventory["assets"]}


def read_only(arm: FakeArm) -> None:
    """Nothing but GET, and no call that returns secrets."""
    assert arm.writes() == []
    assert {r.method for r in arm.requests} == {"GET"}
    assert not [r.path for r in arm.requests if r.path.lower().rsplit("/", 1)[-1] in SECRET_CALLS]


# ---------------------------------------------------------------------------------- the sample


def test_verdicts_of_the_sample_databases(arm: FakeArm, tmp_path: Path) -> None:
    assert run(arm, tmp_path) == 0

    seen = verdicts(tmp_path)
    expected = {
        ("azure.sql.open_to_internet", "sql-open"): ("FAIL", "critical"),
        ("azure.sql.open_to_internet", "sql-azure-services"): ("PASS", "critical"),
        ("azure.sql.open_to_internet", "sql-hardened"): ("PASS", "critical"),
        ("azure.sql.allows_azure_services", "sql-open"): ("FAIL", "medium"),
        ("azure.sql.allows_azure_services", "sql-azure-services"): ("FAIL", "medium"),
        ("azure.sql.min_tls_below_1_2", "sql-open"): ("FAIL", "medium"),
        ("azure.sql.entra_only_disabled", "sql-open"): ("FAIL", "medium"),
        ("azure.sql.entra_only_disabled", "sql-hardened"): ("PASS", "medium"),
        ("azure.postgresql.open_to_internet", "pg-open"): ("FAIL", "critical"),
        ("azure.postgresql.open_to_internet", "pg-private"): ("PASS", "critical"),
        ("azure.postgresql.secure_transport_disabled", "pg-plaintext"): ("FAIL", "high"),
        ("azure.postgresql.secure_transport_disabled", "pg-open"): ("PASS", "high"),
        ("azure.postgresql.entra_only_disabled", "pg-private"): ("PASS", "medium"),
        ("azure.postgresql.min_tls_below_1_2", "pg-private"): ("PASS", "medium"),
        ("azure.mysql.open_to_internet", "mysql-open"): ("FAIL", "critical"),  # two half ranges
        ("azure.mysql.open_to_internet", "mysql-hardened"): ("PASS", "critical"),
        ("azure.mysql.min_tls_below_1_2", "mysql-open"): ("FAIL", "medium"),
        ("azure.mysql.secure_transport_disabled", "mysql-open"): ("PASS", "high"),
        ("azure.cosmosdb.open_to_all_networks", "cosmos-open"): ("FAIL", "high"),
        ("azure.cosmosdb.open_to_all_networks", "cosmos-restricted"): ("PASS", "high"),
        ("azure.cosmosdb.local_auth_enabled", "cosmos-open"): ("FAIL", "medium"),
        ("azure.cosmosdb.local_auth_enabled", "cosmos-restricted"): ("PASS", "medium"),
        ("azure.cosmosdb.min_tls_below_1_2", "cosmos-open"): ("FAIL", "medium"),
    }
    assert {key: seen.get(key) for key in expected} == expected
    assert ("azure.sql.broad_firewall_rule", "sql-open") not in seen  # the whole Internet says it
    assert not [key for key, (status, _) in seen.items() if status in ("UNKNOWN", "ERROR")]
    assert findings(tmp_path)["coverage"] == []
    read_only(arm)


def test_messages_say_who_the_rules_let_in(arm: FakeArm, tmp_path: Path) -> None:
    run(arm, tmp_path)

    azure = by_name(tmp_path, "azure.sql.allows_azure_services", "sql-azure-services")
    assert "AllowAllWindowsAzureIps (0.0.0.0-0.0.0.0)" in azure["message"]
    assert "any resource of any Azure customer" in azure["message"]
    assert azure["network"]["reachability"] == "restricted"
    hardened = by_name(tmp_path, "azure.sql.open_to_internet", "sql-hardened")
    assert "public network access disabled: its firewall rule office" in hardened["message"]
    assert "neutralised" in hardened["message"]
    assert hardened["network"]["reachability"] == "private"
    opened = by_name(tmp_path, "azure.postgresql.open_to_internet", "pg-open")
    assert opened["network"]["addresses"] == ["pg-open.postgres.database.azure.com"]
    assert opened["network"]["ports"] == [{"from_port": 5432, "to_port": 5432, "transport": "tcp"}]
    assert "CIS-Azure-Foundations-3.0.0" not in opened["compliance"]  # CIS has no such PostgreSQL control
    sql = by_name(tmp_path, "azure.sql.open_to_internet", "sql-open")
    assert sql["compliance"]["CIS-Azure-Foundations-3.0.0"] == ["5.1.2"]


def test_public_databases_with_firewall_rules_are_exposure_targets(arm: FakeArm, tmp_path: Path) -> None:
    run(arm, tmp_path)

    found = {name: a["endpoints"] for name, a in assets(tmp_path).items()}
    ports = {
        name: [(e["host"], e["from_port"], e["application"]) for e in ends] for name, ends in found.items()
    }
    assert ports["sql-open"] == [("sql-open.database.windows.net", 1433, "mssql")]
    assert ports["sql-azure-services"] == [("sql-azure-services.database.windows.net", 1433, "mssql")]
    assert ports["pg-plaintext"] == [("pg-plaintext.postgres.database.azure.com", 5432, "postgres")]
    assert ports["mysql-open"] == [("mysql-open.mysql.database.azure.com", 3306, "mysql")]
    assert ports["cosmos-open"] == [("cosmos-open.documents.azure.com", 443, "https")]
    for private in ("sql-hardened", "pg-private", "mysql-hardened"):
        assert ports[private] == [], private
    surface = {s["endpoint"]: s["reachability"] for s in findings(tmp_path)["surface"]}
    assert surface["pg-open.postgres.database.azure.com"] == "reachable"
    assert "sql-hardened.database.windows.net" not in surface


def test_regions_keep_the_servers_of_the_locations_asked_for(arm: FakeArm, tmp_path: Path) -> None:
    run(arm, tmp_path, "--regions", "westeurope,northeurope")

    assert {name for (_, name) in verdicts(tmp_path)} == {
        "sql-azure-services",
        "pg-plaintext",
        "cosmos-restricted",
    }
    details = [r.path for r in arm.requests if "/firewallrules" in r.path.lower()]
    assert sorted(p.split("/")[-2] for p in details) == ["pg-plaintext", "sql-azure-services"]


# ---------------------------------------------------------------------------------- failures


def test_a_denied_firewall_rule_listing_makes_that_servers_firewall_checks_unknown(
    arm: FakeArm, tmp_path: Path
) -> None:
    arm.inject(
        "*/microsoft.sql/servers/sql-open/firewallrules", denied("Microsoft.Sql/servers/firewallRules/read")
    )

    assert run(arm, tmp_path) == 0  # a denial is a known blind spot, not a failed run

    seen = verdicts(tmp_path)
    for check in ("open_to_internet", "allows_azure_services", "broad_firewall_rule"):
        assert seen[(f"azure.sql.{check}", "sql-open")][0] == "UNKNOWN", check
    assert seen[("azure.sql.min_tls_below_1_2", "sql-open")] == ("FAIL", "medium")  # the server was read
    assert seen[("azure.sql.allows_azure_services", "sql-azure-services")] == ("FAIL", "medium")
    (gap,) = findings(tmp_path)["coverage"]
    assert (gap["service"], gap["kind"], gap["operation"], gap["error_code"]) == (
        "sql",
        "denied",
        "firewallRules.listByServer",
        "AuthorizationFailed",
    )
    assert gap["resource_id"].endswith("/servers/sql-open")
    unread = assets(tmp_path)["sql-open"]
    assert unread["unread"] == {"firewall_rules": "AuthorizationFailed on firewallRules.listByServer"}
    assert unread["endpoints"] == []  # unknown rules open nothing we can name
    read_only(arm)


def test_a_denied_server_parameter_makes_only_its_check_unknown(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject("*/flexibleservers/pg-plaintext/configurations/require_secure_transport", denied())

    run(arm, tmp_path)

    seen = verdicts(tmp_path)
    assert seen[("azure.postgresql.secure_transport_disabled", "pg-plaintext")][0] == "UNKNOWN"
    assert seen[("azure.postgresql.min_tls_below_1_2", "pg-plaintext")][0] == "PASS"
    assert seen[("azure.postgresql.secure_transport_disabled", "pg-open")][0] == "PASS"
    (gap,) = findings(tmp_path)["coverage"]
    assert (gap["service"], gap["operation"]) == ("postgresql", "configurations.get")


def test_an_unregistered_mysql_provider_is_an_unsupported_gap_and_the_rest_is_audited(
    arm: FakeArm, tmp_path: Path
) -> None:
    arm.inject("*/providers/microsoft.dbformysql/flexibleservers", not_registered("Microsoft.DBforMySQL"))

    assert run(arm, tmp_path) == 0

    (gap,) = findings(tmp_path)["coverage"]
    assert (gap["service"], gap["kind"]) == ("mysql", "unsupported")
    assert "register" in gap["message"]  # the SDK's registration POST was refused, not sent
    seen = verdicts(tmp_path)
    assert not [key for key in seen if key[0].startswith("azure.mysql.")]
    assert seen[("azure.postgresql.open_to_internet", "pg-open")] == ("FAIL", "critical")
    assert seen[("azure.cosmosdb.open_to_all_networks", "cosmos-open")] == ("FAIL", "high")
    read_only(arm)


def test_parameters_of_a_stopped_server_are_not_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stopped = flexible_server("postgresql", SUBSCRIPTION, GROUP, "pg-stopped", state="Stopped")
    for arm in serve(monkeypatch, sample(stopped, *firewall_rules(stopped, [EVERYONE]))):
        run(arm, tmp_path, checks="azure.postgresql.*")
        asked = [r.path for r in arm.requests if "pg-stopped/configurations" in r.path]

    assert asked == []
    finding = by_name(tmp_path, "azure.postgresql.secure_transport_disabled", "pg-stopped")
    assert finding["status"] == "UNKNOWN"
    assert "Stopped" in json.dumps(finding)
    assert by_name(tmp_path, "azure.postgresql.open_to_internet", "pg-stopped")["status"] == "FAIL"
    assert findings(tmp_path)["coverage"] == []  # not asking is no failure


def test_every_page_of_servers_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bulk = []
    for i in range(130):
        server = sql_server(SUBSCRIPTION, "rg-bulk", f"bulk-{i:03}", public_network_access="Disabled")
        bulk += [server, sql_entra_only(server, True)]
    for arm in serve(monkeypatch, sample(*bulk)):
        run(arm, tmp_path, checks="azure.sql.entra_only_disabled")
        pages = [r for r in arm.requests if r.path.endswith("/providers/Microsoft.Sql/servers")]

    assert len(pages) == 2
    judged = {name for (_, name) in verdicts(tmp_path)}
    assert {"bulk-000", "bulk-129", "sql-open"} <= judged
    assert len(judged) == 133
