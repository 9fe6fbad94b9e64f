"""Principals: how a Principal value says "anyone" (``*``, ``AWS:*``, ``CanonicalUser:*``)."""

from __future__ import annotations

from collections.abc import Mapping

from cloudaudit_aws.policy.errors import MalformedError, strings


def anyone_label(value: object, where: str) -> str:
    """How a Principal value expresses "anyone" ("" when it names specific principals)."""
    if isinstance(value, str):
        return '"*"' if value.strip() == "*" else ""
    if not isinstance(value, Mapping):
        raise MalformedError(f"{where}: Principal must be a string or an object")
    label = ""
    for kind, ids in value.items():
        if not isinstance(kind, str):
            raise MalformedError(f"{where}: Principal type must be a string")
        names = strings(ids, f"{where}: Principal {kind}")
        if any(n.strip() == "*" for n in names):
            if kind.lower() == "aws":
                label = "AWS:*"
            elif kind.lower() == "canonicaluser" and not label:
                label = "CanonicalUser:*"
    return label
