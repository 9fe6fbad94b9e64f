"""``cloudaudit permissions``: a provider's read-only policy or role, as a document or a list of names."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

from cloudaudit.errors import UsageError

FORMATS = ("json", "yaml", "text")


def render_permissions(document: dict[str, Any], names: Sequence[str], fmt: str) -> str:
    """``json``/``yaml``: the provider's policy or role document, ready for its CLI
    (``aws iam create-policy``, ``gcloud iam roles create --file``); ``text``: one permission a line."""
    chosen = fmt.strip().lower()
    if chosen == "json":
        return json.dumps(document, indent=2)
    if chosen == "yaml":
        return yaml.safe_dump(document, sort_keys=False, width=100).rstrip("\n")
    if chosen == "text":
        return "\n".join(sorted(names))
    raise UsageError(f"unknown format {fmt!r} for permissions; choose from {', '.join(FORMATS)}")
