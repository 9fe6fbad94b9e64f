"""Address ranges and port spans, as every provider's reachability needs them (pure)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Span = tuple[int, int]
"""An inclusive range of ports ``(first, last)``."""


@lru_cache(maxsize=8192)
def parse_network(value: str) -> IpNetwork | None:
    """A CIDR (or one address) as a network; None when it is not one (a service tag, a typo)."""
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None


def family(address: str) -> int:
    """4 or 6."""
    return 6 if ":" in address else 4


def covers_family(values: Iterable[str], version: int) -> bool:
    """The ranges together cover every address of IPv``version`` (``0.0.0.0/0``, or ``0.0.0.0/1`` plus
    ``128.0.0.0/1``...)."""
    return _covers(tuple(values), version)


@lru_cache(maxsize=8192)
def _covers(values: tuple[str, ...], version: int) -> bool:
    parsed = [n for n in map(parse_network, values) if n is not None and n.version == version]
    return any(n.prefixlen == 0 for n in ipaddress.collapse_addresses(parsed))  # type: ignore[type-var]


def subtract(span: Span, taken: list[Span]) -> list[Span]:
    """The parts of ``span`` outside the sorted, disjoint ``taken`` spans."""
    out: list[Span] = []
    low, high = span
    for a, b in taken:
        if b < low or a > high:
            continue
        if a > low:
            out.append((low, a - 1))
        low = max(low, b + 1)
        if low > high:
            return out
    if low <= high:
        out.append((low, high))
    return out


def merge(spans: Iterable[Span]) -> list[Span]:
    """``spans`` as sorted, disjoint spans (adjacent ones joined)."""
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
