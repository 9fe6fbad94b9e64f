"""The probe's TLS checks against real local TLS servers, reached through ``--connect-to`` mappings."""

from __future__ import annotations

import ssl
from dataclasses import replace
from pathlib import Path

import pytest

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.exposure.probe.tls import build_contexts
from cloudaudit.exposure.probe.x509 import hostname_matches, parse_certificate
from cloudaudit.exposure.sources import ConnectTo
from probe_servers import (
    LOCAL,
    BadApi,
    CertFiles,
    GoodApi,
    Server,
    checks,
    issue,
    key,
    observation,
    opened,
    probe,
    running,
    server_context,
    target,
)

API = "api.example.test"
LEGACY = {"TLSv1": "probe.tls.tls1_0_accepted", "TLSv1.1": "probe.tls.tls1_1_accepted"}
LOCAL_CONTEXTS = build_contexts()


def mapped(server: Server, port: int = 443, host: str = API) -> ConnectTo:
    return ConnectTo(host, port, LOCAL, server.port)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, CertFiles]:
    directory = tmp_path_factory.mktemp("certs")
    ca_files, ca = issue(directory, "ca", "cloudaudit test CA", ca=True)
    return {
        "ca": ca_files,
        "self_signed_localhost": issue(directory, "localhost", "localhost", ("localhost",), days_left=5)[0],
        "expired": issue(directory, "expired", API, (API,), days_left=-3)[0],
        "good": issue(directory, "good", API, (API,), days_left=200, issuer=(ca, key()))[0],
        "wildcard": issue(directory, "wildcard", "*.example.test", ("*.example.test",), issuer=(ca, key()))[
            0
        ],
    }


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_self_signed_certificate_for_another_name_probed_through_mapping(certs: dict[str, CertFiles]) -> None:
    context = server_context(certs["self_signed_localhost"], legacy=True)
    with running(Server(BadApi, tls=context)) as server:
        result = probe(target(API, 443), connect_to=(mapped(server),))

    found = checks(result)
    assert {"probe.tls.hostname_mismatch", "probe.tls.self_signed", "probe.tls.cert_expiring"} <= found
    assert {"probe.tls.cert_expired", "probe.tls.cert_untrusted", "probe.tls.plaintext_accepted"}.isdisjoint(
        found
    )
    assert "probe.http.hsts_missing" in found  # HTTP checks ran over TLS
    mismatch = observation(result, "probe.tls.hostname_mismatch")
    assert mismatch.kind == "tls"
    assert mismatch.level is ExposureLevel.EXPLOITABLE
    assert mismatch.details == {"host": API, "certificate_names": ["localhost"]}
    assert mismatch.host == API
    assert mismatch.port == 443
    assert mismatch.summary.startswith(f"{API}:443: ")
    assert observation(result, "probe.tls.cert_expiring").details["days_left"] in (4, 5)
    # The original name travels in SNI and Host; the socket went to 127.0.0.1 only.
    assert server.sni and set(server.sni) == {API}
    assert server.hosts and set(server.hosts) == {API}
    head = opened(result, 443)
    assert head.service == "https"
    assert head.ip == ""  # the mapped address is not the target's
    assert head.details["certificate"]["names"] == ["localhost"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("version", sorted(LEGACY))
def test_legacy_protocol_versions_accepted(certs: dict[str, CertFiles], version: str) -> None:
    if version not in LOCAL_CONTEXTS.pinned:
        pytest.skip(f"this machine's OpenSSL refuses to offer {version} (security level or build)")
    context = server_context(certs["self_signed_localhost"], legacy=True)
    with running(Server(GoodApi, tls=context)) as server:
        result = probe(target(API, (8443, "tls")), connect_to=(mapped(server, 8443),))

    assert LEGACY[version] in checks(result)
    assert observation(result, LEGACY[version]).details == {"version": version}
    assert version in server.tls_versions
    assert version in opened(result, 8443).details["legacy_versions_accepted"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_server_speaking_only_tls1_0_is_still_recognised(certs: dict[str, CertFiles]) -> None:
    if "TLSv1" not in LOCAL_CONTEXTS.pinned:
        pytest.skip("this machine's OpenSSL refuses to offer TLSv1 (security level or build)")
    context = server_context(certs["good"], only_tls1_0=True)
    with running(Server(GoodApi, tls=context)) as server:
        result = probe(target(API, 443), connect_to=(mapped(server),), cafile=str(certs["ca"].cert))

    assert checks(result) == {"probe.tls.tls1_0_accepted"}
    head = opened(result, 443)
    assert (head.service, head.details["tls_version"]) == ("https", "TLSv1")
    assert head.details["chain_verified"] is None  # verification needs TLS 1.2+ here: unknown, not failed
    assert head.details["legacy_versions_accepted"] == ["TLSv1"]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_local_openssl_without_legacy_versions_is_a_note_not_a_finding(certs: dict[str, CertFiles]) -> None:
    modern_only = replace(LOCAL_CONTEXTS, pinned={})  # what a machine refusing TLS 1.0/1.1 ends up with
    context = server_context(certs["self_signed_localhost"], legacy=True)
    with running(Server(GoodApi, tls=context)) as server:
        result = probe(target(API, 443), connect_to=(mapped(server),), contexts=modern_only)

    assert set(LEGACY.values()).isdisjoint(checks(result))
    assert "probe.tls.self_signed" in checks(result)
    assert [n for n in result.notes if "cannot offer" in n] == [
        "probe: this machine's OpenSSL cannot offer TLS 1.0 (security level or build), "
        "so whether servers accept TLS 1.0 was not tested",
        "probe: this machine's OpenSSL cannot offer TLS 1.1 (security level or build), "
        "so whether servers accept TLS 1.1 was not tested",
    ]


def test_well_configured_tls_api_shows_nothing(certs: dict[str, CertFiles]) -> None:
    with running(Server(GoodApi, tls=server_context(certs["good"]))) as server:
        result = probe(target(API, 443), connect_to=(mapped(server),), cafile=str(certs["ca"].cert))

    assert checks(result) == set()
    head = opened(result, 443)
    assert head.details["chain_verified"] is True
    assert head.details["legacy_versions_accepted"] == []
    assert head.details["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert result.gaps == ()
    assert not set(server.tls_versions) & {"TLSv1", "TLSv1.1"}


def test_wildcard_certificate_matches_one_label(certs: dict[str, CertFiles]) -> None:
    with running(Server(GoodApi, tls=server_context(certs["wildcard"]))) as server:
        result = probe(
            target(API, 443),
            target("a.b.example.test", 443),
            connect_to=(mapped(server), mapped(server, host="a.b.example.test")),
            cafile=str(certs["ca"].cert),
        )

    assert {(o.host, o.check) for o in result.observations if o.check} == {
        ("a.b.example.test", "probe.tls.hostname_mismatch")
    }


def test_chain_from_an_unknown_authority_is_untrusted(certs: dict[str, CertFiles]) -> None:
    with running(Server(GoodApi, tls=server_context(certs["good"]))) as server:
        result = probe(target(API, 443), connect_to=(mapped(server),))  # test CA not trusted

    assert checks(result) == {"probe.tls.cert_untrusted"}
    assert observation(result, "probe.tls.cert_untrusted").details["issuer"] == "cloudaudit test CA"


def test_expired_certificate(certs: dict[str, CertFiles]) -> None:
    with running(Server(GoodApi, tls=server_context(certs["expired"]))) as server:
        result = probe(target(API, 443), connect_to=(mapped(server),))

    found = checks(result)
    assert {"probe.tls.cert_expired", "probe.tls.self_signed"} <= found
    assert {"probe.tls.cert_expiring", "probe.tls.hostname_mismatch"}.isdisjoint(found)


def test_plain_http_on_a_tls_port() -> None:
    with running(Server(GoodApi)) as server:
        result = probe(target(API, 443), connect_to=(mapped(server),))

    assert checks(result) == {"probe.tls.plaintext_accepted"}
    assert observation(result, "probe.tls.plaintext_accepted").details == {"status": 200}


def test_unknown_port_is_sniffed_as_tls(certs: dict[str, CertFiles]) -> None:
    with running(Server(GoodApi, tls=server_context(certs["good"]))) as server:
        result = probe(target(API, 9443), connect_to=(mapped(server, 9443),), cafile=str(certs["ca"].cert))

    assert checks(result) == set()
    assert opened(result, 9443).service == "https"
    assert any(r == "GET /" for r in server.requests)


def test_certificate_reader_matches_cryptography(certs: dict[str, CertFiles]) -> None:
    from cryptography import x509

    for name in ("good", "expired", "wildcard", "self_signed_localhost"):
        pem = certs[name].cert.read_bytes()
        reference = x509.load_pem_x509_certificate(pem)
        info = parse_certificate(ssl.PEM_cert_to_DER_cert(pem.decode()))
        assert info.not_after == reference.not_valid_after_utc.replace(microsecond=0)
        assert info.not_before == reference.not_valid_before_utc.replace(microsecond=0)
        assert info.self_issued == (reference.issuer == reference.subject)
        sans = reference.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert list(info.dns_names) == sans.get_values_for_type(x509.DNSName)
    with pytest.raises(ValueError):
        parse_certificate(b"\x30\x82\xff\xff not a certificate")


def test_ip_address_certificates(tmp_path: Path) -> None:
    files, _ = issue(tmp_path, "ip", "203.0.113.7", ("203.0.113.7", "2001:db8::1"))
    info = parse_certificate(ssl.PEM_cert_to_DER_cert(files.cert.read_text()))
    assert info.ip_addresses == ("203.0.113.7", "2001:db8::1")
    assert hostname_matches("203.0.113.7", info)
    assert hostname_matches("2001:db8:0::1", info)
    assert not hostname_matches("203.0.113.8", info)
    assert not hostname_matches("203.0.113.7.example.test", info)
