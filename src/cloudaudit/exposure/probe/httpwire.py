"""One HTTP/1.1 request over the probe's own socket (never a proxy, never a redirect followed)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cloudaudit.exposure.probe.connect import ProbeError
from cloudaudit.exposure.probe.results import PortProbe

MAX_BODY = 65536
"""Bytes of a body read at most (the checks look for markers near the top)."""
USER_AGENT = "cloudaudit-probe (read-only exposure check)"


@dataclass(frozen=True)
class Response:
    """Status, headers (lower-case names, repeated ones joined) and the start of the body."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str:
        """A header's value, "" when absent."""
        return self.headers.get(name.lower(), "")

    @property
    def media_type(self) -> str:
        """``application/json`` from ``Content-Type: application/json; charset=utf-8``."""
        return self.header("content-type").split(";")[0].strip().lower()

    @property
    def is_json(self) -> bool:
        """True for JSON media types."""
        return self.media_type == "application/json" or self.media_type.endswith("+json")

    @property
    def is_html(self) -> bool:
        """True for HTML media types."""
        return self.media_type in ("text/html", "application/xhtml+xml")

    @property
    def text(self) -> str:
        """The body decoded leniently."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON, None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


def request(
    probe: PortProbe,
    tls: bool,
    method: str,
    target: str,
    headers: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
) -> Response:
    """Send one request (``Connection: close``); raises ProbeError when no HTTP answer comes back."""
    lines = [
        f"{method} {target} HTTP/1.1",
        f"Host: {probe.endpoint.host_header(tls)}",
        f"User-Agent: {USER_AGENT}",
        "Accept: */*",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers),
    ]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    payload = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    try:
        sock = (
            probe.connector.open_tls(probe.endpoint, probe.tls())
            if tls
            else probe.connector.open(probe.endpoint)
        )
        with sock:
            sock.sendall(payload)
            response = http.client.HTTPResponse(sock, method=method)
            try:
                response.begin()
                data = _read_body(response)
            finally:
                response.close()
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise ProbeError(f"{method} {target}: no HTTP answer ({type(exc).__name__}: {exc})") from exc
    joined: dict[str, str] = {}
    for name, value in response.headers.items():
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return Response(status=response.status, headers=joined, body=data)


def _read_body(response: http.client.HTTPResponse) -> bytes:
    """Up to MAX_BODY bytes; what arrived is kept when the server stalls or hangs up mid-body."""
    data = bytearray()
    try:
        while len(data) < MAX_BODY:
            chunk = response.read1(MAX_BODY - len(data))
            if not chunk:
                break
            data += chunk
    except (TimeoutError, http.client.IncompleteRead, ConnectionError):
        pass
    return bytes(data)
