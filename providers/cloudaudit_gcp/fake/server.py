"""The fake's WSGI app and its threaded server on 127.0.0.1 (port 0), a context manager."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from cloudaudit_gcp.fake import (
    routes_apigateway,
    routes_compute,
    routes_resourcemanager,
    routes_sql,
    routes_storage,
)
from cloudaudit_gcp.fake.errors import ApiError, error_body
from cloudaudit_gcp.fake.faults import Fault, FaultTable
from cloudaudit_gcp.fake.routing import Call, Projects, Route
from cloudaudit_gcp.fake.shapes import JSON
from cloudaudit_gcp.fake.state import FakeFolder, FakeProject

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

ROUTES: list[Route] = [
    *routes_storage.ROUTES,
    *routes_compute.ROUTES,
    *routes_sql.ROUTES,
    *routes_apigateway.ROUTES,
    *routes_resourcemanager.ROUTES,
]


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fake answered: method, path, query, the route id it matched (None: none) and status."""

    method: str
    path: str
    query: dict[str, str]
    route: str | None
    status: int


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: the request log is the record."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class FakeGoogleApis:
    """Serves projects over the Google JSON APIs: ``with FakeGoogleApis([...]) as fake: fake.url``;
    with ``folders``, Resource Manager lists them and the projects beneath (``FakeProject.parent``),
    at most ``listing_page`` a page (the real API may send fewer than ``pageSize`` asks); each answer
    ``latency`` seconds late (the network and Google's servers: a benchmark's realistic setting)."""

    def __init__(
        self,
        projects: Sequence[FakeProject],
        folders: Sequence[FakeFolder] = (),
        listing_page: int = 1000,
        latency: float = 0.0,
    ) -> None:
        self.projects = Projects(projects, folders, listing_page)
        self.latency = latency
        self.faults = FaultTable()
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._routes = {route.id: route for route in ROUTES}
        self._map = Map([Rule(r.path, endpoint=r.id, methods=["GET"]) for r in ROUTES], strict_slashes=False)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle

    def start(self) -> str:
        """Bind 127.0.0.1 on a free port, serve in a thread and return the API root URL."""
        self._server = make_server("127.0.0.1", 0, self.wsgi, threaded=True, request_handler=_QuietHandler)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name="fake-google-apis", daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeGoogleApis:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the API root every client's ``api_endpoint`` points at."""
        if self._server is None:
            raise RuntimeError("the fake is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    # -------------------------------------------------------------- test helpers

    def inject(self, pattern: str, fault: Fault, project: str | None = None) -> None:
        """Answer routes matching ``pattern`` (fnmatch over route ids, e.g. ``compute.*``) with ``fault``,
        for every project or only for ``project`` (id or number; for a Resource Manager listing, the
        ``parent`` it names: ``folders/N``)."""
        self.faults.add(pattern, fault, project)

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request answered so far, in order."""
        with self._lock:
            return list(self._log)

    def count(self, route: str) -> int:
        """How many requests matched the route id ``route``."""
        return sum(1 for r in self.requests if r.route == route)

    # -------------------------------------------------------------- WSGI

    def wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point."""
        request = Request(environ)
        if self.latency > 0:
            time.sleep(self.latency)
        route_id, status, body, headers = self._answer(request)
        with self._lock:
            self._log.append(
                LoggedRequest(request.method, request.path, dict(request.args), route_id, status)
            )
        response = Response(json.dumps(body), status=status, headers=headers, content_type="application/json")
        return response(environ, start_response)

    def _answer(self, request: Request) -> tuple[str | None, int, JSON, dict[str, str]]:
        adapter = self._map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match(method="GET")  # every route is a GET: match, then refuse others
        except NotFound:
            return None, 404, error_body(404, f"Not Found: {request.path}", "notFound"), {}
        route_id, query = str(endpoint), dict(request.args)
        if request.method != "GET":
            message = f"The fake is read-only: {request.method} is not allowed."
            return route_id, 405, error_body(405, message, "httpMethodNotAllowed"), {"Allow": "GET"}
        try:
            self.faults.raise_for(route_id, self.projects.keys_of_call(args, query))
            call = Call(args=args, query=query, projects=self.projects)
            return route_id, 200, self._routes[route_id].handler(call), {}
        except ApiError as error:
            return route_id, error.status, error.body, error.headers
