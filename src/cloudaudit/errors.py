"""User-facing errors and the exit codes a scheduler can act on."""

from __future__ import annotations

import copy
from enum import IntEnum
from typing import Self


class ExitCode(IntEnum):
    """Process exit codes (documented in the README)."""

    OK = 0
    """The audit ran; no failing finding at or above ``--fail-on``."""
    FINDINGS = 1
    """The audit ran and found failing findings at or above ``--fail-on``."""
    USAGE = 2
    """Bad command line, configuration, mutelist or input file."""
    RUNTIME = 3
    """The audit could not run, or is incomplete: credentials, unreachable endpoint, throttling, I/O error."""
    INTERRUPTED = 130
    """The user stopped the run (SIGINT); partial reports were written."""


class CloudauditError(Exception):
    """An error with a one-line, actionable message for the user (no traceback)."""

    exit_code: ExitCode = ExitCode.RUNTIME

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def reworded(self, message: str) -> Self:
        """The same error (its class and attributes) with another message."""
        other = copy.copy(self)
        other.message = message
        other.args = (message,)
        return other


class UsageError(CloudauditError):
    """The user asked for something invalid."""

    exit_code = ExitCode.USAGE


class CredentialsError(CloudauditError):
    """Credentials are missing, invalid or expired."""


class EndpointError(CloudauditError):
    """The provider's API cannot be reached."""


class MissingDependencyError(CloudauditError):
    """A provider's SDK is not installed: a set-up problem the user fixes, like a bad option."""

    exit_code = ExitCode.USAGE


class RunInterrupted(CloudauditError):
    """The user stopped the run before anything could be reported."""

    exit_code = ExitCode.INTERRUPTED
