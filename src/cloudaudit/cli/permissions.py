"""``cloudaudit permissions``: a provider's read-only policy, as a document or a list of actions."""

from __future__ import annotations

import json
from typing import Any

from cloudaudit.errors import UsageError

FORMATS = ("json", "text")


def _actions(policy: dict[str, Any]) -> list[str]:
    found: set[str] = set()
    for statement in policy.get("Statement", []):
        actions = statement.get("Action", [])
        found.update([actions] if isinstance(actions, str) else actions)
    return sorted(found)


def render_permissions(policy: dict[str, Any], fmt: str) -> str:
    """``json``: the policy document, ready for ``aws iam create-policy``; ``text``: its actions."""
    chosen = fmt.strip().lower()
    if chosen == "json":
        return json.dumps(policy, indent=2)
    if chosen == "text":
        return "\n".join(_actions(policy))
    raise UsageError(f"unknown format {fmt!r} for permissions; choose from {', '.join(FORMATS)}")
