"""The provider's error classifier: how its SDK's failures become gap kinds."""

from __future__ import annotations

from typing import Any, Protocol

from cloudaudit.errors import CredentialsError
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


class TargetUnavailable(CredentialsError):
    """One target (an account, a project, a subscription) cannot be audited at all: its role cannot
    be assumed, or it denies the audit's identity. In a run of several targets it becomes a coverage
    gap on that target and the others go on; alone, the run fails with this message."""

    def __init__(self, message: str, *, code: str, operation: str, kind: GapKind = GapKind.DENIED) -> None:
        super().__init__(message)
        self.code = code
        """The provider's error code (``AccessDenied``)."""
        self.operation = operation
        """The call that failed (``AssumeRole``)."""
        self.kind = kind

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled whole: a Dask worker's survey raises it and the client receives it."""
        return (_target_unavailable, (str(self), self.code, self.operation, self.kind))


def _target_unavailable(message: str, code: str, operation: str, kind: GapKind) -> TargetUnavailable:
    return TargetUnavailable(message, code=code, operation=operation, kind=kind)
