"""Every Azure check on its pass/fail table (azure_cases_<service>.py): verdicts, severities, messages."""

from __future__ import annotations

import pytest

from azure_cases import azure_cases
from check_cases import (
    assert_case_consistent,
    assert_declared,
    assert_every_check_has_a_case,
    assert_verdicts,
)
from cloudaudit.plugins import load_plugin

load_plugin("azure")
CASES = azure_cases()


def test_every_registered_azure_check_has_a_case() -> None:
    assert_every_check_has_a_case("azure", CASES)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_case_table_is_consistent(check_id: str) -> None:
    assert_case_consistent(check_id, CASES[check_id])


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_check_verdicts(check_id: str) -> None:
    assert_verdicts(check_id, CASES[check_id])


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_checks_have_remediation_and_azure_mappings(check_id: str) -> None:
    assert_declared("azure", check_id)
