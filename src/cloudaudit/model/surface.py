"""The Internet attack surface: one entry per endpoint of the account that faces the Internet.

Built by :mod:`cloudaudit.exposure.surface` from the configuration, the graded findings and what the
exposure sources saw; written as the top-level ``surface`` list of ``findings.json``.
"""

from __future__ import annotations

from typing import Literal

from cloudaudit.compact import Frozen
from cloudaudit.exposure.model import ExposureLevel


class _Frozen(Frozen):
    """A frozen value object (its set of given field names shared)."""


class SurfaceOwner(_Frozen):
    """The resource that best names an endpoint (an instance or database before its interface or group)."""

    id: str
    name: str
    kind: str
    account: str = ""
    """Its account (project, subscription): which one, in a run of many (since findings 1.3)."""


class OpenPort(_Frozen):
    """A port range the configuration opens on the endpoint, and the rule or setting that opens it."""

    protocol: str
    """tcp, udp, icmp or all."""
    from_port: int
    to_port: int
    via: str = ""
    service: str = ""
    """The catalogue's name for a single port (ssh, postgresql...), or the configured application."""


class SeenPort(_Frozen):
    """A port a source saw open (or the probe connected to), with the service it named."""

    port: int
    transport: str = "tcp"
    service: str = ""


class SourceView(_Frozen):
    """What one Internet index (shodan, internetdb, a snapshot file) says about the endpoint."""

    source: str
    listed: bool
    """False when the source checked the endpoint and does not list it."""
    ports: tuple[SeenPort, ...] = ()
    cves: int = 0
    """How many distinct CVEs the source associates with the endpoint."""


class ProbeView(_Frozen):
    """What the active probe saw on the endpoint."""

    answered: tuple[SeenPort, ...] = ()
    """Ports that accepted a connection."""
    checks: tuple[str, ...] = ()
    """Probe checks that fired (``probe.http.cors_reflected_with_credentials``...)."""


Reachability = Literal["reachable", "restricted", "blocked", "private", "unknown", "not_assessed"]


class SurfaceEntry(_Frozen):
    """One Internet-facing endpoint and how sure we are that the Internet reaches it."""

    endpoint: str
    """A public IP address or a DNS name."""
    kind: Literal["address", "hostname"]
    owner: SurfaceOwner | None = None
    resource_ids: tuple[str, ...] = ()
    """Every resource that owns or exposes the endpoint (instance, interface, groups, database...)."""
    ports: tuple[OpenPort, ...] = ()
    """Open by configuration (empty: the address is public but no rule opens a port)."""
    reachability: Reachability = "not_assessed"
    """The in-account network verdict of the findings on those resources."""
    sources: tuple[SourceView, ...] = ()
    probe: ProbeView | None = None
    """None when the probe did not look at the endpoint."""
    level: ExposureLevel = ExposureLevel.NONE
    """The endpoint's rung on the evidence ladder, whether its findings pass or fail."""
    evidence: str = ""
    """The strongest evidence for ``level``, one line."""
    gaps: tuple[str, ...] = ()
    """Sources that could not check the endpoint, and why (``shodan: rate limited``)."""
