"""What every provider plugin owes the core, as functions that list the broken promises.

Each installed plugin ``NAME`` has its fixtures in a module ``NAME_contract``
(``tests/providers/NAME/NAME_contract.py``) exporting:

- ``sample_assets() -> Iterable[Asset]``: at least one instance of every asset kind the plugin registers;
- ``check_cases() -> Mapping[str, Case]``: check id -> an inventory with the ids that must PASS and FAIL;
- ``collector_calls() -> Iterable[str]``: the permission of every call the collectors declare;
- ``permission_names(document) -> Iterable[str]``: the permissions the plugin's ``permissions()`` grants;
- ``SHIPPED_PERMISSIONS: Path``: the role or policy file shipped in ``deploy/`` (JSON or YAML), which
  must be exactly what ``permissions()`` prints;
- ``CLI_NAMES: tuple[str, ...]``: the command-line tools its remediation commands start with.
"""

from __future__ import annotations

import importlib
import json
import shlex
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from types import ModuleType
from typing import Protocol

from pydantic import ValidationError

from cloudaudit.collect.executor import provisional_scope
from cloudaudit.engine.registry import REGISTRY, CheckRegistry
from cloudaudit.engine.runner import evaluate
from cloudaudit.model.asset import Asset, registered_kinds
from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.remediation import Steps, fill_command, values_of
from cloudaudit.report.json_report import render_inventory


class Case(Protocol):
    """A check's pass/fail fixture (``aws_cases.CheckCase`` has this shape)."""

    @property
    def inventory(self) -> Inventory: ...
    @property
    def failing(self) -> Collection[str]: ...
    @property
    def passing(self) -> Collection[str]: ...


def fixtures(provider: str) -> ModuleType:
    """The provider's contract fixtures; a failure naming the module to add when there are none."""
    try:
        return importlib.import_module(f"{provider}_contract")
    except ModuleNotFoundError as exc:
        if exc.name != f"{provider}_contract":
            raise
        raise AssertionError(
            f"provider {provider!r} has no contract fixtures: "
            f"add tests/providers/{provider}/{provider}_contract.py"
        ) from exc


def kinds_without_sample(provider: str, samples: Iterable[Asset]) -> list[str]:
    """Asset kinds the provider registers that no sample instantiates."""
    sampled = {type(a).kind for a in samples}
    return sorted(k for k in registered_kinds() if k.split(".", 1)[0] == provider and k not in sampled)


def round_trip_losses(samples: Iterable[Asset]) -> list[str]:
    """Ids of the samples that do not come back equal from an ``inventory.json`` document."""
    assets = tuple(samples)
    started = datetime(2026, 1, 1, tzinfo=UTC)
    scope = ScanScope(
        provider=assets[0].provider if assets else "none",
        accounts=tuple(dict.fromkeys(a.account for a in assets)),
        regions=tuple(dict.fromkeys(a.region for a in assets)),
        started=started,
        finished=started,
    )
    document = render_inventory(Inventory(scope=scope, assets=assets))
    restored = Inventory.from_json(json.loads(document)).assets
    if len(restored) != len(assets):
        return [f"{len(assets)} assets written, {len(restored)} read back"]
    return [a.id for a, b in zip(assets, restored, strict=True) if a != b or type(a) is not type(b)]


def checks_without_both_verdicts(
    provider: str, cases: Mapping[str, Case], registry: CheckRegistry = REGISTRY
) -> list[str]:
    """The provider's checks without a fixture on which they really give both a PASS and a FAIL."""
    problems: list[str] = []
    for spec in registry:
        if spec.provider != provider:
            continue
        case = cases.get(spec.id)
        if case is None:
            problems.append(f"{spec.id}: no pass/fail fixture")
            continue
        findings = evaluate(case.inventory, [spec])
        verdicts = {(f.resource_id, f.status) for f in findings}
        problems.extend(
            f"{spec.id}: its finding on {f.resource_id} is not a valid Finding ({why})"
            for f in findings
            if (why := invalid_finding(f))
        )
        for wanted, ids in ((Status.PASS, case.passing), (Status.FAIL, case.failing)):
            if not ids:
                problems.append(f"{spec.id}: no {wanted.value} fixture")
            problems.extend(
                f"{spec.id}: {rid} is not {wanted.value}" for rid in ids if (rid, wanted) not in verdicts
            )
    return problems


