"""What a check function returns for one resource."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.network import NetworkExposure


@dataclass(frozen=True)
class Outcome:
    """A check's verdict before the engine turns it into a :class:`Finding`."""

    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    """Overrides the check's default severity (e.g. graded by reachability)."""
    network: NetworkExposure | None = None
    """The addresses, ports and path the verdict is about; None for findings that are not about what
    answers where (hardening), which observations never grade."""


def fail(
    message: str,
    evidence: Mapping[str, Any] | None = None,
    severity: Severity | None = None,
    network: NetworkExposure | None = None,
) -> Outcome:
    """A failing verdict with the fragment that proves it."""
    return Outcome(Status.FAIL, message, evidence or {}, severity, network)


def passed(
    message: str, evidence: Mapping[str, Any] | None = None, network: NetworkExposure | None = None
) -> Outcome:
    """A passing verdict."""
    return Outcome(Status.PASS, message, evidence or {}, network=network)


def unknown(
    message: str, evidence: Mapping[str, Any] | None = None, network: NetworkExposure | None = None
) -> Outcome:
    """The check cannot decide because an input it needs was not collected."""
    return Outcome(Status.UNKNOWN, message, evidence or {}, network=network)
