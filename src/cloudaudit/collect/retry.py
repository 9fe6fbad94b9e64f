"""How long a provider's SDK may keep retrying one call: one setting for every provider."""

from __future__ import annotations

import os

from cloudaudit.errors import UsageError

RETRY_SECONDS_ENV = "CLOUDAUDIT_RETRY_SECONDS"
"""How long the SDKs keep retrying one call (429, 5xx, broken connections); default 120."""
PATIENT = 60.0
"""A budget of at least this many seconds gets the SDK's full retries; less, a single quick retry."""


def retry_seconds() -> float:
    """The retry budget of one call: ``CLOUDAUDIT_RETRY_SECONDS`` (default 120 s, at least 1 s)."""
    try:
        return max(1.0, float(os.environ.get(RETRY_SECONDS_ENV, "120")))
    except ValueError:
        raise UsageError(f"{RETRY_SECONDS_ENV} must be a number of seconds") from None
