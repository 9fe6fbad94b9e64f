"""The native findings.json and inventory.json documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cloudaudit.errors import UsageError
from cloudaudit.exposure.model import EXPOSURE_SCHEMA_VERSION, ExposureDocument
from cloudaudit.model.finding import FINDINGS_SCHEMA_VERSION, FindingsDocument
from cloudaudit.model.inventory import Inventory


def render_findings(doc: FindingsDocument) -> str:
    """``findings.json`` text."""
    return doc.model_dump_json(indent=2) + "\n"


def render_inventory(inventory: Inventory) -> str:
    """``inventory.json`` text."""
    return json.dumps(inventory.to_json(), indent=2, default=str) + "\n"


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise UsageError(f"{what} {path} is not valid JSON: {exc}") from exc


def load_findings(path: Path) -> FindingsDocument:
    """Read a findings.json written by this or a compatible version."""
    data = _read_json(path, "findings file")
    version = str(data.get("schema_version", "")) if isinstance(data, dict) else ""
    if version.split(".")[0] != FINDINGS_SCHEMA_VERSION.split(".")[0]:
        raise UsageError(f"{path}: unsupported findings schema_version {version!r}")
    try:
        return FindingsDocument.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"{path} is not a cloudaudit findings file: {exc.errors()[0]['msg']}") from exc


def load_inventory(path: Path) -> Inventory:
    """Read an inventory.json (the providers of its asset kinds must be loaded)."""
    data = _read_json(path, "inventory")
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a cloudaudit inventory")
    try:
        return Inventory.from_json(data)
    except (ValueError, KeyError, ValidationError) as exc:
        raise UsageError(f"{path} is not a usable cloudaudit inventory: {exc}") from exc


def load_observations(path: Path) -> ExposureDocument:
    """Read an exposure.json written by ``run`` or ``evaluate`` (same major schema version)."""
    data = _read_json(path, "exposure file")
    version = str(data.get("schema_version", "")) if isinstance(data, dict) else ""
    if version.split(".")[0] != EXPOSURE_SCHEMA_VERSION.split(".")[0]:
        raise UsageError(f"{path}: unsupported exposure schema_version {version!r}")
    try:
        return ExposureDocument.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise UsageError(f"{path} is not a usable exposure file: {where}: {first['msg']}") from exc