def checks_reading_undeclared_services(
    provider: str, cases: Mapping[str, Case], registry: CheckRegistry = REGISTRY
) -> list[str]:
    """The provider's checks whose findings on some fixture change when only the services they declare
    (:attr:`CheckSpec.services`: their asset's and ``also_collect``) are in the inventory, and its
    scope names no region and no end: what ``--checks`` collects for them, and what evaluating them as
    soon as those services are read (:mod:`cloudaudit.engine.early`) sees."""
    collected = {cls.service for kind, cls in registered_kinds().items() if kind.split(".", 1)[0] == provider}
    problems: list[str] = []
    for spec in registry:
        if spec.provider != provider:
            continue
        for name, case in cases.items():
            whole = evaluate(case.inventory, [spec])
            alone = evaluate(_early(case.inventory, spec.services, collected), [spec])
            if whole != alone:
                problems.append(f"{spec.id}: reads more than {sorted(spec.services)} (fixture {name})")
                break
    return problems


def _early(inventory: Inventory, services: Collection[str], collected: Collection[str]) -> Inventory:
    """What a collection of only ``services`` reads, as its checks see it before the collection ends
    (:func:`~cloudaudit.collect.executor.provisional_scope`): their assets, their gaps and the gaps of no
    collected service (a survey's; ``collected``: every service of the provider)."""
    scope = inventory.scope
    return Inventory(
        scope=provisional_scope(scope.provider, scope.accounts, scope.started),
        assets=tuple(a for a in inventory.assets if a.service in services),
        gaps=tuple(g for g in inventory.gaps if g.service in services or g.service not in collected),
    )


def invalid_finding(finding: Finding) -> str:
    """Why a finding the engine built (without validating it again) is not what validation gives
    ("" when it is): a field of the wrong type, or one missing."""
    try:
        validated = Finding.model_validate(dict(finding.__dict__))
    except ValidationError as exc:
        return f"{exc.error_count()} error(s): {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}"
    return "" if validated.__dict__ == finding.__dict__ else "validation changes it"


def undocumented_calls(calls: Iterable[str], documented: Iterable[str]) -> list[str]:
    """Collector calls the documented permissions do not grant."""
    return sorted(set(calls) - set(documented))


def remediation_problems(
    provider: str, steps: Mapping[str, Steps], registry: CheckRegistry = REGISTRY
) -> list[str]:
    """The provider's checks without console and CLI steps, and steps of checks it does not have."""
    ids = {spec.id for spec in registry if spec.provider == provider}
    missing = [f"{check}: no remediation steps" for check in sorted(ids - set(steps))]
    stray = [f"{check}: steps of no check of {provider}" for check in sorted(set(steps) - ids)]
    return missing + stray


def _operators(command: str) -> list[str]:
    """Shell operators outside quotes (``<``, ``|``, ``;``...): a redirection or a second command."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return [token for token in lexer if token and set(token) <= set("();<>|&")]


def command_problems(steps: Mapping[str, Steps], cli_names: Collection[str]) -> list[str]:
    """CLI commands that are not one command line of the provider's tools once their placeholders
    are filled (``shlex`` must split them, their first word must be one of ``cli_names``, and no shell
    operator may stand outside quotes: write a value the reader supplies as ``RULE_NAME``, not
    ``<rule-name>``, which a shell reads as a redirection)."""
    values = values_of("prefix/with:colon/last-part", "a name's value", "region-1", "account-1")
    problems: list[str] = []
    for check, entry in steps.items():
        for command in entry.cli:
            filled = fill_command(command, values)
            try:
                words = shlex.split(filled)
            except ValueError as exc:
                problems.append(f"{check}: {command!r} does not parse ({exc})")
                continue
            if "\n" in filled or not words or words[0] not in cli_names or _operators(filled):
                problems.append(f"{check}: {command!r} is not one command of {', '.join(cli_names)}")
    return problems
