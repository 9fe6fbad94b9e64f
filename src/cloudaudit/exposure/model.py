"""The exposure vocabulary shared by every source, the correlation and the reports."""

from __future__ import annotations

import ipaddress
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, Field

from cloudaudit.compact import Frozen


class ExposureLevel(StrEnum):
    """The evidence ladder, from no exposure to a misconfiguration seen from outside."""

    NONE = "none"
    """The finding is not about exposure, or the check passed."""
    CONFIGURED = "configured"
    """The rule or setting is open in the configuration."""
    REACHABLE = "reachable"
    """The in-account network path is complete (address + route + rule)."""
    OBSERVED = "observed"
    """An Internet index (Shodan, InternetDB, a snapshot) lists the port or service."""
    CONFIRMED = "confirmed"
    """The active probe connected."""
    EXPLOITABLE = "exploitable"
    """The active probe saw the misconfiguration itself (no auth, reflected CORS, TLS 1.0...)."""

    @property
    def rank(self) -> int:
        """Higher is stronger evidence: none=0 ... exploitable=5."""
        return _LEVEL_RANK[self]


_LEVEL_RANK = {level: rank for rank, level in enumerate(ExposureLevel)}


class _Frozen(Frozen):
    """A frozen value object (its set of given field names shared)."""


class TargetPort(_Frozen):
    """One port of a target the configuration says is open, and why."""

    port: int
    transport: Literal["tcp", "udp"] = "tcp"
    application: str = ""
    """Expected protocol when known (https, postgres, redis...), from the asset's endpoint."""
    via: str = ""
    """The configuration that opens it (a rule, a setting); empty for a port only a source saw."""
    methods: tuple[str, ...] | None = None
    """HTTP methods the configuration declares on it (an API's methods; ``ANY`` for all); None: unknown."""
    origin: Literal["configured", "observed", "range"] = "configured"
    """Why the probe plans it: the configuration opens it, a source saw it open in this run, or it is
    a well-known port inside a range too wide to probe whole (where nothing listening is the norm)."""
    reason: str = ""
    """The same, in words for the printed plan (``observed by shodan``)."""


class PortRange(_Frozen):
    """A port range the configuration opens that is too wide to list port by port (all traffic, 9200-9300)."""

    from_port: int
    to_port: int
    transport: Literal["tcp", "udp"] = "tcp"
    via: str = ""

    @property
    def label(self) -> str:
        """``tcp/0-65535``."""
        return f"{self.transport}/{self.from_port}-{self.to_port}"

    def covers(self, port: int) -> bool:
        """True when ``port`` lies in the range."""
        return self.from_port <= port <= self.to_port


class Target(_Frozen):
    """A public address of the audited account, with the assets that own it."""

    host: str
    """An IP address or a DNS name, as the provider reported it."""
    asset_ids: tuple[str, ...]
    ports: tuple[TargetPort, ...] = ()
    """Ports open according to the configuration (empty: the address has none)."""
    ranges: tuple[PortRange, ...] = ()
    """Ranges open according to the configuration that are too wide to list in ``ports``."""

    @property
    def is_ip(self) -> bool:
        """True for an IPv4/IPv6 literal, False for a DNS name."""
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


ObservationKind = Literal["open_port", "not_indexed", "closed", "vulnerability", "misconfiguration", "tls"]


class Observation(_Frozen):
    """One thing a source saw about one target (never a secret: banners are trimmed by sources)."""

    model_config = ConfigDict(defer_build=True)  # built when a source (or a saved file) is used

    source: str
    """shodan, internetdb, file, probe."""
    host: str
    """The target host it is about (as in :class:`Target`)."""
    kind: ObservationKind
    level: ExposureLevel
    """The rung this observation proves: OBSERVED (index), CONFIRMED or EXPLOITABLE (probe);
    NONE for negative observations (``not_indexed``, ``closed``)."""
    summary: str
    """One line for reports: what was seen."""
    seen_at: datetime
    """When the source saw it (Shodan's timestamp, or the probe's clock)."""
    port: int | None = None
    transport: str = "tcp"
    ip: str = ""
    """The address the source saw (a DNS target's resolved IP), when it differs from host."""
    service: str = ""
    """Product or protocol (``Redis``, ``nginx``, ``https``)."""
    check: str = ""
    """For misconfigurations: a stable id (``probe.redis.no_auth``, ``probe.http.trace_enabled``)."""
    cves: tuple[str, ...] = ()
    details: dict[str, Any] = Field(default_factory=dict)
    """Small JSON-ready facts (headers seen, TLS versions accepted, hostnames, tags)."""


class ExposureGap(_Frozen):
    """A target a source could not check, and why (becomes UNKNOWN coverage, never a silent drop)."""

    model_config = ConfigDict(defer_build=True)  # built when a source (or a saved file) is used

    source: str
    host: str
    reason: str


class SourceResult(_Frozen):
    """What one source returned for one run."""

    model_config = ConfigDict(defer_build=True)  # built when a source (or a saved file) is used

    source: str
    observations: tuple[Observation, ...] = ()
    gaps: tuple[ExposureGap, ...] = ()
    credits_used: int = 0
    """Query credits the source spent (Shodan); 0 for free or cached answers."""
    notes: tuple[str, ...] = ()
    """Human lines for the run summary (cache hits, rate-limit waits...)."""


class ExposureEvidence(_Frozen):
    """One item of a finding's exposure evidence."""

    source: str
    """config, shodan, internetdb, file, probe."""
    endpoint: str
    """``host:port`` (or ``host``) the evidence is about."""
    seen: str
    seen_at: datetime | None = None
    check: str = ""
    """The probe check that fired (``probe.http.cors_reflected``, ``probe.tls.tls1_0_accepted``...), so a
    reader sees why a level is exploitable; empty for index sightings and configuration evidence."""


class Exposure(_Frozen):
    """A finding's place on the evidence ladder, with what justifies it."""

    level: ExposureLevel = ExposureLevel.NONE
    evidence: tuple[ExposureEvidence, ...] = ()


EXPOSURE_SCHEMA_VERSION = "1.1"
"""1.1: targets carry wide port ``ranges``; their ports ``methods`` and a plan ``origin`` and ``reason``."""


class ExposureDocument(_Frozen):
    """``exposure.json``: what the sources saw in one run, re-usable without contacting anyone again."""

    model_config = ConfigDict(defer_build=True)  # built when a source (or a saved file) is used

    schema_version: str = EXPOSURE_SCHEMA_VERSION
    targets: tuple[Target, ...] = ()
    results: tuple[SourceResult, ...] = ()
