"""Direct connections to an audited endpoint: ``--connect-to`` mapping, rate limit, timeouts.

Sockets are opened here and nowhere else, always straight to the endpoint (or its ``--connect-to``
target): no proxy environment variable is ever consulted.
"""

from __future__ import annotations

import contextlib
import errno
import heapq
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cloudaudit.exposure.probe.budget import UNLIMITED, Budget
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.sources import ConnectTo

StartTls = Callable[[socket.socket], None]
"""Runs a protocol's in-band TLS upgrade request (PostgreSQL, MySQL) before the handshake."""

_CLOSED_ERRNOS = {errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ECONNRESET}


class ProbeError(Exception):
    """A probe step failed; the message says what and is safe to report."""


class ConnectFailed(ProbeError):
    """No connection: ``closed`` is True when the endpoint answered (refused, timed out)."""

    def __init__(self, reason: str, *, closed: bool) -> None:
        super().__init__(reason)
        self.closed = closed


class BudgetSpent(ConnectFailed):
    """No connection because a target or probe budget ran out (nothing was sent)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"not probed: {what} ran out", closed=False)


@dataclass(frozen=True)
class Endpoint:
    """One port of one target, with where the socket really goes."""

    host: str
    """The original host name or address (for ``Host``, SNI and certificate name checks)."""
    port: int
    connect_host: str
    connect_port: int
    mapped: bool = False
    """True when a ``--connect-to`` mapping applies (the socket goes to ``connect_host``)."""
    addresses: tuple[str, ...] = ()
    """Unmapped: the addresses admitted at planning, connected to in order (no second DNS lookup)."""
    budget: Budget = field(default=UNLIMITED, compare=False)
    """The target's and the whole probe's deadlines."""

    @property
    def redirected(self) -> bool:
        """True when the socket goes somewhere else than ``host:port``."""
        return (self.connect_host, self.connect_port) != (self.host, self.port)

    @property
    def is_ip(self) -> bool:
        """True when the original host is an address literal (no SNI is sent)."""
        return _is_ip(self.host)

    @property
    def label(self) -> str:
        """``host:port`` (IPv6 literals bracketed)."""
        return f"{_bracket(self.host)}:{self.port}"

    @property
    def connect_label(self) -> str:
        """``connect_host:connect_port``."""
        return f"{_bracket(self.connect_host)}:{self.connect_port}"

    @property
    def sni(self) -> str | None:
        """The TLS server name: the original host, unless it is an address."""
        return None if self.is_ip else self.host

    def host_header(self, tls: bool) -> str:
        """The HTTP ``Host`` value for the original host and port."""
        default = 443 if tls else 80
        return _bracket(self.host) if self.port == default else self.label


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


CONNECTION_BUDGET_TIMEOUTS = 4
"""A connection lives at most this many timeouts in all (a server trickling bytes cannot hold a worker)."""


class Watchdog:
    """One daemon thread that shuts down sockets past their deadline (unblocking any read on them)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, socket.socket]] = []
        self._count = 0
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, seconds: float) -> None:
        """Shut ``sock`` down ``seconds`` from now unless it is closed before (then nothing happens)."""
        with self._wake:
            self._count += 1
            heapq.heappush(self._heap, (time.monotonic() + seconds, self._count, sock))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="probe-watchdog", daemon=True)
                self._thread.start()
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._heap:
                    self._wake.wait()
                deadline, _, sock = self._heap[0]
                delay = deadline - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._heap)
            with contextlib.suppress(OSError):  # already closed: its own descriptor is gone (-1)
                sock.shutdown(socket.SHUT_RDWR)


WATCHDOG = Watchdog()


class Connector:
    """Opens rate-limited, time-limited, direct TCP (and TLS) connections."""

    def __init__(self, connect_to: Sequence[ConnectTo], limiter: RateLimiter, timeout: float) -> None:
        self.connect_to = tuple(connect_to)
        self.limiter = limiter
        self.timeout = timeout

    def endpoint(self, host: str, port: int) -> Endpoint:
        """Where ``host:port`` is really reached: the first matching ``--connect-to``, like curl."""
        for mapping in self.connect_to:
            if mapping.matches(host, port):
                target_host, target_port = mapping.resolve(host, port)
                return Endpoint(host, port, target_host, target_port, mapped=True)
        return Endpoint(host, port, host, port)

    def _allowance(self, endpoint: Endpoint) -> float:
        """How long a new connection may live: its own budget, or less when a deadline is nearer."""
        return min(self.timeout * CONNECTION_BUDGET_TIMEOUTS, endpoint.budget.remaining())

    def _check_budget(self, endpoint: Endpoint) -> None:
        spent = endpoint.budget.spent()
        if spent is not None:
            raise BudgetSpent(spent.what)

    def _connect(self, endpoint: Endpoint) -> socket.socket:
        hosts = endpoint.addresses if endpoint.addresses and not endpoint.mapped else (endpoint.connect_host,)
        timeout = max(0.001, min(self.timeout, endpoint.budget.remaining()))
        for host in hosts[:-1]:
            with contextlib.suppress(OSError):
                return socket.create_connection((host, endpoint.connect_port), timeout=timeout)
        return socket.create_connection((hosts[-1], endpoint.connect_port), timeout=timeout)

    def open(self, endpoint: Endpoint) -> socket.socket:
        """A connected TCP socket (after waiting for the rate limiter); raises :class:`ConnectFailed`.

        Nothing is opened once the endpoint's budget is spent (:class:`BudgetSpent`), and the
        watchdog cuts the connection at its own budget or the budget's deadline, whichever is first.
        """
        self._check_budget(endpoint)
        self.limiter.acquire()
        self._check_budget(endpoint)
        try:
            sock = self._connect(endpoint)
            WATCHDOG.watch(sock, self._allowance(endpoint))
            return sock
        except socket.gaierror as exc:
            raise ConnectFailed(
                f"cannot resolve {endpoint.connect_host}: {exc.strerror}", closed=False
            ) from exc
        except UnicodeError as exc:
            raise ConnectFailed(f"invalid host name {endpoint.connect_host!r}", closed=False) from exc
        except TimeoutError as exc:
            self._check_budget(endpoint)
            raise ConnectFailed(f"no answer within {self.timeout:g} s (filtered)", closed=True) from exc
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise ConnectFailed(reason, closed=exc.errno in _CLOSED_ERRNOS) from exc

    def open_tls(
        self, endpoint: Endpoint, context: ssl.SSLContext, starttls: StartTls | None = None
    ) -> ssl.SSLSocket:
        """A TLS connection with SNI set to the original host; raises ProbeError or ``ssl.SSLError``."""
        sock = self.open(endpoint)
        try:
            if starttls is not None:
                starttls(sock)
            wrapped = context.wrap_socket(sock, server_hostname=endpoint.sni)
            WATCHDOG.watch(wrapped, self._allowance(endpoint))  # owns the descriptor now
            return wrapped
        except BaseException:
            sock.close()
            raise


def recv_exact(sock: socket.socket, size: int) -> bytes:
    """Exactly ``size`` bytes; raises ProbeError when the peer closes first."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ProbeError("connection closed by the server")
        chunks += chunk
    return bytes(chunks)


def recv_until(sock: socket.socket, marker: bytes, limit: int = 65536) -> bytes:
    """Bytes up to and including ``marker`` (or up to ``limit`` / the peer closing)."""
    data = bytearray()
    while marker not in data and len(data) < limit:
        chunk = sock.recv(min(4096, limit - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)
