"""The core port catalogue (:mod:`cloudaudit.ports`) read through AWS security group rules."""

from __future__ import annotations

from cloudaudit.ports import PortService, catalogue
from cloudaudit_aws.assets import IngressRule

WEB_PORTS: frozenset[int] = frozenset({80, 443})
"""What a public web endpoint is expected to open (the only ports a "benign" rule may open)."""


def services(rule: IngressRule) -> list[PortService]:
    """Catalogue services the rule lets in (all of them for all traffic; protocol-aware otherwise)."""
    return [
        s
        for s in catalogue().values()
        if rule.protocol == "all" or (rule.protocol == s.protocol and rule.covers(s.port))
    ]


def named(found: list[PortService]) -> dict[int, str]:
    """``{port: name}`` of services (one name per port: TCP wins over UDP)."""
    names: dict[int, str] = {}
    for s in sorted(found, key=lambda s: (s.port, s.protocol != "tcp")):
        names.setdefault(s.port, s.name)
    return names
