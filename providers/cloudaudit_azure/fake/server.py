"""The fake's WSGI app and its threaded HTTPS server on 127.0.0.1 (a throwaway CA), a context manager.

ARM's ways are kept: every request needs a bearer token and an ``api-version``; a list answers
``{"value": [...]}`` and, beyond ``page_size`` items, a ``nextLink`` (an absolute URL with a
``$skiptoken``) that the clients follow; an unknown path is 404 ``ResourceNotFound``; anything but GET
is 405 and logged, so a test can prove the audit never wrote. Management groups list their descendants
(:mod:`.management_groups`).
"""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import trustme
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from cloudaudit_azure.fake.faults import Fault, FaultTable, denied
from cloudaudit_azure.fake.management_groups import GROUPS, FakeManagementGroup, descendants
from cloudaudit_azure.fake.state import JSON, FakeSubscription, Store

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PAGE_SIZE = 100
"""Items per page of a list (ARM's own pages vary by service; the clients follow ``nextLink``)."""


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fake answered: method, path, query and status."""

    method: str
    path: str
    query: dict[str, str]
    status: int


class _QuietHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, as ARM answers (a TLS handshake per request would be the fake's cost,
    not the client's); no access log on stderr: the request log is the record."""

    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


def _error(status: int, code: str, message: str) -> tuple[int, JSON, dict[str, str]]:
    return status, {"error": {"code": code, "message": message}}, {}


class FakeArm:
    """Serves subscriptions over Azure Resource Manager: ``with FakeArm([...]) as arm: arm.url``.

    ``arm.ca_path`` is the PEM of the CA that signed its certificate: give it to the clients as
    ``REQUESTS_CA_BUNDLE`` (the production code path runs unmodified).
    """

    def __init__(
        self,
        subscriptions: Sequence[FakeSubscription],
        page_size: int = PAGE_SIZE,
        management_groups: Sequence[FakeManagementGroup] = (),
    ) -> None:
        self.subscriptions = list(subscriptions)
        self.management_groups = list(management_groups)
        self.store = Store(subscriptions)
        self.faults = FaultTable()
        self.page_size = page_size
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="cloudaudit-fake-arm-")
        self._ca = trustme.CA()
        self.ca_path = Path(self._dir.name) / "ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_path))

    # -------------------------------------------------------------- lifecycle

    def start(self) -> str:
        """Bind 127.0.0.1 on a free port, serve HTTPS in a thread and return the ARM root URL."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        self._server = make_server(
            "127.0.0.1", 0, self.wsgi, threaded=True, request_handler=_QuietHandler, ssl_context=context
        )
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="fake-arm", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving, release the port and delete the CA file."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None
        self._dir.cleanup()

    def __enter__(self) -> FakeArm:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``https://127.0.0.1:PORT``: the ``--endpoint-url`` of the audit."""
        if self._server is None:
            raise RuntimeError("the fake is not started")
        return f"https://127.0.0.1:{self._server.server_port}"

    # -------------------------------------------------------------- test helpers

    def inject(self, pattern: str, fault: Fault) -> None:
        """Answer paths matching ``pattern`` (fnmatch, case-insensitive) with ``fault``."""
        self.faults.add(pattern, fault)

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request answered so far, in order."""
        with self._lock:
            return list(self._log)

    def writes(self) -> list[LoggedRequest]:
        """Every request that was not a GET (an audit must make none)."""
        return [r for r in self.requests if r.method != "GET"]

    # -------------------------------------------------------------- WSGI

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point."""
        request = Request(environ)
        status, body, headers = self._answer(request)
        with self._lock:
            self._log.append(LoggedRequest(request.method, request.path, dict(request.args), status))
        response = Response(json.dumps(body), status=status, headers=headers, content_type="application/json")
        return response(environ, start_response)

    def _answer(self, request: Request) -> tuple[int, JSON, dict[str, str]]:
        if request.method != "GET":
            status, body, _ = _error(405, "MethodNotAllowed", f"The fake is read-only: {request.method}.")
            return status, body, {"Allow": "GET"}
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return _error(401, "AuthenticationFailed", "Authentication failed: no bearer token.")
        if not request.args.get("api-version"):
            return _error(400, "MissingApiVersionParameter", "The api-version query parameter is required.")
        fault = self.faults.find(request.path)
        if fault is not None:
            return fault.answer()
        return self._read(request)

    def _read(self, request: Request) -> tuple[int, JSON, dict[str, str]]:
        path = request.path.rstrip("/")
        parts = path.strip("/").split("/")
        if path.lower() == "/subscriptions":
            return self._page(request, [s.as_json() for s in self.subscriptions])
        if path.lower().startswith(GROUPS.lower() + "/"):
            return self._group(request, path)
        subscription = self.store.subscriptions.get(parts[1].lower()) if len(parts) > 1 else None
        if subscription is None or parts[0].lower() != "subscriptions":
            code = "SubscriptionNotFound" if parts[0].lower() == "subscriptions" else "InvalidResourceType"
            return _error(404, code, f"The subscription or path '{path}' could not be found.")
        if len(parts) == 2:
            return 200, subscription.as_json(), {}
        found = self.store.get(path)
        if found is not None:
            return 200, found, {}
        listed = self.store.listing(path)
        if listed is not None:
            return self._page(request, listed)
        return _error(404, "ResourceNotFound", f"The Resource '{path}' was not found.")

    def _group(self, request: Request, path: str) -> tuple[int, JSON, dict[str, str]]:
        """A management group's descendants; a group not served is 403, as ARM answers a caller
        without access (it does not say whether the group exists)."""
        group, _, rest = path[len(GROUPS) + 1 :].partition("/")
        if rest.lower() != "descendants":
            return _error(404, "ResourceNotFound", f"The Resource '{path}' was not found.")
        found = descendants(group, self.management_groups, self.subscriptions)
        if found is None:
            return denied(
                "Microsoft.Management/managementGroups/descendants/read", f"{GROUPS}/{group}"
            ).answer()
        return self._page(request, found)

    def _page(self, request: Request, items: list[JSON]) -> tuple[int, JSON, dict[str, str]]:
        try:
            start = max(0, int(request.args.get("$skiptoken", "0")))
        except ValueError:
            return _error(400, "InvalidSkipToken", "The $skiptoken is not valid.")
        body: JSON = {"value": items[start : start + self.page_size]}
        if start + self.page_size < len(items):
            query = {k: v for k, v in request.args.items() if k != "$skiptoken"}
            query["$skiptoken"] = str(start + self.page_size)
            body["nextLink"] = f"{self.url}{request.path}?{urlencode(query)}"
        return 200, body, {}
