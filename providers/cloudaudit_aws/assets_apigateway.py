"""Typed API Gateway (REST APIs, v1) asset models: REST APIs with their methods and stages, custom domains.

Stage variable values are never stored: the collector keeps the variable names and, computed at
collection time with :func:`cloudaudit_aws.secrets_like.looks_secret`, the names of those that look
like secrets, so no secret reaches the inventory or the report.
"""

from __future__ import annotations

from typing import Any

from cloudaudit.compact import Frozen
from cloudaudit.model.asset import Asset, asset_kind

EXECUTE_API_DOMAIN = "execute-api.{region}.amazonaws.com"
"""Suffix of an API's default endpoint: ``{api_id}.execute-api.{region}.amazonaws.com``."""
HTTP_INTEGRATIONS = ("HTTP", "HTTP_PROXY")
"""HTTP-endpoint integrations: the only ones a stage's client certificate reaches."""


class _Frozen(Frozen):
    """A frozen value object (its set of given field names shared)."""


class ApiMethod(_Frozen):
    """One method (HTTP verb on a resource path) of a REST API."""

    path: str
    """Resource path, ``/`` or ``/orders/{id}``."""
    http_method: str
    """GET, POST, ..., ``ANY`` (catch-all) or OPTIONS."""
    authorization_type: str = "NONE"
    """NONE, AWS_IAM, CUSTOM (Lambda authorizer) or COGNITO_USER_POOLS."""
    authorizer_id: str = ""
    api_key_required: bool = False
    request_validator_id: str = ""
    integration_type: str | None = None
    """HTTP, HTTP_PROXY, AWS, AWS_PROXY or MOCK; empty when the method has no integration; None when not
    recorded (an inventory written before integrations were collected)."""
    integration_connection: str = ""
    """``VPC_LINK`` for a private integration (through a VPC link); empty for INTERNET."""
    integration_host: str = ""
    """Scheme and host of an HTTP/HTTP_PROXY integration's URI (path and query dropped: they may hold
    secrets); empty for other integrations."""

    @property
    def http_backend(self) -> bool:
        """Integrated with an HTTP endpoint (HTTP or HTTP_PROXY, over the Internet or a VPC link)."""
        return (self.integration_type or "").upper() in HTTP_INTEGRATIONS

    @property
    def label(self) -> str:
        """``GET /orders``."""
        return f"{self.http_method} {self.path}"

    @property
    def unauthenticated(self) -> bool:
        """Callable without any credential: no authorization and no API key (CORS preflight excluded)."""
        return (
            self.authorization_type.upper() == "NONE"
            and not self.api_key_required
            and self.http_method.upper() != "OPTIONS"
        )


class Authorizer(_Frozen):
    """A Lambda (TOKEN/REQUEST) or Cognito user pool authorizer."""

    authorizer_id: str
    name: str = ""
    type: str = ""


class MethodSetting(_Frozen):
    """Stage method settings for one key: ``*/*`` (all methods) or ``{resource_path}/{http_method}``."""

    key: str
    logging_level: str = ""
    """OFF, ERROR or INFO (execution logging to CloudWatch); empty when not reported (OFF for ``*/*``)."""
    data_trace_enabled: bool = False
    """Full request/response logging."""
    metrics_enabled: bool = False
    caching_enabled: bool = False
    cache_data_encrypted: bool = False
    throttling_burst_limit: int | None = None
    throttling_rate_limit: float | None = None


class ApiStage(_Frozen):
    """A deployed stage of a REST API."""

    name: str
    deployment_id: str = ""
    access_log_destination: str = ""
    """CloudWatch Logs / Firehose ARN of access logs; empty when access logging is off."""
    method_settings: tuple[MethodSetting, ...] = ()
    tracing_enabled: bool = False
    client_certificate_id: str = ""
    web_acl_arn: str = ""
    cache_cluster_enabled: bool = False
    variable_names: tuple[str, ...] = ()
    secret_variables: tuple[str, ...] = ()
    """Names of stage variables whose name or value looks like a secret (values are not kept)."""

    def setting(self, key: str = "*/*") -> MethodSetting | None:
        """The method settings under ``key``."""
        return next((s for s in self.method_settings if s.key == key), None)


class GatewayResponse(_Frozen):
    """A gateway response (e.g. DEFAULT_5XX); templates are summarised by size only."""

    response_type: str
    status_code: str = ""
    default_response: bool = True
    template_bytes: int = 0


@asset_kind("aws.apigateway.rest_api", service="apigateway")
class ApiGatewayRestApi(Asset):
    """A REST API (API Gateway v1) with its methods, authorizers, stages and the custom domains serving it."""

    api_id: str
    endpoint_types: tuple[str, ...] = ()
    """EDGE, REGIONAL or PRIVATE."""
    vpc_endpoint_ids: tuple[str, ...] = ()
    execute_api_endpoint_disabled: bool = False
    policy: dict[str, Any] | None = None
    """The resource policy document, None when the API has none."""
    policy_error: str = ""
    """Set when the policy text could not be parsed as JSON."""
    api_key_source: str = ""
    security_policy: str = ""
    """TLS policy of the default endpoint; empty means the legacy default (TLS 1.0 on EDGE/REGIONAL)."""
    methods: tuple[ApiMethod, ...] = ()
    authorizers: tuple[Authorizer, ...] = ()
    stages: tuple[ApiStage, ...] = ()
    gateway_responses: tuple[GatewayResponse, ...] = ()
    custom_domains: tuple[str, ...] = ()
    """Custom domain names with a base path mapping to this API."""

    @property
    def private(self) -> bool:
        """A PRIVATE API: reachable only through interface VPC endpoints."""
        return "PRIVATE" in self.endpoint_types

    @property
    def execute_api_host(self) -> str:
        """The default endpoint host name."""
        return f"{self.api_id}.{EXECUTE_API_DOMAIN.format(region=self.region)}"


class BasePathMapping(_Frozen):
    """A base path of a custom domain routed to a stage of a REST API."""

    base_path: str = "(none)"
    rest_api_id: str = ""
    stage: str = ""


@asset_kind("aws.apigateway.domain_name", service="apigateway")
class ApiGatewayDomainName(Asset):
    """A custom domain name for REST APIs, with its TLS policy and base path mappings."""

    domain_name: str
    security_policy: str = ""
    """TLS_1_0, TLS_1_2 or an enhanced ``SecurityPolicy_...`` name."""
    endpoint_types: tuple[str, ...] = ()
    regional_domain_name: str = ""
    distribution_domain_name: str = ""
    status: str = ""
    mutual_tls: bool = False
    """A truststore is configured (clients must present a certificate)."""
    mappings: tuple[BasePathMapping, ...] = ()


ALL_APIGATEWAY_ASSETS: tuple[type[Asset], ...] = (ApiGatewayRestApi, ApiGatewayDomainName)
