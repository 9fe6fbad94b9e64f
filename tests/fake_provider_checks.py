"""The fake provider's asset kind and its one check (imported by its ``load``)."""

from __future__ import annotations

from cloudaudit.engine.outcome import Outcome, fail
from cloudaudit.engine.registry import check
from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory


@asset_kind("fake.store.box", service="store")
class Box(Asset):
    """A fake storage box."""


@check(
    id="fake.store.box_open",
    title="Fake box is open",
    severity=Severity.HIGH,
    asset=Box,
    rationale="Every fake box is open.",
    remediation="Close it.",
)
def box_open(box: Box, inventory: Inventory) -> Outcome:
    """Always fails: a finding per box (about its public endpoints, when it has some)."""
    return fail(f"box {box.name} is open", network=box.endpoint_network() if box.endpoints else None)
