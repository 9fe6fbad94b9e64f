"""The probe as a source: plan notice, closed ports, gaps, rate limit, proxies, the build() entry point."""

from __future__ import annotations

import re
import threading
from dataclasses import replace

import pytest

from cloudaudit.exposure.model import ExposureLevel, Target, TargetPort
from cloudaudit.exposure.probe import ProbeSource, build
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions, build_sources
from cloudaudit.progress import PlainProgress
from probe_servers import (
    LOCAL,
    BadApi,
    MemcachedLike,
    RedisLike,
    Server,
    Silent,
    checks,
    closed_port,
    opened,
    options,
    probe,
    running,
    target,
)


def test_build_through_the_source_registry() -> None:
    (source,) = build_sources(ExposureOptions(probe=True))
    assert isinstance(source, ProbeSource)
    assert source.name == "probe"
    assert isinstance(build(ExposureOptions(probe=True), ""), ProbeSource)


def test_plan_lists_exactly_what_will_be_contacted() -> None:
    source = ProbeSource(
        options(
            ConnectTo("api.example.test", 443, LOCAL, 8443),
            ConnectTo("", 8443, LOCAL, 9443),
            rate=5,
            timeout=2.5,
        ),
    )
    targets = [
        target("api.example.test", 443, 80),
        Target(host="198.51.100.7", asset_ids=("a",), ports=(TargetPort(port=53, transport="udp"),)),
    ]
    pace = "(rate limit 5/s, timeout 2.5 s, budget 30 s per target and 900 s in all)"
    assert source.plan(targets) == (
        f"probe: will connect to 1 endpoint of the audited account {pace}:\n"
        "probe:   configured: api.example.test:443 (via 127.0.0.1:8443)\n"
        "probe: not contacting api.example.test:80: api.example.test is a documentation name (RFC 6761): "
        "never a real Internet host (probed only through --connect-to)"
    )
    many = [target(f"198.51.100.{i}", 8443) for i in range(25)]
    text = source.plan(many)
    assert text.startswith(f"probe: will connect to 25 endpoints of the audited account {pace}:\n")
    assert text.splitlines()[1].startswith(
        "probe:   configured: 198.51.100.0:8443 (via 127.0.0.1:9443); "
        "198.51.100.1:8443 (via 127.0.0.1:9443); "
    )
    assert text.endswith("198.51.100.19:8443 (via 127.0.0.1:9443) and 5 more")
    assert "198.51.100.20:8443" not in text
    assert source.plan([]) == (
        f"probe: no endpoint to connect to (no TCP port open in the configuration) {pace}"
    )


def test_closed_port_is_an_answer_not_a_gap() -> None:
    port = closed_port()
    result = probe(target(LOCAL, port))

    (closed,) = result.observations
    assert (closed.kind, closed.level, closed.port) == ("closed", ExposureLevel.NONE, port)
    assert "refused" in closed.summary.lower()
    assert result.gaps == ()


def test_unresolvable_name_is_a_gap_and_never_reaches_the_network() -> None:
    bad = "x" * 64 + ".example.test"  # a label over 63 characters: rejected before any DNS query
    source = ProbeSource(options(ConnectTo("mapped.example.test", None, "y" * 64 + ".invalid", None)))
    result = source.observe([target(bad, 443), target("mapped.example.test", 443)], PlainProgress())

    assert result.observations == ()
    assert sorted(g.host for g in result.gaps) == sorted([bad, "mapped.example.test"])
    assert all("invalid host name" in g.reason for g in result.gaps)
    assert all(g.source == "probe" for g in result.gaps)


def test_open_port_with_unknown_protocol() -> None:
    with running(Server(Silent)) as server:
        result = probe(target(LOCAL, server.port), timeout=0.5)

    (head,) = result.observations
    assert (head.kind, head.level, head.service) == ("open_port", ExposureLevel.CONFIRMED, "")


