"""The contract's checks report broken promises (shown on the fake provider, tests/fake_provider.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pydantic import Field

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit.model.inventory import Inventory, ScanScope
from fake_provider import plugin
from fake_provider_checks import Box
from plugin_contract import (
    checks_without_both_verdicts,
    fixtures,
    kinds_without_sample,
    round_trip_losses,
    undocumented_calls,
)

BOX = Box(provider="fake", account="p1", region="r1", id="fake://p1/box-a", name="box-a")


@asset_kind("fake.store.lossy", service="store")
class Lossy(Asset):
    """An asset kind that forgets a field when it is written."""

    note: str = Field(default="", exclude=True)


@dataclass(frozen=True)
class FakeCase:
    inventory: Inventory
    failing: frozenset[str] = frozenset()
    passing: frozenset[str] = frozenset()


def _inventory(*assets: Asset) -> Inventory:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    scope = ScanScope(provider="fake", accounts=("p1",), regions=("r1",), started=at, finished=at)
    return Inventory(scope=scope, assets=assets)


def test_a_kind_without_a_sample_is_named() -> None:
    assert kinds_without_sample("fake", []) == ["fake.store.box", "fake.store.lossy"]
    assert kinds_without_sample("fake", [BOX]) == ["fake.store.lossy"]


def test_a_field_lost_by_inventory_json_is_named() -> None:
    lossy = Lossy(provider="fake", account="p1", region="r1", id="fake://p1/l", name="l", note="kept?")
    assert round_trip_losses([BOX]) == []
    assert round_trip_losses([BOX, lossy]) == ["fake://p1/l"]


def test_a_check_without_fixtures_or_without_a_verdict_is_named() -> None:
    assert checks_without_both_verdicts("fake", {}) == ["fake.store.box_open: no pass/fail fixture"]
    only_fail = FakeCase(_inventory(BOX), failing=frozenset({BOX.id}))
    assert checks_without_both_verdicts("fake", {"fake.store.box_open": only_fail}) == [
        "fake.store.box_open: no PASS fixture"
    ]
    claimed = FakeCase(_inventory(BOX), failing=frozenset({BOX.id}), passing=frozenset({BOX.id}))
    assert checks_without_both_verdicts("fake", {"fake.store.box_open": claimed}) == [
        "fake.store.box_open: fake://p1/box-a is not PASS"
    ]


def test_a_call_missing_from_the_permissions_is_named() -> None:
    granted = plugin.permissions()["permissions"]
    assert undocumented_calls(["fake.boxes.list"], granted) == []
    assert undocumented_calls(["fake.boxes.list", "fake.boxes.get"], granted) == ["fake.boxes.get"]


def test_a_provider_without_contract_fixtures_fails_naming_the_file() -> None:
    with pytest.raises(AssertionError, match=r"add tests/providers/nosuch/nosuch_contract\.py"):
        fixtures("nosuch")
