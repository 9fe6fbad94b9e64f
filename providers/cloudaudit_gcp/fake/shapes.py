"""What every fake resource shares: the JSON type, stable ids, timestamps, and dropping unset fields."""

from __future__ import annotations

import zlib
from typing import Any

JSON = dict[str, Any]
CREATED = "2026-01-15T10:00:00.000-08:00"
CREATED_UTC = "2026-01-15T18:00:00.000Z"


def numeric_id(*parts: str) -> str:
    """A stable numeric id (a string, as int64/uint64 travel in JSON) derived from the resource's path."""
    return str(zlib.crc32("/".join(parts).encode()) * 100_003 + 1_000_000_000)


def compact(body: JSON) -> JSON:
    """Drop unset fields: the real APIs omit them rather than sending null or empty lists."""
    return {key: value for key, value in body.items() if value is not None and value != [] and value != {}}
