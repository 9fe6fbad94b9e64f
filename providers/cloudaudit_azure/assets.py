"""What every Azure asset shares: the provider name, resource ids and their parts, locations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from cloudaudit.compact import Frozen as CompactFrozen

PROVIDER = "azure"


class Frozen(CompactFrozen):
    """A frozen value object of an Azure asset (its set of given field names shared)."""


@dataclass(frozen=True)
class ResourceId:
    """The parts of an ARM resource id:
    ``/subscriptions/S/resourceGroups/G/providers/Microsoft.X/type/name[/child/name...]``."""

    subscription: str
    resource_group: str
    namespace: str
    types: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def name(self) -> str:
        """The last name (the resource's own)."""
        return self.names[-1] if self.names else ""

    @property
    def type(self) -> str:
        """``Microsoft.Storage/storageAccounts/blobServices/containers``."""
        return "/".join((self.namespace, *self.types))


def parse_id(resource_id: str) -> ResourceId:
    """Split an ARM resource id; missing parts are empty (ids compare case-insensitively: keep them
    as Azure wrote them and compare with :func:`same_id`)."""
    parts = [p for p in resource_id.strip().split("/") if p]
    lowered = [p.lower() for p in parts]
    subscription = _after(parts, lowered, "subscriptions")
    group = _after(parts, lowered, "resourcegroups")
    namespace, types, names = "", [], []
    if "providers" in lowered:
        at = len(lowered) - 1 - lowered[::-1].index("providers")  # the last provider segment
        rest = parts[at + 1 :]
        if rest:
            namespace = rest[0]
            pairs = rest[1:]
            types = pairs[0::2]
            names = pairs[1::2]
    return ResourceId(subscription, group, namespace, tuple(types), tuple(names))


def _after(parts: list[str], lowered: list[str], key: str) -> str:
    try:
        return parts[lowered.index(key) + 1]
    except (ValueError, IndexError):
        return ""


def same_id(a: str, b: str) -> bool:
    """ARM resource ids compare case-insensitively."""
    return a.casefold() == b.casefold()


def normal_location(location: str) -> str:
    """``East US`` / ``eastus`` -> ``eastus`` (ARM answers either)."""
    return location.replace(" ", "").lower()


def text(value: Any) -> str:
    """An SDK value as text: an enum's value (``Enabled``, not ``PublicNetworkAccess.ENABLED``), else
    ``str``; None is empty."""
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)
