"""Enum options parsed with a plain, one-line error (typer's own adds pydantic's "Value error," prefix)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

import typer

E = TypeVar("E", bound=Enum)


def choices_metavar(enum: type[Enum]) -> str:
    """``[critical|high|...]``: the accepted values, as click shows a choice."""
    return "[" + "|".join(str(m.value) for m in enum) + "]"


def enum_parser(enum: type[E]) -> Callable[[object], E]:
    """A typer ``parser`` accepting an enum's values in any case."""
    by_value = {str(m.value).lower(): m for m in enum}

    def parse(value: object) -> E:
        if isinstance(value, enum):
            return value
        found = by_value.get(str(value).strip().lower())
        if found is None:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(by_value)}.")
        return found

    return parse
