"""The native findings.json and inventory.json documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from cloudaudit.errors import UsageError
from cloudaudit.exposure.model import EXPOSURE_SCHEMA_VERSION, ExposureDocument
from cloudaudit.inputs import DOCUMENT, MESSAGE_LIMIT, load_json, validation_line
from cloudaudit.model.finding import FINDINGS_SCHEMA_VERSION, Finding, FindingsDocument
from cloudaudit.model.inventory import INVENTORY_SCHEMA_VERSION, Inventory
from cloudaudit.report.stream import Chunks, Laid, joined, laid_out, splice_lists
from cloudaudit.terminal import printable


def iter_findings(doc: FindingsDocument) -> Chunks:
    """``findings.json`` text, one finding (and surface entry) at a time, never serialised at once."""
    rest = doc.model_copy(update={"findings": [], "surface": []}).model_dump_json(indent=2) + "\n"
    yield from splice_lists(
        rest,
        (
            ("findings", _batches(doc.findings)),
            ("surface", (e.model_dump_json(indent=2) for e in doc.surface)),
        ),
    )


BATCH = 20
"""Findings serialised in one call: per finding, the call and re-indenting its text cost as much as
the serialisation itself. Larger batches save no more time and raise the peak memory (500: +17 MB on
the GCP bench)."""


def _batches(findings: Iterable[Finding]) -> Iterator[Laid]:
    """``findings`` laid out as the items of the document's list, :data:`BATCH` at a time."""
    serializer = _batch_adapter()
    rest = iter(findings)
    while batch := list(islice(rest, BATCH)):
        yield laid_out(serializer.dump_json({"findings": batch}, indent=2))


@cache
def _batch_adapter() -> TypeAdapter[dict[str, list[Finding]]]:
    return TypeAdapter(dict[str, list[Finding]])


def render_findings(doc: FindingsDocument) -> str:
    """``findings.json`` text."""
    return joined(iter_findings(doc))


def iter_inventory(inventory: Inventory) -> Chunks:
    """``inventory.json`` text, one asset at a time."""
    rest = _dumps(inventory.model_copy(update={"assets": ()}).to_json()) + "\n"
    yield from splice_lists(rest, (("assets", (a.to_json_text() for a in inventory.assets)),))


def render_inventory(inventory: Inventory) -> str:
    """``inventory.json`` text."""
    return joined(iter_inventory(inventory))


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, default=str)


@dataclass(frozen=True)
class _Kind:
    key: str
    """A top-level key only this document has."""
    file: str
    reader: str
    """The command (and option) that reads it."""
    hint: str
    """What to do with it instead; ``{path}`` is the file given."""


_KINDS = {
    "findings file": _Kind(
        "findings", "findings.json", "report", "to re-render its reports: cloudaudit report {path}"
    ),
    "inventory": _Kind(
        "assets",
        "inventory.json",
        "evaluate --inventory",
        "to re-run the checks on it: cloudaudit evaluate --inventory {path}",
    ),
    "exposure file": _Kind(
        "results",
        "exposure.json",
        "evaluate --observations",
        "to grade with it: cloudaudit evaluate --inventory inventory.json --observations {path}",
    ),
}


def _read_document(path: Path, what: str, version: str) -> dict[str, Any]:
    """A JSON object of kind ``what`` and the same major schema version; one line otherwise."""
    data = load_json(path, what, DOCUMENT)
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a cloudaudit {what} (a JSON {type(data).__name__}, not an object)")
    wanted = _KINDS[what]
    for other, kind in _KINDS.items():
        if other != what and kind.key in data and wanted.key not in data:
            raise UsageError(
                f"{path} is a cloudaudit {other} ({kind.file}); {wanted.reader} reads {wanted.file} "
                f"({kind.hint.format(path=path)})"
            )
    found = data.get("schema_version", "")
    if not isinstance(found, str) or found.split(".")[0] != version.split(".")[0]:
        raise UsageError(
            f"{path}: unsupported {what} schema_version {printable(repr(found), 40)} "
            f"(this version reads {version.split('.')[0]}.x)"
        )
    return data


def load_findings(path: Path) -> FindingsDocument:
    """Read a findings.json of the same major schema version (fields it does not know are ignored)."""
    data = _read_document(path, "findings file", FINDINGS_SCHEMA_VERSION)
    try:
        return FindingsDocument.model_validate(data, extra="ignore")
    except ValidationError as exc:
        raise UsageError(validation_line(exc, path, "findings file")) from None


def load_inventory(path: Path) -> Inventory:
    """Read an inventory.json (the providers of its asset kinds must be loaded; unknown fields ignored)."""
    data = _read_document(path, "inventory", INVENTORY_SCHEMA_VERSION)
    try:
        return Inventory.from_json(data)
    except ValueError as exc:
        message = printable(f"{path} is not a usable cloudaudit inventory: {exc}", MESSAGE_LIMIT)
        raise UsageError(message) from None


def load_observations(path: Path) -> ExposureDocument:
    """Read an exposure.json of ``run`` or ``evaluate`` (same major version, unknown fields ignored)."""
    data = _read_document(path, "exposure file", EXPOSURE_SCHEMA_VERSION)
    try:
        return ExposureDocument.model_validate(data, extra="ignore")
    except ValidationError as exc:
        raise UsageError(validation_line(exc, path, "exposure file")) from None