class CountingLimiter(RateLimiter):
    """The real limiter on a fake clock: sleeping advances time, nothing really waits."""

    def __init__(self, per_second: float) -> None:
        self.time = 0.0
        self.slots: list[float] = []
        self._clock_lock = threading.Lock()
        super().__init__(per_second, clock=lambda: self.time, sleep=self._sleep_fake)

    def _sleep_fake(self, seconds: float) -> None:
        with self._clock_lock:
            self.time += seconds

    def acquire(self) -> None:
        super().acquire()
        self.slots.append(self.time)


def test_every_connection_waits_for_the_rate_limiter() -> None:
    with running(Server(BadApi)) as http, running(Server(RedisLike)) as redis:
        limiter = CountingLimiter(per_second=4)
        source = ProbeSource(options(rate=4), limiter=limiter, workers=1)
        result = source.observe([target(LOCAL, (http.port, "http"), (redis.port, "redis"))], PlainProgress())

    assert "probe.http.trace_enabled" in checks(result)
    assert "probe.redis.no_auth" in checks(result)
    # Each connection the servers accepted went through the limiter, one slot every 0.25 s.
    assert http.connections + redis.connections == len(limiter.slots)
    gaps = [round(b - a, 6) for a, b in zip(limiter.slots, limiter.slots[1:], strict=False)]
    assert gaps and set(gaps) == {0.25}
    assert limiter.waited == pytest.approx(0.25 * (len(limiter.slots) - 1))
    assert any("rate limit" in note for note in result.notes)


def test_proxy_environment_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    with running(Server(Silent)) as proxy, running(Server(BadApi)) as api:
        url = f"http://{LOCAL}:{proxy.port}"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.setenv(name, url)
        monkeypatch.setenv("NO_PROXY", "")
        result = probe(
            target("api.example.test", (80, "http")), connect_to=(ConnectTo("", 80, LOCAL, api.port),)
        )

    assert "probe.http.cors_reflected_with_credentials" in checks(result)
    assert proxy.connections == 0
    assert set(api.hosts) == {"api.example.test"}


def test_only_mapped_endpoints_when_asked() -> None:
    with running(Server(MemcachedLike)) as server:
        opts = replace(
            options(ConnectTo("cache.example.test", 11211, LOCAL, server.port)), probe_only_mapped=True
        )
        source = ProbeSource(opts)
        targets = [target("cache.example.test", 11211), target("203.0.113.9", 11211)]
        plan = source.plan(targets)
        result = source.observe(targets, PlainProgress())

    assert "203.0.113.9" not in plan
    assert {o.host for o in result.observations} == {"cache.example.test"}
    assert checks(result) == {"probe.memcached.no_auth"}
    assert opened(result, 11211).service == "memcached"


def test_udp_ports_and_portless_targets_are_not_contacted() -> None:
    targets = [
        Target(host="198.51.100.7", asset_ids=("a",), ports=(TargetPort(port=53, transport="udp"),)),
        Target(host="198.51.100.8", asset_ids=("b",)),
    ]
    result = ProbeSource(options()).observe(targets, PlainProgress())

    assert (result.observations, result.gaps) == ((), ())
    assert result.notes == (
        "probe: 1 UDP port(s) not probed (TCP only)",
        "probe: 2 address(es) without an open TCP port in the configuration not contacted",
    )


@pytest.mark.usefixtures("stopped")
def test_after_ctrl_c_no_port_is_contacted() -> None:
    with running(Server(Silent)) as server:
        result = probe(target(LOCAL, server.port), timeout=0.5)

    assert server.connections == 0
    assert result.observations == ()
    assert [g.reason for g in result.gaps] == [f"{LOCAL}:{server.port}: not probed: the run was interrupted"]


def test_the_notes_say_how_long_the_probe_took_per_target() -> None:
    with running(Server(BadApi)) as server:
        result = probe(target(LOCAL, (server.port, "http")), target("127.0.0.2", closed_port()))

    (timing,) = [n for n in result.notes if " target(s) in " in n]
    assert re.fullmatch(
        r"probe: 2 port\(s\) of 2 target\(s\) in \d+\.\d s \(slowest target: 127\.0\.0\.[12], \d+\.\d s\)",
        timing,
    )
