"""Named predicates: reusable tests whose name shows up in a declared check's evidence.

A :class:`Predicate` is a documented test with a name phrased as the requirement ("is enabled",
"writes access logs"); declarations (:func:`~cloudaudit.engine.declarative.expect`) put that name in
the evidence as ``expected``, so a reader sees what the value failed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Predicate(Generic[T]):
    """A named test of one value (an attribute, or an item of a child collection)."""

    name: str
    """The requirement, as it reads in evidence (``"is enabled"``)."""
    test: Callable[[T], bool]
    problem: Callable[[T], object] | None = None
    """Evidence of a failing value (e.g. which settings are off); default: ``"fails: <name>"``."""
    doc: str = ""

    def __call__(self, value: T) -> bool:
        return self.test(value)

    def why(self, value: T) -> object:
        """What is wrong with a failing value, for the evidence."""
        return self.problem(value) if self.problem else f"fails: {self.name}"


def predicate(
    name: str, *, problem: Callable[[Any], object] | None = None
) -> Callable[[Callable[[T], bool]], Predicate[T]]:
    """Decorator: turn a documented test function into a named :class:`Predicate`."""

    def wrap(test: Callable[[T], bool]) -> Predicate[T]:
        return Predicate(name, test, problem, " ".join((test.__doc__ or "").split()))

    return wrap


def name_of(test: Callable[[Any], bool]) -> str | None:
    """The predicate's name, None for a plain callable."""
    return test.name if isinstance(test, Predicate) else None


@predicate("is enabled")
def is_true(value: object) -> bool:
    """The value is truthy (a flag that is on)."""
    return bool(value)


@predicate("is disabled")
def is_false(value: object) -> bool:
    """The value is falsy (a flag that is off)."""
    return not value


@predicate("is greater than 0")
def positive(value: object) -> bool:
    """A count or retention that is not zero."""
    return int(str(value)) > 0


def none_of(values: Collection[str], name: str) -> Predicate[object]:
    """Not one of ``values`` (compared case-insensitively): e.g. not a default username."""
    lowered = frozenset(v.lower() for v in values)
    return Predicate(name, lambda value: str(value).lower() not in lowered, doc=f"not in {sorted(lowered)}")


def one_of(values: Collection[str], name: str) -> Predicate[object]:
    """One of ``values`` (compared case-insensitively): e.g. a state that counts as on."""
    lowered = frozenset(v.lower() for v in values)
    return Predicate(name, lambda value: str(value).lower() in lowered, doc=f"in {sorted(lowered)}")


def differs_from(default: object, name: str) -> Predicate[object]:
    """Not equal to ``default`` (an engine's default port or database name)."""
    return Predicate(name, lambda value: str(value).lower() != str(default).lower(), doc=f"!= {default}")


@predicate("is set")
def is_set(value: object) -> bool:
    """Any value was read (not None)."""
    return value is not None


def equals(expected: object, name: str) -> Predicate[object]:
    """Exactly ``expected`` (e.g. versioning ``Enabled``)."""
    return Predicate(name, lambda value: value == expected, doc=f"== {expected!r}")


def includes(member: object, name: str) -> Predicate[Collection[object]]:
    """A collection holding ``member`` (e.g. the log types a domain publishes)."""
    return Predicate(name, lambda values: member in values, doc=f"contains {member!r}")
