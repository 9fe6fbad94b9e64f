"""A 127.0.0.1 proxy in front of the demo's S3 emulator that denies the auditor one read.

The sample account keeps one bucket policy private (``acme-finance-archive``): its
``GetBucketPolicy`` is answered with S3's own ``AccessDenied`` error, everything else is passed to
moto unchanged. Every demo run thus shows a real coverage gap, produced by the real collection path
(botocore parses the error, the guard records the gap, the checks that needed the policy say UNKNOWN).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DENIED_BUCKET = "acme-finance-archive"
ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message><RequestId>DEMO0DENIED0001</RequestId></Error>"
)
HOP_BY_HOP = frozenset({"connection", "transfer-encoding", "keep-alive", "content-length"})


def is_denied(method: str, target: str) -> bool:
    """``GET /acme-finance-archive?policy`` (path-style GetBucketPolicy on the denied bucket)."""
    url = urlsplit(target)
    return (
        method == "GET"
        and url.path.strip("/") == DENIED_BUCKET
        and "policy" in parse_qs(url.query, keep_blank_values=True)
    )


def answer(handler: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    """Send a relayed response: the upstream's headers (less the hop-by-hop ones) and its body."""
    handler.send_response(status)
    for name, value in headers:
        if name.lower() not in HOP_BY_HOP:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)


def _handler(upstream_host: str, upstream_port: int) -> type[BaseHTTPRequestHandler]:
    class Forward(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if is_denied(self.command, self.path):
                self._answer(403, [("Content-Type", "application/xml")], ACCESS_DENIED)
                return
            conn = http.client.HTTPConnection(upstream_host, upstream_port, timeout=30)
            try:
                conn.request(self.command, self.path, body=body or None, headers=dict(self.headers.items()))
                resp = conn.getresponse()
                self._answer(resp.status, resp.getheaders(), resp.read())
            finally:
                conn.close()

        def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            answer(self, status, headers, body)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _relay

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo prints its own progress."""

    return Forward


@contextmanager
def denying_proxy(upstream_host: str, upstream_port: int) -> Iterator[str]:
    """Run the proxy on 127.0.0.1 for the block; yields its endpoint URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(upstream_host, upstream_port))
    thread = threading.Thread(target=server.serve_forever, name="demo-s3-proxy", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
