"""Small closed vocabularies shared by every stage."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """How bad a failing finding is, from worst to mildest."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical=4 ... info=0."""
        return _SEVERITY_RANK[self]

    def at_least(self, other: Severity) -> bool:
        """True when this severity is as bad as ``other`` or worse."""
        return self.rank >= other.rank

    def lowered(self, steps: int = 1) -> Severity:
        """The severity ``steps`` levels milder, never below info."""
        return _BY_RANK[max(0, self.rank - steps)]

    def raised(self, steps: int = 1) -> Severity:
        """The severity ``steps`` levels worse, never above critical."""
        return _BY_RANK[min(max(_BY_RANK), self.rank + steps)]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}
_BY_RANK = {rank: sev for sev, rank in _SEVERITY_RANK.items()}


class Status(StrEnum):
    """The outcome of one check on one resource."""

    FAIL = "FAIL"
    PASS = "PASS"
    MUTED = "MUTED"
    UNKNOWN = "UNKNOWN"
    """The check's input could not be collected (e.g. AccessDenied): neither pass nor fail."""
    ERROR = "ERROR"
    """The check itself crashed on this resource."""
