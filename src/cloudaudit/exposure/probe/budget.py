"""Time budgets above each connection's: one per target and one for the whole probe (``--probe-timeout``).

A server that answers slowly but steadily (a header line every half second) stays inside every read
timeout; each connection is cut after a few timeouts, but a target's checks open many connections.
The deadlines here bound the sum: a connection never outlives the earliest of them, none is opened
after it, and what was cut short is reported as coverage.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from cloudaudit.terminal import printable


@dataclass(frozen=True)
class Deadline:
    """A point on the monotonic clock, and what it is the end of (for the coverage entry)."""

    at: float
    what: str

    @classmethod
    def after(cls, seconds: float, what: str) -> Deadline:
        """The deadline ``seconds`` from now."""
        return cls(time.monotonic() + seconds, what)

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()


@dataclass(frozen=True)
class Budget:
    """The deadlines one port's checks run under; the earliest one counts."""

    deadlines: tuple[Deadline, ...] = ()

    def remaining(self) -> float:
        """Seconds until the earliest deadline (infinite without one)."""
        return min((d.remaining() for d in self.deadlines), default=math.inf)

    def spent(self) -> Deadline | None:
        """The first deadline already passed, if any."""
        return next((d for d in self.deadlines if d.remaining() <= 0), None)


UNLIMITED = Budget()


class Budgets:
    """The whole probe's deadline (running from creation) and each target's (from its first port)."""

    def __init__(self, total_seconds: float, target_seconds: float) -> None:
        self.total = Deadline.after(total_seconds, f"the probe's overall budget ({total_seconds:g} s)")
        self.target_seconds = target_seconds
        self._targets: dict[str, Deadline] = {}
        self._lock = threading.Lock()

    def for_target(self, host: str) -> Budget:
        """The budget of a port of ``host``: the probe's deadline and the target's."""
        with self._lock:
            if host not in self._targets:
                what = f"the per-target budget ({self.target_seconds:g} s)"
                self._targets[host] = Deadline.after(self.target_seconds, what)
            return Budget((self.total, self._targets[host]))


class Timings:
    """How long each target took, from its first port's start to its last port's end (for the notes)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._spans: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def record(self, host: str, start: float, end: float) -> None:
        """One port of ``host`` ran from ``start`` to ``end`` (monotonic seconds)."""
        with self._lock:
            first, last = self._spans.get(host, (start, end))
            self._spans[host] = (min(first, start), max(last, end))

    def note(self, ports: int) -> str:
        """``probe: 12 port(s) of 2 target(s) in 3.1 s (slowest target: 203.0.113.10, 2.0 s)``."""
        if not self._spans:
            return ""
        host, (first, last) = max(self._spans.items(), key=lambda item: item[1][1] - item[1][0])
        elapsed = time.monotonic() - self.started
        return (
            f"probe: {ports} port(s) of {len(self._spans)} target(s) in {elapsed:.1f} s "
            f"(slowest target: {printable(host)}, {last - first:.1f} s)"
        )
