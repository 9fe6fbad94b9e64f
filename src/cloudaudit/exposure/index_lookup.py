"""What the per-IP Internet-index sources (Shodan, InternetDB) share: resolve, cache, pace, retry.

A source supplies ``fetch(ip) -> Found | NotIndexed | Retry | Failed`` (one HTTP request, no
exceptions) and ``shape(answer, target_host, now) -> observations``; :class:`IndexLookup` does the
rest: DNS names are resolved with the system resolver, answers are cached on disk, requests are
paced by a :class:`RateLimiter`, throttling and transient errors are retried with backoff, and
every failure becomes an :class:`ExposureGap`.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cloudaudit import interrupt
from cloudaudit.exposure.cache import DiskCache
from cloudaudit.exposure.model import ExposureGap, ExposureLevel, Observation, SourceResult, Target
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.shodan_shape import SOURCE_TITLES

if TYPE_CHECKING:
    from cloudaudit.plugins import Progress

log = logging.getLogger(__name__)

MAX_TRIES = 3
"""Attempts per address when throttled or on a transient error."""
BACKOFF_SECONDS = 2.0
"""First retry delay; doubled each retry (unless the server said Retry-After)."""
MAX_RETRY_AFTER = 60.0
GIVE_UP_AFTER = 3
"""Consecutive addresses whose retries ran out before the remaining ones are not attempted."""


@dataclass(frozen=True)
class Found:
    """The index has data for the address."""

    answer: dict[str, Any]
    fetched_at: float = 0.0
    """When the answer was fetched (epoch seconds; set by IndexLookup, also for cached answers)."""


@dataclass(frozen=True)
class NotIndexed:
    """The index answered that it has no data for the address."""

    fetched_at: float = 0.0


@dataclass(frozen=True)
class Retry:
    """Throttled or a transient failure: try again later (``after`` seconds, when the server said)."""

    reason: str
    after: float | None = None


@dataclass(frozen=True)
class Failed:
    """A definitive failure; ``fatal`` stops every further lookup (e.g. the API key was rejected)."""

    reason: str
    fatal: bool = False
    transient: bool = False
    """The retries ran out (throttling, connection or server errors)."""


Outcome = Found | NotIndexed | Retry | Failed
Fetch = Callable[[str], Outcome]
Shape = Callable[[dict[str, Any], str, datetime], list[Observation]]
"""(answer, target host, when the answer was fetched) -> observations."""


class ResolveError(Exception):
    """A DNS name did not resolve."""


def resolve_addresses(name: str) -> list[str]:
    """The distinct addresses ``name`` resolves to with the system resolver (IPv4 first)."""
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise ResolveError(str(exc)) from exc
    addresses = dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos)
    return sorted(addresses, key=lambda a: (":" in a, a))


def _is_public(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_global
    except ValueError:
        return False


@dataclass
class _Tally:
    lookups: int = 0
    cached: int = 0
    credits: int = 0
    retries: int = 0
    backoff: float = 0.0
    waited_before: float = 0.0
    failures_in_a_row: int = 0
    memo: dict[str, Found | NotIndexed | Failed] = field(default_factory=dict)


class IndexLookup:
    """Runs ``fetch`` for every address of every target and turns the answers into a SourceResult."""

    def __init__(
        self,
        *,
        source: str,
        fetch: Fetch,
        shape: Shape,
        cache: DiskCache,
        limiter: RateLimiter,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        resolve: Callable[[str], list[str]] = resolve_addresses,
        charges_credits: bool = False,
    ) -> None:
        self.source = source
        self.title = SOURCE_TITLES.get(source, source)
        self._fetch = fetch
        self._shape = shape
        self._cache = cache
        self._limiter = limiter
        self._sleep = sleep
        self._clock = clock
        self._resolve = resolve
        self._charges_credits = charges_credits

    def cached(self, targets: Sequence[Target]) -> int:
        """How many IP targets already have a fresh cached answer (for ``plan``)."""
        return sum(1 for t in targets if t.is_ip and self._cache.get(self.source, t.host) is not None)

    def observe(self, targets: Sequence[Target], progress: Progress) -> SourceResult:
        """Look every target up; never raises."""
        tally = _Tally(waited_before=self._limiter.waited)
        observations: list[Observation] = []
        gaps: list[ExposureGap] = []
        notes: list[str] = []
        fatal: str | None = None
        progress.add_total(len(targets))
        for target in targets:
            if fatal is None and interrupt.requested():
                fatal = "not looked up: the run was interrupted"
            if fatal is not None:
                gaps.append(ExposureGap(source=self.source, host=target.host, reason=fatal))
                progress.advance(target.host)
                continue
            if target.is_ip:
                addresses = [target.host]
            else:
                try:
                    addresses = self._resolve(target.host)
                except ResolveError as exc:
                    log.debug("%s: %s did not resolve: %s", self.source, target.host, exc)
                    addresses = []
                if not addresses:
                    gaps.append(
                        ExposureGap(source=self.source, host=target.host, reason="DNS name did not resolve")
                    )
                    progress.advance(target.host)
                    continue
                private = [a for a in addresses if not _is_public(a)]
                if private:
                    notes.append(
                        f"{self.source}: {target.host} resolved to non-public {', '.join(private)} here "
                        "(split-horizon DNS?): the lookup describes that address"
                    )
            for ip in addresses:
                outcome = self._lookup(ip, tally)
                if isinstance(outcome, Failed):
                    reason = outcome.reason if ip == target.host else f"{ip}: {outcome.reason}"
                    gaps.append(ExposureGap(source=self.source, host=target.host, reason=reason))
                    tally.failures_in_a_row = tally.failures_in_a_row + 1 if outcome.transient else 0
                    if outcome.fatal:
                        fatal = outcome.reason
                    elif tally.failures_in_a_row >= GIVE_UP_AFTER:
                        fatal = f"not attempted: {outcome.reason} for {GIVE_UP_AFTER} addresses in a row"
                    if fatal is not None:
                        break
                else:
                    tally.failures_in_a_row = 0
                    observations.extend(self._observations(outcome, target.host, ip))
            progress.advance(target.host)
        notes.append(self._note(tally))
        return SourceResult(
            source=self.source,
            observations=tuple(observations),
            gaps=tuple(gaps),
            credits_used=tally.credits,
            notes=tuple(notes),
        )

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _observations(self, outcome: Found | NotIndexed, host: str, ip: str) -> list[Observation]:
        fetched = datetime.fromtimestamp(outcome.fetched_at, UTC) if outcome.fetched_at else self._now()
        if isinstance(outcome, Found):
            return self._shape(outcome.answer, host, fetched)
        return [
            Observation(
                source=self.source,
                host=host,
                kind="not_indexed",
                level=ExposureLevel.NONE,
                summary=f"{self.title} has no data for {ip}",
                seen_at=fetched,
                ip="" if ip == host else ip,
            )
        ]

    def _lookup(self, ip: str, tally: _Tally) -> Found | NotIndexed | Failed:
        """The answer for one address: memo (same run), disk cache, or the network with retries."""
        if ip in tally.memo:
            return tally.memo[ip]
        tally.lookups += 1
        cached = self._from_cache(ip)
        if cached is not None:
            tally.cached += 1
            tally.memo[ip] = cached
            return cached
        outcome = self._fetch_with_retries(ip, tally)
        now = self._clock()
        if isinstance(outcome, Found):
            outcome = Found(outcome.answer, now)
            self._cache.put(self.source, ip, {"status": "found", "fetched_at": now, "answer": outcome.answer})
            tally.credits += int(self._charges_credits)
        elif isinstance(outcome, NotIndexed):
            outcome = NotIndexed(now)
            self._cache.put(self.source, ip, {"status": "not_indexed", "fetched_at": now})
        tally.memo[ip] = outcome
        return outcome

    def _from_cache(self, ip: str) -> Found | NotIndexed | None:
        value = self._cache.get(self.source, ip)
        if not isinstance(value, dict):
            return None
        fetched_at = value.get("fetched_at")
        if not isinstance(fetched_at, int | float) or isinstance(fetched_at, bool):
            return None
        if value.get("status") == "not_indexed":
            return NotIndexed(float(fetched_at))
        if value.get("status") == "found" and isinstance(value.get("answer"), dict):
            return Found(value["answer"], float(fetched_at))
        return None

    def _fetch_with_retries(self, ip: str, tally: _Tally) -> Found | NotIndexed | Failed:
        for attempt in range(1, MAX_TRIES + 1):
            self._limiter.acquire()
            try:
                outcome = self._fetch(ip)
            except Exception as exc:  # a source's fetch must not raise; never let one stop the run
                log.debug("%s lookup of %s raised %s", self.source, ip, type(exc).__name__)
                return Failed(f"{self.title} lookup failed ({type(exc).__name__})")
            if not isinstance(outcome, Retry):
                return outcome
            if attempt == MAX_TRIES:
                return Failed(f"{outcome.reason} (gave up after {MAX_TRIES} tries)", transient=True)
            delay = BACKOFF_SECONDS * 2 ** (attempt - 1)
            if outcome.after is not None and outcome.after > 0:
                delay = min(outcome.after, MAX_RETRY_AFTER)
            tally.retries += 1
            tally.backoff += delay
            log.debug("%s: %s for %s; retrying in %.0fs", self.source, outcome.reason, ip, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _note(self, tally: _Tally) -> str:
        plural = "lookup" if tally.lookups == 1 else "lookups"
        note = f"{self.source}: {tally.lookups} {plural} ({tally.cached} cached)"
        if self._charges_credits:
            note += f", {tally.credits} credit" + ("" if tally.credits == 1 else "s")
        waited = self._limiter.waited - tally.waited_before + tally.backoff
        if tally.retries:
            note += f", {tally.retries} retries after throttling or errors"
        if waited >= 1:
            note += f", waited {waited:.0f}s for rate limits"
        return note
