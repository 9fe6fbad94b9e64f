"""Local servers (127.0.0.1 only) the probe tests talk to: HTTP APIs, TLS, Redis, Memcached,
MongoDB, Elasticsearch, PostgreSQL/MySQL TLS negotiation. Each records what it saw."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import socketserver
import ssl
import struct
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from cloudaudit.exposure.model import Observation, SourceResult, Target, TargetPort
from cloudaudit.exposure.probe import ProbeSource
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions
from cloudaudit.progress import PlainProgress

LOCAL = "127.0.0.1"

# --------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class CertFiles:
    cert: Path
    key: Path


_KEYS: list[rsa.RSAPrivateKey] = []


def key() -> rsa.RSAPrivateKey:
    """The one RSA key every test certificate uses (generated once)."""
    if not _KEYS:
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    return _KEYS[0]


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(
    directory: Path,
    stem: str,
    common_name: str,
    names: tuple[str, ...] = (),
    *,
    days_left: float = 90,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
    ca: bool = False,
) -> tuple[CertFiles, x509.Certificate]:
    """A certificate (self-signed unless ``issuer``) valid until now + ``days_left`` (negative: expired)."""
    private = key()
    now = dt.datetime.now(dt.UTC)
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer[0].subject if issuer else _name(common_name))
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=400 if days_left < 0 else 1))
        .not_valid_after(now + dt.timedelta(days=days_left))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    cert = builder.sign(issuer[1] if issuer else private, hashes.SHA256())
    files = CertFiles(directory / f"{stem}.pem", directory / f"{stem}.key")
    files.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return files, cert


def server_context(files: CertFiles, *, legacy: bool = False, only_tls1_0: bool = False) -> ssl.SSLContext:
    """A server context; ``legacy`` also accepts TLS 1.0 and 1.1 (security level 0)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(files.cert, files.key)
    if legacy or only_tls1_0:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            if only_tls1_0:
                context.maximum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("ALL:@SECLEVEL=0")
    else:
        context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


# --------------------------------------------------------------------------- server plumbing


class Server(socketserver.ThreadingTCPServer):
    """A threaded TCP server on 127.0.0.1 that counts connections and records what it saw."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        handler: type[socketserver.BaseRequestHandler],
        tls: ssl.SSLContext | None = None,
        starttls: Callable[[socket.socket], bool] | None = None,
        **settings: Any,
    ) -> None:
        super().__init__((LOCAL, 0), handler)
        self.tls = tls
        self.starttls = starttls
        self.settings = settings
        self.connections = 0
        self.hosts: list[str] = []
        self.sni: list[str | None] = []
        self.tls_versions: list[str] = []
        self.requests: list[str] = []
        self.commands: list[str] = []
        self.lock = threading.Lock()
        if tls is not None:
            tls.sni_callback = self._sni

    def _sni(self, sslobj: ssl.SSLObject, name: str | None, context: ssl.SSLContext) -> None:
        with self.lock:
            self.sni.append(name)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def record(self, bucket: list[Any], item: Any) -> None:
        with self.lock:
            bucket.append(item)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.lock:
            self.connections += 1
        super().process_request(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(5)
        if self.starttls is not None and not self.starttls(request):
            return
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (OSError, ssl.SSLError):
                return
            self.record(self.tls_versions, request.version())
        try:
            super().finish_request(request, client_address)
        except OSError:
            return

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up early are normal here."""


@contextmanager
def running(server: Server) -> Iterator[Server]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind((LOCAL, 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- HTTP APIs

TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/home/deploy/orders/api/views.py", line 42, in get_order\n'
    "    payload = json.loads(request.body)\n"
    "json.decoder.JSONDecodeError: Expecting value: line 1 column 22\n"
)
ENV_FILE = "DB_PASSWORD=hunter2-do-not-leak\nSTRIPE_KEY=sk_live_do_not_leak\n"


class _Http(BaseHTTPRequestHandler):
    server: Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes | str, headers: dict[str, str]) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _record(self) -> None:
        self.server.record(self.server.hosts, self.headers.get("Host", ""))
        self.server.record(self.server.requests, f"{self.command} {self.path}")


