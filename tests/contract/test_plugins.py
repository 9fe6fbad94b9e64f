"""The plugin contract, over every installed provider plugin.

Each plugin's fixtures are in tests/providers/NAME/NAME_contract.py (see plugin_contract.py).
"""

from __future__ import annotations

import pytest
import yaml

from cloudaudit.plugins import ProviderPlugin, available, load_plugin
from cloudaudit.remediation import load_steps_file
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

PROVIDERS = sorted(available())


@pytest.fixture(params=PROVIDERS)
def plugin(request: pytest.FixtureRequest) -> ProviderPlugin:
    return load_plugin(request.param)


def test_some_plugin_is_installed() -> None:
    assert "aws" in PROVIDERS


def test_every_asset_kind_survives_an_inventory_json_round_trip(plugin: ProviderPlugin) -> None:
    samples = list(fixtures(plugin.name).sample_assets())
    assert kinds_without_sample(plugin.name, samples) == []
    assert round_trip_losses(samples) == []


def test_every_check_has_a_pass_and_a_fail_fixture(plugin: ProviderPlugin) -> None:
    assert checks_without_both_verdicts(plugin.name, fixtures(plugin.name).check_cases()) == []


def test_every_check_reads_only_the_services_it_declares(plugin: ProviderPlugin) -> None:
    assert checks_reading_undeclared_services(plugin.name, fixtures(plugin.name).check_cases()) == []


def test_every_collector_call_is_in_the_documented_permissions(plugin: ProviderPlugin) -> None:
    contract = fixtures(plugin.name)
    document = plugin.permissions()
    assert document == yaml.safe_load(contract.SHIPPED_PERMISSIONS.read_text())
    calls = list(contract.collector_calls())
    assert calls
    assert undocumented_calls(calls, contract.permission_names(document)) == []


def test_every_check_has_console_and_cli_remediation_steps(plugin: ProviderPlugin) -> None:
    steps = load_steps_file(plugin.steps_file)
    assert remediation_problems(plugin.name, steps) == []
    assert command_problems(steps, fixtures(plugin.name).CLI_NAMES) == []
