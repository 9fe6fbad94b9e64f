"""``cloudaudit checks``: every check under its resource kind, with a header, wrapped to the terminal.

Ids break only after a ``.`` or ``_`` (so a folded id still reads as one), titles wrap at words;
cells are :class:`rich.text.Text`, never read as markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

Row = tuple[str, str, str, str]
"""(id, severity, resource kind, title)."""
SEVERITY_WIDTH = 8
PADDING = 4
"""Spaces between the three columns."""


def break_id(identifier: str, width: int) -> str:
    """``identifier`` on lines of at most ``width``, broken after ``.`` or ``_`` where it can."""
    lines = [""]
    for part in re.findall(r"[^._]*[._]?", identifier):
        if lines[-1] and len(lines[-1]) + len(part) > width:
            lines.append("")
        lines[-1] += part
    return "\n".join(chunk[i : i + width] for chunk in lines for i in range(0, max(len(chunk), 1), width))


def _id_width(rows: list[Row], width: int) -> int:
    longest = max((len(r[0]) for r in rows), default=10)
    return min(longest, max(20, (width - SEVERITY_WIDTH - PADDING) * 9 // 20))


EXPOSURE_HEADING = "added by the exposure stage (--exposure, --probe), on the resource owning the address"


def _table(groups: dict[str, list[Row]], id_width: int) -> Table:
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("ID", width=id_width, no_wrap=True)
    table.add_column("SEVERITY", width=SEVERITY_WIDTH, no_wrap=True)
    table.add_column("TITLE")
    for kind, rows in groups.items():
        if table.row_count:
            table.add_row()
        table.add_row(Text(break_id(kind, id_width), style="bold"), Text(""), Text(""))
        for identifier, severity, _, title in rows:
            table.add_row(Text(break_id(identifier, id_width)), Text(severity), Text(title))
    return table


def _by_kind(rows: Iterable[Row]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row[2], []).append(row)
    return groups


def print_checks(checks: Iterable[Row], exposure_rules: Iterable[Row], file: TextIO | None = None) -> None:
    """The checks under their resource kind, then the exposure stage's rules (80 columns in a pipe)."""
    console = Console(file=file, highlight=False, soft_wrap=False)
    groups = _by_kind(checks)
    rules = list(exposure_rules)
    id_width = _id_width([r for rows in groups.values() for r in rows] + rules, console.width)
    console.print(_table({**groups, EXPOSURE_HEADING: rules}, id_width))
