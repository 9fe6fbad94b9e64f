"""Every GCP check on its pass/fail table (gcp_cases_<service>.py): verdicts, severities, messages."""

from __future__ import annotations

import pytest

from check_cases import (
    assert_case_consistent,
    assert_declared,
    assert_every_check_has_a_case,
    assert_verdicts,
)
from cloudaudit.plugins import load_plugin
from gcp_cases import service_cases

load_plugin("gcp")
CASES = service_cases()


def test_every_registered_gcp_check_has_a_case() -> None:
    assert_every_check_has_a_case("gcp", CASES)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_case_table_is_consistent(check_id: str) -> None:
    assert_case_consistent(check_id, CASES[check_id])


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_check_verdicts(check_id: str) -> None:
    assert_verdicts(check_id, CASES[check_id])


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_checks_have_remediation_and_gcp_mappings(check_id: str) -> None:
    assert_declared("gcp", check_id)
