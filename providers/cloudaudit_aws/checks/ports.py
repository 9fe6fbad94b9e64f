"""The core port catalogue (:mod:`cloudaudit.ports`) read through AWS security group rules."""

from __future__ import annotations

from functools import cache

from cloudaudit.ports import PortService, catalogue
from cloudaudit_aws.assets import IngressRule

WEB_PORTS: frozenset[int] = frozenset({80, 443})
"""What a public web endpoint is expected to open (the only ports a "benign" rule may open)."""


def services(rule: IngressRule) -> list[PortService]:
    """Catalogue services the rule lets in (all of them for all traffic; protocol-aware otherwise)."""
    return list(_services(rule.protocol, rule.from_port, rule.to_port))


@cache
def _services(protocol: str, from_port: int, to_port: int) -> tuple[PortService, ...]:
    """The catalogue scan, once per distinct (protocol, range): accounts repeat the same few rules."""
    if protocol == "all":
        return tuple(catalogue().values())
    if protocol not in ("tcp", "udp"):
        return ()
    return tuple(s for s in catalogue().values() if s.protocol == protocol and from_port <= s.port <= to_port)


def named(found: list[PortService]) -> dict[int, str]:
    """``{port: name}`` of services (one name per port: TCP wins over UDP)."""
    names: dict[int, str] = {}
    for s in sorted(found, key=lambda s: (s.port, s.protocol != "tcp")):
        names.setdefault(s.port, s.name)
    return names
