"""The Azure session over the real management clients and the HTTPS fake: subscriptions, paging,
throttling, denials, unregistered providers, and the transport that sends nothing but GET."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from azure.mgmt.storage import StorageManagementClient

from azure_run import SUBSCRIPTION, TOKEN, serve
from cloudaudit.errors import CloudauditError, CredentialsError, EndpointError
from cloudaudit.model.inventory import GapKind
from cloudaudit.plugins import Target
from cloudaudit_azure.collect.guard import Failed, Guard
from cloudaudit_azure.collect.identity import subscriptions
from cloudaudit_azure.collect.session import AzureSession
from cloudaudit_azure.fake import FakeArm, FakeSubscription
from cloudaudit_azure.fake.faults import Fault, denied, not_registered, throttled
from cloudaudit_azure.fake.state import arm_id

OTHER = "00000000-0000-0000-0000-0000000000b2"
GONE = "00000000-0000-0000-0000-0000000000c3"


def _accounts(subscription: str, count: int) -> FakeSubscription:
    sub = FakeSubscription(subscription)
    for i in range(count):
        name = f"acct{i:04d}"
        sub.add(
            {
                "id": arm_id(subscription, "rg1", "Microsoft.Storage", "storageAccounts", name),
                "name": name,
                "type": "Microsoft.Storage/storageAccounts",
                "location": "eastus",
                "kind": "StorageV2",
                "properties": {"allowBlobPublicAccess": i % 2 == 0},
            }
        )
    return sub


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeArm]:
    yield from serve(monkeypatch, _accounts(SUBSCRIPTION, 250), FakeSubscription(OTHER), _gone())


def _gone() -> FakeSubscription:
    return FakeSubscription(GONE, state="Disabled")


def _session(arm: FakeArm, subscription: str | None = None, token: str = TOKEN) -> AzureSession:
    settings = (("access_token", token), ("endpoint_url", arm.url))
    return AzureSession(Target("subscription", subscription, settings), max_workers=4)


def _list_accounts(arm: FakeArm, guard: Guard) -> list[object] | Failed:
    client = _session(arm).client(StorageManagementClient, SUBSCRIPTION)
    return guard.items(
        client.storage_accounts.list, service="storage", region="global", operation="storageAccounts.list"
    )


def test_every_enabled_subscription_is_audited_when_none_is_named(arm: FakeArm) -> None:
    assert subscriptions(_session(arm)) == sorted([SUBSCRIPTION, OTHER])


def test_a_named_subscription_is_checked_to_exist(arm: FakeArm) -> None:
    assert subscriptions(_session(arm, OTHER)) == [OTHER]
    with pytest.raises(CloudauditError, match=r"cannot read subscription 0[0-]+dead \(SubscriptionNotFound"):
        subscriptions(_session(arm, "00000000-0000-0000-0000-00000000dead"))


def test_refused_credentials_stop_the_run_with_one_line(arm: FakeArm) -> None:
    arm.inject("/subscriptions", Fault(401, "InvalidAuthenticationToken", "The access token is invalid."))
    with pytest.raises(CredentialsError, match="az login") as raised:
        subscriptions(_session(arm))
    assert "\n" not in str(raised.value)


def test_an_unreachable_endpoint_is_an_endpoint_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDAUDIT_RETRY_SECONDS", "1")  # one quick retry
    session = AzureSession(
        Target("subscription", None, (("access_token", TOKEN), ("endpoint_url", "https://127.0.0.1:9"))), 2
    )
    with pytest.raises(EndpointError, match="cannot reach Azure Resource Manager"):
        subscriptions(session)


def test_lists_follow_next_link_across_pages(arm: FakeArm) -> None:
    found = _list_accounts(arm, Guard(SUBSCRIPTION))
    assert isinstance(found, list)
    assert len(found) == 250
    pages = [r for r in arm.requests if r.path.endswith("/storageAccounts")]
    assert [r.query.get("$skiptoken") for r in pages] == [None, "100", "200"]


def test_throttling_is_retried_after_the_delay_the_service_asks(arm: FakeArm) -> None:
    arm.inject("*/storageaccounts", throttled(retry_after=0, times=2))
    found = _list_accounts(arm, Guard(SUBSCRIPTION))
    assert isinstance(found, list) and len(found) == 250
    assert [r.status for r in arm.requests][:3] == [429, 429, 200]


def test_a_long_retry_after_is_waited_only_within_the_retry_budget(
    arm: FakeArm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A service asking to come back in an hour must not stall the audit for an hour."""
    monkeypatch.setenv("CLOUDAUDIT_RETRY_SECONDS", "1")  # one retry, Retry-After waited at most 0.5 s
    arm.inject("*/storageaccounts", throttled(retry_after=3600, times=1))
    found = _list_accounts(arm, Guard(SUBSCRIPTION))
    assert isinstance(found, list) and len(found) == 250
    assert [r.status for r in arm.requests][:2] == [429, 200]


@pytest.mark.parametrize(
    ("fault", "kind", "code"),
    [
        (denied(), GapKind.DENIED, "AuthorizationFailed"),
        (not_registered("Microsoft.Storage"), GapKind.UNSUPPORTED, "ReadOnlyRefused"),
        (Fault(500, "InternalServerError", "boom", times=0), GapKind.SERVER, "InternalServerError"),
    ],
)
def test_a_failed_listing_is_a_gap_of_its_kind(
    arm: FakeArm, fault: Fault, kind: GapKind, code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDAUDIT_RETRY_SECONDS", "1")  # one quick retry of the 500
    arm.inject("*/storageaccounts", fault)
    guard = Guard(SUBSCRIPTION)
    assert isinstance(_list_accounts(arm, guard), Failed)
    (gap,) = guard.close()
    assert (gap.kind, gap.error_code, gap.account) == (kind, code, SUBSCRIPTION)
    if kind is GapKind.SERVER:
        assert [r.status for r in arm.requests] == [500, 500]  # the call and its one retry
    assert TOKEN not in gap.message


def test_the_sdk_never_sends_its_resource_provider_registration(arm: FakeArm) -> None:
    """azure-mgmt-core answers MissingSubscriptionRegistration with a POST .../register: refused here."""
    arm.inject("*/storageaccounts", not_registered("Microsoft.Storage"))
    guard = Guard(SUBSCRIPTION)
    _list_accounts(arm, guard)
    (gap,) = guard.close()
    assert "register" in gap.message
    assert arm.writes() == []
    assert {r.method for r in arm.requests} == {"GET"}
