"""``findings.csv``: one row per finding, for spreadsheets and ticketing imports.

Every cell an account controls (names, tags, messages) is untrusted: a cell that a spreadsheet
would read as a formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io

from cloudaudit.model.finding import Finding, FindingsDocument
from cloudaudit.report.stream import Chunks, joined

COLUMNS = (
    "check_id",
    "severity",
    "status",
    "exposure",
    "title",
    "provider",
    "account",
    "region",
    "service",
    "resource_type",
    "resource_id",
    "resource_name",
    "message",
    "compliance",
    "remediation",
    "muted_reason",
)

_BATCH = 1 << 16
"""Characters of rows handed on at a time."""

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` defused against spreadsheet formula injection."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _row(f: Finding) -> list[str]:
    compliance = "; ".join(f"{fw}: {', '.join(ids)}" for fw, ids in sorted(f.compliance.items()))
    values = {
        **f.model_dump(mode="json", include={c for c in COLUMNS if c not in ("exposure", "compliance")}),
        "exposure": f.exposure.level.value,
        "compliance": compliance,
    }
    return [
        safe_cell(" ".join(str(values[c]).split()) if c == "remediation" else str(values[c])) for c in COLUMNS
    ]


def iter_csv(doc: FindingsDocument) -> Chunks:
    """The findings as CSV (RFC 4180 quoting, a header row), one row at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in doc.findings:
        writer.writerow(_row(finding))
        if out.tell() >= _BATCH:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def render_csv(doc: FindingsDocument) -> str:
    """The findings as CSV (RFC 4180 quoting, a header row)."""
    return joined(iter_csv(doc))
