"""TLS checks: legacy protocol versions, certificate validity, expiry, host name, self-signed."""

from __future__ import annotations

import ssl
import warnings
from dataclasses import dataclass
from datetime import timedelta

from cloudaudit.exposure.probe.connect import ProbeError, StartTls
from cloudaudit.exposure.probe.results import Contexts, PortProbe
from cloudaudit.exposure.probe.x509 import CertInfo, hostname_matches, parse_certificate

EXPIRY_WARNING = timedelta(days=14)
LEGACY_VERSIONS = {"TLSv1": ssl.TLSVersion.TLSv1, "TLSv1.1": ssl.TLSVersion.TLSv1_1}
_LEGACY_CHECKS = {"TLSv1": "probe.tls.tls1_0_accepted", "TLSv1.1": "probe.tls.tls1_1_accepted"}
_EXPIRED, _NOT_YET_VALID, _SELF_SIGNED = 10, 9, 18
"""OpenSSL verify codes the certificate checks already report in their own words."""
_UNVERIFIED = -1
"""The verifying handshake failed for another reason: whether the chain verifies is unknown."""


def permissive_context() -> ssl.SSLContext:
    """TLS 1.2+ without verification: the probe audits certificates, it does not trust them."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def verifying_context(cafile: str | None = None) -> ssl.SSLContext:
    """Chain verification against the platform's trust store, plus ``cafile``; names are matched apart.

    The platform's store is OpenSSL's default (honouring ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``);
    ``cafile`` (``--ca-bundle``) adds private CAs to it rather than replacing it.
    """
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    context.check_hostname = False
    return context


def pinned_context(version: ssl.TLSVersion) -> ssl.SSLContext | None:
    """A context offering only ``version``, or None when the local OpenSSL cannot offer it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context = permissive_context()
            context.minimum_version = version
            context.maximum_version = version
            context.set_ciphers("ALL:@SECLEVEL=0")
    except (ValueError, ssl.SSLError):
        return None
    return context if can_offer(context) else None


