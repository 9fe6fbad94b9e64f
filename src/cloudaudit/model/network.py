"""The typed exposure contract: what a finding says about what answers where (provider-neutral).

Checks return a :class:`NetworkExposure` with their outcome when the verdict is about an address
the Internet may reach (a rule, a public endpoint, a database's listener). Correlation grades a
finding with the observations on those addresses and ports, and nothing else: a finding without
network facts (encryption, backups, logging...) is never graded by what was seen from outside.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from functools import lru_cache
from typing import Literal

from cloudaudit.compact import Frozen

Reachability = Literal["reachable", "restricted", "blocked", "private", "unknown"]
"""In-account verdict: ``reachable`` (address + route + rule open to the Internet), ``restricted``
(the path exists but the port is allowed only from some sources), ``blocked`` (no route or no rule),
``private`` (no public address), ``unknown`` (an input of the verdict was not collected)."""

Transport = Literal["tcp", "udp", "all"]


class _Frozen(Frozen):
    """A frozen value object (its set of given field names shared)."""


class PortRange(_Frozen):
    """Ports a finding is about; ``transport="all"`` with 0-65535 is every port of every protocol."""

    from_port: int
    to_port: int
    transport: Transport = "tcp"

    @classmethod
    def single(cls, port: int, transport: Transport = "tcp") -> PortRange:
        """One port: one shared instance per port and transport (findings name the same few ports
        over and over: 67,000 instances of a few dozen values at N=1000 with Compute Engine)."""
        return _single(port, transport)

    @classmethod
    def every(cls) -> PortRange:
        """Every port of every protocol (an all-traffic rule)."""
        return cls(from_port=0, to_port=65535, transport="all")

    def covers(self, port: int, transport: str = "tcp") -> bool:
        """True when ``port`` over ``transport`` lies in this range."""
        return self.transport in ("all", transport) and self.from_port <= port <= self.to_port


@lru_cache(maxsize=4096)
def _single(port: int, transport: Transport) -> PortRange:
    return PortRange(from_port=port, to_port=port, transport=transport)


class Hop(_Frozen):
    """One step of an in-account network path: resource -> subnet/route -> rule."""

    hop: str
    """What the step is (``resource``, ``subnet``, ``security_group``, ``firewall_rule``...)."""
    id: str = ""
    detail: str = ""
    """One human line (``subnet-1 routes 0.0.0.0/0 -> igw-1``)."""


class NetworkExposure(_Frozen):
    """The network facts of one finding: which addresses and ports it concerns, and how far the path goes."""

    addresses: tuple[str, ...] = ()
    """Public IPs or DNS names the finding is about; empty: every public address of its resource."""
    ports: tuple[PortRange, ...] = ()
    """Ports the finding is about; empty: none in particular (only observations of a whole address,
    such as "not indexed", concern it)."""
    reachability: Reachability | None = None
    """The in-account verdict, when the check judged the path (None: not judged)."""
    path: tuple[Hop, ...] = ()
    """The hops that justify ``reachability``."""
    exploited_by: tuple[str, ...] = ()
    """Probe check ids (or prefixes such as ``probe.redis.``) whose result makes the finding exploitable;
    declared by the check (``@check(exploited_by=...)``), filled by the engine."""

    def concerns(self, port: int | None, transport: str = "tcp") -> bool:
        """True when an observation on ``port`` (None: the whole address) is about this finding."""
        return port is None or any(r.covers(port, transport) for r in self.ports)

    def exploited(self, probe_check: str) -> bool:
        """True when ``probe_check`` proves the finding's misconfiguration from outside."""
        return bool(probe_check) and any(probe_check.startswith(p) for p in self.exploited_by)

    def endpoint(self) -> str:
        """``host:port`` when the finding names one address and one port, else the address, else ``""``."""
        if not self.addresses:
            return ""
        one = self.ports[0] if len(self.ports) == 1 else None
        port = f":{one.from_port}" if one is not None and one.from_port == one.to_port else ""
        return f"{self.addresses[0]}{port}"


def ports_of(ports: Iterable[int], transport: Transport = "tcp") -> tuple[PortRange, ...]:
    """Single-port ranges, sorted and without duplicates."""
    return tuple(PortRange.single(p, transport) for p in sorted(set(ports)))


class AddressRole(IntEnum):
    """How strongly an asset owns a public address (lower is stronger).

    A finding the exposure stage adds about an address names its strongest owner: the workload
    that answers (an instance, a database) before its interface, a reserved address or a firewall.
    """

    WORKLOAD = 0
    INTERFACE = 1
    RESERVED_ADDRESS = 2
    FIREWALL = 3
