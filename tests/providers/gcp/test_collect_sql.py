"""Cloud SQL through ``cloudaudit run --provider gcp``: the real discovery client against the local fake.

What a user sees: verdicts and severities per instance, coverage gaps and exit codes, the public IPs
as exposure targets. Backoff sleeps of the discovery client's retries are zeroed (``random.random``
picks the sleep); the retry loop itself is the client's own.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from cloudaudit_gcp.fake import FakeGoogleApis, FakeProject, Fault
from cloudaudit_gcp.fake.state import SqlInstance, SqlUser
from gcp_run import findings, run_gcp, verdicts
from probe_servers import Server, Silent, postgres_starttls, running

PROJECT = "sql-project"
OTHER = "other-project"
PAGE = 500
"""Instances per page of ``instances.list`` when the caller sets no maxResults (the API's default)."""


def instances() -> list[SqlInstance]:
    return [
        SqlInstance(
            "pg-open",
            public_ip="34.30.0.7",
            authorized_networks={"anyone": "0.0.0.0/0"},
            users=[SqlUser("postgres")],
        ),
        SqlInstance(
            "mysql-eu",
            database_version="MYSQL_8_0",
            region="europe-west1",
            public_ip="34.30.0.8",
            authorized_networks={"office": "203.0.113.0/24"},
            users=[SqlUser("root", "%"), SqlUser("app", "10.0.0.%")],
        ),
        SqlInstance(
            "mysql-us",
            database_version="MYSQL_5_7",
            private_ip="10.50.0.4",
            ssl_mode="ENCRYPTED_ONLY",
            flags={"local_infile": "off", "skip_show_database": "on"},
            users=[SqlUser("app", "10.0.0.%"), SqlUser("ops@example.com", "%", type="CLOUD_IAM_USER")],
        ),
        SqlInstance(
            "mysql-stopped",
            database_version="MYSQL_8_0",
            private_ip="10.50.0.5",
            activation_policy="NEVER",
            users=[SqlUser("root", "%")],
        ),
        SqlInstance("sqlserver", database_version="SQLSERVER_2019_STANDARD", private_ip="10.50.0.6"),
        SqlInstance(
            "pg-replica", private_ip="10.50.0.7", backups=False, instance_type="READ_REPLICA_INSTANCE"
        ),
        SqlInstance("external", instance_type="ON_PREMISES_INSTANCE", public_ip="198.51.100.9"),
    ]


def project(bulk: int = 0) -> FakeProject:
    """The instances above, then ``bulk`` private PostgreSQL ones (so that the listing takes pages)."""
    built = FakeProject(PROJECT, number="111111111111", sql_instances=instances())
    built.sql_instances += [SqlInstance(f"bulk-{i:03}", private_ip="10.60.0.1") for i in range(bulk)]
    return built


@pytest.fixture
def fake() -> Iterator[FakeGoogleApis]:
    with FakeGoogleApis([project()]) as served:
        yield served


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.0)


def run(fake: FakeGoogleApis, out: Path, *args: str, checks: str = "gcp.sql.*") -> int:
    return run_gcp(fake, out, "--checks", checks, *args, project=PROJECT)


def users_listed(fake: FakeGoogleApis) -> list[str]:
    return sorted(r.path.split("/")[-2] for r in fake.requests if r.route == "sql.users.list")


def gaps(out: Path) -> list[dict[str, Any]]:
    return list(findings(out)["coverage"])


USERS = "gcp.sql.mysql_root_or_any_host_user"

# ---------------------------------------------------------------------------------- reads


def test_every_page_of_instances_is_read_and_judged(tmp_path: Path) -> None:
    with FakeGoogleApis([project(bulk=PAGE)]) as fake:
        code = run(fake, tmp_path, checks="gcp.sql.public_ip")
        listed = [r for r in fake.requests if r.route == "sql.instances.list"]

    assert code == 0
    assert len(listed) == 2 and "pageToken" in listed[1].query
    judged = {name for (_, name) in verdicts(tmp_path)}
    assert len(judged) == PAGE + 6  # the external primary's representation is not a Cloud SQL database
    assert {"bulk-000", f"bulk-{PAGE - 1}", "pg-open", "mysql-eu"} <= judged


