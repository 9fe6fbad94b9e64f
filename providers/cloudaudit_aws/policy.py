"""The resource-policy analyser: does an AWS resource policy grant access to anyone?

Pure module (no boto3, no I/O), shared by S3 bucket policies and, later, API Gateway resource policies and
OpenSearch access policies.  ``analyse_policy`` never raises.

Semantics
---------
Parsing
    The policy is JSON text or a mapping; ``None``/``""`` is an empty policy (not public, no error).
    ``Statement`` is a dict or a list; Action/NotAction/Resource/NotResource and Principal values are a
    string or a list.  Statement keys, condition keys and (leniently) condition operators are matched
    case-insensitively.  Unknown but well-formed keys are ignored.
Malformed input
    Invalid JSON, a missing ``Statement``, ``Statement`` not a dict/list, a statement that is not a dict, an
    Effect other than Allow/Deny, a Principal/Action/Resource/Condition of the wrong type, or both ``X`` and
    ``NotX`` in one statement set ``error``; then ``grants`` is empty and callers must treat the verdict as
    UNKNOWN (``is_public`` is False then: check ``error`` first).
Anyone
    Only ``Effect: Allow`` grants.  "Anyone" is ``Principal: "*"``, ``{"AWS": "*"}``, an AWS list containing
    ``"*"``, ``{"CanonicalUser": "*"}``, or any Allow with ``NotPrincipal``.  Account/ARN/service principals
    are not anyone, and an Allow without Principal/NotPrincipal grants no one.  An Allow without Resource is
    read as Resource ``"*"``; an empty Action list grants nothing, an empty NotAction list grants everything.
Restricting condition (Allow)
    Conditions are ANDed, so one restricting entry makes the statement not public.  An entry restricts when
    its operator is positive (StringEquals, StringLike, StringEqualsIgnoreCase, ArnEquals, ArnLike, optionally
    ``ForAnyValue:``-prefixed; IpAddress, and only IpAddress, for aws:SourceIp), is not ``...IfExists`` nor
    ``ForAllValues:`` (both pass when the key is absent), its key is in ``RESTRICTING_KEYS`` and every value
    (values are ORed) is specific.  Negated operators (StringNotEquals, NotIpAddress, ...) never restrict an
    Allow; neither do other keys (aws:SecureTransport, s3:prefix, aws:UserAgent, aws:Referer - spoofable).
Specific values
    A value without ``*``/``?`` is specific (also under StringEquals, where ``*`` is literal, a bare wildcard
    counts as broad).  A value with wildcards is specific only when it pins an identity: an ARN with a fixed
    account field or, when the account field is empty (S3), a fixed first resource segment; any other id
    needs >= 8 fixed characters before its first wildcard once a generic ``vpce-``/``vpc-``/``o-``/``r-``/
    ``ou-``/``AIDA``/``AROA``... prefix is removed.  So ``*``, ``?*``, ``arn:*``, ``arn:aws:s3:::*``,
    ``arn:aws:iam::*:root``, ``vpce-*``, ``o-*``, ``AIDA*`` are broad.
    aws:SourceIp CIDRs are specific only when every CIDR parses and lies inside a private/reserved block
    (RFC 1918, loopback, link-local, 100.64.0.0/10, documentation ranges, 240.0.0.0/4, fc00::/7, ...) or is
    no broader than /8 (IPv4) or /32 (IPv6); IPv4-mapped IPv6 ranges are judged as IPv4.
Neutralising Deny ("deny unless")
    A public Allow grant is neutralised by one Deny whose ``Principal`` reaches anyone (NotPrincipal does not
    count) and which covers all of the grant's actions and resources, when the Deny is unconditional or all
    of its condition entries are negated (StringNotEquals, StringNotLike, StringNotEqualsIgnoreCase,
    ArnNotEquals, ArnNotLike, NotIpAddress for aws:SourceIp; ``...IfExists`` and ``ForAllValues:`` allowed,
    ``ForAnyValue:`` not, as it is false when the key is absent) on a restricting key with specific values.
    Action coverage: ``*``, ``<svc>:*`` or a pattern matching every action of the grant; a NotAction grant
    is covered only by ``*`` or ``<svc>:*`` where all its NotAction entries are of service ``svc``.  A Deny
    with NotAction covers only wildcard-free grant actions none of its NotAction entries match.  Resource
    coverage: Deny Resource ``*`` or, for each grant resource, an equal or wildcard-matching pattern; a Deny
    without Resource or with NotResource covers nothing.  Neutralised grants get a ``restricted`` note
    naming every neutralising Deny (sorted, so statement order does not matter).
Secure transport
    ``secure_transport_enforced`` is true when a Deny reaching anyone, with an Action ``*`` or ``<svc>:*``, is
    conditioned only on aws:SecureTransport = false (Bool or BoolIfExists, ``"false"`` or ``False``).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "RESTRICTING_KEYS",
    "S3_WRITE_ACTIONS",
    "PolicyAnalysis",
    "PublicGrant",
    "action_matches",
    "analyse_policy",
]

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

S3_WRITE_ACTIONS: frozenset[str] = frozenset(
    {
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:PutObjectAcl",
        "s3:PutObjectVersionAcl",
        "s3:PutBucketAcl",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:DeleteBucket",
        "s3:PutBucketWebsite",
        "s3:DeleteBucketWebsite",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketCORS",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutEncryptionConfiguration",
        "s3:PutBucketVersioning",
        "s3:PutBucketLogging",
        "s3:PutBucketNotification",
        "s3:PutBucketTagging",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketRequestPayment",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutReplicationConfiguration",
        "s3:PutAccelerateConfiguration",
        "s3:PutInventoryConfiguration",
        "s3:PutAnalyticsConfiguration",
        "s3:PutMetricsConfiguration",
        "s3:PutIntelligentTieringConfiguration",
        "s3:RestoreObject",
        "s3:PutObjectTagging",
        "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging",
        "s3:DeleteObjectVersionTagging",
        "s3:PutObjectRetention",
        "s3:PutObjectLegalHold",
        "s3:BypassGovernanceRetention",
        "s3:AbortMultipartUpload",
        "s3:ReplicateObject",
        "s3:ReplicateDelete",
        "s3:ReplicateTags",
    }
)
"""Concrete S3 actions that write or delete data or change a bucket's configuration or permissions."""

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
_SERVICE_WILDCARD = re.compile(r"[a-z0-9-]+:\*+", re.IGNORECASE)
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


