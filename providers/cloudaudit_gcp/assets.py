"""What every GCP asset shares: the provider name, full resource names, IAM bindings and IP ranges."""

from __future__ import annotations

from cloudaudit.compact import Frozen as CompactFrozen
from cloudaudit.ranges import IpNetwork, covers_family, parse_network

__all__ = [
    "PROVIDER",
    "PUBLIC_MEMBERS",
    "Frozen",
    "IamBinding",
    "IpNetwork",
    "covers_family",
    "full_name",
    "last_segment",
    "parse_network",
]

PROVIDER = "gcp"

PUBLIC_MEMBERS = frozenset({"allUsers", "allAuthenticatedUsers"})
"""IAM members (and ACL entities) that stand for anyone on the Internet / any Google account."""


class Frozen(CompactFrozen):
    """A frozen value object of a GCP asset (its set of given field names shared)."""


class IamBinding(Frozen):
    """One binding of an IAM policy: a role, its members and an optional condition."""

    role: str
    members: tuple[str, ...] = ()
    condition: str = ""
    """The condition's title or expression; a conditional binding may not apply to every request."""

    @property
    def public_members(self) -> tuple[str, ...]:
        """``allUsers`` / ``allAuthenticatedUsers`` among the members."""
        return tuple(m for m in self.members if m in PUBLIC_MEMBERS)


def full_name(service: str, path: str) -> str:
    """A full resource name: ``//storage.googleapis.com/projects/_/buckets/logs``."""
    return f"//{service}.googleapis.com/{path}"


def last_segment(url_or_name: str) -> str:
    """``.../global/networks/default`` -> ``default``."""
    return url_or_name.rstrip("/").rsplit("/", 1)[-1]