def test_findings_users_and_severities_of_the_sample(fake: FakeGoogleApis, tmp_path: Path) -> None:
    code = run(fake, tmp_path)

    assert code == 0
    seen = verdicts(tmp_path)
    assert seen[("gcp.sql.open_to_internet", "pg-open")] == ("FAIL", "critical")
    assert seen[("gcp.sql.ssl_not_required", "pg-open")] == ("FAIL", "high")
    assert seen[("gcp.sql.ssl_not_required", "mysql-eu")] == ("FAIL", "medium")
    assert seen[("gcp.sql.ssl_not_required", "mysql-us")] == ("PASS", "high")
    assert seen[("gcp.sql.public_ip", "mysql-eu")] == ("FAIL", "medium")
    assert seen[(USERS, "mysql-eu")] == ("FAIL", "medium")  # root@% behind a narrow authorized network
    assert seen[(USERS, "mysql-us")] == ("PASS", "medium")  # the IAM user at % logs in through IAM
    assert seen[(USERS, "mysql-stopped")] == ("UNKNOWN", "medium")
    assert seen[("gcp.sql.mysql_local_infile", "mysql-eu")] == ("FAIL", "medium")  # unset: on
    assert seen[("gcp.sql.mysql_local_infile", "mysql-us")] == ("PASS", "medium")
    assert seen[("gcp.sql.sqlserver_remote_access", "sqlserver")] == ("FAIL", "low")
    assert seen[("gcp.sql.backups_disabled", "pg-open")] == ("PASS", "medium")
    assert ("gcp.sql.backups_disabled", "pg-replica") not in seen
    assert not any(name == "external" for (_, name) in seen)
    assert users_listed(fake) == ["mysql-eu", "mysql-us"]  # MySQL only, and not the stopped one
    assert gaps(tmp_path) == []
    inventory = json.loads((tmp_path / "inventory.json").read_text())
    stopped = next(a for a in inventory["assets"] if a["name"] == "mysql-stopped")
    assert "not running" in stopped["unread"]["users"]


def test_regions_keep_the_instances_of_the_regions_asked_for(fake: FakeGoogleApis, tmp_path: Path) -> None:
    code = run(fake, tmp_path, "--regions", "europe-west1")

    assert code == 0
    assert {name for (_, name) in verdicts(tmp_path)} == {"mysql-eu"}
    assert users_listed(fake) == ["mysql-eu"]
    assert fake.count("sql.instances.list") == 1


# ---------------------------------------------------------------------------------- failures


def test_sqladmin_disabled_is_an_unsupported_gap_and_the_other_project_is_audited(tmp_path: Path) -> None:
    other = FakeProject(
        OTHER, number="222222222222", sql_instances=[SqlInstance("pg-other", public_ip="34.1.1.1")]
    )
    with FakeGoogleApis([project(), other]) as fake:
        fake.inject(
            "sql.*", Fault.service_disabled("sqladmin.googleapis.com", "111111111111"), project=PROJECT
        )
        code = run(fake, tmp_path, "--project", OTHER)
        disabled = [r for r in fake.requests if PROJECT in r.path]

    assert code == 0  # an API that is off is a property of the project, not a failed run
    (gap,) = gaps(tmp_path)
    assert (gap["account"], gap["service"], gap["kind"], gap["error_code"]) == (
        PROJECT,
        "sql",
        "unsupported",
        "SERVICE_DISABLED",
    )
    assert "sqladmin.googleapis.com" in gap["message"]
    assert len(disabled) == 1  # not retried, and nothing read after it
    seen = verdicts(tmp_path)
    assert seen[("gcp.sql.public_ip", "pg-other")] == ("FAIL", "low")
    assert not any(name == "pg-open" for (_, name) in seen)


def test_users_denied_on_one_instance_make_only_its_user_check_unknown(tmp_path: Path) -> None:
    built = project()
    eu = next(i for i in built.sql_instances if i.name == "mysql-eu")
    eu.users_fault = Fault.permission_denied("cloudsql.users.list", f"projects/{PROJECT}/instances/mysql-eu")
    with FakeGoogleApis([built]) as fake:
        code = run(fake, tmp_path, checks=f"{USERS},gcp.sql.open_to_internet")

    assert code == 0  # a denial is a known blind spot, not an incomplete run
    seen = verdicts(tmp_path)
    assert seen[(USERS, "mysql-eu")][0] == "UNKNOWN"
    assert seen[(USERS, "mysql-us")][0] == "PASS"
    assert seen[("gcp.sql.open_to_internet", "mysql-eu")][0] == "PASS"  # the instance itself was read
    (gap,) = gaps(tmp_path)
    assert (gap["kind"], gap["operation"], gap["resource_id"]) == (
        "denied",
        "sql.users.list",
        f"//cloudsql.googleapis.com/projects/{PROJECT}/instances/mysql-eu",
    )
    unknown = next(
        f for f in findings(tmp_path)["findings"] if f["check_id"] == USERS and f["status"] == "UNKNOWN"
    )
    assert "IAM_PERMISSION_DENIED on sql.users.list" in unknown["message"]


