"""Typed API Gateway v2 asset models: HTTP and WebSocket APIs.

An API carries its routes, the authorizers its routes use, its stages and the custom domain
mappings that serve it as typed sub-models (one asset per API, so each check gives one verdict
per API). Stage variable values are never stored: the collector keeps variable names only and
the names of those that look like secrets.

Custom domain names are one pool shared with REST APIs: the ``apigateway`` service owns them as
``aws.apigateway.domain_name`` assets; here they only appear as the :class:`ApiMapping` entries
that say which domain paths serve an API.
"""

from __future__ import annotations

from cloudaudit.compact import Frozen
from cloudaudit.model.asset import Asset, asset_kind


class _Frozen(Frozen):
    """A frozen value object (its set of given field names shared)."""


class ApiRoute(_Frozen):
    """One route: ``GET /orders``, ``ANY /{proxy+}``, ``$default``, ``$connect``."""

    route_id: str
    route_key: str
    authorization_type: str = "NONE"
    """NONE, AWS_IAM, JWT (HTTP APIs) or CUSTOM (Lambda authorizer)."""
    authorizer_id: str = ""
    authorization_scopes: tuple[str, ...] = ()
    api_key_required: bool = False
    """WebSocket APIs only (HTTP APIs have no API keys)."""

    @property
    def method(self) -> str:
        """The HTTP method of an HTTP API route key (``ANY`` included); empty for ``$...`` keys."""
        head, _, path = self.route_key.partition(" ")
        return head.upper() if path else ""


class ApiAuthorizer(_Frozen):
    """An authorizer referenced by at least one route."""

    authorizer_id: str
    name: str = ""
    authorizer_type: str = ""
    """JWT or REQUEST (Lambda)."""
    identity_source: tuple[str, ...] = ()
    jwt_issuer: str = ""
    jwt_audience: tuple[str, ...] = ()
    result_ttl_seconds: int = 0


class ApiStage(_Frozen):
    """A stage with its logging, throttling and (names of) stage variables."""

    stage_name: str
    auto_deploy: bool = False
    access_log_destination: str = ""
    """The CloudWatch Logs group (or Firehose) ARN of access logs; empty when not configured."""
    detailed_metrics: bool = False
    logging_level: str = ""
    """Execution logging (WebSocket APIs): OFF, ERROR or INFO."""
    data_trace: bool = False
    """Data trace on by default for every route of the stage."""
    data_trace_routes: tuple[str, ...] = ()
    """Route keys whose route settings turn data trace on."""
    throttling_burst_limit: int | None = None
    throttling_rate_limit: float | None = None
    throttled_routes: tuple[str, ...] = ()
    """Route keys with their own throttling limits."""
    variable_names: tuple[str, ...] = ()
    secret_variables: tuple[str, ...] = ()
    """Names of stage variables whose name or value looks like a secret (values are not kept)."""
    api_gateway_managed: bool = False

    @property
    def access_logging(self) -> bool:
        """Access logs go somewhere."""
        return bool(self.access_log_destination)

    @property
    def throttled(self) -> bool:
        """Stage-wide rate or burst limits are set."""
        return self.throttling_burst_limit is not None or self.throttling_rate_limit is not None


class ApiMapping(_Frozen):
    """A custom domain name path that serves an API stage."""

    domain_name: str
    api_id: str
    stage: str = ""
    mapping_key: str = ""
    """The base path ("" for the domain's root)."""
    mutual_tls: bool = False
    """The domain requires client certificates (mutual TLS)."""
    security_policy: str = ""
    """The domain's TLS policy, for context (``aws.apigateway.domain_tls_1_0`` judges it)."""

    @property
    def url(self) -> str:
        """``https://domain/key``."""
        return f"https://{self.domain_name}/{self.mapping_key}".rstrip("/")


class CorsConfiguration(_Frozen):
    """An HTTP API's CORS configuration (API Gateway answers preflights itself)."""

    allow_origins: tuple[str, ...] = ()
    allow_credentials: bool = False
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None


@asset_kind("aws.apigatewayv2.api", service="apigatewayv2")
class ApiGatewayV2Api(Asset):
    """An HTTP or WebSocket API with its routes, authorizers, stages and domain mappings."""

    api_id: str
    protocol_type: str = "HTTP"
    """HTTP or WEBSOCKET."""
    api_endpoint: str = ""
    """``https://{id}.execute-api.{region}.amazonaws.com`` (``wss://`` for WebSocket APIs)."""
    execute_endpoint_disabled: bool = False
    cors: CorsConfiguration | None = None
    api_key_selection_expression: str = ""
    route_selection_expression: str = ""
    routes: tuple[ApiRoute, ...] = ()
    authorizers: tuple[ApiAuthorizer, ...] = ()
    stages: tuple[ApiStage, ...] = ()
    domain_mappings: tuple[ApiMapping, ...] = ()
    """Custom domain paths that serve this API (read from every custom domain of the region)."""

    @property
    def websocket(self) -> bool:
        """A WebSocket API."""
        return self.protocol_type.upper() == "WEBSOCKET"


ALL_APIGATEWAYV2_ASSETS: tuple[type[Asset], ...] = (ApiGatewayV2Api,)
