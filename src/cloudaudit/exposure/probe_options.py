"""``--probe-private`` and ``--probe-timeout``: checked once, applied to any command's exposure options."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cloudaudit.errors import UsageError
from cloudaudit.exposure.sources import ExposureOptions


@dataclass(frozen=True)
class ProbeLimits:
    """What the command line said about the probe's scope and time budget."""

    private: bool = False
    timeout_seconds: float | None = None


def probe_limits(probe: bool, private: bool, timeout_seconds: float | None) -> ProbeLimits:
    """The limits asked for; a usage error when given without ``--probe``."""
    if not probe and (private or timeout_seconds is not None):
        raise UsageError("--probe-private and --probe-timeout only apply to --probe")
    return ProbeLimits(private, timeout_seconds)


def with_probe_limits(options: ExposureOptions, limits: ProbeLimits) -> ExposureOptions:
    """``options`` with the limits applied (what ``options`` already allows, and its defaults, kept)."""
    return replace(
        options,
        probe_private=options.probe_private or limits.private,
        probe_timeout_seconds=limits.timeout_seconds or options.probe_timeout_seconds,
    )
