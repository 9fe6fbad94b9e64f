"""Which checks run on a port: the configured application, else the well-known port, else a sniff."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cloudaudit.exposure.model import TargetPort
from cloudaudit.exposure.probe import http_checks, mongodb, services, tls
from cloudaudit.exposure.probe.connect import ConnectFailed, Connector, Endpoint, ProbeError, StartTls
from cloudaudit.exposure.probe.httpwire import Response, request
from cloudaudit.exposure.probe.results import Contexts, PortProbe
from cloudaudit.ports import lookup

APPLICATIONS = {
    "https": "https",
    "wss": "https",
    "http": "http",
    "ws": "http",
    "redis": "redis",
    "valkey": "redis",
    "memcached": "memcached",
    "mongodb": "mongodb",
    "docdb": "mongodb",
    "documentdb": "mongodb",
    "elasticsearch": "elasticsearch",
    "opensearch": "elasticsearch",
    "postgres": "postgres",
    "postgresql": "postgres",
    "aurora-postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "aurora": "mysql",
    "aurora-mysql": "mysql",
    "sqlserver": "mssql",
    "mssql": "mssql",
    "oracle": "database",
    "redshift": "postgres",
    "tls": "tls",
}
"""``TargetPort.application`` (lower-case; ``sqlserver-ee`` counts as ``sqlserver``) -> handler."""


def protocol_for(port: TargetPort) -> str:
    """The handler name for a port: the configured application, else the port catalogue's ``probe``
    handler for the port, else ``sniff``."""
    application = port.application.strip().lower()
    if application in APPLICATIONS:
        return APPLICATIONS[application]
    for name, handler in APPLICATIONS.items():
        if application.startswith(f"{name}-"):
            return handler
    known = lookup(port.port, port.transport)
    return known.probe if known is not None and known.probe else "sniff"


def probe_port(
    connector: Connector, contexts: Contexts, endpoint: Endpoint, port: TargetPort, now: datetime
) -> PortProbe:
    """Connect to one port, then run the checks its protocol calls for (never raises).

    When the endpoint's budget runs out meanwhile, a gap says the checks were cut short.
    """
    probe = PortProbe(connector, endpoint, contexts, now, declared_methods=port.methods)
    try:
        with connector.open(probe.endpoint) as sock:
            if not probe.endpoint.mapped and not probe.endpoint.is_ip:
                probe.ip = str(sock.getpeername()[0])
    except ConnectFailed as exc:
        if exc.closed:
            probe.closed_reason = str(exc)
        else:
            probe.gap(str(exc))
        return probe
    probe.opened = True
    protocol = protocol_for(port)
    probe.open_details["protocol_expected"] = protocol
    try:
        HANDLERS[protocol](probe)
    except Exception as exc:  # a bug must not lose the other ports' results
        probe.gap(f"{protocol} checks failed: {type(exc).__name__}: {exc}")
    spent = endpoint.budget.spent()
    if spent is not None:
        probe.gap(f"{protocol} checks cut short: {spent.what} ran out")
    return probe


def _get_root(probe: PortProbe, tls_on: bool) -> Response | None:
    try:
        return request(probe, tls_on, "GET", "/")
    except ProbeError:
        return None


def _web(probe: PortProbe, tls_on: bool, base: Response) -> None:
    probe.service = probe.service or ("https" if tls_on else "http")
    services.elasticsearch(probe, tls_on, base, expected=False)
    http_checks.run_http_checks(probe, tls_on, base)


def _tls(probe: PortProbe, starttls: StartTls | None = None) -> bool:
    shake = tls.handshake(probe, starttls)
    if shake is None:
        return False
    probe.tls_checked = True
    tls.check_tls(probe, shake, starttls)
    return True


def https(probe: PortProbe) -> None:
    """TLS checks, plaintext on the TLS port, then the HTTP checks over whichever answered."""
    tls_on = _tls(probe)
    plain = _get_root(probe, False)
    if (
        plain is not None
        and plain.status < 400
        and not plain.header("location").lower().startswith("https://")
    ):
        probe.found(
            "probe.tls.plaintext_accepted",
            "answers plain HTTP on a port where TLS is expected",
            {"status": plain.status},
            kind="tls",
        )
    base = _get_root(probe, True) if tls_on else plain
    if base is None:
        probe.gap("no HTTP answer to GET / (neither over TLS nor in plain text)")
        return
    _web(probe, tls_on, base)


def http(probe: PortProbe) -> None:
    """The HTTP checks in plain text."""
    base = _get_root(probe, False)
    if base is None:
        probe.gap("no HTTP answer to GET /")
        return
    _web(probe, False, base)


def elasticsearch(probe: PortProbe) -> None:
    """Cluster info and index listing over TLS when the node speaks it, else plain HTTP."""
    tls_on = _tls(probe)
    base = _get_root(probe, tls_on)
    if base is None:
        probe.gap("no HTTP answer to GET /")
        return
    if not services.elasticsearch(probe, tls_on, base, expected=True):
        probe.service = "https" if tls_on else "http"
        probe.open_details["elasticsearch"] = "GET / is not a cluster information document"


def _with_tls_fallback(name: str, speak: Callable[[PortProbe, bool], bool]) -> Callable[[PortProbe], None]:
    def handler(probe: PortProbe) -> None:
        if speak(probe, False):
            return
        if _tls(probe) and speak(probe, True):
            return
        probe.open_details[name] = "no answer in this protocol"

    handler.__doc__ = f"{name}: in plain text, else over TLS."
    return handler


def _database(name: str, starttls: StartTls) -> Callable[[PortProbe], None]:
    def handler(probe: PortProbe) -> None:
        probe.service = name
        if name == "mysql":
            services.mysql_version(probe)
        try:
            with probe.connector.open(probe.endpoint) as sock:
                starttls(sock)
        except services.TlsNotOffered as exc:
            probe.open_details["tls"] = False
            probe.found(
                "probe.tls.not_offered",
                f"{exc}: credentials and data cross the network in clear text",
                {"service": name},
                kind="tls",
            )
            return
        except (OSError, ProbeError) as exc:
            probe.open_details["tls"] = f"unknown ({exc})"
            return
        probe.open_details["tls"] = True
        _tls(probe, starttls)

    handler.__doc__ = f"{name}: TLS support through the protocol's upgrade request (never a login)."
    return handler


def tcp_only(probe: PortProbe) -> None:
    """Databases whose protocol is not spoken here: the TCP connection is the observation."""
    probe.service = probe.open_details["protocol_expected"]


def sniff(probe: PortProbe) -> None:
    """Unknown port: try TLS, then HTTP."""
    tls_on = _tls(probe)
    base = _get_root(probe, tls_on)
    if base is not None:
        _web(probe, tls_on, base)
    elif tls_on:
        probe.service = "tls"


HANDLERS: dict[str, Callable[[PortProbe], None]] = {
    "https": https,
    "http": http,
    "elasticsearch": elasticsearch,
    "redis": _with_tls_fallback("redis", services.redis),
    "memcached": _with_tls_fallback("memcached", services.memcached),
    "mongodb": _with_tls_fallback("mongodb", mongodb.mongodb),
    "postgres": _database("postgres", services.postgres_starttls),
    "mysql": _database("mysql", services.mysql_starttls),
    "mssql": tcp_only,
    "database": tcp_only,
    "tls": sniff,
    "sniff": sniff,
}
