"""Pure translation of Shodan host JSON into :class:`Observation` s (shared by the shodan and file sources).

Accepts the ``/shodan/host/{ip}`` answer (full or ``minify``), and ``hosts_from_records`` turns
a mix of host objects and single banners (``shodan download`` lines) into host objects. Everything
in the JSON is untrusted: banners are trimmed and anything resembling a credential is redacted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from cloudaudit.exposure.model import ExposureLevel, Observation

BANNER_CHARS = 200
"""Banner text kept per service (after redaction)."""
MAX_LISTED_CVES = 5
"""CVE ids named in a vulnerability summary (all of them are in ``cves``)."""

SOURCE_TITLES = {"shodan": "Shodan", "file": "Shodan snapshot", "internetdb": "InternetDB"}

_REDACTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header lines carrying credentials or sessions: drop the whole value.
    (re.compile(r"(?im)^(\s*(?:proxy-)?authorization\s*:|\s*(?:set-)?cookie\s*:).*$"), r"\1 ****"),
    # URL user-info: scheme://user:secret@host
    (re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@]+:)[^/\s@]+@"), r"\1****@"),
    # NAME=value / NAME: value where NAME looks like a secret.
    (
        re.compile(
            r"(?i)([\w.-]*(?:password|passwd|passwort|pwd|secret|token|api[_-]?key|access[_-]?key|"
            r"credentials?)[\w.-]*[\"']?)(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s&;,]+)"
        ),
        r"\1\2****",
    ),
    # Protocol commands with a credential argument (Redis AUTH, FTP/POP PASS, redis.conf lines).
    (re.compile(r"(?i)\b(auth|pass|requirepass|masterauth)([ \t]+)\S+"), r"\1\2****"),
)
_CONTROL = re.compile(r"[^\S\n\t ]|[\x00-\x08\x0b-\x1f\x7f]")
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


def redact_banner(text: str, limit: int = BANNER_CHARS) -> str:
    """``text`` with credential-like values replaced by ``****``, control characters dropped, trimmed."""
    window = text[: limit * 10].replace("\r\n", "\n")
    for pattern, replacement in _REDACTIONS:
        window = pattern.sub(replacement, window)
    window = _CONTROL.sub(".", window)
    return window[:limit].rstrip() + ("…" if len(window) > limit else "")


def parse_timestamp(value: Any) -> datetime | None:
    """Shodan's ``timestamp`` (naive ISO 8601 in UTC) as an aware UTC datetime, or None."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _strings(value: Any) -> list[str]:
    """A JSON list of strings (a lone string becomes a one-item list; anything else is dropped)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int | float) and not isinstance(v, bool)]
    return []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _port(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 65536:
        return value
    if isinstance(value, str) and value.isdigit() and int(value) < 65536:
        return int(value)
    return None


def _cves(value: Any) -> tuple[list[str], list[str], float | None]:
    """(cve ids, verified ids, max cvss) from a host ``vulns`` list or a banner ``vulns`` dict."""
    if isinstance(value, Mapping):
        ids = [str(k) for k in value]
        verified = [str(k) for k, v in value.items() if isinstance(v, Mapping) and v.get("verified") is True]
        scores = [
            float(v["cvss"])
            for v in value.values()
            if isinstance(v, Mapping)
            and isinstance(v.get("cvss"), int | float | str)
            and _is_number(v["cvss"])
        ]
        return _clean_cves(ids), sorted(verified), max(scores) if scores else None
    return _clean_cves(_strings(value)), [], None


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _clean_cves(ids: Iterable[str]) -> list[str]:
    """Upper-cased, de-duplicated CVE ids (Shodan marks some with a leading ``!``: not vulnerable)."""
    out = {i.strip().upper() for i in ids if _CVE.match(i.strip())}
    return sorted(out)


def _transport(banner: Mapping[str, Any]) -> str:
    return "udp" if banner.get("transport") == "udp" else "tcp"


def _service_name(banner: Mapping[str, Any]) -> str:
    product = banner.get("product")
    if isinstance(product, str) and product:
        return product
    meta = banner.get("_shodan")
    module = meta.get("module") if isinstance(meta, Mapping) else None
    return module if isinstance(module, str) else ""


def _tls_versions(banner: Mapping[str, Any]) -> list[str]:
    ssl = banner.get("ssl")
    versions = _strings(ssl.get("versions")) if isinstance(ssl, Mapping) else []
    return [v for v in versions if not v.startswith("-")]


def _http_facts(banner: Mapping[str, Any]) -> dict[str, Any]:
    http = banner.get("http")
    if not isinstance(http, Mapping):
        return {}
    facts: dict[str, Any] = {}
    for field in ("status", "server", "title"):
        value = http.get(field)
        if isinstance(value, int) and not isinstance(value, bool):
            facts[f"http_{field}"] = value
        elif isinstance(value, str) and value:
            facts[f"http_{field}"] = redact_banner(value, 100)
    return facts


def _where(port: int | None, transport: str, ip: str) -> str:
    place = f"{port}/{transport}" if port is not None else "the host"
    return f"{place} on {ip}" if ip else place


def _open_port(
    banner: Mapping[str, Any], port: int, target_host: str, ip: str, source: str, seen_at: datetime
) -> Observation:
    transport = _transport(banner)
    service = _service_name(banner)
    version = banner.get("version") if isinstance(banner.get("version"), str) else ""
    details: dict[str, Any] = {"transport": transport}
    if banner.get("product"):
        details["product"] = str(banner["product"])
    if version:
        details["version"] = version
    meta = banner.get("_shodan")
    if isinstance(meta, Mapping) and isinstance(meta.get("module"), str):
        details["module"] = meta["module"]
    for field in ("tags", "hostnames"):
        if values := _strings(banner.get(field)):
            details[field] = values
    if cpes := list(dict.fromkeys(_strings(banner.get("cpe23")) + _strings(banner.get("cpe")))):
        details["cpes"] = cpes
    if tls := _tls_versions(banner):
        details["tls_versions"] = tls
    details.update(_http_facts(banner))
    if isinstance(banner.get("data"), str) and banner["data"].strip():
        details["banner"] = redact_banner(banner["data"])
    label = " ".join(p for p in (service, version) if p) or "service unknown"
    title = SOURCE_TITLES.get(source, source)
    return Observation(
        source=source,
        host=target_host,
        kind="open_port",
        level=ExposureLevel.OBSERVED,
        summary=f"{_where(port, transport, ip)} open: {label} (seen by {title} {seen_at:%Y-%m-%d})",
        seen_at=seen_at,
        port=port,
        transport=transport,
        ip=ip,
        service=service,
        details=details,
    )


def vulnerability(
    cves: list[str],
    *,
    target_host: str,
    ip: str,
    source: str,
    seen_at: datetime,
    port: int | None = None,
    transport: str = "tcp",
    service: str = "",
    verified: list[str] | None = None,
    max_cvss: float | None = None,
) -> Observation:
    """One ``vulnerability`` observation listing ``cves`` (sorted, non-empty) for a port or the host."""
    named = ", ".join(cves[:MAX_LISTED_CVES])
    if len(cves) > MAX_LISTED_CVES:
        named += f" (+{len(cves) - MAX_LISTED_CVES} more)"
    what = _where(port, transport, ip) + (f" ({service})" if service else "")
    basis = "verified" if verified and len(verified) == len(cves) else "inferred from the version banner"
    details: dict[str, Any] = {}
    if verified:
        details["verified"] = verified
    if max_cvss is not None:
        details["max_cvss"] = max_cvss
    plural = "CVE" if len(cves) == 1 else "CVEs"
    return Observation(
        source=source,
        host=target_host,
        kind="vulnerability",
        level=ExposureLevel.OBSERVED,
        summary=f"{len(cves)} {plural} listed by {SOURCE_TITLES.get(source, source)} for {what}, "
        f"{basis}: {named}",
        seen_at=seen_at,
        port=port,
        transport=transport,
        ip=ip,
        service=service,
        cves=tuple(cves),
        details=details,
    )


def _banners(host_json: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [b for b in _list(host_json.get("data")) if isinstance(b, Mapping)]


def observations_from_host(
    host_json: Mapping[str, Any], target_host: str, source: str, now: datetime
) -> list[Observation]:
    """Observations for one Shodan host object (full or ``minify``) about ``target_host``.

    One OBSERVED ``open_port`` per (port, transport), from the newest banner of that port or, for
    ports listed without a banner (``minify``), with the service unknown; one ``vulnerability`` per
    service with CVEs, and one for host-level CVEs no service accounts for.
    """
    ip_str = host_json.get("ip_str")
    ip = ip_str if isinstance(ip_str, str) and ip_str != target_host else ""
    host_seen = parse_timestamp(host_json.get("last_update")) or now
    newest: dict[tuple[int, str], tuple[datetime, Mapping[str, Any]]] = {}
    for banner in _banners(host_json):
        port = _port(banner.get("port"))
        if port is None:
            continue
        transport = _transport(banner)
        seen = parse_timestamp(banner.get("timestamp")) or host_seen
        key = (port, transport)
        if key not in newest or seen > newest[key][0]:
            newest[key] = (seen, banner)
    for value in _list(host_json.get("ports")):
        port = _port(value)
        if port is not None and not any(p == port for p, _ in newest):
            newest[(port, "tcp")] = (host_seen, {"port": port})

    observations: list[Observation] = []
    attributed: set[str] = set()
    for (port, _), (seen, banner) in sorted(newest.items()):
        opened = _open_port(banner, port, target_host, ip, source, seen)
        observations.append(opened)
        cves, verified, max_cvss = _cves(banner.get("vulns"))
        if cves:
            attributed.update(cves)
            observations.append(
                vulnerability(
                    cves,
                    target_host=target_host,
                    ip=ip,
                    source=source,
                    seen_at=seen,
                    port=port,
                    transport=opened.transport,
                    service=opened.service,
                    verified=verified,
                    max_cvss=max_cvss,
                )
            )
    host_cves = _cves(host_json.get("vulns"))[0]
    if rest := [c for c in host_cves if c not in attributed]:
        observations.append(
            vulnerability(rest, target_host=target_host, ip=ip, source=source, seen_at=host_seen)
        )
    return observations


def host_names(host_json: Mapping[str, Any]) -> set[str]:
    """Lower-cased DNS names a host object lists (host-level and per-banner ``hostnames``)."""
    names = set(_strings(host_json.get("hostnames")))
    for banner in _banners(host_json):
        names.update(_strings(banner.get("hostnames")))
    return {n.lower().rstrip(".") for n in names if n}


def _is_banner(record: Mapping[str, Any]) -> bool:
    """A single service banner (``shodan download`` line) rather than a host object."""
    return "port" in record and not isinstance(record.get("data"), list)


def hosts_from_records(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Host objects (merged per ``ip_str``) from host objects and/or single banners.

    Raises ValueError naming the first record that has no ``ip_str``.
    """
    hosts: dict[str, dict[str, Any]] = {}
    for index, record in enumerate(records, start=1):
        ip = record.get("ip_str")
        if not isinstance(ip, str) or not ip:
            raise ValueError(f"entry {index} has no ip_str (expected Shodan host or banner JSON)")
        host = hosts.setdefault(ip, {"ip_str": ip, "hostnames": [], "ports": [], "data": [], "vulns": []})
        banners = [record] if _is_banner(record) else _banners(record)
        host["data"].extend(dict(b) for b in banners)
        host["hostnames"] = sorted(set(host["hostnames"]) | set(_strings(record.get("hostnames"))))
        ports = {*host["ports"], *(p for p in map(_port, _list(record.get("ports"))) if p is not None)}
        ports.update(p for b in banners if (p := _port(b.get("port"))) is not None)
        host["ports"] = sorted(ports)
        if not _is_banner(record):
            host["vulns"] = sorted(set(host["vulns"]) | set(_cves(record.get("vulns"))[0]))
            stamps = [s for s in (host.get("last_update"), record.get("last_update")) if isinstance(s, str)]
            if stamps:
                host["last_update"] = max(stamps)
    return list(hosts.values())
