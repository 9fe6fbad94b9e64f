"""Provider-neutral compliance framework identifiers and common mappings."""

from __future__ import annotations

OWASP_API_2019 = "OWASP-API-Top10-2019"
OWASP_API_2023 = "OWASP-API-Top10-2023"

API_MISCONFIGURATION: dict[str, tuple[str, ...]] = {
    OWASP_API_2019: ("API7",),
    OWASP_API_2023: ("API8",),
}
"""OWASP API Security Top 10: Security Misconfiguration (API7:2019, API8:2023)."""


def with_controls(**frameworks: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The API misconfiguration mapping plus framework-specific controls."""
    return {**API_MISCONFIGURATION, **frameworks}
