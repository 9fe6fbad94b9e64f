"""``cloudaudit run --provider azure --management-group / --exclude-subscriptions``: the subscriptions
beneath a management group (``descendants``, paged with ``nextLink``) on the HTTPS fake of ARM, each
audited; disabled and deleted ones skipped, exclusions honoured, errors in one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from azure_run import TOKEN, findings
from cli_process import assert_one_line_error, run_cli
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit_azure.fake import FakeArm, FakeManagementGroup, FakeSubscription
from cloudaudit_azure.fake.faults import denied
from cloudaudit_azure.fake.sample_storage import add_storage

ROOT_SUB, PROD_SUB, PROD_EU_SUB = (f"00000000-0000-0000-0000-0000000001a{i}" for i in range(3))
DISABLED, DELETED, OUTSIDE = (f"00000000-0000-0000-0000-0000000002b{i}" for i in range(3))
STORAGE = ("--checks", "azure.storage.*")
GROUPS = [
    FakeManagementGroup("contoso", None, "Contoso"),
    FakeManagementGroup("prod", "contoso", "Production"),
    FakeManagementGroup("prod-eu", "prod", "Production EU"),
    FakeManagementGroup("sandbox", None, "Sandbox"),
]


def _subscription(sid: str, group: str, state: str = "Enabled") -> FakeSubscription:
    sub = FakeSubscription(sid, display_name=f"sub {sid[-3:]}", state=state, management_group=group)
    add_storage(sub)
    return sub


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    subscriptions = [
        _subscription(ROOT_SUB, "contoso"),
        _subscription(PROD_SUB, "prod"),
        _subscription(PROD_EU_SUB, "prod-eu"),
        _subscription(DISABLED, "prod", state="Disabled"),
        _subscription(DELETED, "contoso", state="Deleted"),
        _subscription(OUTSIDE, "sandbox"),
    ]
    with FakeArm(subscriptions, page_size=2, management_groups=GROUPS) as served:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(served.ca_path))
        yield served


def _run(arm: FakeArm, out: Path, *scope: str) -> int:
    base = ["run", "--provider", "azure", "--endpoint-url", arm.url, "--access-token", TOKEN, *STORAGE]
    return main([*base, *scope, "-f", "json", "-o", str(out)])


def _audited(arm: FakeArm) -> set[str]:
    """The subscriptions whose storage accounts were listed."""
    return {
        r.path.split("/")[2] for r in arm.requests if r.path.endswith("/Microsoft.Storage/storageAccounts")
    }


def test_a_management_group_audits_every_enabled_subscription_beneath_it(
    arm: FakeArm, tmp_path: Path
) -> None:
    assert _run(arm, tmp_path, "--management-group", "contoso") == ExitCode.OK
    doc = findings(tmp_path)
    expected = {ROOT_SUB, PROD_SUB, PROD_EU_SUB}  # not the disabled, the deleted, nor the sandbox's
    assert set(doc["run"]["accounts"]) == expected
    assert {f["account"] for f in doc["findings"] if f["status"] == "FAIL"} == expected
    assert _audited(arm) == expected
    listings = [r for r in arm.requests if r.path.lower().endswith("/managementgroups/contoso/descendants")]
    assert [r.query.get("$skiptoken") for r in listings] == [None, "2", "4", "6"]  # 2 groups, 5 subscriptions
    assert arm.writes() == []


def test_given_subscriptions_are_added_and_excluded_ones_left_out(arm: FakeArm, tmp_path: Path) -> None:
    scope = [
        "--management-group",
        "prod",
        "--subscription",
        OUTSIDE,
        "--exclude-subscriptions",
        PROD_SUB.upper(),
    ]
    assert _run(arm, tmp_path, *scope) == ExitCode.OK
    assert set(findings(tmp_path)["run"]["accounts"]) == {OUTSIDE, PROD_EU_SUB}
    assert _audited(arm) == {OUTSIDE, PROD_EU_SUB}


def test_without_a_scope_every_enabled_subscription_less_the_excluded_is_audited(
    arm: FakeArm, tmp_path: Path
) -> None:
    assert _run(arm, tmp_path, "--exclude-subscriptions", f"{ROOT_SUB},{OUTSIDE}") == ExitCode.OK
    assert findings(tmp_path)["run"]["accounts"] == sorted([PROD_SUB, PROD_EU_SUB])


def test_a_group_the_credentials_cannot_list_is_exit_3_saying_what_to_grant(
    arm: FakeArm, tmp_path: Path
) -> None:
    proc = run_cli(
        "run", "-p", "azure", "--management-group", "finance", "--endpoint-url", arm.url,
        "--access-token", TOKEN, "-o", str(tmp_path),
    )  # fmt: skip
    assert_one_line_error(
        proc,
        ExitCode.RUNTIME,
        "management group finance could not be listed (AuthorizationFailed",
        "managementGroups/descendants/read",
    )
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("scope", "text"),
    [
        (["--management-group", "a/b"], "--management-group takes a management group id"),
        (["--subscription", ROOT_SUB, "--exclude-subscriptions", ROOT_SUB], "excludes every subscription"),
    ],
)
def test_bad_scope_values_are_usage_errors_before_any_call(
    arm: FakeArm, tmp_path: Path, scope: list[str], text: str
) -> None:
    proc = run_cli("run", "-p", "azure", *scope, "--endpoint-url", arm.url, "--access-token", TOKEN)
    assert_one_line_error(proc, ExitCode.USAGE, text)
    assert arm.requests == []


def test_a_subscription_that_denies_the_audit_is_a_gap_and_the_others_are_audited(
    arm: FakeArm, tmp_path: Path
) -> None:
    arm.inject(f"/subscriptions/{PROD_SUB}*", denied("Microsoft.Resources/subscriptions/read"))
    assert _run(arm, tmp_path, "--management-group", "contoso") == ExitCode.OK
    doc = findings(tmp_path)
    assert set(doc["run"]["accounts"]) == {ROOT_SUB, PROD_EU_SUB}
    assert _audited(arm) == {ROOT_SUB, PROD_EU_SUB}
    (gap,) = [g for g in doc["coverage"] if g["account"] == PROD_SUB]
    assert (gap["kind"], gap["error_code"], gap["operation"]) == (
        "denied",
        "AuthorizationFailed",
        "subscriptions.get",
    )
    # The combined report and one report set per subscription, the denied one saying why.
    assert {p.name for p in (tmp_path / "accounts").iterdir()} == {ROOT_SUB, PROD_SUB, PROD_EU_SUB}
    assert findings(tmp_path / "accounts" / PROD_SUB)["coverage"] == [gap]
    assert (
        _run(arm, tmp_path / "strict", "--management-group", "contoso", "--fail-on-gaps") == ExitCode.RUNTIME
    )


def test_a_group_that_cannot_be_listed_among_others_is_a_gap(arm: FakeArm, tmp_path: Path) -> None:
    assert _run(arm, tmp_path, "--management-group", "prod", "--management-group", "finance") == ExitCode.OK
    doc = findings(tmp_path)
    assert set(doc["run"]["accounts"]) == {PROD_SUB, PROD_EU_SUB}
    (gap,) = [g for g in doc["coverage"] if g["account"] == "finance"]
    assert (gap["kind"], gap["error_code"]) == ("denied", "AuthorizationFailed")
    assert "management group finance could not be listed" in gap["message"]


def test_all_subscriptions_adds_every_enabled_one_to_a_groups(arm: FakeArm, tmp_path: Path) -> None:
    assert _run(arm, tmp_path, "--all-subscriptions", "--management-group", "prod-eu") == ExitCode.OK
    assert set(findings(tmp_path)["run"]["accounts"]) == {ROOT_SUB, PROD_SUB, PROD_EU_SUB, OUTSIDE}
