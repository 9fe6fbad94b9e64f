"""Conditions: which entries confine an Allow to known callers, or make a Deny fire for everyone else."""

from __future__ import annotations

import ipaddress
import re

from cloudaudit_aws.policy.statements import Cond

RESTRICTING_KEYS: frozenset[str] = frozenset(
    {
        "aws:sourcevpce",
        "aws:sourcevpc",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:userid",
        "aws:sourceip",
    }
)
"""Condition keys (lower-case) that, with specific values, confine a statement to known callers."""

_SOURCE_IP = "aws:sourceip"
_POSITIVE_OPS = frozenset(
    {"stringequals", "stringlike", "stringequalsignorecase", "arnequals", "arnlike", "ipaddress"}
)
_NEGATED_OPS = frozenset(
    {
        "stringnotequals",
        "stringnotlike",
        "stringnotequalsignorecase",
        "arnnotequals",
        "arnnotlike",
        "notipaddress",
    }
)
_GENERIC_ID_PREFIX = re.compile(
    r"(?:(?:vpce|vpc|o|r|ou)-|aida|aroa|anpa|agpa|aipa|asia|akia)?", re.IGNORECASE
)
_MIN_FIXED_ID_CHARS = 8
_PRIVATE_V4 = tuple(
    ipaddress.IPv4Network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "240.0.0.0/4",
        "255.255.255.255/32",
    )
)
_PRIVATE_V6 = tuple(
    ipaddress.IPv6Network(n)
    for n in ("::/128", "::1/128", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10")
)


def restricts_allow(c: Cond) -> bool:
    """A condition entry that keeps an Allow away from anonymous/arbitrary callers."""
    if c.prefix == "forallvalues" or c.if_exists or c.base not in _POSITIVE_OPS:
        return False
    return _specific_entry(c, ip_operator="ipaddress")


def restricts_deny(c: Cond) -> bool:
    """A condition entry making a Deny fire for everyone outside a specific VPC/org/account/network."""
    if c.prefix == "foranyvalue" or c.base not in _NEGATED_OPS:
        return False
    return _specific_entry(c, ip_operator="notipaddress")


def _specific_entry(c: Cond, ip_operator: str) -> bool:
    if c.key_l not in RESTRICTING_KEYS or (c.key_l == _SOURCE_IP) != (c.base == ip_operator):
        return False
    check = _is_specific_cidr if c.key_l == _SOURCE_IP else _is_specific_value
    return bool(c.values) and all(check(v) for v in c.values)


def first_wildcard(value: str) -> int:
    positions = [i for i in (value.find("*"), value.find("?")) if i >= 0]
    return min(positions, default=-1)


def _is_specific_value(value: str) -> bool:
    """A condition value that pins an identity (not a bare or near-bare wildcard)."""
    v = value.strip()
    if not v:
        return False
    first = first_wildcard(v)
    if first < 0:
        return True
    if v[:4].lower() == "arn:":
        return _is_specific_arn(v)
    fixed = _GENERIC_ID_PREFIX.sub("", v[:first], count=1).strip("-:/")
    return len(fixed) >= _MIN_FIXED_ID_CHARS


def _is_specific_arn(value: str) -> bool:
    parts = value.split(":", 5)
    if len(parts) < 6:
        return False
    account, resource = parts[4], parts[5]
    if account:
        return first_wildcard(account) < 0
    first_segment = re.split(r"[/:]", resource, maxsplit=1)[0]
    return bool(first_segment) and first_wildcard(first_segment) < 0


def _is_specific_cidr(value: str) -> bool:
    """A CIDR inside a private/reserved block or no broader than /8 (IPv4) or /32 (IPv6)."""
    try:
        net = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    if isinstance(net, ipaddress.IPv6Network):
        mapped = net.network_address.ipv4_mapped
        if mapped is None or net.prefixlen < 96:
            return net.prefixlen >= 32 or any(net.subnet_of(p) for p in _PRIVATE_V6)
        net = ipaddress.IPv4Network((mapped, net.prefixlen - 96))
    return net.prefixlen >= 8 or any(net.subnet_of(p) for p in _PRIVATE_V4)
