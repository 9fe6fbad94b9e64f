"""What probing one port produced: the ``open_port`` line, misconfigurations, gaps."""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cloudaudit.exposure.model import ExposureGap, ExposureLevel, Observation, ObservationKind
from cloudaudit.exposure.probe.connect import Connector, Endpoint
from cloudaudit.logs import redact

SOURCE = "probe"

_SECRETISH = re.compile(
    r"(?i)((?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|auth\w*|credential\w*|session\w*)\s*[=:]\s*)\S+"
)


def safe_snippet(text: str, limit: int = 120) -> str:
    """A short, single-line excerpt with anything that looks like a credential masked."""
    flat = " ".join(text.split())
    return redact(_SECRETISH.sub(r"\1****", flat))[:limit]


@dataclass(frozen=True)
class Contexts:
    """The TLS client contexts a run shares (built once: building pinned ones warns)."""

    permissive: ssl.SSLContext
    """No verification: used to read certificates and to talk to endpoints."""
    verifying: ssl.SSLContext
    """Chain verification against the trust store (host names are matched separately)."""
    pinned: dict[str, ssl.SSLContext]
    """``TLSv1`` / ``TLSv1.1`` -> a context that offers only that version (when the local OpenSSL can)."""


@dataclass
class PortProbe:
    """Accumulates what one port showed; :meth:`observations` builds the final list."""

    connector: Connector
    endpoint: Endpoint
    contexts: Contexts
    now: datetime
    declared_methods: tuple[str, ...] | None = None
    """HTTP methods the configuration declares on this port (None: unknown)."""
    service: str = ""
    ip: str = ""
    open_details: dict[str, Any] = field(default_factory=dict)
    opened: bool = False
    tls_checked: bool = False
    tls_context: ssl.SSLContext | None = None
    """How to talk TLS to this port once a handshake worked (None: the permissive context)."""
    closed_reason: str = ""
    findings: list[Observation] = field(default_factory=list)
    gaps: list[ExposureGap] = field(default_factory=list)

    def found(
        self,
        check: str,
        summary: str,
        details: dict[str, Any] | None = None,
        *,
        kind: ObservationKind = "misconfiguration",
    ) -> None:
        """Record a misconfiguration seen from outside (level EXPLOITABLE)."""
        self.findings.append(
            self._observation(kind, ExposureLevel.EXPLOITABLE, summary, details or {}).model_copy(
                update={"check": check}
            )
        )

    def tls(self) -> ssl.SSLContext:
        """The client context for application traffic over TLS."""
        return self.tls_context or self.contexts.permissive

    @classmethod
    def not_probed(
        cls, connector: Connector, contexts: Contexts, endpoint: Endpoint, now: datetime, why: str
    ) -> PortProbe:
        """A port left alone (nothing contacted): only a gap saying why."""
        probe = cls(connector, endpoint, contexts, now)
        probe.gap(f"not probed: {why}")
        return probe

    def gap(self, reason: str) -> None:
        """Record something this port could not be checked for."""
        self.gaps.append(
            ExposureGap(source=SOURCE, host=self.endpoint.host, reason=f"{self.endpoint.label}: {reason}")
        )

    def observations(self) -> list[Observation]:
        """``open_port`` (CONFIRMED) or ``closed`` (NONE), then the misconfigurations."""
        if self.opened:
            what = f" ({self.service})" if self.service else ""
            head = self._observation(
                "open_port", ExposureLevel.CONFIRMED, f"accepts connections{what}", self.open_details
            )
            # The service and address are often learnt after a finding was recorded.
            update = {"service": self.service, "ip": self.ip}
            return [head, *(finding.model_copy(update=update) for finding in self.findings)]
        if self.closed_reason:
            summary = f"closed ({self.closed_reason})"
            return [self._observation("closed", ExposureLevel.NONE, summary, {"reason": self.closed_reason})]
        return []

    def _observation(
        self, kind: ObservationKind, level: ExposureLevel, summary: str, details: dict[str, Any]
    ) -> Observation:
        return Observation(
            source=SOURCE,
            host=self.endpoint.host,
            kind=kind,
            level=level,
            summary=f"{self.endpoint.label}: {summary}",
            seen_at=self.now,
            port=self.endpoint.port,
            ip=self.ip,
            service=self.service,
            details=details,
        )
