"""The ``internetdb`` source: Shodan's free, keyless InternetDB (``https://internetdb.shodan.io/{ip}``).

It lists open ports, CPEs, tags, hostnames and CVEs per IP, without banners, transports or dates.
``CLOUDAUDIT_INTERNETDB_URL`` overrides the base URL (a proxy, a mirror, a test server).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cloudaudit import __version__
from cloudaudit.errors import MissingDependencyError
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
from cloudaudit.exposure.model import ExposureLevel, Observation, SourceResult, Target
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.shodan_shape import vulnerability
from cloudaudit.install import install_hint
from cloudaudit.ports import lookup

if TYPE_CHECKING:
    from cloudaudit.exposure.sources import ExposureOptions
    from cloudaudit.plugins import Progress

NAME = "internetdb"
DEFAULT_BASE_URL = "https://internetdb.shodan.io"
BASE_URL_ENV = "CLOUDAUDIT_INTERNETDB_URL"
REQUESTS_PER_SECOND = 1.0


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _open_port(
    port: int, host: str, ip: str, where: str, fetched: datetime, facts: dict[str, list[str]]
) -> Observation:
    known = lookup(port, "tcp")
    said = f"{known.name} by its port number" if known else "service unknown"
    return Observation(
        source=NAME,
        host=host,
        kind="open_port",
        level=ExposureLevel.OBSERVED,
        summary=f"{port}/tcp{where} open: {said} (listed by InternetDB, no banner)",
        seen_at=fetched,
        port=port,
        ip=ip,
        service=known.name if known else "",
        details={"transport": "tcp", **({"service_from": "port catalogue"} if known else {}), **facts},
    )


def observations_from_internetdb(
    answer: Mapping[str, Any], target_host: str, fetched: datetime
) -> list[Observation]:
    """One OBSERVED ``open_port`` per listed port and one ``vulnerability`` for the CVEs.

    InternetDB has no banners: a port's service is the port catalogue's name for it, said to be
    inferred from the number (``details.service_from``). It has no dates either: ``seen_at`` is when
    the answer was fetched.
    """
    ip = answer.get("ip") if isinstance(answer.get("ip"), str) and answer.get("ip") != target_host else ""
    where = f" on {ip}" if ip else ""
    facts = {k: v for k in ("hostnames", "cpes", "tags") if (v := _strings(answer.get(k)))}
    ports = sorted(
        {
            p
            for p in answer.get("ports") or []
            if isinstance(p, int) and not isinstance(p, bool) and 0 <= p < 65536
        }
    )
    observations = [_open_port(port, target_host, str(ip), where, fetched, facts) for port in ports]
    cves = sorted({c.upper() for c in _strings(answer.get("vulns")) if c.upper().startswith("CVE-")})
    if cves:
        observations.append(
            vulnerability(cves, target_host=target_host, ip=str(ip), source=NAME, seen_at=fetched)
        )
    return observations


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


class InternetDBSource:
    """InternetDB lookups for every target address (DNS names are resolved first)."""

    name = NAME

    def __init__(
        self,
        base_url: str,
        cache: DiskCache,
        timeout: float,
        *,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        monotonic: Callable[[], float],
        resolve: Callable[[str], list[str]],
    ) -> None:
        import requests

        self.base_url = base_url
        self._timeout = timeout
        self._session = requests.Session()
        self._session.headers["User-Agent"] = f"cloudaudit/{__version__}"
        self._session.headers["Accept"] = "application/json"
        self._lookup = IndexLookup(
            source=NAME,
            fetch=self._fetch,
            shape=observations_from_internetdb,
            cache=cache,
            limiter=RateLimiter(REQUESTS_PER_SECOND, clock=monotonic, sleep=sleep),
            sleep=sleep,
            clock=clock,
            resolve=resolve,
        )

    def plan(self, targets: Sequence[Target]) -> str:
        """How many lookups at most, to where."""
        names = sum(1 for t in targets if not t.is_ip)
        cached = self._lookup.cached(targets)
        extra = f"; {names} DNS names resolved first, one lookup per address" if names else ""
        return f"internetdb: up to {len(targets)} lookups at 1/s to {self.base_url} ({cached} cached{extra})"

    def observe(self, targets: Sequence[Target], progress: Progress) -> SourceResult:
        """Observations, gaps and a summary note; never raises."""
        return self._lookup.observe(targets, progress)

    def _fetch(self, ip: str) -> Outcome:
        import requests

        try:
            response = self._session.get(f"{self.base_url}/{ip}", timeout=self._timeout)
        except requests.Timeout:
            return Retry("InternetDB did not answer in time")
        except requests.RequestException:
            return Retry(f"cannot connect to {self.base_url}")
        status = response.status_code
        if status == 200:
            try:
                answer = response.json()
            except ValueError:
                return Failed("InternetDB returned an answer that is not JSON")
            if not isinstance(answer, dict) or not isinstance(answer.get("ports", []), list):
                return Failed("InternetDB returned an unexpected answer")
            return Found(answer)
        if status == 404:
            try:
                detail = str(response.json().get("detail", ""))
            except (ValueError, AttributeError):
                detail = ""
            if "no information" in detail.lower():
                return NotIndexed()
            return Failed(f"HTTP 404 from {self.base_url} (not an InternetDB endpoint?)")
        if status == 429:
            return Retry(
                "InternetDB rate limit (HTTP 429)", _retry_after(response.headers.get("Retry-After"))
            )
        if status >= 500:
            return Retry(f"InternetDB answered HTTP {status}")
        return Failed(f"InternetDB answered HTTP {status}")


def build(
    options: ExposureOptions,
    argument: str = "",
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    monotonic: Callable[[], float] = time.monotonic,
    resolve: Callable[[str], list[str]] = resolve_addresses,
) -> InternetDBSource:
    """The internetdb source (keyless)."""
    try:
        import requests  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError(
            f"the internetdb source needs requests: {install_hint('exposure')}"
        ) from exc
    base_url = (os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
    cache = DiskCache(options.cache_dir, options.cache_ttl_seconds, clock)
    return InternetDBSource(
        base_url,
        cache,
        options.timeout_seconds,
        sleep=sleep,
        clock=clock,
        monotonic=monotonic,
        resolve=resolve,
    )
