"""HTTP(S) API checks: security headers, CORS, methods, verbose errors, exposed files.

Read-only: only GET, OPTIONS and TRACE are sent (never PUT, DELETE, PATCH or POST), and nothing a
response contains is kept beyond a short matched marker (never a file's content).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from cloudaudit.exposure.probe.connect import ProbeError
from cloudaudit.exposure.probe.httpwire import Response, request
from cloudaudit.exposure.probe.results import PortProbe, safe_snippet

PROBE_ORIGIN = "https://cloudaudit-probe.invalid"
"""A foreign origin (reserved TLD: it can never be a real site)."""
WRITE_METHODS = ("DELETE", "PATCH", "PUT")
STATE_CHANGING_METHODS = ("DELETE", "PATCH", "POST", "PUT")

_MALFORMED: tuple[tuple[str, tuple[tuple[str, str], ...], bytes], ...] = (
    ("/%ff%fe?x=%%27", (), b""),
    ("/", (("Content-Type", "application/json"),), b'{"cloudaudit-probe": '),
)
"""Requests a careful server rejects with a plain error (bad escapes; invalid JSON on a GET)."""

_ERROR_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Python traceback", re.compile(r"Traceback \(most recent call last\)")),
    ("Werkzeug debugger", re.compile(r"Werkzeug Debugger|werkzeug\.debug")),
    ("Django debug page", re.compile(r"you have <code>DEBUG = True</code>|DEBUG = True in your Django")),
    ("Spring Whitelabel page", re.compile(r"Whitelabel Error Page")),
    (".NET stack trace", re.compile(r"\bat [\w.`<>]+\([^)\n]{0,80}\) in [^\n<]{1,120}:line \d+")),
    (
        "Java stack trace",
        re.compile(r"\bat (?:java|javax|jdk|sun|org|com|io|net)\.[\w$.<>]+\([^)\n]{0,80}\)"),
    ),
    (
        "Node.js stack trace",
        re.compile(r"\bat [^\n<]{1,80} \((?:/|[A-Z]:\\)[^\n<)]{1,160}\.[cm]?js:\d+:\d+\)"),
    ),
    (
        "PHP error",
        re.compile(r"(?:Fatal error|Parse error|Warning|Notice)(?:</b>)?: .{0,160} on line (?:<b>)?\d+"),
    ),
    ("Go panic", re.compile(r"goroutine \d+ \[running\]")),
    ("Rails error page", re.compile(r"Application Trace|ActionController::\w+Error")),
    (
        "exception message",
        re.compile(r"Exception in thread \"[^\"\n]{0,60}\"|\b[\w.]+\.\w*Exception: [^\n<]{0,80}"),
    ),
    ("stack trace", re.compile(r"(?i)stack ?trace:|<h\d>\s*stack ?trace")),
    (
        "internal path",
        re.compile(r"(?:/usr/|/home/|/var/www/|/opt/)[\w.\-/]{2,120}|[A-Z]:\\[\w\\.\-]{4,120}"),
    ),
)
"""Most specific first: the first match names the finding."""


_COMMANDS = r"sudo|cd|ls|cat|vi|vim|nano|git|ssh|scp|export|echo|curl|wget|docker|kubectl|aws|rm|cp|mv"
_HISTORY_LINE = re.compile(
    rf"^\s*(?:{_COMMANDS}|python3?|pip3?|npm|apt(?:-get)?|yum|mysql|psql|exit)\b", re.M
)


def _not_html(response: Response) -> bool:
    head = response.body[:512].lower()
    return b"<html" not in head and b"<!doctype" not in head


def _actuator(response: Response) -> bool:
    data = response.json()
    return isinstance(data, dict) and ("propertySources" in data or "activeProfiles" in data)


EXPOSED_FILES: tuple[tuple[str, str, Callable[[Response], bool]], ...] = (
    (
        "/.git/config",
        "Git repository configuration",
        lambda r: re.search(r"^\s*\[core\]", r.text, re.M) is not None,
    ),
    (
        "/.env",
        "environment file",
        lambda r: _not_html(r) and re.search(r"^\s*(?:export\s+)?[A-Z][A-Z0-9_]*=", r.text, re.M) is not None,
    ),
    ("/.bash_history", "shell history", lambda r: _not_html(r) and _HISTORY_LINE.search(r.text) is not None),
    ("/server-status", "Apache server status page", lambda r: "Apache Server Status" in r.text),
    ("/.DS_Store", "macOS folder index", lambda r: r.body[4:8] == b"Bud1"),
    ("/actuator/env", "Spring Boot environment endpoint", _actuator),
    (
        "/phpinfo.php",
        "PHP configuration page",
        lambda r: re.search(r"phpinfo\(\)|PHP Version \d", r.text) is not None,
    ),
)
"""Path, what it is, and how to recognise the real thing (a catch-all 200 page does not count)."""


def run_http_checks(probe: PortProbe, tls: bool, base: Response) -> None:
    """All HTTP checks of one endpoint, ``base`` being its answer to ``GET /``."""
    unanswered: list[str] = []
    security_headers(probe, tls, base)
    cors(probe, tls)
    methods(probe, tls, unanswered)
    verbose_errors(probe, tls, unanswered)
    exposed_files(probe, tls, unanswered)
    if unanswered:
        probe.open_details["unanswered_requests"] = unanswered


def _try(
    probe: PortProbe,
    tls: bool,
    method: str,
    target: str,
    unanswered: list[str],
    headers: tuple[tuple[str, str], ...] = (),
    body: bytes = b"",
) -> Response | None:
    try:
        return request(probe, tls, method, target, headers, body)
    except ProbeError:
        unanswered.append(f"{method} {target}")
        return None


def security_headers(probe: PortProbe, tls: bool, base: Response) -> None:
    """HSTS on TLS, nosniff, Cache-Control on JSON, CSP on HTML (from ``GET /``)."""
    where = {"path": "/", "status": base.status}
    if tls and not base.header("strict-transport-security"):
        probe.found(
            "probe.http.hsts_missing", "HTTPS response has no Strict-Transport-Security header", where
        )
    if base.header("content-type") and base.header("x-content-type-options").strip().lower() != "nosniff":
        probe.found("probe.http.nosniff_missing", "response has no X-Content-Type-Options: nosniff", where)
    if base.is_json and base.status < 400 and not base.header("cache-control"):
        probe.found(
            "probe.http.cache_control_missing",
            "API (JSON) response has no Cache-Control header: shared caches may keep it",
            where,
        )
    if base.is_html and not base.header("content-security-policy"):
        probe.found("probe.http.csp_missing", "HTML response has no Content-Security-Policy header", where)


def cors(probe: PortProbe, tls: bool) -> None:
    """A foreign ``Origin`` reflected (with credentials), ``null`` accepted, ``*`` with credentials."""
    try:
        foreign = request(probe, tls, "GET", "/", (("Origin", PROBE_ORIGIN),))
        null = request(probe, tls, "GET", "/", (("Origin", "null"),))
    except ProbeError as exc:
        probe.gap(f"CORS not checked: {exc}")
        return
    allow = foreign.header("access-control-allow-origin").strip()
    credentials = foreign.header("access-control-allow-credentials").strip().lower() == "true"
    details = {"origin_sent": PROBE_ORIGIN, "allow_origin": allow[:100], "allow_credentials": credentials}
    if allow == PROBE_ORIGIN and credentials:
        probe.found(
            "probe.http.cors_reflected_with_credentials",
            "CORS reflects any Origin and allows credentials: any site can read authenticated responses",
            details,
        )
    elif allow == PROBE_ORIGIN:
        probe.found(
            "probe.http.cors_reflected", "CORS reflects any Origin in Access-Control-Allow-Origin", details
        )
    elif allow == "*" and credentials:
        probe.found(
            "probe.http.cors_wildcard_with_credentials",
            "CORS allows Origin * together with credentials",
            details,
        )
    if null.header("access-control-allow-origin").strip() == "null":
        null_credentials = null.header("access-control-allow-credentials").strip().lower() == "true"
        probe.found(
            "probe.http.cors_null_origin",
            "CORS accepts Origin: null (sandboxed iframes and local files)",
            {"origin_sent": "null", "allow_origin": "null", "allow_credentials": null_credentials},
        )


def methods(probe: PortProbe, tls: bool, unanswered: list[str]) -> None:
    """TRACE echoing the request; OPTIONS advertising write methods (which are never sent)."""
    token = secrets.token_hex(8)
    trace = _try(probe, tls, "TRACE", "/", unanswered, (("X-Cloudaudit-Trace", token),))
    if trace is not None and trace.status == 200 and token in trace.text:
        probe.found(
            "probe.http.trace_enabled",
            "TRACE is answered and echoes the request (cross-site tracing)",
            {"status": 200},
        )
    options = _try(probe, tls, "OPTIONS", "/", unanswered)
    if options is None or options.status >= 400:
        return
    allow = options.header("allow")
    listed = unexpected_methods(allow, probe.declared_methods)
    if listed:
        declared = probe.declared_methods
        details: dict[str, object] = {"methods": listed, "allow": allow[:120]}
        why = ""
        if declared is not None:
            details["declared"] = list(declared)
            why = f" (the API declares {', '.join(declared) or 'no method'})"
        probe.found(
            "probe.http.unexpected_methods", f"OPTIONS / advertises {', '.join(listed)}{why}", details
        )


def unexpected_methods(allow: str, declared: tuple[str, ...] | None) -> list[str]:
    """The methods of an ``Allow`` header worth reporting.

    Unknown declaration (``None``): the write methods (PUT, DELETE, PATCH). Known (an API's own
    methods): the state-changing methods (POST too) the API does not declare; ``ANY`` declares all.
    """
    advertised = {m.strip().upper() for m in allow.split(",") if m.strip()}
    if declared is None:
        return sorted(advertised & set(WRITE_METHODS))
    own = {m.upper() for m in declared}
    if "ANY" in own:
        return []
    return sorted(advertised & set(STATE_CHANGING_METHODS) - own)


def verbose_errors(probe: PortProbe, tls: bool, unanswered: list[str]) -> None:
    """Malformed requests answered with a stack trace, a debug page or internal paths."""
    for target, headers, body in _MALFORMED:
        response = _try(probe, tls, "GET", target, unanswered, headers, body)
        if response is None or response.status < 400:
            continue
        text = response.text
        for marker, pattern in _ERROR_MARKERS:
            match = pattern.search(text)
            if match:
                probe.found(
                    "probe.http.verbose_errors",
                    f"error page discloses internals ({marker}) for GET {target}",
                    {
                        "request": f"GET {target}" + (" (invalid JSON body)" if body else ""),
                        "status": response.status,
                        "marker": marker,
                        "snippet": safe_snippet(match.group(0), 80),
                    },
                )
                return


def exposed_files(probe: PortProbe, tls: bool, unanswered: list[str]) -> None:
    """Well-known sensitive files served with matching content (the path is reported, never the content)."""
    for path, what, looks_real in EXPOSED_FILES:
        response = _try(probe, tls, "GET", path, unanswered)
        if response is not None and response.status == 200 and looks_real(response):
            probe.found("probe.http.exposed_file", f"serves {path} ({what})", {"path": path, "file": what})