def can_offer(context: ssl.SSLContext) -> bool:
    """True when ``context`` produces a ClientHello (checked in memory: nothing is sent anywhere)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="capability.invalid")
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        return outgoing.pending > 0
    except ssl.SSLError:
        return False
    return False


def build_contexts(cafile: str | None = None) -> Contexts:
    """The contexts of one run (TLS 1.0/1.1 only when this machine's OpenSSL can offer them)."""
    pinned = {name: ctx for name, version in LEGACY_VERSIONS.items() if (ctx := pinned_context(version))}
    return Contexts(permissive=permissive_context(), verifying=verifying_context(cafile), pinned=pinned)


@dataclass(frozen=True)
class Handshake:
    """What a TLS endpoint presented."""

    version: str
    cipher: str
    certificate: bytes
    verify_code: int
    """0 when the chain verified, -1 when unknown, else OpenSSL's verify code."""
    verify_message: str
    context: ssl.SSLContext
    """The context to talk to this endpoint with (a pinned one when only a legacy version works)."""


def handshake(probe: PortProbe, starttls: StartTls | None = None) -> Handshake | None:
    """Negotiate TLS; None when the port does not speak it.

    Verifying first; without verification when the chain does not verify; and, when the server
    answers in TLS but refuses TLS 1.2+, with each legacy version (a TLS 1.0-only server is TLS too).
    """
    try:
        return _shake(probe, probe.contexts.verifying, starttls, 0, "")
    except ssl.SSLCertVerificationError as exc:
        try:
            return _shake(probe, probe.contexts.permissive, starttls, exc.verify_code, exc.verify_message)
        except (OSError, ProbeError):
            return None
    except ssl.SSLError:
        for context in probe.contexts.pinned.values():
            try:
                return _shake(probe, context, starttls, _UNVERIFIED, "only legacy TLS versions negotiated")
            except (OSError, ProbeError):
                continue
    except (OSError, ProbeError):
        return None
    return None


def _shake(
    probe: PortProbe, context: ssl.SSLContext, starttls: StartTls | None, code: int, message: str
) -> Handshake:
    with probe.connector.open_tls(probe.endpoint, context, starttls) as tls:
        certificate = tls.getpeercert(binary_form=True) or b""
        cipher = tls.cipher()
        version = tls.version() or ""
    later = probe.contexts.permissive if context is probe.contexts.verifying else context
    return Handshake(version, cipher[0] if cipher else "", certificate, code, message, later)


def accepts(probe: PortProbe, context: ssl.SSLContext, starttls: StartTls | None = None) -> str:
    """The version negotiated with ``context``, or "" when the server refuses it."""
    try:
        with probe.connector.open_tls(probe.endpoint, context, starttls) as tls:
            return tls.version() or ""
    except (OSError, ProbeError):
        return ""


def check_tls(probe: PortProbe, shake: Handshake, starttls: StartTls | None = None) -> None:
    """Certificate and protocol-version findings for a port that speaks TLS."""
    probe.tls_context = shake.context
    probe.open_details.update(tls_version=shake.version, cipher=shake.cipher)
    _check_certificate(probe, shake)
    accepted: list[str] = []
    for name, context in probe.contexts.pinned.items():
        version = accepts(probe, context, starttls)
        if version == name:
            accepted.append(name)
            label = "TLS 1.0" if name == "TLSv1" else "TLS 1.1"
            probe.found(
                _LEGACY_CHECKS[name],
                f"accepts {label}, a deprecated protocol version",
                {"version": name},
                kind="tls",
            )
    probe.open_details["legacy_versions_accepted"] = accepted


def _check_certificate(probe: PortProbe, shake: Handshake) -> None:
    try:
        cert = parse_certificate(shake.certificate)
    except ValueError as exc:
        probe.gap(f"certificate unreadable ({exc})")
        return
    probe.open_details.update(certificate=_describe(cert), chain_verified=_verified(shake.verify_code))
    now = probe.now
    if cert.not_after < now:
        probe.found(
            "probe.tls.cert_expired",
            f"certificate expired on {cert.not_after:%Y-%m-%d}",
            {"not_after": cert.not_after.isoformat()},
            kind="tls",
        )
    elif cert.not_after - now < EXPIRY_WARNING:
        days = (cert.not_after - now).days
        probe.found(
            "probe.tls.cert_expiring",
            f"certificate expires in {days} days ({cert.not_after:%Y-%m-%d})",
            {"not_after": cert.not_after.isoformat(), "days_left": days},
            kind="tls",
        )
    if probe.endpoint.is_ip and not cert.ip_addresses:
        probe.open_details["hostname_checked"] = False  # served for a DNS name, reached here by address
    elif not hostname_matches(probe.endpoint.host, cert):
        names = list((cert.dns_names + cert.ip_addresses) or (cert.subject_cn,))[:5]
        probe.found(
            "probe.tls.hostname_mismatch",
            f"certificate is not valid for {probe.endpoint.host} (it names {', '.join(names) or 'nothing'})",
            {"host": probe.endpoint.host, "certificate_names": names},
            kind="tls",
        )
    if cert.self_issued or shake.verify_code == _SELF_SIGNED:
        probe.found(
            "probe.tls.self_signed",
            "certificate is self-signed (no browser or client trusts it)",
            {"subject": cert.subject_cn},
            kind="tls",
        )
    elif shake.verify_code > 0 and shake.verify_code not in (_EXPIRED, _NOT_YET_VALID):
        probe.found(
            "probe.tls.cert_untrusted",
            f"certificate chain does not verify: {shake.verify_message}",
            {"issuer": cert.issuer_cn, "verify_code": shake.verify_code},
            kind="tls",
        )


def _verified(code: int) -> bool | None:
    return None if code == _UNVERIFIED else code == 0


def _describe(cert: CertInfo) -> dict[str, object]:
    return {
        "subject": cert.subject_cn,
        "issuer": cert.issuer_cn,
        "names": list(cert.dns_names + cert.ip_addresses)[:5],
        "not_after": cert.not_after.isoformat(),
    }
