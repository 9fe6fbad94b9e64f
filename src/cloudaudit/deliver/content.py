"""The content type each report file is stored with (a browser opens report.html, a tool reads JSON)."""

from __future__ import annotations

from pathlib import Path

_BY_SUFFIX = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".sarif": "application/sarif+json",
    ".xml": "application/xml",
}
DEFAULT = "application/octet-stream"


def content_type(path: Path) -> str:
    """``report.html`` -> ``text/html; charset=utf-8``; an unknown suffix -> application/octet-stream."""
    return _BY_SUFFIX.get(path.suffix.lower(), DEFAULT)
