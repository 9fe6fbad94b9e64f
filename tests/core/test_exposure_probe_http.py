"""The probe's HTTP API checks against real local servers: a careless API and a careful one."""

from __future__ import annotations

import json

import pytest

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.exposure.probe.http_checks import PROBE_ORIGIN
from probe_servers import (
    ENV_FILE,
    BadApi,
    GoodApi,
    SearchNode,
    Server,
    checks,
    observation,
    opened,
    probe,
    running,
    target,
)

HTTP_CHECKS = {
    "probe.http.cors_reflected_with_credentials",
    "probe.http.cors_null_origin",
    "probe.http.trace_enabled",
    "probe.http.unexpected_methods",
    "probe.http.verbose_errors",
    "probe.http.exposed_file",
    "probe.http.nosniff_missing",
    "probe.http.cache_control_missing",
}


def test_careless_api_shows_every_http_misconfiguration() -> None:
    with running(Server(BadApi)) as server:
        result = probe(target("127.0.0.1", (server.port, "http")))

    assert checks(result) == HTTP_CHECKS  # plain HTTP: no HSTS finding, HTML CSP not applicable to JSON
    head = opened(result, server.port)
    assert (head.level, head.service) == (ExposureLevel.CONFIRMED, "http")
    for finding in result.observations[1:]:
        assert finding.level is ExposureLevel.EXPLOITABLE
        assert finding.kind == "misconfiguration"
        assert finding.source == "probe"
        assert finding.summary.startswith(f"127.0.0.1:{server.port}: ")
        assert finding.seen_at.tzinfo is not None
    cors = observation(result, "probe.http.cors_reflected_with_credentials")
    assert cors.details == {
        "origin_sent": PROBE_ORIGIN,
        "allow_origin": PROBE_ORIGIN,
        "allow_credentials": True,
    }
    assert observation(result, "probe.http.unexpected_methods").details["methods"] == [
        "DELETE",
        "PATCH",
        "PUT",
    ]
    verbose = observation(result, "probe.http.verbose_errors")
    assert verbose.details["marker"] == "Python traceback"
    assert verbose.details["status"] == 500
    exposed = sorted(o.details["path"] for o in result.observations if o.check == "probe.http.exposed_file")
    assert exposed == ["/.env", "/.git/config"]
    assert result.gaps == ()

    # Read-only: no write method was ever sent; every request carried the target's host name.
    sent = {request.split()[0] for request in server.requests}
    assert sent == {"GET", "TRACE", "OPTIONS"}
    assert set(server.hosts) == {f"127.0.0.1:{server.port}"}
    # Never a file's content or secret in what the probe reports.
    dumped = json.dumps(result.model_dump(mode="json"))
    for line in ENV_FILE.splitlines():
        assert line.split("=", 1)[1] not in dumped
    assert "repositoryformatversion" not in dumped
    assert all(len(json.dumps(o.details)) < 400 for o in result.observations)


def test_careful_api_shows_none_of_them() -> None:
    with running(Server(GoodApi)) as server:
        result = probe(target("127.0.0.1", (server.port, "http")))

    assert checks(result) == set()  # the catch-all 200 HTML page is not mistaken for exposed files
    assert opened(result, server.port).service == "http"
    assert result.gaps == ()
    assert any(r.startswith("GET /.git/config") for r in server.requests)  # it was looked for


