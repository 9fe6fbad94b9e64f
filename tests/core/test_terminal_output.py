"""What reaches the terminal: account text escaped, never markup; flags shown as flags; clear usage errors."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest
from rich.console import Console

from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit.logs import configure
from cloudaudit.progress import BarProgress, PlainProgress

HOSTILE = "ansi\x1b[2J\x1b]0;pwned\x07 [/] [bold]x"


def test_fail_on_rejects_an_unknown_severity_in_one_plain_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--fail-on", "severe"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "Invalid value for '--fail-on': 'severe' is not one of critical, high, medium, low, info." in err
    assert "Value error" not in err


def test_fail_on_accepts_any_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--fail-on HIGH`` is parsed: the command goes on to fail on its missing inventory instead."""
    assert main(["evaluate", "-i", str(tmp_path / "missing.json"), "--fail-on", "HIGH"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "--fail-on" not in err and "missing.json" in err


@pytest.mark.parametrize("command", ["run", "demo", "evaluate"])
def test_help_shows_boolean_options_as_flags(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "--probe" in out and "--debug" in out
    assert "<bool>" not in out
    assert re.search(r"--fail-on \[critical\|high\|medium\|low\|info\]", out)


def test_progress_bar_shows_account_labels_escaped_and_not_as_markup() -> None:
    buffer = io.StringIO()
    bar = BarProgress("Collecting aws", console=Console(file=buffer, force_terminal=True, width=120))
    with bar:
        bar.add_total(2)
        bar.advance(HOSTILE)
        bar.advance(HOSTILE)
        bar._progress.refresh()  # render now, in this thread: a markup error would raise here
    shown = buffer.getvalue()
    assert "\x1b]0;" not in shown and "\x07" not in shown and "\x1b[2J" not in shown
    assert "\\x1b[2J" in shown and "[/]" in shown


def test_plain_progress_escapes_labels(capsys: pytest.CaptureFixture[str]) -> None:
    progress = PlainProgress(interval=0)
    progress.add_total(1)
    progress.advance(HOSTILE)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "collected 1/1: ansi\\x1b[2J\\x1b]0;pwned\\x07 [/] [bold]x" in err


def test_log_lines_escape_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    configure(False)
    logging.getLogger("cloudaudit.test").warning("could not read bucket %s\nFAKE: all clear", HOSTILE)
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert err.count("\n") == 1, "an account value cannot start a forged log line"
    assert "ansi\\x1b[2J" in err


def test_debug_tracebacks_stay_readable_but_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    configure(True)
    try:
        raise ValueError(f"bad name {HOSTILE}")
    except ValueError:
        logging.getLogger("cloudaudit.test").exception("failed")
    err = capsys.readouterr().err
    assert "Traceback (most recent call last):" in err
    assert len(err.splitlines()) > 3
    assert "\x1b" not in err and "ValueError: bad name ansi\\x1b[2J" in err
