"""The shodan source over real HTTP: the real ``shodan`` client against a local Shodan look-alike.

Also the pure Shodan-JSON translation (shodan_shape) and the disk cache the index sources share.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cloudaudit import logs
from cloudaudit.errors import UsageError
from cloudaudit.exposure import shodan_source
from cloudaudit.exposure.cache import DiskCache
from cloudaudit.exposure.index_lookup import Failed, NotIndexed, ResolveError, Retry
from cloudaudit.exposure.model import ExposureLevel, Observation, SourceResult, Target
from cloudaudit.exposure.shodan_shape import (
    hosts_from_records,
    observations_from_host,
    redact_banner,
)
from cloudaudit.exposure.sources import ExposureOptions, SourceSpec, build_sources
from cloudaudit.progress import PlainProgress
from shodan_fake import HOST_IP, FakeTime, ShodanFake, sample_host

KEY = "sk" + "TEST4f9a1c7e2b8d6305aa"  # built at runtime: no literal that looks like a key
WRONG_KEY = "sk" + "WRONG0d1e2f3a4b5c6d7e8"
OTHER_IP = "198.51.100.7"
ARN = "arn:aws:ec2:us-east-1:123456789012:eip/eipalloc-0abc"
NOW = datetime(2024, 5, 10, tzinfo=UTC)


@pytest.fixture(scope="module")
def shodan_server() -> Iterator[ShodanFake]:
    server = ShodanFake(KEY).start()
    yield server
    server.stop()


@pytest.fixture
def fake(shodan_server: ShodanFake, monkeypatch: pytest.MonkeyPatch) -> Iterator[ShodanFake]:
    shodan_server.reset().add_host(sample_host())
    monkeypatch.setenv("SHODAN_API_URL", shodan_server.url)
    yield shodan_server
    shodan_server.server.check_assertions()


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


def options(tmp_path: Path, key: str | None = KEY, ttl: float = 24 * 3600) -> ExposureOptions:
    return ExposureOptions(
        sources=(SourceSpec("shodan"),), shodan_key=key, cache_dir=tmp_path / "cache", cache_ttl_seconds=ttl
    )


def source(tmp_path: Path, clock: FakeTime, key: str = KEY, **kw: Any) -> shodan_source.ShodanSource:
    return shodan_source.build(
        options(tmp_path, key),
        "",
        sleep=clock.sleep,
        clock=clock.time,
        monotonic=clock.monotonic,
        **kw,
    )


def target(host: str) -> Target:
    return Target(host=host, asset_ids=(ARN,))


def by_kind(result: SourceResult, kind: str) -> list[Observation]:
    return [o for o in result.observations if o.kind == kind]


def open_ports(result: SourceResult) -> dict[int, Observation]:
    return {o.port: o for o in by_kind(result, "open_port") if o.port is not None}


# --- the source over the wire ----------------------------------------------------------------------


def test_host_found_services_and_vulns(fake: ShodanFake, tmp_path: Path, clock: FakeTime) -> None:
    result = source(tmp_path, clock).observe([target(HOST_IP)], PlainProgress())

    assert result.gaps == ()
    ports = open_ports(result)
    assert sorted(ports) == [443, 5432, 6379]
    assert {p: (o.level, o.service) for p, o in ports.items()} == {
        443: (ExposureLevel.OBSERVED, "nginx"),
        5432: (ExposureLevel.OBSERVED, "postgresql"),  # no product: the Shodan module names it
        6379: (ExposureLevel.OBSERVED, "Redis key-value store"),
    }
    https = ports[443]
    assert https.seen_at == datetime(2024, 5, 1, 8, 15, 30, 123456, tzinfo=UTC)
    assert https.host == HOST_IP and https.ip == "" and https.transport == "tcp"
    assert https.summary == "443/tcp open: nginx 1.18.0 (seen by Shodan 2024-05-01)"
    assert https.details["version"] == "1.18.0"
    assert https.details["cpes"] == ["cpe:2.3:a:f5:nginx:1.18.0", "cpe:/a:f5:nginx:1.18.0"]
    assert https.details["tls_versions"] == ["TLSv1", "TLSv1.1", "TLSv1.2"]  # "-SSLv2" means refused
    assert https.details["http_title"] == "Orders admin"
    assert "Set-Cookie: ****" in https.details["banner"] and "5f2b8c1e" not in https.details["banner"]
    assert ports[6379].details["tags"] == ["cloud", "database"]

    vulns = {o.port: o for o in by_kind(result, "vulnerability")}
    assert vulns[443].cves == ("CVE-2021-23017",)
    assert vulns[443].level is ExposureLevel.OBSERVED
    assert vulns[443].details == {"max_cvss": 7.5}
    assert "inferred from the version banner" in vulns[443].summary
    assert vulns[None].cves == ("CVE-2022-0543",)  # host-level CVE no service accounts for

    assert result.credits_used == 1
    assert result.notes == ("shodan: 1 lookup (0 cached), 1 credit",)
    assert fake.requests == [HOST_IP]
    assert fake.keys_sent == [KEY]  # the real client really sent the key, as a query parameter


def test_not_indexed_is_an_observation_not_a_gap(fake: ShodanFake, tmp_path: Path, clock: FakeTime) -> None:
    result = source(tmp_path, clock).observe([target(OTHER_IP)], PlainProgress())

    assert result.gaps == ()
    (obs,) = result.observations
    assert (obs.kind, obs.level, obs.host) == ("not_indexed", ExposureLevel.NONE, OTHER_IP)
    assert obs.summary == f"Shodan has no data for {OTHER_IP}"
    assert obs.seen_at == datetime.fromtimestamp(clock.now, UTC)


def test_rate_limited_twice_then_answers(fake: ShodanFake, tmp_path: Path, clock: FakeTime) -> None:
    fake.fail(HOST_IP, 429, 429)

    result = source(tmp_path, clock).observe([target(HOST_IP)], PlainProgress())

    assert result.gaps == ()
    assert sorted(open_ports(result)) == [443, 5432, 6379]
    assert fake.requests == [HOST_IP] * 3
    assert [s for s in clock.sleeps if s > 1] == [2.0, 4.0]  # exponential backoff between tries
    assert result.credits_used == 1
    assert "2 retries" in result.notes[0]


def test_rate_limited_three_times_is_a_gap(fake: ShodanFake, tmp_path: Path, clock: FakeTime) -> None:
    fake.fail(HOST_IP, 429, 429, 429)

    result = source(tmp_path, clock).observe([target(HOST_IP)], PlainProgress())

    assert result.observations == ()
    assert [(g.host, g.reason) for g in result.gaps] == [
        (HOST_IP, "Shodan rate limit reached (gave up after 3 tries)")
    ]
    assert result.credits_used == 0


def test_persistent_server_error_is_a_gap_and_the_rest_is_looked_up(
    fake: ShodanFake, tmp_path: Path, clock: FakeTime
) -> None:
    fake.add_host(sample_host(OTHER_IP))
    fake.fail(HOST_IP, 500, 500, 500)

    result = source(tmp_path, clock).observe([target(HOST_IP), target(OTHER_IP)], PlainProgress())

    (gap,) = result.gaps
    assert gap.source == "shodan" and gap.host == HOST_IP
    assert gap.reason == "Shodan answered with an error page instead of JSON (gave up after 3 tries)"
    assert {o.host for o in result.observations} == {OTHER_IP}
    assert fake.requests == [HOST_IP] * 3 + [OTHER_IP]
    assert result.credits_used == 1


def test_invalid_key_gaps_every_target_and_the_key_is_never_shown(
    fake: ShodanFake, tmp_path: Path, clock: FakeTime, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("urllib3").level)
    try:
        logs.configure(debug=True)
        logging.getLogger("urllib3").setLevel(logging.DEBUG)  # even the HTTP request lines
        built = source(tmp_path, clock, key=WRONG_KEY)
        plan = built.plan([target(HOST_IP)])
        result = built.observe([target(HOST_IP), target(OTHER_IP), target("localhost")], PlainProgress())
        logging.getLogger("cloudaudit.test").warning("result %s", result.model_dump_json())
    finally:
        root.handlers[:], _, _ = saved
        root.setLevel(saved[1])
        logging.getLogger("urllib3").setLevel(saved[2])
    err = capsys.readouterr().err

    assert result.observations == ()
    assert [(g.host, g.reason) for g in result.gaps] == [
        (HOST_IP, "Shodan rejected the API key"),
        (OTHER_IP, "Shodan rejected the API key"),
        ("localhost", "Shodan rejected the API key"),
    ]
    assert fake.requests == [HOST_IP]  # a rejected key is not retried for every host
    assert result.credits_used == 0
    assert "key=****" in err  # the request line was logged, redacted
    for text in (result.model_dump_json(), plan, err):
        assert WRONG_KEY not in text


def test_no_key_falls_back_to_internetdb_and_the_shodan_source_refuses_to_build(tmp_path: Path) -> None:
    assert [s.name for s in build_sources(options(tmp_path, key=None))] == ["internetdb"]
    assert [s.name for s in build_sources(options(tmp_path, key="   "))] == ["internetdb"]
    with pytest.raises(UsageError) as err:
        shodan_source.build(options(tmp_path, key=None), "")
    assert err.value.message == (
        "shodan needs an API key: --shodan-key or SHODAN_API_KEY (or use internetdb, keyless)"
    )


def test_cache_second_run_makes_no_request_and_ttl_expiry_refetches(
    fake: ShodanFake, tmp_path: Path, clock: FakeTime
) -> None:
    shodan = source(tmp_path, clock)
    targets = [target(HOST_IP), target(OTHER_IP)]
    first = shodan.observe(targets, PlainProgress())
    assert fake.requests == [HOST_IP, OTHER_IP]
    assert first.credits_used == 1  # the not-indexed answer is not a successful lookup

    clock.advance(3600)
    again = source(tmp_path, clock)  # a new process (next cron run) reading the same cache
    assert "(2 cached)" in again.plan(targets)
    second = again.observe(targets, PlainProgress())
    assert fake.requests == [HOST_IP, OTHER_IP]  # no new request
    assert second.credits_used == 0
    assert second.notes == ("shodan: 2 lookups (2 cached), 0 credits",)
    assert second.observations == first.observations  # same answer, same dates
    assert by_kind(second, "not_indexed")[0].host == OTHER_IP

    clock.advance(24 * 3600)
    third = source(tmp_path, clock).observe(targets, PlainProgress())
    assert fake.requests == [HOST_IP, OTHER_IP, HOST_IP, OTHER_IP]
    assert third.credits_used == 1

    cache_dir = tmp_path / "cache"
    files = list(cache_dir.rglob("*.json"))
    assert len(files) == 2
    assert stat.S_IMODE(cache_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((cache_dir / "shodan").stat().st_mode) == 0o700
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert KEY not in path.read_text()
    assert (
        json.loads((cache_dir / "shodan" / f"{HOST_IP}.json").read_text())["value"]["answer"]["ip_str"]
        == HOST_IP
    )


def test_dns_target_is_resolved_and_each_address_looked_up(
    fake: ShodanFake, tmp_path: Path, clock: FakeTime
) -> None:
    fake.add_host(sample_host("127.0.0.1"))

    result = source(tmp_path, clock).observe([target("localhost")], PlainProgress())

    assert "127.0.0.1" in fake.requests
    found = [o for o in result.observations if o.ip == "127.0.0.1"]
    assert {o.port for o in found if o.kind == "open_port"} == {443, 5432, 6379}
    assert {o.host for o in result.observations} == {"localhost"}
    assert found[0].summary.startswith("443/tcp on 127.0.0.1 open: nginx")
    assert any("localhost resolved to non-public 127.0.0.1" in n for n in result.notes)


def test_dns_name_that_does_not_resolve_is_a_gap(fake: ShodanFake, tmp_path: Path, clock: FakeTime) -> None:
    def nxdomain(name: str) -> list[str]:
        raise ResolveError("[Errno -2] Name or service not known")

    result = source(tmp_path, clock, resolve=nxdomain).observe(
        [target("orders-db.gone.example"), target(HOST_IP)], PlainProgress()
    )

    assert [(g.host, g.reason) for g in result.gaps] == [
        ("orders-db.gone.example", "DNS name did not resolve")
    ]
    assert fake.requests == [HOST_IP]


def test_plan_names_the_base_url_and_the_count(fake: ShodanFake, tmp_path: Path, clock: FakeTime) -> None:
    plan = source(tmp_path, clock).plan([target(HOST_IP), target(OTHER_IP), target("db.example.com")])
    assert plan == (
        f"shodan: up to 3 host lookups at 1/s to {fake.url} (0 cached; 1 DNS names resolved first, "
        "one lookup per address); each uncached lookup may use a query credit"
    )
    assert fake.requests == []


def test_default_base_url_is_shodan(tmp_path: Path, clock: FakeTime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHODAN_API_URL", raising=False)
    assert "to https://api.shodan.io " in source(tmp_path, clock).plan([target(HOST_IP)])


def test_requests_are_paced_at_one_per_second(fake: ShodanFake, tmp_path: Path, clock: FakeTime) -> None:
    ips = [f"198.51.100.{i}" for i in range(1, 5)]
    source(tmp_path, clock).observe([target(ip) for ip in ips], PlainProgress())
    assert fake.requests == ips
    assert clock.sleeps == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("No information available for that IP.", NotIndexed()),
        (
            "Access denied (403 Forbidden)",
            Failed("Shodan denied access (HTTP 403): check the key's plan", fatal=True),
        ),
        ("Bad Gateway (502)", Retry("Shodan answered 502 Bad Gateway")),
        ("Unable to connect to Shodan", Retry("cannot connect to http://shodan.test")),
        (f"Weird error for key {KEY}\n", Failed("Shodan error: Weird error for key ****")),
    ],
)
def test_library_error_messages_are_classified(message: str, expected: object) -> None:
    assert shodan_source.classify(message, "http://shodan.test", KEY) == expected


def test_access_denied_over_the_wire_stops_the_lookups(
    fake: ShodanFake, tmp_path: Path, clock: FakeTime
) -> None:
    fake.fail(HOST_IP, 403)
    result = source(tmp_path, clock).observe([target(HOST_IP), target(OTHER_IP)], PlainProgress())
    assert {g.reason for g in result.gaps} == {"Shodan denied access (HTTP 403): check the key's plan"}
    assert len(result.gaps) == 2 and fake.requests == [HOST_IP]


# --- shodan_shape: pure translation ----------------------------------------------------------------


def test_minify_shape_lists_ports_without_services() -> None:
    minified = {
        "ip_str": HOST_IP,
        "ports": [22, 443],
        "hostnames": [],
        "vulns": ["CVE-2023-38408"],
        "last_update": "2024-05-02T10:00:00.000000",
    }
    obs = observations_from_host(minified, HOST_IP, "shodan", NOW)
    assert [(o.kind, o.port, o.service) for o in obs] == [
        ("open_port", 22, ""),
        ("open_port", 443, ""),
        ("vulnerability", None, ""),
    ]
    assert obs[0].summary == "22/tcp open: service unknown (seen by Shodan 2024-05-02)"
    assert obs[0].seen_at == datetime(2024, 5, 2, 10, tzinfo=UTC)
    assert obs[2].cves == ("CVE-2023-38408",)


def test_one_observation_per_port_newest_banner_wins_and_udp_is_kept() -> None:
    host = {
        "ip_str": HOST_IP,
        "data": [
            {"port": 80, "transport": "tcp", "product": "Apache httpd", "timestamp": "2024-01-01T00:00:00"},
            {"port": 80, "transport": "tcp", "product": "nginx", "timestamp": "2024-03-01T00:00:00"},
            {
                "port": 161,
                "transport": "udp",
                "_shodan": {"module": "snmp"},
                "timestamp": "2024-02-01T00:00:00",
            },
            {"port": "not-a-port", "product": "ignored"},
        ],
    }
    obs = observations_from_host(host, HOST_IP, "shodan", NOW)
    assert [(o.port, o.transport, o.service) for o in obs] == [(80, "tcp", "nginx"), (161, "udp", "snmp")]


def test_not_vulnerable_marks_and_junk_are_not_cves() -> None:
    host = {"ip_str": HOST_IP, "vulns": ["!CVE-2014-0160", "cve-2021-44228", "not a cve"], "data": []}
    (obs,) = observations_from_host(host, HOST_IP, "shodan", NOW)
    assert obs.cves == ("CVE-2021-44228",)


@pytest.mark.parametrize(
    ("banner", "secret"),
    [
        ("GET / HTTP/1.1\r\nAuthorization: Basic dXNlcjpodW50ZXIy\r\n", "dXNlcjpodW50ZXIy"),
        ("config: db_password=hunter2&x=1", "hunter2"),
        ('{"api_key": "abcd1234efgh"}', "abcd1234efgh"),
        ("AUTH s3cr3tPass\r\n+OK", "s3cr3tPass"),
        ("PASS letmein99\r\n230 Logged in", "letmein99"),
        ("jdbc redirect to postgres://admin:Sup3rS3cret@db.internal:5432/app", "Sup3rS3cret"),
        ("requirepass foobared-42", "foobared-42"),
        ("Set-Cookie: sid=0f1e2d3c4b5a; HttpOnly", "0f1e2d3c4b5a"),
    ],
)
def test_banner_credentials_are_redacted(banner: str, secret: str) -> None:
    text = redact_banner(banner)
    assert secret not in text
    assert "****" in text


def test_banner_is_trimmed_and_control_characters_dropped() -> None:
    text = redact_banner("A" * 150 + "\x00\x01\r\n" + "B" * 300 + "password=" + "x" * 20)
    assert len(text) <= 201 and text.endswith("…")
    assert "\x00" not in text and "\r" not in text
    assert redact_banner("-NOAUTH Authentication required.") == "-NOAUTH Authentication required."


def test_hosts_from_records_groups_banners_by_ip() -> None:
    banners = [
        {"ip_str": HOST_IP, "port": 22, "product": "OpenSSH", "hostnames": ["a.example.com"]},
        {"ip_str": HOST_IP, "port": 443, "product": "nginx", "vulns": {"CVE-2021-23017": {"verified": True}}},
        {"ip_str": OTHER_IP, "port": 3306, "product": "MySQL"},
    ]
    hosts = hosts_from_records(banners)
    assert [(h["ip_str"], h["ports"], h["hostnames"]) for h in hosts] == [
        (HOST_IP, [22, 443], ["a.example.com"]),
        (OTHER_IP, [3306], []),
    ]
    obs = observations_from_host(hosts[0], HOST_IP, "file", NOW)
    (vuln,) = [o for o in obs if o.kind == "vulnerability"]
    assert (vuln.port, vuln.cves, vuln.details) == (
        443,
        ("CVE-2021-23017",),
        {"verified": ["CVE-2021-23017"]},
    )
    assert "verified" in vuln.summary and "Shodan snapshot" in vuln.summary
    with pytest.raises(ValueError, match="entry 2 has no ip_str"):
        hosts_from_records([banners[0], {"port": 1}])


# --- the disk cache --------------------------------------------------------------------------------


def test_cache_ignores_and_overwrites_corrupt_files(tmp_path: Path) -> None:
    clock = FakeTime()
    cache = DiskCache(tmp_path / "c", 60, clock.time)
    cache.put("shodan", "2001:db8::1", {"a": 1})
    (path,) = (tmp_path / "c" / "shodan").iterdir()
    assert ":" not in path.name
    assert cache.get("shodan", "2001:db8::1") == {"a": 1}
    assert cache.get("shodan", "2001:db8::2") is None

    path.write_text("{not json")
    assert cache.get("shodan", "2001:db8::1") is None
    path.write_text(json.dumps({"stored_at": "yesterday", "value": 1}))
    assert cache.get("shodan", "2001:db8::1") is None
    path.write_text('{"stored_at": 0, "value": ' + "[" * 10_000 + "]" * 10_000 + "}")
    assert cache.get("shodan", "2001:db8::1") is None  # too deep: a miss, not a RecursionError
    cache.put("shodan", "2001:db8::1", {"a": 2})
    assert cache.get("shodan", "2001:db8::1") == {"a": 2}

    clock.advance(61)
    assert cache.get("shodan", "2001:db8::1") is None


def test_cache_disabled_with_zero_ttl_and_unwritable_dir_is_not_fatal(tmp_path: Path) -> None:
    off = DiskCache(tmp_path / "off", 0)
    off.put("shodan", "1.2.3.4", 1)
    assert off.get("shodan", "1.2.3.4") is None
    assert not (tmp_path / "off").exists()

    blocker = tmp_path / "file"
    blocker.write_text("")
    broken = DiskCache(blocker / "sub", 60)  # a file where the directory should be
    broken.put("shodan", "1.2.3.4", 1)
    assert broken.get("shodan", "1.2.3.4") is None


def test_build_sources_imports_the_shodan_module(fake: ShodanFake, tmp_path: Path) -> None:
    (built,) = build_sources(options(tmp_path))
    assert built.name == "shodan"
    assert os.environ["SHODAN_API_URL"] in built.plan([target(HOST_IP)])
