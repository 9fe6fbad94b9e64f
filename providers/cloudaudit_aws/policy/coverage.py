"""Deny coverage: whether a Deny cancels a public grant, and whether one enforces secure transport."""

from __future__ import annotations

import fnmatch
import re

from cloudaudit_aws.policy.conditions import first_wildcard, restricts_deny
from cloudaudit_aws.policy.statements import Stmt, unique

_SERVICE_WILDCARD = re.compile(r"[a-z0-9-]+:\*+", re.IGNORECASE)


def action_matches(pattern: str, action: str) -> bool:
    """IAM wildcard match (``*`` any run, ``?`` one character), case-insensitive."""
    return fnmatch.fnmatchcase(action.strip().lower(), glob(pattern.strip().lower()))


def glob(pattern: str) -> str:
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
        return fnmatch.fnmatchcase(t, glob(p))
    return p.endswith("*") and first_wildcard(p[:-1]) < 0 and t.startswith(p[:-1])


def _single_service(actions: tuple[str, ...]) -> str:
    services = {a.strip().split(":", 1)[0].lower() if ":" in a else "" for a in actions}
    only = services.pop() if len(services) == 1 else ""
    return only if first_wildcard(only) < 0 else ""


def _covers_actions(deny: Stmt, grant: Stmt) -> bool:
    if deny.not_action:
        return (
            not grant.not_action
            and bool(grant.actions)
            and all(
                first_wildcard(a) < 0 and not any(action_matches(p, a) for p in deny.actions)
                for a in grant.actions
            )
        )
    if grant.not_action:
        service = _single_service(grant.actions)
        return any(_all_wild(p) or (service and p.strip().lower() == f"{service}:*") for p in deny.actions)
    return bool(grant.actions) and all(
        any(_pattern_covers(p, a, fold=True) for p in deny.actions) for a in grant.actions
    )


def _covers_resources(deny: Stmt, grant: Stmt) -> bool:
    if not deny.has_resource or deny.not_resource:
        return False
    if any(_all_wild(p) for p in deny.resources):
        return True
    if not grant.has_resource or grant.not_resource or not grant.resources:
        return False
    return all(any(_pattern_covers(p, r, fold=False) for p in deny.resources) for r in grant.resources)


def neutralised_by(deny: Stmt, grant: Stmt) -> str:
    """Why ``deny`` cancels the public ``grant`` ("" when it does not)."""
    if not deny.principal_anyone or not _covers_actions(deny, grant) or not _covers_resources(deny, grant):
        return ""
    if not deny.conditions:
        return f"unconditional Deny {deny.sid}"
    if all(restricts_deny(c) for c in deny.conditions):
        return f"Deny {deny.sid} unless {unique(c.key for c in deny.conditions)}"
    return ""


def enforces_secure_transport(deny: Stmt) -> bool:
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
