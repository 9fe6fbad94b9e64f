"""Just enough DER reading to check a server certificate: names, validity dates, self-issued.

The standard library only decodes certificates it has verified, and the probe must also read the
ones that do not verify (self-signed, expired), so the few fields needed are read here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime

_OID_CN = bytes.fromhex("550403")
_OID_SAN = bytes.fromhex("551d11")


@dataclass(frozen=True)
class CertInfo:
    """The parts of an X.509 certificate the TLS checks use."""

    subject_cn: str
    issuer_cn: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    not_before: datetime
    not_after: datetime
    self_issued: bool
    """Issuer name equals subject name (self-signed when the chain does not verify either)."""


@dataclass(frozen=True)
class _Tlv:
    tag: int
    start: int
    end: int


def _tlv(data: bytes, pos: int) -> tuple[_Tlv, int]:
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise ValueError("truncated DER")
    return _Tlv(tag, pos, end), end


def _children(data: bytes, parent: _Tlv) -> list[_Tlv]:
    items: list[_Tlv] = []
    pos = parent.start
    while pos < parent.end:
        item, pos = _tlv(data, pos)
        items.append(item)
    return items


def _time(data: bytes, item: _Tlv) -> datetime:
    text = data[item.start : item.end].decode("ascii")
    if item.tag == 0x17:
        year = int(text[:2])
        text = ("19" if year >= 50 else "20") + text
    elif item.tag != 0x18:
        raise ValueError("not a time")
    return datetime.strptime(text.rstrip("Z")[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def _common_name(data: bytes, name: _Tlv) -> str:
    for rdn in _children(data, name):
        for attribute in _children(data, rdn):
            oid, value = _children(data, attribute)[:2]
            if data[oid.start : oid.end] == _OID_CN:
                return data[value.start : value.end].decode("utf-8", "replace")
    return ""


def _san(data: bytes, extensions: _Tlv) -> tuple[tuple[str, ...], tuple[str, ...]]:
    dns: list[str] = []
    ips: list[str] = []
    (sequence,) = _children(data, extensions)[:1]
    for extension in _children(data, sequence):
        parts = _children(data, extension)
        if data[parts[0].start : parts[0].end] != _OID_SAN:
            continue
        value, _ = _tlv(data, parts[-1].start)
        for general in _children(data, value):
            raw = data[general.start : general.end]
            if general.tag == 0x82:
                dns.append(raw.decode("ascii", "replace"))
            elif general.tag == 0x87 and len(raw) in (4, 16):
                ips.append(str(ipaddress.ip_address(raw)))
    return tuple(dns), tuple(ips)


def parse_certificate(der: bytes) -> CertInfo:
    """Read a DER certificate; raises ValueError when it is not one."""
    try:
        certificate, _ = _tlv(der, 0)
        tbs = _children(der, _children(der, certificate)[0])
        fields = tbs[1:] if tbs[0].tag == 0xA0 else tbs
        issuer, validity, subject = fields[2], fields[3], fields[4]
        not_before, not_after = _children(der, validity)[:2]
        dns: tuple[str, ...] = ()
        ips: tuple[str, ...] = ()
        for extra in fields[6:]:
            if extra.tag == 0xA3:
                dns, ips = _san(der, extra)
        return CertInfo(
            subject_cn=_common_name(der, subject),
            issuer_cn=_common_name(der, issuer),
            dns_names=dns,
            ip_addresses=ips,
            not_before=_time(der, not_before),
            not_after=_time(der, not_after),
            self_issued=der[issuer.start : issuer.end] == der[subject.start : subject.end],
        )
    except (IndexError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a certificate: {exc}") from exc


def _dns_match(host: str, pattern: str) -> bool:
    host = host.lower().rstrip(".")
    pattern = pattern.lower().rstrip(".")
    if pattern.startswith("*."):
        label, _, rest = host.partition(".")
        return bool(label) and "." in rest and rest == pattern[2:]
    return host == pattern


def hostname_matches(host: str, cert: CertInfo) -> bool:
    """RFC 6125 matching: subjectAltName names (left-most wildcard only), CN only without SANs."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        names = cert.dns_names or ((cert.subject_cn,) if cert.subject_cn and not cert.ip_addresses else ())
        return any(_dns_match(host, name) for name in names)
    return any(ipaddress.ip_address(ip) == address for ip in cert.ip_addresses)
