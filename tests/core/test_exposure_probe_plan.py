"""The probe plan: configured ports, ports a source saw in this run, and catalogue ports inside wide ranges.

Table tests over :func:`plan_ports` (targets as the inventory yields them, observations as the index
sources return them), the ``--probe-ports`` parser, the inventory's wide ranges, and the printed plan.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cloudaudit.errors import UsageError
from cloudaudit.exposure.model import ExposureLevel, Observation, PortRange, SourceResult, Target, TargetPort
from cloudaudit.exposure.probe import ProbeSource
from cloudaudit.exposure.probe_ports import MAX_PROBE_PORTS, parse_probe_ports, plan_ports
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions
from cloudaudit.exposure.targets import targets_from_inventory
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.ports import in_range
from cloudaudit.progress import PlainProgress

HOST = "198.51.100.20"
RULE = "sg-0all: all traffic from 0.0.0.0/0"
SEARCH_RULE = "sg-0es: tcp/9200-9300 from 0.0.0.0/0"
WEB_RULE = "sg-0web: tcp/443 from 0.0.0.0/0"
CATALOGUE_TCP = [s.port for s in in_range(1, 65535)]


def _target(*ports: TargetPort, ranges: tuple[PortRange, ...] = ()) -> Target:
    return Target(host=HOST, asset_ids=("i-1",), ports=ports, ranges=ranges)


def _seen(source: str, *ports: int, host: str = HOST) -> SourceResult:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return SourceResult(
        source=source,
        observations=tuple(
            Observation(
                source=source,
                host=host,
                kind="open_port",
                level=ExposureLevel.OBSERVED,
                summary="open",
                seen_at=at,
                port=p,
            )
            for p in ports
        ),
    )


ALL_PORTS = PortRange(from_port=0, to_port=65535, via=RULE)
SEARCH = PortRange(from_port=9200, to_port=9300, via=SEARCH_RULE)
WEB = TargetPort(port=443, via=WEB_RULE)

CASES = {
    "configured port": (_target(WEB), [], None, {443: f"configured ({WEB_RULE})"}),
    "all-ports rule: the catalogue's TCP ports": (
        _target(ranges=(ALL_PORTS,)),
        [],
        None,
        dict.fromkeys(CATALOGUE_TCP, f"catalogue port inside tcp/0-65535 from {RULE}"),
    ),
    "range rule: only the catalogue ports inside it": (
        _target(ranges=(SEARCH,)),
        [],
        None,
        {
            9200: f"catalogue port inside tcp/9200-9300 from {SEARCH_RULE}",
            9300: f"catalogue port inside tcp/9200-9300 from {SEARCH_RULE}",
        },
    ),
    "observed-only port (no rule opens it)": (
        _target(WEB),
        [_seen("shodan", 443, 8081), _seen("internetdb", 8081)],
        None,
        {443: f"configured ({WEB_RULE})", 8081: "observed by shodan and internetdb"},
    ),
    "observed port of another host is not planned": (
        _target(WEB),
        [_seen("shodan", 8081, host="198.51.100.99")],
        None,
        {443: f"configured ({WEB_RULE})"},
    ),
    "the probe's own observations are not a reason": (_target(WEB), [_seen("probe", 8081)], None, {443: ...}),
    "--probe-ports replaces the catalogue inside the range": (
        _target(ranges=(SEARCH,)),
        [],
        (22, 9250, 9251),
        {
            9250: f"--probe-ports port inside tcp/9200-9300 from {SEARCH_RULE}",
            9251: f"--probe-ports port inside tcp/9200-9300 from {SEARCH_RULE}",
        },
    ),
    "configured beats observed beats catalogue": (
        _target(TargetPort(port=22, via="sg-0ssh: tcp/22 from 0.0.0.0/0"), ranges=(ALL_PORTS,)),
        [_seen("shodan", 22, 80)],
        (22, 80, 8080),
        {
            22: "configured (sg-0ssh: tcp/22 from 0.0.0.0/0)",
            80: "observed by shodan",
            8080: f"--probe-ports port inside tcp/0-65535 from {RULE}",
        },
    ),
}


@pytest.mark.parametrize(
    ("target", "results", "probe_ports", "expected"), list(CASES.values()), ids=list(CASES)
)
def test_probe_plan_reasons(
    target: Target,
    results: list[SourceResult],
    probe_ports: tuple[int, ...] | None,
    expected: dict[int, str],
) -> None:
    (planned,) = plan_ports([target], results, ExposureOptions(probe=True, probe_ports=probe_ports))
    got = {p.port: p.reason for p in planned.ports}
    assert sorted(got) == sorted(expected)
    assert {k: v for k, v in got.items() if expected[k] is not ...} == {
        k: v for k, v in expected.items() if v is not ...
    }


def test_an_observed_port_inside_a_range_keeps_the_rule_that_opens_it() -> None:
    (planned,) = plan_ports([_target(ranges=(SEARCH,))], [_seen("file", 9201)], ExposureOptions(probe=True))
    port = next(p for p in planned.ports if p.port == 9201)
    assert (port.reason, port.via) == ("observed by file", SEARCH_RULE)


def test_a_connect_to_port_inside_a_wide_range_is_planned() -> None:
    mapping = ConnectTo(HOST, 4711, "127.0.0.1", 9)
    (planned,) = plan_ports(
        [_target(ranges=(ALL_PORTS,))],
        [],
        ExposureOptions(probe=True, connect_to=(mapping,), probe_ports=(80,)),
    )
    assert {p.port: p.reason for p in planned.ports} == {
        80: f"--probe-ports port inside tcp/0-65535 from {RULE}",
        4711: f"--connect-to port inside tcp/0-65535 from {RULE}",
    }


def _inventory(*endpoints: Endpoint) -> Inventory:
    asset = Asset(provider="aws", account="1", region="us-east-1", id="i-1", name="web", endpoints=endpoints)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Inventory(scope=ScanScope(provider="aws", started=now, finished=now), assets=(asset,))


@pytest.mark.parametrize(
    ("endpoint", "ports", "ranges"),
    [
        (Endpoint(host=HOST, protocol="all", via=RULE), [], [("tcp", 0, 65535), ("udp", 0, 65535)]),
        (Endpoint(host=HOST, from_port=9200, to_port=9300, via=SEARCH_RULE), [], [("tcp", 9200, 9300)]),
        (Endpoint(host=HOST, from_port=8000, to_port=8003), [8000, 8001, 8002, 8003], []),
        (Endpoint(host=HOST, protocol="icmp", from_port=-1, to_port=-1), [], []),
    ],
    ids=["all traffic", "wide tcp range", "narrow range", "icmp"],
)
def test_inventory_targets_keep_wide_ranges(
    endpoint: Endpoint, ports: list[int], ranges: list[tuple[str, int, int]]
) -> None:
    (target,) = targets_from_inventory(_inventory(endpoint))
    assert [p.port for p in target.ports] == ports
    assert [(r.transport, r.from_port, r.to_port) for r in target.ranges] == ranges
    assert all(r.via == endpoint.via for r in target.ranges)


def test_inventory_targets_carry_declared_methods() -> None:
    (target,) = targets_from_inventory(
        _inventory(
            Endpoint(host=HOST, from_port=443, to_port=443, methods=("GET",)),
            Endpoint(host=HOST, from_port=443, to_port=443, methods=("POST",)),
        )
    )
    assert target.ports[0].methods == ("GET", "POST")
    (unknown,) = targets_from_inventory(
        _inventory(
            Endpoint(host=HOST, from_port=443, to_port=443, methods=("GET",)),
            Endpoint(host=HOST, from_port=443, to_port=443),
        )
    )
    assert unknown.ports[0].methods is None  # one endpoint does not say: unknown


@pytest.mark.parametrize(
    ("text", "ports"),
    [
        ("80", (80,)),
        ("443, 80,80", (80, 443)),
        ("8000-8003,22", (22, 8000, 8001, 8002, 8003)),
        ("65535", (65535,)),
    ],
)
def test_probe_ports_parse(text: str, ports: tuple[int, ...]) -> None:
    assert parse_probe_ports(text) == ports


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http", "--probe-ports: 'http' is not a port or a range such as 8000-8010"),
        ("80-", "--probe-ports: '80-' is not a port or a range such as 8000-8010"),
        ("0", "--probe-ports: '0' is not within 1-65535 (low-high, low first)"),
        ("9000-8000", "--probe-ports: '9000-8000' is not within 1-65535 (low-high, low first)"),
        ("70000", "--probe-ports: '70000' is not within 1-65535 (low-high, low first)"),
        ("1-65535", f"--probe-ports: more than {MAX_PROBE_PORTS} ports; list fewer"),
        (" , ", "--probe-ports: no port given (e.g. --probe-ports 80,443,8000-8010)"),
    ],
)
def test_probe_ports_errors(text: str, message: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_probe_ports(text)
    assert str(raised.value) == message


def test_printed_plan_groups_ports_by_reason_and_cuts_long_lists() -> None:
    options = ExposureOptions(
        probe=True,
        connect_to=(ConnectTo(HOST, 80, "127.0.0.1", 8080), ConnectTo(HOST, None, "127.0.0.1", 9)),
        probe_rate_per_second=1000,
    )
    targets = plan_ports([_target(WEB, ranges=(ALL_PORTS,))], [_seen("shodan", 8081)], options)
    lines = ProbeSource(options).plan(targets).splitlines()

    count = len(set(CATALOGUE_TCP) | {443, 8081})
    assert lines[0].startswith(f"probe: will connect to {count} endpoints of the audited account (rate limit")
    assert lines[1] == f"probe:   configured ({WEB_RULE}): {HOST}:443 (via 127.0.0.1:9)"
    assert lines[2] == f"probe:   observed by shodan: {HOST}:8081 (via 127.0.0.1:9)"
    catalogue = lines[3]
    assert catalogue.startswith(
        f"probe:   catalogue port inside tcp/0-65535 from {RULE}: {HOST}:21, 22, 23, 25, "
    )
    assert f"873 (via 127.0.0.1:9); {HOST}:80 (via 127.0.0.1:8080) and " in catalogue  # grouped by route
    assert catalogue.endswith(f" and {len(CATALOGUE_TCP) - 1 - 20} more")  # 443 is configured
    assert len(lines) == 4


def test_refused_wide_ranges_are_summarised_not_listed_port_by_port() -> None:
    options = ExposureOptions(probe=True)
    targets = plan_ports([_target(ranges=(ALL_PORTS,))], [], options)
    source = ProbeSource(options)
    lines = source.plan(targets).splitlines()
    result = source.observe(targets, PlainProgress())  # refused at planning: nothing is contacted

    first_ten = ", ".join(map(str, CATALOGUE_TCP[:10]))
    assert lines[1] == (
        f"probe: not contacting {HOST} (ports {first_ten} and {len(CATALOGUE_TCP) - 10} more): "
        f"{HOST} is a documentation address: never a real Internet host (probed only through --connect-to)"
    )
    (gap,) = result.gaps
    assert gap.reason.startswith(f"not contacted (port {first_ten} and {len(CATALOGUE_TCP) - 10} more): ")
    assert result.observations == ()
