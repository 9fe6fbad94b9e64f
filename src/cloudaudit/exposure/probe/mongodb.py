"""MongoDB without authentication: ``hello`` (or legacy ``isMaster``) then ``listDatabases``.

Speaks the wire protocol directly (OP_MSG, OP_QUERY for servers older than 3.6) with a minimal
BSON codec: only the read-only handshake and database listing commands are ever sent.
"""

from __future__ import annotations

import itertools
import socket
import struct
from collections.abc import Callable
from typing import Any

from cloudaudit.exposure.probe.connect import ProbeError, recv_exact
from cloudaudit.exposure.probe.results import PortProbe
from cloudaudit.exposure.probe.services import open_stream

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
MAX_MESSAGE = 4 * 1024 * 1024
_UNAUTHORIZED = 13
_request_ids = itertools.count(1)


def _cstring(text: str) -> bytes:
    return text.encode() + b"\x00"


def encode(document: dict[str, int | str | bool]) -> bytes:
    """BSON for a flat command document (booleans, 32-bit integers, strings)."""
    body = b""
    for key, value in document.items():
        if isinstance(value, bool):
            body += b"\x08" + _cstring(key) + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            body += b"\x10" + _cstring(key) + struct.pack("<i", value)
        else:
            data = value.encode() + b"\x00"
            body += b"\x02" + _cstring(key) + struct.pack("<i", len(data)) + data
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


_FIXED = {0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x10: 4, 0x11: 8, 0x12: 8, 0x13: 16}
_EMPTY = {0x06, 0x0A, 0x7F, 0xFF}


def decode(data: bytes, pos: int = 0) -> tuple[dict[str, Any], int]:
    """One BSON document at ``pos`` -> (document, end); raises ValueError on anything unexpected."""
    try:
        (length,) = struct.unpack_from("<i", data, pos)
        end = pos + length
        if length < 5 or end > len(data):
            raise ValueError("bad BSON length")
        pos += 4
        document: dict[str, Any] = {}
        while pos < end - 1:
            kind = data[pos]
            name_end = data.index(b"\x00", pos + 1)
            name = data[pos + 1 : name_end].decode("utf-8", "replace")
            document[name], pos = _value(data, kind, name_end + 1)
        return document, end
    except (struct.error, IndexError) as exc:
        raise ValueError(f"bad BSON: {exc}") from exc


def _value(data: bytes, kind: int, pos: int) -> tuple[Any, int]:
    if kind == 0x01:
        return struct.unpack_from("<d", data, pos)[0], pos + 8
    if kind == 0x08:
        return data[pos] != 0, pos + 1
    if kind == 0x10:
        return struct.unpack_from("<i", data, pos)[0], pos + 4
    if kind == 0x12:
        return struct.unpack_from("<q", data, pos)[0], pos + 8
    if kind in (0x02, 0x0D, 0x0E):
        (size,) = struct.unpack_from("<i", data, pos)
        return data[pos + 4 : pos + 3 + size].decode("utf-8", "replace"), pos + 4 + size
    if kind in (0x03, 0x04):
        inner, end = decode(data, pos)
        return (list(inner.values()) if kind == 0x04 else inner), end
    if kind == 0x05:
        (size,) = struct.unpack_from("<i", data, pos)
        return None, pos + 5 + size
    if kind == 0x0B:
        end = data.index(b"\x00", data.index(b"\x00", pos) + 1)
        return None, end + 1
    if kind in _FIXED:
        return None, pos + _FIXED[kind]
    if kind in _EMPTY:
        return None, pos
    raise ValueError(f"unsupported BSON type {kind:#x}")


def _send(sock: socket.socket, op_code: int, body: bytes) -> None:
    header = struct.pack("<iiii", 16 + len(body), next(_request_ids), 0, op_code)
    sock.sendall(header + body)


def _reply(sock: socket.socket) -> dict[str, Any]:
    length, _, _, op_code = struct.unpack("<iiii", recv_exact(sock, 16))
    if not 16 < length <= MAX_MESSAGE:
        raise ProbeError("not a MongoDB reply")
    body = recv_exact(sock, length - 16)
    try:
        if op_code == OP_MSG and body[4] == 0:
            return decode(body, 5)[0]
        if op_code == OP_REPLY:
            return decode(body, 20)[0]
    except (ValueError, IndexError) as exc:
        raise ProbeError(f"unreadable MongoDB reply: {exc}") from exc
    raise ProbeError("not a MongoDB reply")


def command_msg(sock: socket.socket, document: dict[str, int | str | bool]) -> dict[str, Any]:
    """Run a command with OP_MSG (MongoDB 3.6+)."""
    _send(sock, OP_MSG, struct.pack("<I", 0) + b"\x00" + encode({**document, "$db": "admin"}))
    return _reply(sock)


def command_query(sock: socket.socket, document: dict[str, int | str | bool]) -> dict[str, Any]:
    """Run a command with legacy OP_QUERY on ``admin.$cmd``."""
    _send(
        sock,
        OP_QUERY,
        struct.pack("<i", 0) + _cstring("admin.$cmd") + struct.pack("<ii", 0, -1) + encode(document),
    )
    return _reply(sock)


Command = Callable[[socket.socket, dict[str, int | str | bool]], dict[str, Any]]
_HANDSHAKES: tuple[tuple[Command, str], ...] = (
    (command_msg, "hello"),
    (command_msg, "isMaster"),
    (command_query, "isMaster"),
)


def _is_mongodb(answer: dict[str, Any]) -> bool:
    return "maxWireVersion" in answer or "ismaster" in answer or "isWritablePrimary" in answer


def mongodb(probe: PortProbe, tls: bool) -> bool:
    """True when the port speaks MongoDB; a finding when ``listDatabases`` works without credentials."""
    for command, name in _HANDSHAKES:
        try:
            with open_stream(probe, tls) as sock:
                hello = command(sock, {name: 1})
                if not _is_mongodb(hello):
                    continue
                listing = command(sock, {"listDatabases": 1, "nameOnly": True})
        except (OSError, ProbeError):
            continue
        probe.service = "mongodb"
        probe.open_details["max_wire_version"] = hello.get("maxWireVersion")
        if listing.get("ok") == 1 and isinstance(listing.get("databases"), list):
            probe.open_details["auth"] = "none"
            probe.found(
                "probe.mongodb.no_auth",
                "MongoDB lists its databases without authentication",
                {"databases": len(listing["databases"]), "handshake": name},
            )
        else:
            refused = listing.get("code") == _UNAUTHORIZED or "auth" in str(listing.get("errmsg", "")).lower()
            probe.open_details["auth"] = "required" if refused else "listDatabases refused"
        return True
    return False
