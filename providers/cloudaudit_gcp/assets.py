"""What every GCP asset shares: the provider name, full resource names, IAM bindings and IP ranges."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from cloudaudit.compact import Frozen as CompactFrozen

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


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_network(value: str) -> IpNetwork | None:
    """A CIDR (or single address) as a network; None when it is not one."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def covers_family(values: Iterable[str], version: int) -> bool:
    """The ranges together cover every address of IPv``version`` (``0.0.0.0/0``, or ``0.0.0.0/1`` plus
    ``128.0.0.0/1``...)."""
    parsed = [n for n in (parse_network(v) for v in values) if n is not None and n.version == version]
    return any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(parsed))  # type: ignore[type-var]
