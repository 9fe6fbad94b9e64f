"""API Gateway assets: gateways with the operations and backends of the API config they serve.

The operations come from the config's OpenAPI documents (:mod:`cloudaudit_gcp.openapi`); they are
untrusted text, kept as text.
"""

from __future__ import annotations

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit_gcp.assets import Frozen

PLAINTEXT_SCHEMES = frozenset({"http", "grpc"})
"""Backend address schemes without TLS (``grpcs`` and ``https`` use it)."""
NOT_SERVING = frozenset({"FAILED", "DELETING"})
"""Gateway states in which the gateway answers no request."""


class ApiOperation(Frozen):
    """One operation (path and HTTP method) of an OpenAPI document, with what secures it."""

    path: str
    method: str
    """Upper case: GET, POST...; ``ANY`` for the unlisted paths ``x-google-allow: all`` lets through."""
    document: str = ""
    """The OpenAPI document (file path in the config) that declares it."""
    secured: bool = False
    """A security requirement API Gateway enforces covers it (API key, or a JWT with ``x-google-issuer``)."""
    requirements: tuple[str, ...] = ()
    """The requirements that count, each as its security definitions joined by ``+``."""
    problem: str = ""
    """Why no requirement covers it (empty when secured)."""
    query_api_keys: tuple[str, ...] = ()
    """Query parameters the operation accepts an API key in."""
    backend: str = ""
    """Address of the ``x-google-backend`` it is forwarded to (credentials and query removed)."""

    @property
    def label(self) -> str:
        """``GET /orders``."""
        return f"{self.method} {self.path}"

    @property
    def preflight(self) -> bool:
        """An OPTIONS operation: CORS preflight requests carry no credentials."""
        return self.method == "OPTIONS"


class ApiBackend(Frozen):
    """A backend address the config forwards requests to, with the operations that use it."""

    address: str
    scheme: str = ""
    """``https``, ``http``, ``grpc``, ``grpcs``... (lower case)."""
    operations: tuple[str, ...] = ()

    @property
    def plaintext(self) -> bool:
        """Requests travel to this backend without TLS."""
        return self.scheme in PLAINTEXT_SCHEMES


@asset_kind("gcp.apigateway.gateway", service="apigateway")
class ApiGateway(Asset):
    """An API Gateway gateway (regional) and the API config it serves."""

    default_hostname: str = ""
    """``{gateway}-{hash}.{region-code}.gateway.dev``: always public, on HTTPS."""
    api: str = ""
    """The API id."""
    api_config: str = ""
    """Full resource name of the served API config."""
    state: str = ""
    documents: tuple[str, ...] = ()
    """Paths of the config's OpenAPI documents."""
    operations: tuple[ApiOperation, ...] = ()
    backends: tuple[ApiBackend, ...] = ()

    @property
    def serving(self) -> bool:
        """The gateway answers requests (not failed or being deleted)."""
        return self.state.upper() not in NOT_SERVING

    @property
    def url(self) -> str:
        """``https://{default hostname}``; empty without one."""
        return f"https://{self.default_hostname}" if self.default_hostname else ""
