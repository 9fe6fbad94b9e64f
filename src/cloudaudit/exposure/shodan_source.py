"""The ``shodan`` source: Shodan host lookups (``/shodan/host/{ip}``) through the ``shodan`` library.

The key comes from ``--shodan-key`` or ``SHODAN_API_KEY`` and is never printed, logged, stored or put
in a gap (the library sends it as a query parameter; only ``cloudaudit.logs`` redaction and our own
silence keep it out of logs). ``SHODAN_API_URL`` (honoured by the library) points it at a proxy or a
test server. Lookups are paced at one per second, answers cached on disk for ``cache_ttl_seconds``.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter

from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.exposure.cache import DiskCache
from cloudaudit.exposure.index_lookup import (
    Failed,
    Found,
    IndexLookup,
    NotIndexed,
    Outcome,
    Retry,
    resolve_addresses,
)
from cloudaudit.exposure.model import Observation, SourceResult, Target
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.shodan_shape import observations_from_host
from cloudaudit.install import install_hint
from cloudaudit.logs import register_secret

if TYPE_CHECKING:
    from cloudaudit.exposure.sources import ExposureOptions
    from cloudaudit.plugins import Progress

NAME = "shodan"
DEFAULT_BASE_URL = "https://api.shodan.io"
REQUESTS_PER_SECOND = 1.0
NO_KEY = "shodan needs an API key: --shodan-key or SHODAN_API_KEY (or use internetdb, keyless)"
READ_TIMEOUT_SECONDS = 30.0
"""Host lookups with many banners can take a while; the connect timeout is the run's timeout."""

_PRINTABLE = re.compile(r"[^\x20-\x7e]")


class _DefaultTimeout(HTTPAdapter):
    """An adapter that applies a timeout when the caller (the shodan library) sets none."""

    def __init__(self, timeout: tuple[float, float]) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send with the default timeout unless one was given."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def classify(message: str, base_url: str, key: str) -> Outcome:
    """The lookup outcome for a ``shodan.APIError`` message (the library hides the HTTP status)."""
    lower = message.lower()
    if "no information available" in lower:
        return NotIndexed()
    if "rate limit" in lower:
        return Retry("Shodan rate limit reached")
    if "api key" in lower:
        return Failed("Shodan rejected the API key", fatal=True)
    if "access denied" in lower:
        return Failed("Shodan denied access (HTTP 403): check the key's plan", fatal=True)
    if "unable to connect" in lower:
        return Retry(f"cannot connect to {base_url}")
    if "bad gateway" in lower:
        return Retry("Shodan answered 502 Bad Gateway")
    if "unable to parse json" in lower:
        return Retry("Shodan answered with an error page instead of JSON")
    if "timed out" in lower or "timeout" in lower:
        return Retry("Shodan did not answer in time")
    text = _PRINTABLE.sub(" ", message.replace(key, "****") if key else message).strip()
    return Failed(f"Shodan error: {text[:120] or 'unknown'}")


class ShodanSource:
    """Shodan host lookups for every target address (DNS names are resolved first)."""

    name = NAME

    def __init__(
        self,
        api: Any,
        key: str,
        base_url: str,
        cache: DiskCache,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        monotonic: Callable[[], float],
        resolve: Callable[[str], list[str]],
    ) -> None:
        self._api = api
        self._key = key
        self.base_url = base_url
        self._lookup = IndexLookup(
            source=NAME,
            fetch=self._fetch,
            shape=self._shape,
            cache=cache,
            limiter=RateLimiter(REQUESTS_PER_SECOND, clock=monotonic, sleep=sleep),
            sleep=sleep,
            clock=clock,
            resolve=resolve,
            charges_credits=True,
        )

    def plan(self, targets: Sequence[Target]) -> str:
        """How many lookups at most, to where."""
        names = sum(1 for t in targets if not t.is_ip)
        cached = self._lookup.cached(targets)
        extra = f"; {names} DNS names resolved first, one lookup per address" if names else ""
        return (
            f"shodan: up to {len(targets)} host lookups at 1/s to {self.base_url} "
            f"({cached} cached{extra}); each uncached lookup may use a query credit"
        )

    def observe(self, targets: Sequence[Target], progress: Progress) -> SourceResult:
        """Observations, gaps, credits and a summary note; never raises."""
        return self._lookup.observe(targets, progress)

    @staticmethod
    def _shape(answer: dict[str, Any], host: str, fetched: datetime) -> list[Observation]:
        return observations_from_host(answer, host, NAME, fetched)

    def _fetch(self, ip: str) -> Outcome:
        from shodan.exception import APIError

        try:
            answer = self._api.host(ip)
        except APIError as exc:
            return classify(str(getattr(exc, "value", "") or ""), self.base_url, self._key)
        if not isinstance(answer, dict):
            return Failed("Shodan returned an unexpected answer (not a host object)")
        return Found(answer)


def build(
    options: ExposureOptions,
    argument: str = "",
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    resolve: Callable[[str], list[str]] = resolve_addresses,
) -> ShodanSource:
    """The shodan source; raises UsageError without a key (before anything is contacted)."""
    register_secret(options.shodan_key)
    key = (options.shodan_key or "").strip()
    if not key:
        raise UsageError(NO_KEY)
    register_secret(key)
    try:
        import shodan
    except ImportError as exc:
        raise MissingDependencyError(
            f"the shodan source needs the shodan library: {install_hint('exposure')}"
        ) from exc
    api = shodan.Shodan(key)
    base_url = (os.environ.get("SHODAN_API_URL") or DEFAULT_BASE_URL).rstrip("/")
    api.base_url = base_url
    api.api_rate_limit = 0  # our RateLimiter paces (with injectable sleep); the library's would double it
    session = getattr(api, "_session", None)
    if isinstance(session, requests.Session):  # the library sets no timeout: never hang a cron run
        adapter = _DefaultTimeout(
            (options.timeout_seconds, max(options.timeout_seconds, READ_TIMEOUT_SECONDS))
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    cache = DiskCache(options.cache_dir, options.cache_ttl_seconds, clock)
    return ShodanSource(
        api, key, base_url, cache, sleep=sleep, clock=clock, monotonic=monotonic, resolve=resolve
    )
