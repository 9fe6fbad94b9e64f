"""Frozen models that share what their instances repeat instead of holding a copy each.

pydantic keeps, per instance, the set of the field names it was given (``model_fields_set``): 0.2 to
2 KB, often more than the instance's own values. A large run holds tens of thousands of assets,
findings and their parts, nearly all with one of a few such sets; a frozen model never changes it,
so instances that were given the same names share one.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict

T = TypeVar("T")

_SHARED: dict[Hashable, Any] = {}
"""One instance per distinct value, for the whole process (values that are never changed)."""


def shared(key: Hashable, value: T) -> T:
    """The instance first registered under ``key``, else ``value`` (registered now)."""
    return _SHARED.setdefault(key, value)  # type: ignore[no-any-return]


class Frozen(BaseModel):
    """A frozen model (unknown fields refused) whose set of given field names is shared."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_post_init(self, context: Any, /) -> None:
        """Swap this instance's set of given field names for the shared one."""
        given = self.__pydantic_fields_set__
        object.__setattr__(self, "__pydantic_fields_set__", shared(frozenset(given), given))

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """:meth:`pydantic.BaseModel.model_copy` (the copy gets its own set before pydantic updates
        it), then shared again."""
        copied = super().model_copy(update=update, deep=deep)
        copied.model_post_init(None)
        return copied
