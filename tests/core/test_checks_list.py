"""``cloudaudit checks``: a header, every check under its resource kind, readable at 80 and 120 columns."""

from __future__ import annotations

import pytest

from cloudaudit.cli.app import main
from cloudaudit.cli.checks_table import break_id
from cloudaudit.engine.registry import REGISTRY
from cloudaudit.exposure.rules import all_rules
from cloudaudit.remediation import catalog as remediation_catalog


@pytest.mark.parametrize("width", [80, 120])
def test_checks_table_fits_the_terminal_with_a_readable_title_column(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["checks"]) == 0
    lines = [line.rstrip() for line in capsys.readouterr().out.splitlines()]
    header = next(line for line in lines if line.split()[:3] == ["ID", "SEVERITY", "TITLE"])
    title_at = header.index("TITLE")
    assert width - title_at >= 30, "the title column keeps at least 30 columns"
    assert max(len(line) for line in lines) <= width
    ids = "".join(line[:title_at].split()[0] for line in lines if line[:title_at].strip())
    for check in [*REGISTRY, *all_rules()]:
        assert check.id in ids
    words = " ".join(line[title_at:] for line in lines).split()
    for check in REGISTRY:
        assert " ".join(check.title.split()) in " ".join(words)


def test_ids_break_after_dots_and_underscores() -> None:
    assert break_id("aws.apigateway.rest_api_default_endpoint_enabled", 24).splitlines() == [
        "aws.apigateway.rest_api_",
        "default_endpoint_enabled",
    ]
    assert break_id("x" * 30, 12).splitlines() == ["x" * 12, "x" * 12, "x" * 6]


def test_checks_show_prints_the_console_steps_and_cli_commands(capsys: pytest.CaptureFixture[str]) -> None:
    check_id, steps = sorted(remediation_catalog().items())[0]
    assert main(["checks", "show", check_id]) == 0
    shown = capsys.readouterr().out
    console = shown.split("in the console:\n", 1)[1]
    for number, step in enumerate(steps.console, 1):
        assert f"  {number}. {step}\n" in console
    for command in steps.cli:
        assert f"\n  {command}\n" in shown.split("with the CLI", 1)[1]
    for link in steps.docs:
        assert f"  {link}\n" in shown
