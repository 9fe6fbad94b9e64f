"""The probe refuses internal and bogus targets at planning: nothing contacted, plan and coverage say why.

Every refused target here is mapped by ``--connect-to`` onto a counting server on 127.0.0.1: it must
see no connection at all. Name lookups go through an injected resolver, and a guard fails the test if
the system resolver is asked anything.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence

import pytest

from cloudaudit.exposure.probe import ProbeSource
from cloudaudit.exposure.probe.admission import Resolver, classify
from cloudaudit.exposure.sources import ConnectTo
from cloudaudit.progress import PlainProgress
from probe_servers import LOCAL, BadApi, Server, checks, options, running, target


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail loudly if anything asks the system resolver about a name (addresses pass through)."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def guarded(host: object, *args: object, **kwargs: object) -> object:
        if isinstance(host, str) and host not in (LOCAL, "localhost") and not _is_ip(host):
            asked.append(host)
            raise AssertionError(f"the test tried to resolve {host!r}")
        return real(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield asked
    assert asked == []


def _is_ip(host: str) -> bool:
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True


def resolver(table: dict[str, Sequence[str]]) -> Resolver:
    def resolve(host: str) -> Sequence[str]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[host]

    return resolve


@pytest.mark.parametrize(
    ("host", "kind", "why"),
    [
        ("169.254.169.254", "special", "cloud metadata"),
        ("fd00:ec2::254", "special", "cloud metadata"),
        ("127.0.0.1", "special", "loopback"),
        ("::1", "special", "loopback"),
        ("0.0.0.0", "special", "unspecified"),
        ("169.254.10.1", "special", "link-local"),
        ("fe80::1", "special", "link-local"),
        ("10.0.0.5", "special", "RFC 1918"),
        ("172.16.4.4", "special", "RFC 1918"),
        ("192.168.1.1", "special", "RFC 1918"),
        ("fd12:3456::1", "special", "fc00::/7"),
        ("100.64.0.1", "special", "CGNAT"),
        ("224.0.0.251", "special", "multicast"),
        ("ff02::1", "special", "multicast"),
        ("240.0.0.1", "special", "reserved"),
        ("198.18.0.1", "special", "non-global"),
        ("::ffff:10.0.0.5", "special", "RFC 1918"),
        ("::ffff:169.254.169.254", "special", "cloud metadata"),
        ("2002:a00:5::1", "special", "RFC 1918"),
        ("64:ff9b::a9fe:a9fe", "special", "cloud metadata"),
        ("192.0.2.10", "documentation", "documentation"),
        ("198.51.100.7", "documentation", "documentation"),
        ("203.0.113.9", "documentation", "documentation"),
        ("2001:db8::7", "documentation", "documentation"),
        ("api.example.test", "documentation", "RFC 6761"),
        ("localhost", "special", "local network name"),
        ("db.localhost", "special", "local network name"),
        ("printer.local", "special", "local network name"),
        ("intranet", "special", "single-label"),
        ("127.1", "invalid", "numeric"),
        ("2130706433.0", "invalid", "numeric"),
        ("evil.example.com\r\nX-Injected: 1", "invalid", "not a DNS name"),
        ("a b.example.com", "invalid", "not a DNS name"),
        ("-bad.example.com", "invalid", "not a DNS name"),
        ("x" * 64 + ".example.com", "invalid", "not a DNS name"),
        (".".join(["a" * 60] * 5), "invalid", "not a DNS name"),
        ("", "invalid", "not a DNS name"),
    ],
)
def test_every_target_is_classified_before_any_lookup(host: str, kind: str, why: str) -> None:
    verdict = classify(host, resolver({}))
    assert (verdict.kind, why in verdict.why) == (kind, True), verdict


@pytest.mark.parametrize(
    ("addresses", "kind"),
    [
        (["10.1.2.3"], "special"),
        (["203.0.113.5", "169.254.169.254"], "special"),
        (["fd00:ec2::254"], "special"),
        (["192.0.2.44"], "documentation"),
        (["8.8.8.8", "2001:4860:4860::8888"], "public"),
    ],
)
def test_a_name_is_classified_by_every_address_it_resolves_to(addresses: list[str], kind: str) -> None:
    verdict = classify("api.shop.example.com", resolver({"api.shop.example.com": addresses}))
    assert verdict.kind == kind
    assert verdict.addresses == tuple(addresses)


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("169.254.169.254", "169.254.169.254 is the cloud metadata service address (--probe-private"),
        ("10.0.0.5", "10.0.0.5 is a private (RFC 1918) address (--probe-private"),
        ("fd00:ec2::254", "fd00:ec2::254 is the cloud metadata service address"),
        ("internal.shop.example.com", "resolves to 10.9.8.7, a private (RFC 1918) address"),
        ("evil.example.com\r\nX-Injected: 1", "invalid host name: not a DNS name or an IP address"),
    ],
)
def test_a_refused_target_is_never_contacted_even_through_a_mapping(host: str, reason: str) -> None:
    with running(Server(BadApi)) as server:
        source = ProbeSource(
            options(ConnectTo(host, 80, LOCAL, server.port), private=False),
            resolver=resolver({"internal.shop.example.com": ["10.9.8.7"]}),
        )
        targets = [target(host, (80, "http"))]
        plan = source.plan(targets)
        result = source.observe(targets, PlainProgress())

    assert server.connections == 0
    head, line = plan.splitlines()
    assert head.startswith("probe: no endpoint to connect to (every endpoint refused)")
    assert line.startswith("probe: not contacting ") and reason in line
    assert "\r" not in plan and "\x1b" not in plan
    (gap,) = result.gaps
    assert (gap.host, gap.source) == (host, "probe")
    assert gap.reason.startswith("not contacted (port 80): ") and reason in gap.reason
    assert result.observations == ()
    assert "probe: 1 host(s) not contacted (refused at planning, see coverage)" in result.notes


def test_an_injected_header_line_is_printed_escaped_and_never_sent() -> None:
    host = "evil.example.test\r\nX-Injected: 1"
    with running(Server(BadApi)) as server:
        source = ProbeSource(options(ConnectTo("", 80, LOCAL, server.port)))
        plan = source.plan([target(host, (80, "http"))])
        source.observe([target(host, (80, "http"))], PlainProgress())

    assert server.connections == 0
    assert "evil.example.test\\x0d\\x0aX-Injected: 1:80" in plan


def test_probe_private_is_the_explicit_opt_in() -> None:
    with running(Server(BadApi)) as server:
        internal = "internal.shop.example.com"
        source = ProbeSource(
            options(ConnectTo(internal, 80, LOCAL, server.port), private=True),
            resolver=resolver({internal: ["10.9.8.7"]}),
        )
        result = source.observe([target(internal, (80, "http"))], PlainProgress())

    assert server.connections > 0
    assert set(server.hosts) == {internal}
    assert "probe.http.trace_enabled" in checks(result)


def test_documentation_addresses_are_probed_only_through_a_mapping() -> None:
    with running(Server(BadApi)) as server:
        source = ProbeSource(
            options(ConnectTo("203.0.113.7", 80, LOCAL, server.port), private=False), resolver=resolver({})
        )
        targets = [target("203.0.113.7", (80, "http"), (8080, "http")), target("198.51.100.3", (80, "http"))]
        plan = source.plan(targets)
        result = source.observe(targets, PlainProgress())

    assert plan.splitlines() == [
        "probe: will connect to 1 endpoint of the audited account "
        "(rate limit 1000/s, timeout 3 s, budget 36 s per target and 900 s in all):",
        f"probe:   configured: 203.0.113.7:80 (via 127.0.0.1:{server.port})",
        "probe: not contacting 203.0.113.7:8080: 203.0.113.7 is a documentation address: "
        "never a real Internet host (probed only through --connect-to)",
        "probe: not contacting 198.51.100.3:80: 198.51.100.3 is a documentation address: "
        "never a real Internet host (probed only through --connect-to)",
    ]
    assert "probe.http.trace_enabled" in checks(result)
    assert {o.host for o in result.observations} == {"203.0.113.7"}
    assert sorted(g.host for g in result.gaps) == ["198.51.100.3", "203.0.113.7"]


def test_a_name_is_connected_to_at_the_address_it_was_admitted_with() -> None:
    """No second lookup: the socket goes where the classified answer said (a rebinding gets nothing new)."""
    answers = iter([["127.0.0.1"], ["169.254.169.254"]])

    def rebinding(host: str) -> Sequence[str]:
        return next(answers)

    with running(Server(BadApi)) as server:
        name = "rebind.shop.example.com"
        source = ProbeSource(options(private=True), resolver=rebinding)
        targets = [target(name, (server.port, "http"))]
        source.plan(targets)
        result = source.observe(targets, PlainProgress())

    assert server.connections > 0 and set(server.hosts) == {f"{name}:{server.port}"}
    assert "probe.http.trace_enabled" in checks(result)