class BadApi(_Http):
    """Reflecting CORS with credentials, TRACE, no security headers, tracebacks, exposed files."""

    def _cors(self) -> dict[str, str]:
        origin = self.headers.get("Origin")
        return (
            {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true"}
            if origin
            else {}
        )

    def do_GET(self) -> None:
        self._record()
        body = self._body()
        if self.path.startswith("/%ff") or body:
            self._send(
                500, f"<html><body><pre>{TRACEBACK}</pre></body></html>", {"Content-Type": "text/html"}
            )
        elif self.path == "/":
            self._send(200, '{"service": "orders"}', {"Content-Type": "application/json", **self._cors()})
        elif self.path == "/.git/config":
            self._send(
                200, "[core]\n\trepositoryformatversion = 0\n\tbare = false\n", {"Content-Type": "text/plain"}
            )
        elif self.path == "/.env":
            self._send(200, ENV_FILE, {"Content-Type": "text/plain"})
        else:
            self._send(404, "not found", {"Content-Type": "text/plain"})

    def do_TRACE(self) -> None:
        self._record()
        echo = f"{self.requestline}\r\n{self.headers}"
        self._send(200, echo, {"Content-Type": "message/http"})

    def do_OPTIONS(self) -> None:
        self._record()
        self._send(200, "", {"Allow": "GET, POST, PUT, DELETE, PATCH, OPTIONS", **self._cors()})

    def do_PUT(self) -> None:  # the probe must never send these
        self._record()
        self._send(500, "", {})

    do_DELETE = do_PUT
    do_PATCH = do_PUT
    do_POST = do_PUT


class GoodApi(_Http):
    """Security headers, an allow-listed CORS origin, no TRACE, plain errors, a catch-all HTML page."""

    ALLOWED_ORIGIN = "https://app.example.test"

    def _headers(self, content_type: str) -> dict[str, str]:
        headers = {
            "Content-Type": content_type,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'self'",
            "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        }
        if self.headers.get("Origin") == self.ALLOWED_ORIGIN:
            headers.update({"Access-Control-Allow-Origin": self.ALLOWED_ORIGIN, "Vary": "Origin"})
        return headers

    def do_GET(self) -> None:
        self._record()
        body = self._body()
        if self.path.startswith("/%ff") or body:
            self._send(400, "Bad Request", self._headers("text/plain"))
        elif self.path == "/":
            self._send(200, '{"service": "orders"}', self._headers("application/json"))
        else:  # a single-page app answers 200 with its index for every path
            self._send(200, "<!doctype html><html><body>app</body></html>", self._headers("text/html"))

    def do_TRACE(self) -> None:
        self._record()
        self._send(405, "", self._headers("text/plain"))

    def do_OPTIONS(self) -> None:
        self._record()
        self._send(204, "", {"Allow": "GET, HEAD, OPTIONS"})


class SearchNode(_Http):
    """Elasticsearch/OpenSearch REST: cluster info and _cat/indices (401 when ``auth`` is set)."""

    def do_GET(self) -> None:
        self._record()
        if self.server.settings.get("auth"):
            self._send(
                401, "{}", {"Content-Type": "application/json", "WWW-Authenticate": 'Basic realm="security"'}
            )
        elif self.path == "/":
            info = {
                "name": "node-1",
                "cluster_name": "orders-search",
                "version": {"number": "7.10.2", "build_flavor": "default"},
                "tagline": "You Know, for Search",
            }
            self._send(200, json.dumps(info), {"Content-Type": "application/json"})
        elif self.path.startswith("/_cat/indices"):
            indices = [{"index": "customers", "docs.count": "1200"}, {"index": "orders", "docs.count": "5"}]
            self._send(200, json.dumps(indices), {"Content-Type": "application/json"})
        else:
            self._send(404, "{}", {"Content-Type": "application/json"})


# --------------------------------------------------------------------------- Redis / Memcached


class RedisLike(socketserver.StreamRequestHandler):
    """RESP: PING and INFO; ``-NOAUTH`` for everything when the server has ``password`` set."""

    server: Server

    def handle(self) -> None:
        while True:
            command = self._command()
            if not command:
                return
            self.server.record(self.server.commands, " ".join(command))
            if self.server.settings.get("password"):
                self.wfile.write(b"-NOAUTH Authentication required.\r\n")
            elif command[0].upper() == "PING":
                self.wfile.write(b"+PONG\r\n")
            elif command[0].upper() == "INFO":
                info = b"# Server\r\nredis_version:7.2.4\r\nredis_mode:standalone\r\n"
                info += b"executable:/usr/bin/redis-server\r\n"
                self.wfile.write(b"$%d\r\n%s\r\n" % (len(info), info))
            else:
                self.wfile.write(b"-ERR unknown command\r\n")

    def _command(self) -> list[str]:
        line = self.rfile.readline().strip()
        if not line.startswith(b"*"):
            return line.decode().split()
        parts = []
        for _ in range(int(line[1:])):
            size = int(self.rfile.readline().strip()[1:])
            parts.append(self.rfile.read(size + 2)[:-2].decode())
        return parts


class MemcachedLike(socketserver.StreamRequestHandler):
    """The text protocol's ``stats``."""

    server: Server

    def handle(self) -> None:
        line = self.rfile.readline().strip().decode()
        if not line:
            return
        self.server.record(self.server.commands, line)
        if line == "stats":
            self.wfile.write(b"STAT pid 7\r\nSTAT version 1.6.21\r\nSTAT curr_items 12\r\nEND\r\n")
        else:
            self.wfile.write(b"ERROR\r\n")


# --------------------------------------------------------------------------- MongoDB (OP_MSG)


def bson(document: dict[str, Any]) -> bytes:
    """Independent minimal BSON encoder (double, string, document, array, bool, int32)."""
    body = b""
    for key, value in document.items():
        name = key.encode() + b"\x00"
        if isinstance(value, bool):
            body += b"\x08" + name + (b"\x01" if value else b"\x00")
        elif isinstance(value, int):
            body += b"\x10" + name + struct.pack("<i", value)
        elif isinstance(value, float):
            body += b"\x01" + name + struct.pack("<d", value)
        elif isinstance(value, str):
            data = value.encode() + b"\x00"
            body += b"\x02" + name + struct.pack("<i", len(data)) + data
        elif isinstance(value, list):
            body += b"\x04" + name + bson({str(i): v for i, v in enumerate(value)})
        else:
            body += b"\x03" + name + bson(value)
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def first_key(document: bytes) -> str:
    """The command name: the first element's key."""
    return document[5 : document.index(b"\x00", 5)].decode()


class MongoLike(socketserver.BaseRequestHandler):
    """OP_MSG hello/isMaster and listDatabases (code 13 Unauthorized when ``auth`` is set);
    with ``legacy``, a pre-3.6 server: OP_QUERY on admin.$cmd only."""

    server: Server

    def handle(self) -> None:
        while True:
            header = self._exact(16)
            if header is None:
                return
            length, request_id, _, op_code = struct.unpack("<iiii", header)
            body = self._exact(length - 16)
            legacy = bool(self.server.settings.get("legacy"))
            if body is None or op_code != (2004 if legacy else 2013):
                return  # a pre-3.6 server hangs up on OP_MSG
            document = body[body.index(b"\x00", 4) + 9 :] if legacy else body[5:]
            command = first_key(document)
            self.server.record(self.server.commands, f"{'OP_QUERY ' if legacy else ''}{command}")
            if command in ("hello", "isMaster"):
                reply: dict[str, Any] = {"isWritablePrimary": True, "maxWireVersion": 21, "ok": 1.0}
            elif command == "listDatabases" and self.server.settings.get("auth"):
                reply = {"ok": 0.0, "errmsg": "command listDatabases requires authentication", "code": 13}
            elif command == "listDatabases":
                reply = {"databases": [{"name": "admin"}, {"name": "orders"}], "totalSize": 1.0, "ok": 1.0}
            else:
                reply = {"ok": 0.0, "errmsg": "no such command", "code": 59}
            if legacy:
                payload = struct.pack("<iqii", 0, 0, 0, 1) + bson(reply)
            else:
                payload = struct.pack("<I", 0) + b"\x00" + bson(reply)
            header = struct.pack("<iiii", 16 + len(payload), 99, request_id, 1 if legacy else 2013)
            self.request.sendall(header + payload)

    def _exact(self, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            chunk = self.request.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return data


# --------------------------------------------------------------------------- slow servers


class Trickle(socketserver.BaseRequestHandler):
    """An HTTP status line, then a header line every 50 ms until the client goes away (never ends)."""

    def handle(self) -> None:
        self.request.sendall(b"HTTP/1.1 200 OK\r\n")
        count = 0
        while True:
            count += 1
            try:
                self.request.sendall(f"X-Slow-{count}: a\r\n".encode())
            except OSError:
                return
            time.sleep(0.05)


# --------------------------------------------------------------------------- PostgreSQL / MySQL TLS


class Silent(socketserver.BaseRequestHandler):
    """Accepts and reads until the client hangs up (the TLS part is done by the server)."""

    def handle(self) -> None:
        while self.request.recv(1024):
            pass


def postgres_starttls(offer: bool) -> Callable[[socket.socket], bool]:
    """Answer PostgreSQL's SSLRequest with S (then TLS) or N."""

    def negotiate(sock: socket.socket) -> bool:
        data = b""
        while len(data) < 8:
            chunk = sock.recv(8 - len(data))
            if not chunk:
                return False
            data += chunk
        if struct.unpack("!II", data) != (8, 80877103):
            return False
        sock.sendall(b"S" if offer else b"N")
        return offer

    return negotiate


def mysql_starttls(offer: bool) -> Callable[[socket.socket], bool]:
    """Send a MySQL greeting (CLIENT_SSL when ``offer``), then expect the client's SSLRequest."""

    def negotiate(sock: socket.socket) -> bool:
        capabilities = 0xFFFF if offer else 0xFFFF & ~0x0800
        payload = (
            b"\x0a8.0.36\x00"
            + struct.pack("<I", 7)
            + b"abcdefgh\x00"
            + struct.pack("<H", capabilities)
            + b"\x21"
            + struct.pack("<H", 2)
            + struct.pack("<H", 0x81FF)
            + b"\x15"
            + b"\x00" * 10
            + b"ijklmnopqrst\x00"
            + b"caching_sha2_password\x00"
        )
        sock.sendall(len(payload).to_bytes(3, "little") + b"\x00" + payload)
        if not offer:
            return False
        request = b""
        while len(request) < 36:
            chunk = sock.recv(36 - len(request))
            if not chunk:
                return False
            request += chunk
        return bool(struct.unpack_from("<I", request, 4)[0] & 0x0800)

    return negotiate


# --------------------------------------------------------------------------- running the probe


def options(
    *connect_to: ConnectTo, rate: float = 1000.0, timeout: float = 3.0, private: bool = True
) -> ExposureOptions:
    """Probe options for the stand-ins; ``private``: they listen on loopback, so --probe-private is on."""
    return ExposureOptions(
        probe=True,
        connect_to=connect_to,
        probe_rate_per_second=rate,
        timeout_seconds=timeout,
        probe_private=private,
    )


def target(host: str, *ports: int | tuple[int, str]) -> Target:
    items = [
        TargetPort(port=p) if isinstance(p, int) else TargetPort(port=p[0], application=p[1]) for p in ports
    ]
    return Target(
        host=host, asset_ids=(f"arn:aws:ec2:us-east-1:123456789012:instance/i-{host}",), ports=tuple(items)
    )


def probe(
    *targets: Target, connect_to: tuple[ConnectTo, ...] = (), timeout: float = 3.0, **kwargs: Any
) -> SourceResult:
    source = ProbeSource(options(*connect_to, timeout=timeout), **kwargs)
    assert source.plan(targets).startswith("probe:")
    return source.observe(targets, PlainProgress())


def checks(result: SourceResult) -> set[str]:
    return {o.check for o in result.observations if o.check}


def observation(result: SourceResult, check: str) -> Observation:
    (found,) = [o for o in result.observations if o.check == check]
    return found


def opened(result: SourceResult, port: int) -> Observation:
    (found,) = [o for o in result.observations if o.kind == "open_port" and o.port == port]
    return found
