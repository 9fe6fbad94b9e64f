"""The probe's own options (``--probe-private``, ``--probe-timeout``, ``--probe-ports``, ``--ca-bundle``):
checked once, before anything is collected, and applied to any command's exposure options."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, replace
from pathlib import Path

from cloudaudit.errors import UsageError
from cloudaudit.exposure.probe_ports import parse_probe_ports
from cloudaudit.exposure.sources import ExposureOptions


@dataclass(frozen=True)
class ProbeLimits:
    """What the command line said about the probe's scope, time budget, ports and trust store."""

    private: bool = False
    timeout_seconds: float | None = None
    ports: tuple[int, ...] | None = None
    ca_bundle: Path | None = None


def check_ca_bundle(path: Path) -> Path:
    """``path`` when it is a readable file holding at least one PEM certificate; else a usage error."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # empty store: only what the file adds counts
    try:
        context.load_verify_locations(cafile=str(path))
    except ssl.SSLError as exc:  # an OSError too: caught first
        raise UsageError(f"--ca-bundle {path}: no readable PEM certificate in it") from exc
    except OSError as exc:
        raise UsageError(f"--ca-bundle {path}: cannot read it ({exc.strerror or exc})") from exc
    stats = context.cert_store_stats()
    if stats["x509_ca"] + stats["x509"] == 0:
        raise UsageError(f"--ca-bundle {path}: no readable PEM certificate in it")
    return path


def probe_limits(
    probe: bool,
    private: bool,
    timeout_seconds: float | None,
    ports: str | None = None,
    ca_bundle: Path | None = None,
) -> ProbeLimits:
    """The limits asked for; a usage error when given without ``--probe`` or malformed."""
    if not probe and (private or timeout_seconds is not None):
        raise UsageError("--probe-private and --probe-timeout only apply to --probe")
    if not probe and (ports is not None or ca_bundle is not None):
        raise UsageError("--probe-ports and --ca-bundle only apply to --probe")
    return ProbeLimits(
        private,
        timeout_seconds,
        parse_probe_ports(ports) if ports is not None else None,
        check_ca_bundle(ca_bundle) if ca_bundle is not None else None,
    )


def with_probe_limits(options: ExposureOptions, limits: ProbeLimits) -> ExposureOptions:
    """``options`` with the limits applied (what ``options`` already allows, and its defaults, kept)."""
    return replace(
        options,
        probe_private=options.probe_private or limits.private,
        probe_timeout_seconds=limits.timeout_seconds or options.probe_timeout_seconds,
        probe_ports=limits.ports if limits.ports is not None else options.probe_ports,
        ca_bundle=limits.ca_bundle or options.ca_bundle,
    )
