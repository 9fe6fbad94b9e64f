"""The provider's error classifier: how its SDK's failures become gap kinds."""

from __future__ import annotations

from typing import Protocol

from cloudaudit.model.inventory import GapKind


class ErrorClassifier(Protocol):
    """What a provider tells the core about its SDK's exceptions (after the SDK's own retries)."""

    provider: str
    """The provider name written on every gap."""
    sdk_errors: tuple[type[Exception], ...]
    """What an SDK call raises when the service, the network or the credentials fail."""

    def classify(self, exc: Exception) -> GapKind:
        """Why the call failed: denied, throttled, not enabled (unsupported), server, connection..."""

    def describe(self, exc: Exception) -> tuple[str, str]:
        """``(code, message)`` of the exception, without secrets."""

    def status(self, exc: Exception) -> int:
        """The HTTP status the service answered (0: no answer)."""