@dataclass(frozen=True)
class PublicGrant:
    """An Allow statement that reaches anyone and is not restricted nor neutralised."""

    sid: str
    """Statement Sid, or ``#<index>`` (0-based position in ``Statement``) when it has none."""
    actions: tuple[str, ...]
    """Action entries as written, or ``"NOT:" + entry`` for each NotAction entry."""
    resources: tuple[str, ...]
    """Resource entries as written, ``"NOT:" + entry`` for NotResource, ``("*",)`` when absent."""
    principal: str
    """How "anyone" is expressed: ``'"*"'``, ``'AWS:*'``, ``'CanonicalUser:*'`` or ``'NotPrincipal'``."""
    statement: Mapping[str, Any] = field(hash=False)
    """The original statement (evidence)."""


@dataclass(frozen=True)
class PolicyAnalysis:
    """Verdict on one resource policy; when ``error`` is set the verdict is UNKNOWN."""

    grants: tuple[PublicGrant, ...] = ()
    """Allow statements reaching anyone, not restricted by a condition nor neutralised by a Deny."""
    restricted: tuple[str, ...] = ()
    """Notes on statements reaching anyone that were judged not public, and why."""
    secure_transport_enforced: bool = False
    """A Deny for anyone on all actions when aws:SecureTransport is false."""
    error: str = ""
    """Why the document could not be parsed (then ``grants`` is empty); ``""`` otherwise."""

    @property
    def is_public(self) -> bool:
        """True when some statement grants access to anyone (False, not "private", when ``error`` is set)."""
        return bool(self.grants)

    def write_grants(self, write_actions: Collection[str]) -> tuple[PublicGrant, ...]:
        """Grants whose actions can match any of the given concrete write actions."""
        return tuple(g for g in self.grants if any(_grant_allows(g, a) for a in write_actions))


def action_matches(pattern: str, action: str) -> bool:
    """IAM wildcard match (``*`` any run, ``?`` one character), case-insensitive."""
    return fnmatch.fnmatchcase(action.strip().lower(), _glob(pattern.strip().lower()))


