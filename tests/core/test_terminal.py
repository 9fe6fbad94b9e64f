"""Account-controlled text is shown, never interpreted, on a terminal."""

from __future__ import annotations

import pytest

from cloudaudit.terminal import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("ansi\x1b[2J\x1b]0;pwned\x07", "ansi\\x1b[2J\\x1b]0;pwned\\x07"),
        ("two\nlines\r", "two\\x0alines\\x0d"),
        ("c1\x9bcontrol", "c1\\x9bcontrol"),
        ("evil\u202etxt.exe", "evil\\u202etxt.exe"),
        ("café 東京 [/]", "café 東京 [/]"),
    ],
)
def test_control_characters_are_escaped(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_long_text_is_cut() -> None:
    assert printable("a" * 500, limit=10) == "a" * 10 + "…"
    assert printable("a" * 500, limit=0) == "a" * 500
