"""A server that trickles bytes forever cannot hold a probe worker: every connection has a budget."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from cloudaudit.exposure.probe.connect import CONNECTION_BUDGET_TIMEOUTS, Connector
from cloudaudit.exposure.ratelimit import RateLimiter
from cloudaudit.exposure.sources import ConnectTo

TIMEOUT = 0.25


@pytest.fixture
def trickler() -> Iterator[int]:
    """Accepts, then sends one byte every 50 ms (well inside the per-read timeout) until told to stop."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not stop.is_set():
                try:
                    conn.sendall(b"a")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    server.close()


def test_a_trickling_server_is_cut_off_after_the_connection_budget(trickler: int) -> None:
    connector = Connector(
        (ConnectTo("slow.example.test", 80, "127.0.0.1", trickler),), RateLimiter(100), TIMEOUT
    )
    endpoint = connector.endpoint("slow.example.test", 80)
    received = bytearray()
    ended = threading.Event()

    def read_forever() -> None:
        sock = connector.open(endpoint)
        with sock:
            try:
                while chunk := sock.recv(16):
                    received.extend(chunk)
            except OSError:
                pass
        ended.set()

    threading.Thread(target=read_forever, daemon=True).start()
    # Without the watchdog this read never ends; with it, it ends near 4 x 0.25 s. The wait is generous.
    assert ended.wait(timeout=30 * TIMEOUT * CONNECTION_BUDGET_TIMEOUTS), "the slow connection was never cut"
    assert received.startswith(b"HTTP/1.1 200 OK")
