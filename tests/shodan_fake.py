"""A Shodan REST API look-alike on 127.0.0.1 (pytest-httpserver), and a fake clock for the sources.

The real ``shodan`` client reaches it through ``SHODAN_API_URL``; it answers ``GET /shodan/host/{ip}``
like api.shodan.io: the host JSON, ``404 {"error": "No information available for that IP."}``,
nginx's HTML 401 page for a wrong key, ``429`` with Shodan's rate-limit message, HTML 5xx pages.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

DATA = Path(__file__).parent / "data"
HOST_IP = "203.0.113.10"
"""The IP of the sample host (tests/data/shodan_host_203.0.113.10.json)."""

RATE_LIMITED = {
    "error": "Request rate limit reached (1 request/ second). Please wait a second before trying again "
    "and slow down your API calls."
}
NOT_FOUND = {"error": "No information available for that IP."}
UNAUTHORIZED_HTML = (
    "<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n"
    "<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
SERVER_ERROR_HTML = "<html><head><title>500 Internal Server Error</title></head><body>oops</body></html>"


def sample_host(ip: str = HOST_IP) -> dict[str, Any]:
    """The sample Shodan host answer (nginx 443 with a CVE, Redis 6379, PostgreSQL 5432), for ``ip``."""
    host: dict[str, Any] = json.loads((DATA / "shodan_host_203.0.113.10.json").read_text())
    if ip != HOST_IP:
        host = copy.deepcopy(host)
        host["ip_str"] = ip
        for banner in host["data"]:
            banner["ip_str"] = ip
    return host


class ShodanFake:
    """``/shodan/host/{ip}`` with scripted failures; records every request."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.hosts: dict[str, dict[str, Any]] = {}
        self.scripted: dict[str, list[int]] = defaultdict(list)
        self.requests: list[str] = []
        """The IPs asked for, in order."""
        self.keys_sent: list[str | None] = []
        self.server = HTTPServer(host="127.0.0.1", port=0)

    def reset(self) -> ShodanFake:
        """Forget hosts, scripts and recorded requests (one server serves a whole test module)."""
        self.server.check_assertions()
        self.server.clear()
        self.server.expect_request(re.compile(r"^/shodan/host/[^/]+$"), method="GET").respond_with_handler(
            self._handle
        )
        self.hosts.clear()
        self.scripted.clear()
        self.requests.clear()
        self.keys_sent.clear()
        return self

    @property
    def url(self) -> str:
        """Base URL for SHODAN_API_URL."""
        return f"http://127.0.0.1:{self.server.port}"

    def start(self) -> ShodanFake:
        """Start serving."""
        self.server.start()
        return self.reset()

    def stop(self) -> None:
        """Stop serving; raise if a request matched no handler."""
        self.server.check_assertions()
        if self.server.is_running():
            self.server.stop()

    def add_host(self, host: dict[str, Any]) -> None:
        """Serve ``host`` for its ``ip_str``."""
        self.hosts[host["ip_str"]] = host

    def fail(self, ip: str, *statuses: int) -> None:
        """Answer the next requests for ``ip`` with these statuses (429, 500, 502...), then normally."""
        self.scripted[ip].extend(statuses)

    def _handle(self, request: Request) -> Response:
        ip = request.path.rsplit("/", 1)[1]
        self.requests.append(ip)
        self.keys_sent.append(request.args.get("key"))
        if request.args.get("key") != self.key:
            return Response(UNAUTHORIZED_HTML, status=401, content_type="text/html")
        if self.scripted[ip]:
            status = self.scripted[ip].pop(0)
            if status == 429:
                return Response(json.dumps(RATE_LIMITED), status=429, content_type="application/json")
            return Response(SERVER_ERROR_HTML, status=status, content_type="text/html")
        if ip not in self.hosts:
            return Response(json.dumps(NOT_FOUND), status=404, content_type="application/json")
        return Response(json.dumps(self.hosts[ip]), status=200, content_type="application/json")


class FakeTime:
    """Wall clock, monotonic clock and sleep that only advance when the code sleeps (or the test says)."""

    def __init__(self, start: float = 1_714_550_400.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def time(self) -> float:
        """Epoch seconds."""
        return self.now

    def monotonic(self) -> float:
        """Same timeline as ``time``."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Record and advance."""
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        """Let time pass without a sleep."""
        self.now += seconds
