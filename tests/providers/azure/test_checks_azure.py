"""Every Azure check on its pass/fail table (azure_cases_<service>.py): verdicts, severities, messages."""

from __future__ import annotations

from collections import defaultdict

import pytest

from azure_cases import azure_cases
from cloudaudit.engine.registry import REGISTRY
from cloudaudit.engine.runner import evaluate
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory
from cloudaudit.plugins import load_plugin

load_plugin("azure")
CASES = azure_cases()


def run_check(check_id: str, inv: Inventory) -> list[Finding]:
    """Findings of one registered check on an inventory."""
    spec = REGISTRY.get(check_id)
    assert spec is not None, check_id
    return list(evaluate(inv, [spec]))


def test_every_registered_azure_check_has_a_case() -> None:
    registered = {spec.id for spec in REGISTRY if spec.provider == "azure"}
    assert registered
    assert registered == set(CASES)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_case_table_is_consistent(check_id: str) -> None:
    """Every resource of the check's kind has exactly one expectation; both verdicts are covered."""
    spec = REGISTRY.get(check_id)
    assert spec is not None
    c = CASES[check_id]
    groups = [set(c.failing), set(c.passing), set(c.unknown), set(c.silent)]
    listed = [rid for group in groups for rid in group]
    assert len(listed) == len(set(listed)), "a resource is in two expectation sets"
    assert set(listed) == {a.id for a in c.inventory.of(spec.asset)}
    assert c.failing and c.passing


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_check_verdicts(check_id: str) -> None:
    c = CASES[check_id]
    findings = run_check(check_id, c.inventory)
    by_status: dict[Status, set[str]] = defaultdict(set)
    for f in findings:
        by_status[f.status].add(f.resource_id)
    ids = [f.resource_id for f in findings]
    assert len(ids) == len(set(ids)), "a resource got more than one finding"
    assert not by_status[Status.ERROR], [f.message for f in findings if f.status is Status.ERROR]
    assert by_status[Status.FAIL] == set(c.failing)
    assert by_status[Status.PASS] == c.passing
    assert by_status[Status.UNKNOWN] == c.unknown
    assert not set(ids) & c.silent
    assert {f.resource_id: f.severity for f in findings if f.status is Status.FAIL} == dict(c.failing)
    messages = {f.resource_id: f.message for f in findings}
    for rid, text in c.messages.items():
        assert text in messages[rid], (rid, messages[rid])


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_checks_have_remediation_and_mappings(check_id: str) -> None:
    spec = REGISTRY.get(check_id)
    assert spec is not None
    assert spec.id.startswith("azure.") and len(spec.id.split(".")) == 3
    assert spec.remediation.strip()
    assert spec.compliance, f"{check_id} maps to no framework control"