def test_reflected_origin_without_credentials_and_wildcard_with_credentials() -> None:
    class Reflect(GoodApi):
        def _headers(self, content_type: str) -> dict[str, str]:
            headers = super()._headers(content_type)
            if self.headers.get("Origin") == PROBE_ORIGIN:
                headers["Access-Control-Allow-Origin"] = PROBE_ORIGIN
            return headers

    class Wildcard(GoodApi):
        def _headers(self, content_type: str) -> dict[str, str]:
            headers = super()._headers(content_type)
            headers.update({"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "true"})
            return headers

    with running(Server(Reflect)) as reflect, running(Server(Wildcard)) as wildcard:
        result = probe(target("127.0.0.1", (reflect.port, "http"), (wildcard.port, "http")))

    by_port = {(o.port, o.check) for o in result.observations if o.check}
    assert by_port == {
        (reflect.port, "probe.http.cors_reflected"),
        (wildcard.port, "probe.http.cors_wildcard_with_credentials"),
    }


def test_html_without_csp_and_json_without_cache_control() -> None:
    class Html(GoodApi):
        def _headers(self, content_type: str) -> dict[str, str]:
            headers = super()._headers(content_type)
            del headers["Content-Security-Policy"]
            del headers["Cache-Control"]
            if self.path == "/":
                headers["Content-Type"] = "text/html; charset=utf-8"
            return headers

    with running(Server(Html)) as server:
        result = probe(target("127.0.0.1", (server.port, "http")))

    assert checks(result) == {"probe.http.csp_missing"}  # the page at / is HTML, not an API response


def test_search_cluster_on_http_port_without_auth() -> None:
    with running(Server(SearchNode)) as server:
        result = probe(target("127.0.0.1", (server.port, "elasticsearch")))

    assert checks(result) == {"probe.elasticsearch.no_auth"}
    finding = observation(result, "probe.elasticsearch.no_auth")
    assert finding.details == {"product": "Elasticsearch", "version": "7.10.2", "indices": 2}
    assert opened(result, server.port).service == "elasticsearch"
    assert "customers" not in json.dumps(result.model_dump(mode="json"))
    assert all(r.startswith("GET ") for r in server.requests)


def test_search_cluster_with_auth_passes() -> None:
    with running(Server(SearchNode, auth=True)) as server:
        result = probe(target("127.0.0.1", (server.port, "elasticsearch")))

    assert checks(result) == set()
    head = opened(result, server.port)
    assert (head.service, head.details["auth"]) == ("elasticsearch", "required")


def test_search_cluster_found_behind_an_https_style_web_port() -> None:
    with running(Server(SearchNode)) as server:
        result = probe(target("127.0.0.1", (server.port, "http")))

    assert "probe.elasticsearch.no_auth" in checks(result)


class ErrorPage(GoodApi):
    """A careful API except for the error page given in the server settings."""

    def do_GET(self) -> None:
        if self.path.startswith("/%ff"):
            self._record()
            self._send(500, self.server.settings["page"], {"Content-Type": "text/html"})
        else:
            super().do_GET()


@pytest.mark.parametrize(
    ("page", "marker"),
    [
        ("<h1>Whitelabel Error Page</h1><p>There was an unexpected error</p>", "Spring Whitelabel page"),
        (
            "java.lang.IllegalArgumentException: bad escape\n"
            "\tat org.apache.tomcat.util.buf.UDecoder.convert(UDecoder.java:97)",
            "Java stack trace",
        ),
        (
            "URIError: URI malformed\n    at decodeURIComponent (<anonymous>)\n"
            "    at parse (/srv/api/node_modules/qs/lib/utils.js:113:16)",
            "Node.js stack trace",
        ),
        (
            "System.FormatException: bad\n"
            "   at Api.Controllers.Orders.Get(String id) in C:\\build\\Api\\Orders.cs:line 42",
            ".NET stack trace",
        ),
        ("<b>Fatal error</b>:  Uncaught Error in /var/www/html/index.php on line <b>12</b>", "PHP error"),
        ("<title>TypeError // Werkzeug Debugger</title>", "Werkzeug debugger"),
        ("panic: runtime error\n\ngoroutine 1 [running]:\nmain.main()", "Go panic"),
        ('<p>Exception in thread "main" java.lang.NullPointerException</p>', "exception message"),
        ("<p>No such file: /var/www/orders/config/routes.yml</p>", "internal path"),
    ],
)
def test_verbose_error_pages_of_common_frameworks(page: str, marker: str) -> None:
    with running(Server(ErrorPage, page=page)) as server:
        result = probe(target("127.0.0.1", (server.port, "http")))

    assert checks(result) == {"probe.http.verbose_errors"}
    finding = observation(result, "probe.http.verbose_errors")
    assert finding.details["marker"] == marker
    assert finding.details["request"] == "GET /%ff%fe?x=%%27"
    assert 0 < len(finding.details["snippet"]) <= 80


def test_generic_error_page_is_not_verbose() -> None:
    page = "<html><head><title>400 Bad Request</title></head><body><center>nginx</center></body></html>"
    with running(Server(ErrorPage, page=page)) as server:
        result = probe(target("127.0.0.1", (server.port, "http")))

    assert checks(result) == set()


class Stalling(GoodApi):
    """Answers /.git/config HTTP/1.0-style (no length) and then keeps the connection open."""

    def do_GET(self) -> None:
        if self.path != "/.git/config":
            super().do_GET()
            return
        self._record()
        self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n[core]\n\tbare = false\n")
        self.wfile.flush()
        self.rfile.read(1)  # until the client gives up and hangs up
        self.close_connection = True


def test_body_of_a_server_that_never_closes_is_still_read() -> None:
    with running(Server(Stalling)) as server:
        result = probe(target("127.0.0.1", (server.port, "http")), timeout=0.5)

    assert checks(result) == {"probe.http.exposed_file"}
