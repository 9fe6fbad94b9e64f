"""The internetdb source over real HTTP against a local InternetDB look-alike (pytest-httpserver)."""

from __future__ import annotations

import json
import re
import socket
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cloudaudit.exposure import internetdb
from cloudaudit.exposure.internetdb import observations_from_internetdb
from cloudaudit.exposure.model import ExposureLevel, SourceResult, Target
from cloudaudit.exposure.sources import ExposureOptions, SourceSpec, build_sources
from cloudaudit.exposure.stage import apply_exposure
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.progress import PlainProgress
from cloudaudit.runflow import Result, findings_document
from shodan_fake import FakeTime

IP = "203.0.113.10"
OTHER_IP = "198.51.100.7"
ANSWER: dict[str, object] = {
    "cpes": ["cpe:/a:f5:nginx:1.18.0", "cpe:/a:redislabs:redis:6.0.9"],
    "hostnames": ["ec2-203-0-113-10.compute-1.amazonaws.com"],
    "ip": IP,
    "ports": [443, 6379, 22],
    "tags": ["cloud", "database"],
    "vulns": ["CVE-2022-0543", "CVE-2021-23017"],
}
NO_INFO = {"detail": "No information available"}


class InternetDBFake:
    """``GET /{ip}`` like internetdb.shodan.io, with scripted failures."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, object]] = {}
        self.scripted: dict[str, list[tuple[int, dict[str, str]]]] = defaultdict(list)
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.server = HTTPServer(host="127.0.0.1", port=0)

    def reset(self) -> InternetDBFake:
        self.server.check_assertions()
        self.server.clear()
        self.server.expect_request(re.compile(r"^/[^/]+$"), method="GET").respond_with_handler(self._handle)
        self.answers = {IP: ANSWER}
        self.scripted.clear()
        self.requests.clear()
        self.user_agents.clear()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def _handle(self, request: Request) -> Response:
        ip = request.path.lstrip("/")
        self.requests.append(ip)
        self.user_agents.append(request.headers.get("User-Agent", ""))
        if self.scripted[ip]:
            status, headers = self.scripted[ip].pop(0)
            body = json.dumps({"detail": "Too Many Requests"}) if status == 429 else "<html>error</html>"
            return Response(body, status=status, headers=headers)
        if ip in self.answers:
            return Response(json.dumps(self.answers[ip]), status=200, content_type="application/json")
        return Response(json.dumps(NO_INFO), status=404, content_type="application/json")


@pytest.fixture(scope="module")
def idb_server() -> Iterator[InternetDBFake]:
    server = InternetDBFake()
    server.server.start()
    yield server
    server.server.stop()


@pytest.fixture
def fake(idb_server: InternetDBFake, monkeypatch: pytest.MonkeyPatch) -> Iterator[InternetDBFake]:
    idb_server.reset()
    monkeypatch.setenv(internetdb.BASE_URL_ENV, idb_server.url)
    yield idb_server
    idb_server.server.check_assertions()


@pytest.fixture
def clock() -> FakeTime:
    return FakeTime()


def source(tmp_path: Path, clock: FakeTime, ttl: float = 24 * 3600) -> internetdb.InternetDBSource:
    options = ExposureOptions(
        sources=(SourceSpec("internetdb"),),
        cache_dir=tmp_path / "cache",
        cache_ttl_seconds=ttl,
        timeout_seconds=2,
    )
    return internetdb.build(options, "", sleep=clock.sleep, clock=clock.time, monotonic=clock.monotonic)


def target(host: str) -> Target:
    return Target(host=host, asset_ids=("arn:aws:ec2:us-east-1:123456789012:eip/eipalloc-1",))


def kinds(result: SourceResult) -> list[tuple[str, int | None]]:
    return [(o.kind, o.port) for o in result.observations]


def test_listed_ports_and_cves(fake: InternetDBFake, tmp_path: Path, clock: FakeTime) -> None:
    result = source(tmp_path, clock).observe([target(IP)], PlainProgress())

    assert result.gaps == ()
    assert kinds(result) == [
        ("open_port", 22),
        ("open_port", 443),
        ("open_port", 6379),
        ("vulnerability", None),
    ]
    ssh = result.observations[0]
    assert (ssh.level, ssh.service, ssh.transport, ssh.ip) == (ExposureLevel.OBSERVED, "SSH", "tcp", "")
    assert ssh.summary == "22/tcp open: SSH by its port number (listed by InternetDB, no banner)"
    assert ssh.details["service_from"] == "port catalogue"
    assert ssh.details["cpes"] == ANSWER["cpes"] and ssh.details["tags"] == ["cloud", "database"]
    assert ssh.seen_at.timestamp() == clock.now  # InternetDB has no dates: when it was fetched
    vuln = result.observations[-1]
    assert vuln.cves == ("CVE-2021-23017", "CVE-2022-0543")
    assert vuln.summary.startswith("2 CVEs listed by InternetDB for the host")
    assert result.credits_used == 0
    assert result.notes == ("internetdb: 1 lookup (0 cached)",)
    assert fake.requests == [IP]
    assert fake.user_agents[0].startswith("cloudaudit/")


def test_no_information_is_not_indexed(fake: InternetDBFake, tmp_path: Path, clock: FakeTime) -> None:
    result = source(tmp_path, clock).observe([target(OTHER_IP)], PlainProgress())

    assert result.gaps == ()
    (obs,) = result.observations
    assert (obs.kind, obs.level, obs.summary) == (
        "not_indexed",
        ExposureLevel.NONE,
        f"InternetDB has no data for {OTHER_IP}",
    )


def test_a_404_that_is_not_internetdb_is_a_gap(
    fake: InternetDBFake, tmp_path: Path, clock: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(internetdb.BASE_URL_ENV, fake.url + "/wrong/prefix")
    fake.server.expect_request(re.compile(r"^/wrong/.*")).respond_with_data("Not Found", status=404)

    result = source(tmp_path, clock).observe([target(IP)], PlainProgress())

    assert result.observations == ()
    assert [g.reason for g in result.gaps] == [
        f"HTTP 404 from {fake.url}/wrong/prefix (not an InternetDB endpoint?)"
    ]


def test_rate_limited_twice_honours_retry_after_then_answers(
    fake: InternetDBFake, tmp_path: Path, clock: FakeTime
) -> None:
    fake.scripted[IP] += [(429, {"Retry-After": "3"}), (429, {})]

    result = source(tmp_path, clock).observe([target(IP)], PlainProgress())

    assert result.gaps == ()
    assert ("open_port", 6379) in kinds(result)
    assert fake.requests == [IP] * 3
    assert [s for s in clock.sleeps if s > 1] == [3.0, 4.0]  # Retry-After, then the backoff schedule


def test_persistent_server_error_is_a_gap_naming_the_ip(
    fake: InternetDBFake, tmp_path: Path, clock: FakeTime
) -> None:
    fake.scripted[OTHER_IP] += [(503, {})] * 3

    result = source(tmp_path, clock).observe([target(OTHER_IP), target(IP)], PlainProgress())

    assert [(g.host, g.reason) for g in result.gaps] == [
        (OTHER_IP, "InternetDB answered HTTP 503 (gave up after 3 tries)")
    ]
    assert {o.host for o in result.observations} == {IP}


def test_unreachable_service_stops_after_three_addresses(
    tmp_path: Path, clock: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv(internetdb.BASE_URL_ENV, closed)
    ips = [f"198.51.100.{i}" for i in range(1, 6)]

    result = source(tmp_path, clock).observe([target(ip) for ip in ips], PlainProgress())

    reasons = [g.reason for g in result.gaps]
    assert reasons[:3] == [f"cannot connect to {closed} (gave up after 3 tries)"] * 3
    assert (
        reasons[3:]
        == [f"not attempted: cannot connect to {closed} (gave up after 3 tries) for 3 addresses in a row"] * 2
    )
    assert [g.host for g in result.gaps] == ips


def test_cache_and_ttl(fake: InternetDBFake, tmp_path: Path, clock: FakeTime) -> None:
    targets = [target(IP), target(OTHER_IP)]
    first = source(tmp_path, clock).observe(targets, PlainProgress())
    second = source(tmp_path, clock).observe(targets, PlainProgress())

    assert fake.requests == [IP, OTHER_IP]
    assert second.observations == first.observations
    assert second.notes == ("internetdb: 2 lookups (2 cached)",)

    clock.advance(24 * 3600 + 1)
    source(tmp_path, clock).observe(targets, PlainProgress())
    assert fake.requests == [IP, OTHER_IP, IP, OTHER_IP]

    no_cache = source(tmp_path, clock, ttl=0)
    no_cache.observe([target(IP)], PlainProgress())
    assert fake.requests[-1] == IP and len(fake.requests) == 5


def test_dns_target_is_resolved(fake: InternetDBFake, tmp_path: Path, clock: FakeTime) -> None:
    fake.answers["127.0.0.1"] = {**ANSWER, "ip": "127.0.0.1", "ports": [5432]}

    result = source(tmp_path, clock).observe([target("localhost")], PlainProgress())

    assert "127.0.0.1" in fake.requests
    (port,) = [o for o in result.observations if o.ip == "127.0.0.1" and o.kind == "open_port"]
    assert (port.host, port.port) == ("localhost", 5432)
    assert (
        port.summary
        == "5432/tcp on 127.0.0.1 open: PostgreSQL by its port number (listed by InternetDB, no banner)"
    )


def test_plan_and_registry(fake: InternetDBFake, tmp_path: Path) -> None:
    (built,) = build_sources(ExposureOptions(sources=(SourceSpec("internetdb"),), cache_dir=tmp_path))
    assert built.plan([target(IP), target("db.example.com")]) == (
        f"internetdb: up to 2 lookups at 1/s to {fake.url} (0 cached; 1 DNS names resolved first, "
        "one lookup per address)"
    )
    assert fake.requests == []


def test_a_port_the_catalogue_does_not_know_stays_unnamed() -> None:
    fetched = datetime(2026, 12, 1, tzinfo=UTC)
    (obs,) = observations_from_internetdb({"ip": IP, "ports": [4711]}, IP, fetched)
    assert obs.service == "" and "service_from" not in obs.details
    assert obs.summary == "4711/tcp open: service unknown (listed by InternetDB, no banner)"


@pytest.mark.usefixtures("stopped")
def test_after_ctrl_c_nothing_is_looked_up(fake: InternetDBFake, tmp_path: Path, clock: FakeTime) -> None:
    result = source(tmp_path, clock).observe([target(IP)], PlainProgress())

    assert fake.requests == []
    assert [g.reason for g in result.gaps] == ["not looked up: the run was interrupted"]


@pytest.mark.usefixtures("stopped")
def test_after_ctrl_c_the_exposure_stage_marks_the_run_interrupted(
    fake: InternetDBFake, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    inventory = Inventory(scope=ScanScope(provider="aws", started=now, finished=now))
    doc = findings_document(inventory, [], None)
    options = ExposureOptions(sources=(SourceSpec("internetdb"),), cache_dir=tmp_path / "cache")

    graded, _ = apply_exposure(doc, inventory, options, PlainProgress(), lambda line: None)

    assert fake.requests == []
    assert graded.run.interrupted and graded.run.incomplete
    assert graded.run.not_read == [
        "exposure sources: interrupted (not every endpoint was looked up or probed)"
    ]
    assert Result(graded).exit_code(None) == 130  # Ctrl-C in this process
