"""Text that came from the audited account, made safe to show on a terminal.

Resource names, tags, banners and host names are chosen by whoever controls the account (or the
endpoint). Printed raw, an escape sequence can clear the screen, retitle the terminal or hide a
line, and a bracket pair is read as markup by rich. :func:`printable` escapes every control and
bidirectional-override character so the text is shown, never interpreted; rich output must also
use ``markup=False`` (or :func:`rich.markup.escape`) for such text.
"""

from __future__ import annotations

import unicodedata

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
DEFAULT_LIMIT = 200


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _unsafe(char: str) -> bool:
    return char in _BIDI or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp")


def printable(text: object, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` on one line with control characters escaped (``\\x1b``), cut to ``limit`` characters.

    Non-control Unicode (accents, CJK, emoji) is kept. ``limit`` <= 0 means no cut.
    """
    value = str(text)
    if limit > 0 and len(value) > limit:
        value = value[:limit] + "…"
    if value.isprintable():
        return value
    return "".join(_escape(c) if _unsafe(c) else c for c in value)
