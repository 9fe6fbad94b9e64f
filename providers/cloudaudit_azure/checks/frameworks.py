"""Azure compliance framework identifiers used in check declarations."""

from __future__ import annotations

CIS_AZURE = "CIS-Azure-Foundations-3.0.0"
