"""Deliberately misconfigured local services for ``cloudaudit demo --probe`` (127.0.0.1 only).

The demo maps the sample accounts' public endpoints onto these with ``--connect-to``, so the
probe has something real to find: an HTTP API that reflects any Origin with credentials,
answers TRACE, leaks a stack trace and serves ``/.git/config``; a Redis that needs no AUTH; a
PostgreSQL that refuses TLS and asks for a clear-text password. They serve fixed, harmless
content and bind to the loopback interface only.
"""

from __future__ import annotations

import socketserver
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STACK_TRACE = """Traceback (most recent call last):
  File "/srv/orders/app/views.py", line 42, in get_order
    order = Order.objects.get(pk=request.args["id"])
KeyError: 'id'
"""

GIT_CONFIG = """[core]
\trepositoryformatversion = 0
\tbare = false
[remote "origin"]
\turl = https://git.example.invalid/orders-api.git
"""


class _BadApi(BaseHTTPRequestHandler):
    """An API with the classic API7 mistakes."""

    server_version = "demo-orders-api/1.0"

    def log_message(self, format: str, *args: object) -> None:
        """Silent: the demo's terminal shows cloudaudit's output only."""

    def _cors(self) -> None:
        origin = self.headers.get("Origin")
        if origin:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Credentials", "true")

    def _send(self, status: int, body: str, content_type: str = "application/json") -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self._cors()
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self) -> None:
        """JSON orders, a leaked .git/config, and a stack trace for anything malformed."""
        if self.path == "/.git/config":
            self._send(200, GIT_CONFIG, "text/plain")
        elif "%" in self.path or "'" in self.path:
            self._send(500, STACK_TRACE, "text/plain")
        elif self.path in ("/", "/orders"):
            self._send(200, '{"orders": [{"id": 1, "total": 42}]}')
        else:
            self._send(404, '{"error": "not found"}')

    def do_HEAD(self) -> None:
        """Same headers as GET."""
        self.do_GET()

    def do_OPTIONS(self) -> None:
        """Advertises every method, writes included."""
        self.send_response(204)
        self.send_header("Allow", "GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE")
        self._cors()
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_TRACE(self) -> None:
        """Echoes the request back, as TRACE does."""
        lines = [f"{self.command} {self.path} {self.request_version}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        self._send(200, "\r\n".join(lines) + "\r\n", "message/http")


class _OpenRedis(socketserver.StreamRequestHandler):
    """Enough of the Redis protocol to answer PING, INFO and anything else without AUTH."""

    def handle(self) -> None:
        """Read RESP arrays or inline commands until the client leaves."""
        while True:
            line = self.rfile.readline()
            if not line:
                return
            words = line.strip().split()
            if line.startswith(b"*"):
                count = int(line[1:].strip() or b"0")
                words = []
                for _ in range(count):
                    self.rfile.readline()  # $<len>
                    words.append(self.rfile.readline().strip())
            command = words[0].upper() if words else b""
            if command == b"PING":
                self.wfile.write(b"+PONG\r\n")
            elif command == b"INFO":
                info = b"# Server\r\nredis_version:7.0.11\r\nredis_mode:standalone\r\n"
                self.wfile.write(b"$%d\r\n%s\r\n" % (len(info), info))
            elif command == b"QUIT":
                self.wfile.write(b"+OK\r\n")
                return
            else:
                self.wfile.write(b"-ERR unknown command\r\n")


_PG_NEGOTIATIONS = (80877103, 80877104)
"""SSLRequest and GSSENCRequest codes: PostgreSQL answers ``N`` to what it does not offer."""
_PG_CLEARTEXT_PASSWORD = b"R" + struct.pack("!II", 8, 3)
"""AuthenticationCleartextPassword."""


class _PlainPostgres(socketserver.StreamRequestHandler):
    """Enough of PostgreSQL's start-up to refuse TLS and ask for a password in clear text."""

    def handle(self) -> None:
        """``N`` to each TLS or GSS encryption request; a clear-text password request to the start-up."""
        while True:
            header = self.rfile.read(4)
            if len(header) < 4:
                return
            length = int.from_bytes(header, "big")
            if not 8 <= length <= 10_000:
                return
            body = self.rfile.read(length - 4)
            if length == 8 and int.from_bytes(body[:4], "big") in _PG_NEGOTIATIONS:
                self.wfile.write(b"N")
                continue
            self.wfile.write(_PG_CLEARTEXT_PASSWORD)
            return


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass(frozen=True)
class DemoServices:
    """Where the demo services listen."""

    http_port: int
    redis_port: int
    postgres_port: int
    host: str = "127.0.0.1"


@contextmanager
def demo_services() -> Iterator[DemoServices]:
    """Start the services on ephemeral loopback ports; stop them on exit."""
    http = ThreadingHTTPServer(("127.0.0.1", 0), _BadApi)
    http.daemon_threads = True
    redis = _TcpServer(("127.0.0.1", 0), _OpenRedis)
    postgres = _TcpServer(("127.0.0.1", 0), _PlainPostgres)
    servers: tuple[socketserver.BaseServer, ...] = (http, redis, postgres)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield DemoServices(
            http_port=http.server_address[1],
            redis_port=redis.server_address[1],
            postgres_port=postgres.server_address[1],
        )
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
