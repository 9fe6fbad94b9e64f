"""``cloudaudit checks``: a header, every check under its resource kind, readable at 80 and 120 columns."""

from __future__ import annotations

import pytest

from cloudaudit.cli.app import main
from cloudaudit.cli.checks_table import break_id
from cloudaudit.engine.registry import REGISTRY
from cloudaudit.exposure.rules import all_rules


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
