"""Families of probe checks that prove a configuration finding from outside (for ``exploited_by``).

A check declares which probe results make its failure exploitable, e.g.
``@check(..., exploited_by=UNAUTHENTICATED_SERVICE)``; entries are probe check ids or prefixes.
"""

from __future__ import annotations

UNAUTHENTICATED_SERVICE: tuple[str, ...] = (
    "probe.redis.",
    "probe.memcached.",
    "probe.mongodb.",
    "probe.elasticsearch.",
)
"""A database, cache or search engine answered without credentials."""

SEARCH_WITHOUT_AUTH: tuple[str, ...] = ("probe.elasticsearch.",)
"""Elasticsearch/OpenSearch answered without credentials."""

CACHE_WITHOUT_AUTH: tuple[str, ...] = ("probe.redis.", "probe.memcached.")
"""Redis/Valkey or Memcached answered without credentials."""

TLS: tuple[str, ...] = ("probe.tls.",)
"""Any TLS weakness: plaintext accepted, legacy versions, certificate problems."""

LEGACY_TLS: tuple[str, ...] = ("probe.tls.tls1_0_accepted", "probe.tls.tls1_1_accepted")
"""The endpoint completed a TLS 1.0 or 1.1 handshake."""

CORS: tuple[str, ...] = ("probe.http.cors",)
"""The endpoint's CORS answers admit any origin."""

ANY_MISCONFIGURATION: tuple[str, ...] = ("probe.",)
"""Any misconfiguration the probe saw: what a rule opening every port exposes, whatever the service."""

WEB_MISCONFIGURATION: tuple[str, ...] = ("probe.http.", "probe.tls.")
"""An HTTP or TLS misconfiguration: what a rule opening web or other non-data ports exposes."""
