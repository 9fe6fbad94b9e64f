"""azure-mgmt models back to the REST JSON Azure sent, so that translation to assets is pure and
reads the documented field names (camelCase, ``properties`` nested), whichever generator built the
SDK: msrest models (``serialize``) or the newer TypeSpec ones (``as_dict``)."""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]


def rest_json(model: Any) -> JSON:
    """The model as REST JSON, read-only fields included (a dict is returned as is)."""
    if isinstance(model, dict):
        return model
    serialize = getattr(model, "serialize", None)
    if callable(serialize):
        found: JSON = serialize(keep_readonly=True)
        return found
    as_dict: JSON = model.as_dict()
    return as_dict
