"""Default-config services answering without authentication, and databases' TLS support.

Read-only commands only (PING, INFO, stats, cluster info, index listing); no login is ever
attempted and nothing is written.
"""

from __future__ import annotations

import socket
import struct
from typing import Any, BinaryIO

from cloudaudit.exposure.probe.connect import ProbeError, recv_exact
from cloudaudit.exposure.probe.httpwire import Response, request
from cloudaudit.exposure.probe.results import PortProbe


class TlsNotOffered(ProbeError):
    """The server answered its protocol's TLS upgrade request with "no"."""


def open_stream(probe: PortProbe, tls: bool) -> socket.socket:
    """A plain or TLS connection to the probe's endpoint."""
    if tls:
        return probe.connector.open_tls(probe.endpoint, probe.tls())
    return probe.connector.open(probe.endpoint)


def _line(stream: BinaryIO) -> bytes:
    return stream.readline(4096).rstrip(b"\r\n")


def redis(probe: PortProbe, tls: bool) -> bool:
    """``PING`` then ``INFO server``; True when the port speaks Redis."""
    try:
        with open_stream(probe, tls) as sock, sock.makefile("rb") as stream:
            sock.sendall(b"*1\r\n$4\r\nPING\r\n")
            answer = _line(stream)
            info = b""
            if answer == b"+PONG":
                sock.sendall(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
                header = _line(stream)
                if header.startswith(b"$") and header[1:].isdigit():
                    info = stream.read(min(int(header[1:]), 65536))
    except (OSError, ProbeError):
        return False
    if answer == b"+PONG" and b"redis_version:" in info:
        fields = dict(
            line.split(":", 1) for line in info.decode("utf-8", "replace").splitlines() if ":" in line
        )
        details = {"version": fields.get("redis_version", "")[:20], "mode": fields.get("redis_mode", "")[:20]}
        probe.service = "redis"
        probe.open_details["auth"] = "none"
        probe.found(
            "probe.redis.no_auth",
            "Redis answers PING and INFO without authentication",
            details,
        )
        return True
    auth = _redis_refusal(answer)
    if auth:
        probe.service = "redis"
        probe.open_details["auth"] = auth
        return True
    return False


def _redis_refusal(answer: bytes) -> str:
    if answer == b"+PONG":
        return "PING answered, INFO refused"
    upper = answer.upper()
    if upper.startswith((b"-NOAUTH", b"-WRONGPASS", b"-NOPERM")) or (
        upper.startswith(b"-ERR") and b"AUTH" in upper
    ):
        return "required"
    if upper.startswith(b"-DENIED"):
        return "denied (protected mode)"
    return ""


def memcached(probe: PortProbe, tls: bool) -> bool:
    """The text protocol's ``stats``; True when the port speaks Memcached."""
    lines: list[bytes] = []
    try:
        with open_stream(probe, tls) as sock, sock.makefile("rb") as stream:
            sock.sendall(b"stats\r\n")
            while len(lines) < 200:
                line = _line(stream)
                lines.append(line)
                if not line.startswith(b"STAT "):
                    break
    except (OSError, ProbeError):
        return False
    stats: dict[str, str] = {}
    for line in lines:
        if line.startswith(b"STAT "):
            name, _, value = line[5:].decode("ascii", "replace").partition(" ")
            stats[name] = value
    if stats:
        probe.service = "memcached"
        probe.open_details["auth"] = "none"
        probe.found(
            "probe.memcached.no_auth",
            "Memcached answers stats without authentication",
            {"version": stats.get("version", "")[:20]},
        )
        return True
    if lines and lines[0].startswith(b"CLIENT_ERROR") and b"auth" in lines[0].lower():
        probe.service = "memcached"
        probe.open_details["auth"] = "required"
        return True
    return False


def elasticsearch_info(base: Response) -> dict[str, Any] | None:
    """The cluster information document of an Elasticsearch/OpenSearch ``GET /``, else None."""
    data = base.json() if base.status == 200 else None
    if not isinstance(data, dict):
        return None
    version = data.get("version")
    tagline = str(data.get("tagline", ""))
    if not (isinstance(version, dict) and "cluster_name" in data) and "for Search" not in tagline:
        return None
    return data


def elasticsearch(probe: PortProbe, tls: bool, base: Response, expected: bool) -> bool:
    """Cluster info then ``GET /_cat/indices`` without credentials; True when it is a search cluster."""
    info = elasticsearch_info(base)
    if info is None:
        if expected and base.status in (401, 403):
            probe.service = "elasticsearch"
            probe.open_details["auth"] = "required"
            return True
        return False
    version = info.get("version") if isinstance(info.get("version"), dict) else {}
    assert isinstance(version, dict)
    product = "OpenSearch" if version.get("distribution") == "opensearch" else "Elasticsearch"
    probe.service = product.lower()
    details: dict[str, Any] = {"product": product, "version": str(version.get("number", ""))[:20]}
    try:
        indices = request(probe, tls, "GET", "/_cat/indices?format=json")
    except ProbeError as exc:
        probe.gap(f"{product} index listing not checked: {exc}")
        return True
    if indices.status != 200:
        probe.open_details["auth"] = f"cluster info public, index listing refused ({indices.status})"
        return True
    listing = indices.json()
    details["indices"] = len(listing) if isinstance(listing, list) else None
    probe.open_details["auth"] = "none"
    probe.found(
        "probe.elasticsearch.no_auth",
        f"{product} returns cluster information and lists indices without authentication",
        details,
    )
    return True


# PostgreSQL and MySQL: whether TLS is offered, through each protocol's upgrade request (no login).

_PG_SSL_REQUEST = struct.pack("!II", 8, 80877103)
_MYSQL_CLIENT_SSL = 0x0800
_MYSQL_SSL_REQUEST_FLAGS = 0x0001 | 0x0200 | 0x0800 | 0x8000
"""LONG_PASSWORD | PROTOCOL_41 | SSL | SECURE_CONNECTION."""


def postgres_starttls(sock: socket.socket) -> None:
    """Send PostgreSQL's SSLRequest; returns when the server agreed to TLS."""
    sock.sendall(_PG_SSL_REQUEST)
    answer = recv_exact(sock, 1)
    if answer == b"N":
        raise TlsNotOffered("the PostgreSQL server does not offer TLS")
    if answer != b"S":
        raise ProbeError("not a PostgreSQL answer to SSLRequest")


def mysql_greeting(sock: socket.socket) -> tuple[str, int]:
    """The server version and capability flags from MySQL's initial handshake packet."""
    header = recv_exact(sock, 4)
    payload = recv_exact(sock, min(int.from_bytes(header[:3], "little"), 4096))
    if payload[:1] == b"\xff":
        raise ProbeError("the MySQL server refused the connection (error packet)")
    end = payload.find(b"\x00", 1)
    if payload[:1] != b"\x0a" or end < 0 or len(payload) < end + 16:
        raise ProbeError("not a MySQL handshake")
    version = payload[1:end].decode("ascii", "replace")[:40]
    low = int.from_bytes(payload[end + 14 : end + 16], "little")
    high = int.from_bytes(payload[end + 19 : end + 21], "little") if len(payload) >= end + 21 else 0
    return version, low | high << 16


def mysql_starttls(sock: socket.socket) -> None:
    """Read the greeting and send MySQL's SSLRequest (capabilities only: no user, no password)."""
    _, capabilities = mysql_greeting(sock)
    if not capabilities & _MYSQL_CLIENT_SSL:
        raise TlsNotOffered("the MySQL server does not offer TLS")
    payload = struct.pack("<IIB23x", _MYSQL_SSL_REQUEST_FLAGS, 16 * 1024 * 1024, 33)
    sock.sendall(len(payload).to_bytes(3, "little") + b"\x01" + payload)


def mysql_version(probe: PortProbe) -> None:
    """Record the server version of a MySQL endpoint (from its greeting; nothing is sent)."""
    try:
        with probe.connector.open(probe.endpoint) as sock:
            version, _ = mysql_greeting(sock)
    except (OSError, ProbeError):
        return
    probe.open_details["version"] = version
