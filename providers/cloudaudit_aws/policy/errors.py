"""The malformed-policy error and the string-list reader every parsing module shares."""

from __future__ import annotations


class MalformedError(Exception):
    """The policy document cannot be analysed."""


def strings(value: object, what: str) -> tuple[str, ...]:
    """A string or list of strings as a tuple; anything else is malformed."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise MalformedError(f"{what} must be a string or a list of strings")
