"""Parsing a policy document's statements: case-insensitive keys, normalised values, errors raised."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cloudaudit_aws.policy.errors import MalformedError, strings
from cloudaudit_aws.policy.principals import anyone_label


@dataclass(frozen=True)
class Cond:
    """One condition entry: operator (split into prefix, base, IfExists), key and values."""

    key: str  # as written
    key_l: str
    values: tuple[str, ...]
    prefix: str  # "", "foranyvalue" or "forallvalues"
    base: str  # lower-case operator without prefix nor IfExists
    if_exists: bool


@dataclass(frozen=True)
class Stmt:
    """One parsed statement: effect, who it reaches, actions, resources and conditions."""

    sid: str
    allow: bool
    anyone: str  # PublicGrant.principal label, "" when the statement does not reach anyone
    principal_anyone: bool  # reaches anyone through Principal (not NotPrincipal)
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    has_resource: bool
    conditions: tuple[Cond, ...]
    raw: Mapping[str, Any]


def parse_statement(index: int, raw: object) -> Stmt:
    """Parse statement ``index``; raises :class:`MalformedError` on a wrong shape."""
    if not isinstance(raw, Mapping):
        raise MalformedError(f"statement #{index} is not an object")
    f = lower_keys(raw)
    sid_raw = f.get("sid")
    sid = sid_raw if isinstance(sid_raw, str) and sid_raw.strip() else f"#{index}"
    where = f"statement {sid}"
    effect = f.get("effect")
    if not isinstance(effect, str) or effect.strip().lower() not in ("allow", "deny"):
        raise MalformedError(f"{where}: Effect must be Allow or Deny")
    for key in ("principal", "action", "resource"):
        if key in f and f"not{key}" in f:
            raise MalformedError(f"{where}: both {key.title()} and Not{key.title()}")

    anyone, principal_anyone = "", False
    if "principal" in f:
        anyone = anyone_label(f["principal"], where)
        principal_anyone = bool(anyone)
    elif "notprincipal" in f:
        anyone_label(f["notprincipal"], where)
        anyone = "NotPrincipal"

    if "action" in f:
        actions, not_action = strings(f["action"], f"{where}: Action"), False
    elif "notaction" in f:
        actions, not_action = strings(f["notaction"], f"{where}: NotAction"), True
    else:
        raise MalformedError(f"{where}: no Action or NotAction")

    resources: tuple[str, ...] = ()
    not_resource = False
    if "resource" in f:
        resources = strings(f["resource"], f"{where}: Resource")
    elif "notresource" in f:
        resources, not_resource = strings(f["notresource"], f"{where}: NotResource"), True

    return Stmt(
        sid=sid,
        allow=effect.strip().lower() == "allow",
        anyone=anyone,
        principal_anyone=principal_anyone,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        has_resource="resource" in f or "notresource" in f,
        conditions=parse_conditions(f["condition"], where) if "condition" in f else (),
        raw=raw,
    )


def lower_keys(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    return {k.lower(): v for k, v in mapping.items() if isinstance(k, str)}


def parse_conditions(value: object, where: str) -> tuple[Cond, ...]:
    if not isinstance(value, Mapping):
        raise MalformedError(f"{where}: Condition must be an object")
    out: list[Cond] = []
    for op, block in value.items():
        if not isinstance(op, str) or not isinstance(block, Mapping):
            raise MalformedError(f"{where}: Condition operator {op!r} must map keys to values")
        base, prefix = op.strip().lower(), ""
        for p in ("forallvalues:", "foranyvalue:"):
            if base.startswith(p):
                base, prefix = base.removeprefix(p), p[:-1]
        if_exists = base.endswith("ifexists")
        base = base.removesuffix("ifexists")
        for key, raw in block.items():
            if not isinstance(key, str):
                raise MalformedError(f"{where}: Condition key {key!r} must be a string")
            values = condition_values(raw, f"{where}: Condition {op} {key}")
            out.append(Cond(key, key.strip().lower(), values, prefix, base, if_exists))
    return tuple(out)


def condition_values(raw: object, what: str) -> tuple[str, ...]:
    items = list(raw) if isinstance(raw, list | tuple) else [raw]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            raise MalformedError(f"{what}: values must be strings, numbers or booleans")
    return tuple(out)


def unique(items: Any) -> str:
    return ", ".join(dict.fromkeys(items))