def test_a_429_is_retried_by_the_client_and_the_run_is_complete(
    fake: FakeGoogleApis, tmp_path: Path, no_backoff: None
) -> None:
    fake.inject("sql.instances.list", Fault.too_many_requests(times=1))
    fake.inject("sql.users.list", Fault.server_error(503, times=1))

    code = run(fake, tmp_path)

    assert code == 0
    assert gaps(tmp_path) == []
    assert [r.status for r in fake.requests if r.route == "sql.instances.list"] == [429, 200]
    assert verdicts(tmp_path)[("gcp.sql.open_to_internet", "pg-open")] == ("FAIL", "critical")
    assert verdicts(tmp_path)[(USERS, "mysql-eu")][0] == "FAIL"


def test_a_persistent_500_is_a_server_gap_and_exit_3(
    fake: FakeGoogleApis, tmp_path: Path, no_backoff: None
) -> None:
    fake.inject("sql.instances.list", Fault.server_error(500, times=None))

    code = run(fake, tmp_path)

    assert code == 3
    (gap,) = gaps(tmp_path)
    assert (gap["kind"], gap["service"], gap["operation"]) == ("server", "sql", "sql.instances.list")
    assert fake.count("sql.instances.list") == 6  # the first try and the client's 5 retries
    assert findings(tmp_path)["run"]["incomplete"] is True


# ---------------------------------------------------------------------------------- exposure


def test_public_ips_are_exposure_targets_graded_by_internetdb(
    fake: FakeGoogleApis, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_INTERNETDB_URL", httpserver.url_for("").rstrip("/"))
    indexed = {"ip": "34.30.0.7", "ports": [5432], "hostnames": [], "cpes": [], "tags": [], "vulns": []}
    httpserver.expect_request("/34.30.0.7").respond_with_json(indexed)
    httpserver.expect_request("/34.30.0.8").respond_with_json({"detail": "No information available"}, 404)

    code = run(fake, tmp_path, "--exposure", "internetdb")

    assert code == 0
    asked = sorted(request.path for request, _ in httpserver.log)
    assert asked == ["/34.30.0.7", "/34.30.0.8"]  # every public IP, opened by a network or not
    by_key = {(f["check_id"], f["resource_name"]): f for f in findings(tmp_path)["findings"]}
    open_db = by_key[("gcp.sql.open_to_internet", "pg-open")]
    assert open_db["exposure"]["level"] == "observed"
    assert any(e["endpoint"] == "34.30.0.7:5432" for e in open_db["exposure"]["evidence"])
    assert by_key[("gcp.sql.ssl_not_required", "pg-open")]["severity"] == "critical"  # high, seen open
    surface = {s["endpoint"]: s for s in findings(tmp_path)["surface"]}
    assert surface["34.30.0.7"]["ports"][0]["via"] == "authorized network anyone (0.0.0.0/0)"
    assert surface["34.30.0.7"]["ports"][0]["service"] == "postgres"


def test_the_probe_proves_plaintext_on_an_open_instance(tmp_path: Path) -> None:
    only_open = FakeProject(PROJECT, sql_instances=[instances()[0]])
    with (
        FakeGoogleApis([only_open]) as fake,
        running(Server(Silent, starttls=postgres_starttls(offer=False))) as database,
    ):
        code = run(fake, tmp_path, "--probe", "--connect-to", f"34.30.0.7:5432:127.0.0.1:{database.port}")

    assert code == 0
    by_key = {(f["check_id"], f["resource_name"]): f for f in findings(tmp_path)["findings"]}
    plaintext = by_key[("gcp.sql.ssl_not_required", "pg-open")]
    assert plaintext["exposure"]["level"] == "exploitable"
    assert plaintext["severity"] == "critical"
