"""The public-access verdict: the grants of a policy that reach anyone, with what restricts the others."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudaudit_aws.policy.conditions import restricts_allow
from cloudaudit_aws.policy.coverage import action_matches, enforces_secure_transport, neutralised_by
from cloudaudit_aws.policy.errors import MalformedError
from cloudaudit_aws.policy.statements import Stmt, lower_keys, parse_statement, unique


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


def analyse_policy(policy: str | Mapping[str, Any] | None) -> PolicyAnalysis:
    """Analyse a resource policy (JSON text or mapping); never raises, sets ``error`` instead."""
    try:
        return _analyse(policy)
    except MalformedError as exc:
        return PolicyAnalysis(error=str(exc))
    except RecursionError:
        return PolicyAnalysis(error="policy is nested too deeply")
    except Exception as exc:  # last-resort guard: the verdict becomes UNKNOWN, never "not public"
        return PolicyAnalysis(error=f"internal error: {type(exc).__name__}: {exc}")


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
            raise MalformedError(f"invalid JSON: {exc}") from exc
    if not isinstance(doc, Mapping):
        raise MalformedError("policy document must be a JSON object")
    top = lower_keys(doc)
    if "statement" not in top:
        raise MalformedError("policy has no Statement")
    raw = top["statement"]
    if isinstance(raw, Mapping):
        raws: list[object] = [raw]
    elif isinstance(raw, list | tuple):
        raws = list(raw)
    else:
        raise MalformedError("Statement must be an object or a list")
    stmts = [parse_statement(i, s) for i, s in enumerate(raws)]
    denies = [s for s in stmts if not s.allow]

    grants: list[PublicGrant] = []
    notes: list[str] = []
    for s in stmts:
        if not s.allow or not s.anyone or not (s.actions or s.not_action):
            continue
        keys = unique(c.key for c in s.conditions if restricts_allow(c))
        if keys:
            notes.append(f"Sid {s.sid}: restricted by {keys}")
            continue
        reasons = sorted(filter(None, (neutralised_by(d, s) for d in denies)))
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
        secure_transport_enforced=any(enforces_secure_transport(d) for d in denies),
    )


def _grant_resources(s: Stmt) -> tuple[str, ...]:
    if not s.has_resource:
        return ("*",)
    return tuple(f"NOT:{r}" for r in s.resources) if s.not_resource else s.resources


def _grant_allows(grant: PublicGrant, action: str) -> bool:
    """Can ``grant`` allow the concrete ``action``?"""
    not_action = any(isinstance(k, str) and k.lower() == "notaction" for k in grant.statement) or (
        bool(grant.actions) and all(a.startswith("NOT:") for a in grant.actions)
    )
    if not_action:
        return not any(action_matches(a.removeprefix("NOT:"), action) for a in grant.actions)
    return any(action_matches(a, action) for a in grant.actions)
