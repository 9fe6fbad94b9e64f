"""GCP compliance framework identifiers used in check declarations."""

from __future__ import annotations

CIS_GCP = "CIS-GCP-Foundations-2.0.0"
