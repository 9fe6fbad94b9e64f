"""Server-level IP firewall rules of Azure databases (SQL, PostgreSQL, MySQL; Cosmos DB IP rules), and
how far they open a server whose public network access is enabled.

A rule admits the IPv4 range ``start``-``end``. Three shapes matter:

- the whole Internet: the rules together cover every public IPv4 address (``0.0.0.0``-
  ``255.255.255.255``, or ranges that add up to it; gaps inside private, loopback, link-local and
  shared space do not count, no Internet client comes from there);
- "Allow Azure services": the rule ``0.0.0.0``-``0.0.0.0`` (``AllowAllWindowsAzureIps`` on SQL,
  ``AllowAllAzureServicesAndResourcesWithinAzureIps_*`` on the flexible servers, ``0.0.0.0`` in a
  Cosmos DB account's IP rules). It does not mean "my services": it admits connections from every
  Azure datacenter address, so any resource of any Azure customer (a VM, a function, an App Service)
  reaches the server, and only its authentication stands in the way;
- broad: one rule spanning more than a /16 (65,536 addresses) of public space, larger than any one
  site's egress; a /8 or more is graded higher.

Public network access ``Disabled`` (or a flexible server injected in a virtual network) neutralises
every rule: only private endpoints and the virtual network reach the server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Literal

from cloudaudit_azure.assets import Frozen

Exposure = Literal["internet", "broad", "azure", "restricted", "closed", "private"]
"""How far the public endpoint is open: the whole Internet, a broad range, every Azure tenant (the
"Allow Azure services" rule, no broad one), narrow ranges only, no rule at all (public access on,
nobody admitted), or no public access."""

BROAD_SIZE = 1 << 16
"""A rule admitting more addresses than a /16 is broad."""
VERY_BROAD_SIZE = 1 << 24
"""A rule admitting a /8 or more."""
_PUBLIC_SPACE = (int(ipaddress.IPv4Address("1.0.0.0")), int(ipaddress.IPv4Address("223.255.255.255")))
"""Unicast space outside 0.0.0.0/8 ("this network") and multicast/reserved 224.0.0.0/3."""
_NOT_INTERNET: tuple[tuple[int, int], ...] = tuple(
    (int(n.network_address), int(n.broadcast_address))
    for n in map(
        ipaddress.IPv4Network,
        ("10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"),
    )
)
"""Ranges no Internet client connects from."""


def _address(text: str) -> int | None:
    try:
        return int(ipaddress.IPv4Address(text.strip()))
    except ValueError:
        return None


class FirewallRule(Frozen):
    """One IP firewall rule: the IPv4 range ``start``-``end`` it admits (as the API wrote them)."""

    name: str = ""
    start: str
    end: str

    @classmethod
    def from_cidr(cls, value: str) -> FirewallRule | None:
        """A Cosmos DB IP rule (``203.0.113.0/24`` or one address) as a range; None when not IPv4."""
        try:
            network = ipaddress.IPv4Network(value.strip(), strict=False)
        except ValueError:
            return None
        return cls(name=value, start=str(network.network_address), end=str(network.broadcast_address))

    @property
    def bounds(self) -> tuple[int, int] | None:
        """The range as integers; None when an address is not IPv4 or the range is empty."""
        low, high = _address(self.start), _address(self.end)
        if low is None or high is None or low > high:
            return None
        return low, high

    @property
    def size(self) -> int:
        """How many addresses the rule admits."""
        found = self.bounds
        return found[1] - found[0] + 1 if found else 0

    @property
    def azure_services(self) -> bool:
        """The "Allow Azure services" rule ``0.0.0.0``-``0.0.0.0``."""
        return self.bounds == (0, 0)

    @property
    def broad(self) -> bool:
        """More than a /16 of addresses, not all inside private or shared space."""
        found = self.bounds
        if found is None or self.size <= BROAD_SIZE:
            return False
        return not any(low <= found[0] and found[1] <= high for low, high in _NOT_INTERNET)

    @property
    def label(self) -> str:
        """``office (203.0.113.0-203.0.113.255)``."""
        span = f"{self.start}-{self.end}"
        return f"{self.name} ({span})" if self.name else span


def covers_internet(rules: Iterable[FirewallRule]) -> bool:
    """The rules together admit every public IPv4 address (see the module doc)."""
    ranges = sorted(b for b in (r.bounds for r in rules) if b is not None)
    cursor, last = _PUBLIC_SPACE
    for low, high in ranges:
        if high < cursor:
            continue
        if low > cursor and not _not_internet(cursor, min(low - 1, last)):
            return False
        cursor = max(cursor, high + 1)
        if cursor > last:
            return True
    return cursor > last or _not_internet(cursor, last)


def _not_internet(low: int, high: int) -> bool:
    return any(a <= low and high <= b for a, b in _NOT_INTERNET)


def exposure(public: bool, rules: Iterable[FirewallRule]) -> Exposure:
    """How far the rules open a server (``public``: its public network access is enabled)."""
    if not public:
        return "private"
    listed = tuple(rules)
    if covers_internet(listed):
        return "internet"
    if any(r.broad for r in listed):
        return "broad"
    if any(r.azure_services for r in listed):
        return "azure"
    return "restricted" if listed else "closed"


def labels(rules: Iterable[FirewallRule]) -> str:
    """The rules for a message: ``a (1.2.3.4), b (...)``."""
    return ", ".join(r.label for r in rules)