def analyse_policy(policy: str | Mapping[str, Any] | None) -> PolicyAnalysis:
    """Analyse a resource policy (JSON text or mapping); never raises, sets ``error`` instead."""
    try:
        return _analyse(policy)
    except _MalformedError as exc:
        return PolicyAnalysis(error=str(exc))
    except RecursionError:
        return PolicyAnalysis(error="policy is nested too deeply")
    except Exception as exc:  # last-resort guard: the verdict becomes UNKNOWN, never "not public"
        return PolicyAnalysis(error=f"internal error: {type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------------------------- internals


class _MalformedError(Exception):
    """The policy document cannot be analysed."""


@dataclass(frozen=True)
class _Cond:
    key: str  # as written
    key_l: str
    values: tuple[str, ...]
    prefix: str  # "", "foranyvalue" or "forallvalues"
    base: str  # lower-case operator without prefix nor IfExists
    if_exists: bool


@dataclass(frozen=True)
class _Stmt:
    sid: str
    allow: bool
    anyone: str  # PublicGrant.principal label, "" when the statement does not reach anyone
    principal_anyone: bool  # reaches anyone through Principal (not NotPrincipal)
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    has_resource: bool
    conditions: tuple[_Cond, ...]
    raw: Mapping[str, Any]


def _analyse(policy: object) -> PolicyAnalysis:
    if policy is None:
        return PolicyAnalysis()
    doc: object = policy
    if isinstance(policy, str):
        if not policy.strip():
            return PolicyAnalysis()
        try:
            doc = json.loads(policy)
        except ValueError as exc:
            raise _MalformedError(f"invalid JSON: {exc}") from exc
    if not isinstance(doc, Mapping):
        raise _MalformedError("policy document must be a JSON object")
    top = _lower_keys(doc)
    if "statement" not in top:
        raise _MalformedError("policy has no Statement")
    raw = top["statement"]
    if isinstance(raw, Mapping):
        raws: list[object] = [raw]
    elif isinstance(raw, list | tuple):
        raws = list(raw)
    else:
        raise _MalformedError("Statement must be an object or a list")
    stmts = [_parse_statement(i, s) for i, s in enumerate(raws)]
    denies = [s for s in stmts if not s.allow]

    grants: list[PublicGrant] = []
    notes: list[str] = []
    for s in stmts:
        if not s.allow or not s.anyone or not (s.actions or s.not_action):
            continue
        keys = _unique(c.key for c in s.conditions if _restricts_allow(c))
        if keys:
            notes.append(f"Sid {s.sid}: restricted by {keys}")
            continue
        reasons = sorted(filter(None, (_neutralised_by(d, s) for d in denies)))
        if reasons:
            notes.append(f"Sid {s.sid}: neutralised by {'; '.join(reasons)}")
            continue
        grants.append(
            PublicGrant(
                sid=s.sid,
                actions=tuple(f"NOT:{a}" for a in s.actions) if s.not_action else s.actions,
                resources=_grant_resources(s),
                principal=s.anyone,
                statement=s.raw,
            )
        )
    return PolicyAnalysis(
        grants=tuple(grants),
        restricted=tuple(notes),
        secure_transport_enforced=any(_enforces_secure_transport(d) for d in denies),
    )


def _grant_resources(s: _Stmt) -> tuple[str, ...]:
    if not s.has_resource:
        return ("*",)
    return tuple(f"NOT:{r}" for r in s.resources) if s.not_resource else s.resources


def _parse_statement(index: int, raw: object) -> _Stmt:
    if not isinstance(raw, Mapping):
        raise _MalformedError(f"statement #{index} is not an object")
    f = _lower_keys(raw)
    sid_raw = f.get("sid")
    sid = sid_raw if isinstance(sid_raw, str) and sid_raw.strip() else f"#{index}"
    where = f"statement {sid}"
    effect = f.get("effect")
    if not isinstance(effect, str) or effect.strip().lower() not in ("allow", "deny"):
        raise _MalformedError(f"{where}: Effect must be Allow or Deny")
    for key in ("principal", "action", "resource"):
        if key in f and f"not{key}" in f:
            raise _MalformedError(f"{where}: both {key.title()} and Not{key.title()}")

    anyone, principal_anyone = "", False
    if "principal" in f:
        anyone = _principal_anyone(f["principal"], where)
        principal_anyone = bool(anyone)
    elif "notprincipal" in f:
        _principal_anyone(f["notprincipal"], where)
        anyone = "NotPrincipal"

    if "action" in f:
        actions, not_action = _strings(f["action"], f"{where}: Action"), False
    elif "notaction" in f:
        actions, not_action = _strings(f["notaction"], f"{where}: NotAction"), True
    else:
        raise _MalformedError(f"{where}: no Action or NotAction")

    resources: tuple[str, ...] = ()
    not_resource = False
    if "resource" in f:
        resources = _strings(f["resource"], f"{where}: Resource")
    elif "notresource" in f:
        resources, not_resource = _strings(f["notresource"], f"{where}: NotResource"), True

    return _Stmt(
        sid=sid,
        allow=effect.strip().lower() == "allow",
        anyone=anyone,
        principal_anyone=principal_anyone,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        has_resource="resource" in f or "notresource" in f,
        conditions=_conditions(f["condition"], where) if "condition" in f else (),
        raw=raw,
    )


def _lower_keys(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in mapping.items() if isinstance(k, str)}


def _strings(value: object, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _MalformedError(f"{what} must be a string or a list of strings")


def _principal_anyone(value: object, where: str) -> str:
    """How a Principal value expresses "anyone" ("" when it names specific principals)."""
    if isinstance(value, str):
        return '"*"' if value.strip() == "*" else ""
    if not isinstance(value, Mapping):
        raise _MalformedError(f"{where}: Principal must be a string or an object")
    label = ""
    for kind, ids in value.items():
        if not isinstance(kind, str):
            raise _MalformedError(f"{where}: Principal type must be a string")
        names = _strings(ids, f"{where}: Principal {kind}")
        if any(n.strip() == "*" for n in names):
            if kind.lower() == "aws":
                label = "AWS:*"
            elif kind.lower() == "canonicaluser" and not label:
                label = "CanonicalUser:*"
    return label


def _conditions(value: object, where: str) -> tuple[_Cond, ...]:
    if not isinstance(value, Mapping):
        raise _MalformedError(f"{where}: Condition must be an object")
    out: list[_Cond] = []
    for op, block in value.items():
        if not isinstance(op, str) or not isinstance(block, Mapping):
            raise _MalformedError(f"{where}: Condition operator {op!r} must map keys to values")
        base, prefix = op.strip().lower(), ""
        for p in ("forallvalues:", "foranyvalue:"):
            if base.startswith(p):
                base, prefix = base.removeprefix(p), p[:-1]
        if_exists = base.endswith("ifexists")
        base = base.removesuffix("ifexists")
        for key, raw in block.items():
            if not isinstance(key, str):
                raise _MalformedError(f"{where}: Condition key {key!r} must be a string")
            values = _condition_values(raw, f"{where}: Condition {op} {key}")
            out.append(_Cond(key, key.strip().lower(), values, prefix, base, if_exists))
    return tuple(out)


def _condition_values(raw: object, what: str) -> tuple[str, ...]:
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            raise _MalformedError(f"{what}: values must be strings, numbers or booleans")
    return tuple(out)


def _unique(items: Any) -> str:
    return ", ".join(dict.fromkeys(items))


# ------------------------------------------------------------------------------ conditions and values


def _restricts_allow(c: _Cond) -> bool:
    """A condition entry that keeps an Allow away from anonymous/arbitrary callers."""
    if c.prefix == "forallvalues" or c.if_exists or c.base not in _POSITIVE_OPS:
        return False
    return _specific_entry(c, ip_operator="ipaddress")


def _restricts_deny(c: _Cond) -> bool:
    """A condition entry making a Deny fire for everyone outside a specific VPC/org/account/network."""
    if c.prefix == "foranyvalue" or c.base not in _NEGATED_OPS:
        return False
    return _specific_entry(c, ip_operator="notipaddress")


def _specific_entry(c: _Cond, ip_operator: str) -> bool:
    if c.key_l not in RESTRICTING_KEYS or (c.key_l == _SOURCE_IP) != (c.base == ip_operator):
        return False
    check = _is_specific_cidr if c.key_l == _SOURCE_IP else _is_specific_value
    return bool(c.values) and all(check(v) for v in c.values)


def _first_wildcard(value: str) -> int:
    positions = [i for i in (value.find("*"), value.find("?")) if i >= 0]
    return min(positions, default=-1)


def _is_specific_value(value: str) -> bool:
    """A condition value that pins an identity (not a bare or near-bare wildcard)."""
    v = value.strip()
    if not v:
        return False
    first = _first_wildcard(v)
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
        return _first_wildcard(account) < 0
    first_segment = re.split(r"[/:]", resource, maxsplit=1)[0]
    return bool(first_segment) and _first_wildcard(first_segment) < 0


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


# ----------------------------------------------------------------------------------- deny coverage


def _glob(pattern: str) -> str:
    """IAM pattern -> fnmatch pattern ('[' is literal in IAM)."""
    return pattern.replace("[", "[[]")


def _all_wild(pattern: str) -> bool:
    p = pattern.strip()
    return bool(p) and set(p) == {"*"}


def _pattern_covers(pattern: str, target: str, fold: bool) -> bool:
    """True when every string matched by ``target`` (itself possibly a pattern) is matched by ``pattern``."""
    p, t = (pattern.strip().lower(), target.strip().lower()) if fold else (pattern.strip(), target.strip())
    if _all_wild(p) or p == t:
        return True
    if "*" not in t:
        return fnmatch.fnmatchcase(t, _glob(p))
    return p.endswith("*") and _first_wildcard(p[:-1]) < 0 and t.startswith(p[:-1])


def _single_service(actions: tuple[str, ...]) -> str:
    services = {a.strip().split(":", 1)[0].lower() if ":" in a else "" for a in actions}
    only = services.pop() if len(services) == 1 else ""
    return only if _first_wildcard(only) < 0 else ""


def _covers_actions(deny: _Stmt, grant: _Stmt) -> bool:
    if deny.not_action:
        return (
            not grant.not_action
            and bool(grant.actions)
            and all(
                _first_wildcard(a) < 0 and not any(action_matches(p, a) for p in deny.actions)
                for a in grant.actions
            )
        )
    if grant.not_action:
        service = _single_service(grant.actions)
        return any(_all_wild(p) or (service and p.strip().lower() == f"{service}:*") for p in deny.actions)
    return bool(grant.actions) and all(
        any(_pattern_covers(p, a, fold=True) for p in deny.actions) for a in grant.actions
    )


def _covers_resources(deny: _Stmt, grant: _Stmt) -> bool:
    if not deny.has_resource or deny.not_resource:
        return False
    if any(_all_wild(p) for p in deny.resources):
        return True
    if not grant.has_resource or grant.not_resource or not grant.resources:
        return False
    return all(any(_pattern_covers(p, r, fold=False) for p in deny.resources) for r in grant.resources)


def _neutralised_by(deny: _Stmt, grant: _Stmt) -> str:
    """Why ``deny`` cancels the public ``grant`` ("" when it does not)."""
    if not deny.principal_anyone or not _covers_actions(deny, grant) or not _covers_resources(deny, grant):
        return ""
    if not deny.conditions:
        return f"unconditional Deny {deny.sid}"
    if all(_restricts_deny(c) for c in deny.conditions):
        return f"Deny {deny.sid} unless {_unique(c.key for c in deny.conditions)}"
    return ""


def _enforces_secure_transport(deny: _Stmt) -> bool:
    if not deny.principal_anyone or deny.not_action or not deny.conditions:
        return False
    if not any(_all_wild(a) or _SERVICE_WILDCARD.fullmatch(a.strip()) for a in deny.actions):
        return False
    return all(
        c.base == "bool"
        and not c.prefix
        and c.key_l == "aws:securetransport"
        and any(v.strip().lower() == "false" for v in c.values)
        for c in deny.conditions
    )


def _grant_allows(grant: PublicGrant, action: str) -> bool:
    """Can ``grant`` allow the concrete ``action``?"""
    not_action = any(isinstance(k, str) and k.lower() == "notaction" for k in grant.statement) or (
        bool(grant.actions) and all(a.startswith("NOT:") for a in grant.actions)
    )
    if not_action:
        return not any(action_matches(a.removeprefix("NOT:"), action) for a in grant.actions)
    return any(action_matches(a, action) for a in grant.actions)
