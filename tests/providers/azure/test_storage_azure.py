"""Azure Storage end to end: the real azure-mgmt-storage client against the HTTPS fake, through the CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import pytest

from azure_run import SUBSCRIPTION, findings, run_azure, serve, verdicts
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit_azure.fake import FakeArm, FakeSubscription
from cloudaudit_azure.fake.faults import Fault, denied
from cloudaudit_azure.fake.model_storage import account_id, blob_service, container, storage_account
from cloudaudit_azure.fake.sample import sample_subscription
from cloudaudit_azure.fake.sample_storage import GROUP, HARDENED, WEAK
from test_report_html import embedded_data, parse

STORAGE = ("--checks", "azure.storage.*")
ANON = "azure.storage.anonymous_container"
CONTAINERS = "*/blobservices/default/containers"
BLOB_SERVICE = "*/blobservices/default"


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    yield from serve(monkeypatch, sample_subscription(SUBSCRIPTION))


def _paths(arm: FakeArm, suffix: str) -> list[str]:
    return [r.path for r in arm.requests if r.path.lower().endswith(suffix.lower())]


def _assets(out: Path) -> dict[str, dict[str, Any]]:
    doc = json.loads((out / "inventory.json").read_text())
    return {a["name"]: a for a in doc["assets"] if a["kind"] == "azure.storage.account"}


def _one(out: Path, check_id: str, name: str) -> dict[str, Any]:
    (found,) = [
        f for f in findings(out)["findings"] if (f["check_id"], f["resource_name"]) == (check_id, name)
    ]
    return found


def test_the_sample_accounts_are_judged_from_one_listing_and_two_reads_each(
    arm: FakeArm, tmp_path: Path
) -> None:
    assert run_azure(arm, tmp_path, *STORAGE, "--fail-on", "critical") == ExitCode.FINDINGS
    got = verdicts(tmp_path)
    assert got[(ANON, WEAK)] == ("FAIL", "critical")
    assert got[(ANON, HARDENED)][0] == "PASS"
    weak_fails = {c for (c, name), (status, _) in got.items() if name == WEAK and status == "FAIL"}
    assert weak_fails == {
        ANON,
        "azure.storage.blob_public_access_allowed",
        "azure.storage.minimum_tls_below_1_2",
        "azure.storage.http_allowed",
        "azure.storage.shared_key_access_allowed",
        "azure.storage.network_open_to_all",
        "azure.storage.blob_soft_delete_disabled",
        "azure.storage.blob_versioning_disabled",
    }
    assert {s for (c, name), (s, _) in got.items() if name == HARDENED} == {"PASS"}
    weak = _one(tmp_path, ANON, WEAK)
    assert weak["evidence"]["containers"] == {"public-assets": "Container"}  # "backups" is private
    assert weak["message"].startswith(f"Anyone can list and read the blobs of storage account {WEAK}")
    assert weak["network"]["addresses"] == [f"{WEAK}.blob.core.windows.net"]
    assert weak["network"]["reachability"] == "reachable"
    # one subscription-wide listing, then the containers and blob service of each account
    assert len(_paths(arm, "/providers/Microsoft.Storage/storageAccounts")) == 1
    assert len(_paths(arm, "/blobServices/default/containers")) == 2
    assert len(_paths(arm, "/blobServices/default")) == 2
    assert not [r for r in arm.requests if "listkeys" in r.path.lower() or "/keys" in r.path.lower()]
    assert arm.writes() == []
    assert findings(tmp_path)["coverage"] == []


def test_public_endpoints_are_the_hostnames_the_internet_reaches(arm: FakeArm, tmp_path: Path) -> None:
    assert run_azure(arm, tmp_path, *STORAGE) == ExitCode.OK
    assets = _assets(tmp_path)
    weak = {(e["host"], e["from_port"], e["application"]) for e in assets[WEAK]["endpoints"]}
    assert weak == {
        (f"{WEAK}.blob.core.windows.net", 443, "https"),
        (f"{WEAK}.blob.core.windows.net", 80, "http"),  # secure transfer is off
        (f"{WEAK}.z13.web.core.windows.net", 443, "https"),
        (f"{WEAK}.z13.web.core.windows.net", 80, "http"),
    }
    hardened = assets[HARDENED]["endpoints"]
    assert {(e["from_port"], e["via"]) for e in hardened} == {
        (443, "public network access Enabled, firewall IP rules 203.0.113.0/24")
    }
    assert assets[HARDENED]["private_endpoints"] == [
        {"name": "pe-sthardened01-blob.conn", "status": "Approved"}
    ]
    surface = {entry["endpoint"] for entry in findings(tmp_path)["surface"]}
    assert f"{WEAK}.blob.core.windows.net" in {s.split(":")[0] for s in surface}


def test_a_denied_container_listing_is_unknown_not_fail_and_a_gap(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject(CONTAINERS, denied())
    assert run_azure(arm, tmp_path, *STORAGE) == ExitCode.OK  # a denial is a known blind spot
    got = verdicts(tmp_path)
    assert got[(ANON, WEAK)][0] == "UNKNOWN"
    assert got[(ANON, HARDENED)][0] == "UNKNOWN"
    assert got[("azure.storage.blob_public_access_allowed", WEAK)] == ("FAIL", "medium")  # account read
    assert got[("azure.storage.blob_versioning_disabled", WEAK)] == ("FAIL", "low")  # blob service read
    assert "AuthorizationFailed on blobContainers.list" in _one(tmp_path, ANON, WEAK)["message"]
    coverage = findings(tmp_path)["coverage"]
    assert {(g["operation"], g["kind"], g["error_code"], g["account"]) for g in coverage} == {
        ("blobContainers.list", "denied", "AuthorizationFailed", SUBSCRIPTION)
    }
    assert {g["resource_id"] for g in coverage} == {
        account_id(SUBSCRIPTION, GROUP, WEAK),
        account_id(SUBSCRIPTION, GROUP, HARDENED),
    }
    assert not findings(tmp_path)["run"].get("incomplete")
    assert run_azure(arm, tmp_path / "gaps", *STORAGE, "--fail-on-gaps") == ExitCode.RUNTIME
    assert arm.writes() == []


def test_failed_blob_service_properties_make_soft_delete_and_versioning_unknown(
    arm: FakeArm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_RETRY_SECONDS", "1")
    arm.inject(BLOB_SERVICE, Fault(500, "InternalServerError", "boom", times=0))
    assert run_azure(arm, tmp_path, *STORAGE) == ExitCode.RUNTIME  # a server error: the run is incomplete
    got = verdicts(tmp_path)
    for name in (WEAK, HARDENED):
        assert got[("azure.storage.blob_soft_delete_disabled", name)][0] == "UNKNOWN"
        assert got[("azure.storage.blob_versioning_disabled", name)][0] == "UNKNOWN"
    assert got[(ANON, WEAK)] == ("FAIL", "critical")  # the containers were read
    doc = findings(tmp_path)
    assert doc["run"]["incomplete"] is True
    assert {(g["operation"], g["kind"]) for g in doc["coverage"]} == {
        ("blobServices.getServiceProperties", "server")
    }


def test_a_denied_account_listing_is_a_gap_and_no_asset(arm: FakeArm, tmp_path: Path) -> None:
    arm.inject("*/providers/microsoft.storage/storageaccounts", denied())
    assert run_azure(arm, tmp_path, *STORAGE) == ExitCode.OK
    doc = findings(tmp_path)
    assert doc["findings"] == []
    assert _assets(tmp_path) == {}
    [gap] = doc["coverage"]
    assert (gap["operation"], gap["kind"], gap["error_code"], gap["account"]) == (
        "storageAccounts.list",
        "denied",
        "AuthorizationFailed",
        SUBSCRIPTION,
    )
    assert _paths(arm, "/blobServices/default") == []  # nothing is read for accounts not listed
    assert run_azure(arm, tmp_path / "gaps", *STORAGE, "--fail-on-gaps") == ExitCode.RUNTIME
    assert arm.writes() == []


def _many(count: int) -> FakeSubscription:
    sub = FakeSubscription(SUBSCRIPTION)
    for i in range(count):
        name = f"st{i:04d}"
        rid = account_id(SUBSCRIPTION, "rg-many", name)
        location = "westeurope" if i % 2 else "eastus"
        sub.add(storage_account(SUBSCRIPTION, "rg-many", name, location=location), blob_service(rid))
        sub.add(container(rid, "data", "Blob" if i % 10 == 0 else "None"))
    return sub


def test_every_page_of_accounts_and_only_the_wanted_locations_are_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for arm in serve(monkeypatch, _many(230)):
        assert run_azure(arm, tmp_path, *STORAGE, "--regions", "eastus") == ExitCode.OK
        pages = [r.query.get("$skiptoken") for r in arm.requests if r.path.endswith("/storageAccounts")]
        assert pages == [None, "100", "200"]
        assert len(_paths(arm, "/blobServices/default")) == 115  # eastus accounts only
        assert arm.writes() == []
    assets = _assets(tmp_path)
    assert len(assets) == 115 and {a["region"] for a in assets.values()} == {"eastus"}
    got = verdicts(tmp_path)
    # allowBlobPublicAccess false neutralises the Blob containers: a pass that says so
    assert got[(ANON, "st0000")] == ("PASS", "high")
    assert "neutralised" in _one(tmp_path, ANON, "st0000")["message"]


def test_a_file_share_account_gets_no_blob_calls_and_no_blob_findings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sub = FakeSubscription(SUBSCRIPTION)
    sub.add(storage_account(SUBSCRIPTION, "rg", "stfiles", kind="FileStorage", sku="Premium_LRS"))
    for arm in serve(monkeypatch, sub):
        assert run_azure(arm, tmp_path, *STORAGE) == ExitCode.OK
        assert _paths(arm, "/blobServices/default") == [] and _paths(arm, "/containers") == []
    checks = {c for (c, name) in verdicts(tmp_path) if name == "stfiles"}
    assert checks == {
        ANON,
        "azure.storage.minimum_tls_below_1_2",
        "azure.storage.http_allowed",
        "azure.storage.shared_key_access_allowed",
        "azure.storage.network_open_to_all",
    }


HOSTILE = "<img src=x onerror=alert(1)>"
CONTAINER = "{{ 7*7 }}\x1b[31m<svg onload=alert(3)>"


def test_hostile_names_stay_text_in_every_report(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sub = FakeSubscription(SUBSCRIPTION)
    rid = account_id(SUBSCRIPTION, "rg", HOSTILE)
    account = storage_account(
        SUBSCRIPTION, "rg", HOSTILE, allow_blob_public_access=True, default_action="Allow",
        tags={"owner": "<script>alert(2)</script>"},
    )  # fmt: skip
    sub.add(account, blob_service(rid), container(rid, CONTAINER, "Container"))
    for arm in serve(monkeypatch, sub):
        code = run_azure(arm, tmp_path, *STORAGE, "-f", "json,html", "--fail-on", "critical")
        assert code == ExitCode.FINDINGS
        assert arm.writes() == []
    found = _one(tmp_path, ANON, HOSTILE)
    assert (found["status"], found["severity"]) == ("FAIL", "critical")
    assert found["evidence"]["containers"] == {CONTAINER: "Container"}
    html = (tmp_path / "report.html").read_text()
    assert HOSTILE not in html and "<script>alert(2)</script>" not in html and "<svg onload" not in html
    assert "onerror=alert(1)>" not in html and "onload=alert(3)>" not in html
    shown = [f["message"] for f in embedded_data(parse(html)) if f["resource_name"] == HOSTILE]
    assert any("storage account <img src=x onerror=alert(1)>" in m for m in shown)  # in the data, as text
    assert _assets(tmp_path)[HOSTILE]["tags"] == {"owner": "<script>alert(2)</script>"}  # data kept verbatim


def test_the_azure_demo_shows_the_storage_findings(tmp_path: Path) -> None:
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        code = main(
            ["demo", "--provider", "azure", "-f", "json,html", "-o", str(tmp_path), "--fail-on", "high"]
        )
    assert code == ExitCode.FINDINGS, stderr.getvalue()
    doc = findings(tmp_path)
    assert doc["run"]["providers"] == ["azure"] and not doc["coverage"]
    got = verdicts(tmp_path)
    assert got[(ANON, WEAK)] == ("FAIL", "critical")
    assert got[("azure.storage.http_allowed", WEAK)] == ("FAIL", "high")
    assert got[("azure.storage.network_open_to_all", HARDENED)][0] == "PASS"
    assert WEAK in (tmp_path / "report.html").read_text()
