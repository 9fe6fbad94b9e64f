"""The opt-in active probe (``--probe``): TCP, TLS, HTTP and default-service checks.

It only ever contacts the targets it is given (the audited account's own public endpoints, or
their ``--connect-to`` mapping), directly (never through a proxy), rate-limited, read-only.
"""

from __future__ import annotations

from cloudaudit.exposure.probe.source import ProbeSource
from cloudaudit.exposure.sources import ExposureOptions

__all__ = ["ProbeSource", "build"]


def build(options: ExposureOptions, argument: str = "") -> ProbeSource:
    """The probe source for ``options`` (``argument`` is unused: ``--probe`` takes none)."""
    return ProbeSource(options)
