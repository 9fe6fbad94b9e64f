"""The contract's checks report broken promises.

Shown on a test-only provider ``contract`` whose check lives in a private registry, so that
``cloudaudit checks`` and the other in-process tests never see it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pydantic import Field

from cloudaudit.engine.outcome import Outcome, fail
from cloudaudit.engine.registry import CheckRegistry, check
from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.remediation import Steps
from plugin_contract import (
    checks_reading_undeclared_services,
    checks_without_both_verdicts,
    command_problems,
    fixtures,
    kinds_without_sample,
    remediation_problems,
    round_trip_losses,
    undocumented_calls,
)

REGISTRY = CheckRegistry()
MISLABELLED = CheckRegistry()


@asset_kind("contract.store.box", service="store")
class Box(Asset):
    """A box."""


@asset_kind("contract.store.lossy", service="store")
class Lossy(Asset):
    """An asset kind that forgets a field when it is written."""

    note: str = Field(default="", exclude=True)


@check(
    id="contract.store.box_open",
    title="Box is open",
    severity=Severity.HIGH,
    asset=Box,
    rationale="Every box is open.",
    remediation="Close it.",
    registry=REGISTRY,
)
def box_open(box: Box, inventory: Inventory) -> Outcome:
    """Always fails: it has no pass fixture."""
    return fail(f"box {box.name} is open")


@check(
    id="contract.store.box_mislabelled",
    title="Box label",
    severity=Severity.LOW,
    asset=Box,
    rationale="A check whose message is not text.",
    remediation="Label it.",
    registry=MISLABELLED,
)
def box_mislabelled(box: Box, inventory: Inventory) -> Outcome:
    """Fails with a message that is not a string: the engine does not validate findings again."""
    return Outcome(Status.PASS if box.name.endswith("-b") else Status.FAIL, 42)  # type: ignore[arg-type]


@asset_kind("contract.lock.key", service="lock")
class Key(Asset):
    """A key of another service, which opens boxes."""


UNDECLARED = CheckRegistry()
DECLARED = CheckRegistry()


def _keyless(box: Box, inventory: Inventory) -> Outcome:
    """Fails when a key of another service exists: it reads the ``lock`` service."""
    return fail("a key opens it") if inventory.count(Key) else Outcome(Status.PASS, "no key")


for registry, also in ((UNDECLARED, ()), (DECLARED, ("lock",))):
    check(
        id="contract.store.box_keyless",
        title="Box has a key",
        severity=Severity.LOW,
        asset=Box,
        rationale="A key opens it.",
        remediation="Melt the key.",
        also_collect=also,
        registry=registry,
    )(_keyless)


BOX = Box(provider="contract", account="p1", region="r1", id="contract://p1/box-a", name="box-a")


@dataclass(frozen=True)
class FakeCase:
    inventory: Inventory
    failing: frozenset[str] = frozenset()
    passing: frozenset[str] = frozenset()


def _inventory(*assets: Asset) -> Inventory:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    scope = ScanScope(provider="contract", accounts=("p1",), regions=("r1",), started=at, finished=at)
    return Inventory(scope=scope, assets=assets)


def test_a_kind_without_a_sample_is_named() -> None:
    every = ["contract.lock.key", "contract.store.box", "contract.store.lossy"]
    assert kinds_without_sample("contract", []) == every
    assert kinds_without_sample("contract", [BOX]) == [k for k in every if k != "contract.store.box"]


def test_a_field_lost_by_inventory_json_is_named() -> None:
    lossy = Lossy(
        provider="contract", account="p1", region="r1", id="contract://p1/l", name="l", note="kept?"
    )
    assert round_trip_losses([BOX]) == []
    assert round_trip_losses([BOX, lossy]) == ["contract://p1/l"]


def test_a_check_without_fixtures_or_without_a_verdict_is_named() -> None:
    assert checks_without_both_verdicts("contract", {}, REGISTRY) == [
        "contract.store.box_open: no pass/fail fixture"
    ]
    only_fail = FakeCase(_inventory(BOX), failing=frozenset({BOX.id}))
    assert checks_without_both_verdicts("contract", {"contract.store.box_open": only_fail}, REGISTRY) == [
        "contract.store.box_open: no PASS fixture"
    ]
    claimed = FakeCase(_inventory(BOX), failing=frozenset({BOX.id}), passing=frozenset({BOX.id}))
    assert checks_without_both_verdicts("contract", {"contract.store.box_open": claimed}, REGISTRY) == [
        "contract.store.box_open: contract://p1/box-a is not PASS"
    ]


def test_a_finding_the_engine_built_with_a_wrongly_typed_field_is_named() -> None:
    box_b = BOX.model_copy(update={"id": "contract://p1/box-b", "name": "box-b"})
    case = FakeCase(_inventory(BOX, box_b), failing=frozenset({BOX.id}), passing=frozenset({box_b.id}))
    problems = checks_without_both_verdicts("contract", {"contract.store.box_mislabelled": case}, MISLABELLED)
    assert [p.split(" (")[0] for p in problems] == [
        f"contract.store.box_mislabelled: its finding on {rid} is not a valid Finding"
        for rid in (BOX.id, box_b.id)
    ]
    assert "message" in problems[0]


def test_a_check_reading_a_service_it_does_not_declare_is_named() -> None:
    key = Key(provider="contract", account="p1", region="r1", id="contract://p1/key", name="key")
    cases = {"with a key": FakeCase(_inventory(BOX, key)), "without": FakeCase(_inventory(BOX))}
    assert checks_reading_undeclared_services("contract", cases, UNDECLARED) == [
        "contract.store.box_keyless: reads more than ['store'] (fixture with a key)"
    ]
    assert checks_reading_undeclared_services("contract", cases, DECLARED) == []


def test_a_call_missing_from_the_permissions_is_named() -> None:
    granted = ["store.boxes.list"]
    assert undocumented_calls(["store.boxes.list"], granted) == []
    assert undocumented_calls(["store.boxes.list", "store.boxes.get"], granted) == ["store.boxes.get"]


def test_a_check_without_remediation_steps_and_stray_steps_are_named() -> None:
    steps = Steps(console=("Close the box.",), cli=("box close {{name}}",))
    assert remediation_problems("contract", {"contract.store.box_open": steps}, REGISTRY) == []
    assert remediation_problems("contract", {}, REGISTRY) == ["contract.store.box_open: no remediation steps"]
    assert remediation_problems(
        "contract", {"contract.store.box_open": steps, "contract.store.gone": steps}, REGISTRY
    ) == ["contract.store.gone: steps of no check of contract"]


def test_a_command_that_is_not_one_line_of_the_providers_cli_is_named() -> None:
    def steps(*cli: str) -> dict[str, Steps]:
        return {"contract.store.box_open": Steps(console=("x",), cli=cli)}

    assert command_problems(steps("box close --name {{name}} --json '{\"a\": 1}'"), ["box"]) == []
    assert command_problems(steps("boxx close {{name}}"), ["box"]) == [
        "contract.store.box_open: 'boxx close {{name}}' is not one command of box"
    ]
    assert command_problems(steps("box close 'unbalanced"), ["box"])[0].endswith("(No closing quotation)")
    assert command_problems(steps("box close 'a;b' --x '<y>'"), ["box"]) == []
    for operator in ("box close <NAME>", "box close x; rm y", "box close x | tee", "box close x && y"):
        assert command_problems(steps(operator), ["box"]) != [], operator


def test_a_provider_without_contract_fixtures_fails_naming_the_file() -> None:
    with pytest.raises(AssertionError, match=r"add tests/providers/nosuch/nosuch_contract\.py"):
        fixtures("nosuch")
