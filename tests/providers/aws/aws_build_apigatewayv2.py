"""Build API Gateway v2 assets for check tests, with the identifiers the collector produces.

* API  ``arn:aws:apigateway:{region}::/apis/{api_id}``

Custom domains appear only as an API's ``domain_mappings`` (the ``apigateway`` service owns them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from aws_builders import ACCOUNT, PROVIDER, REGION
from cloudaudit_aws.assets_apigatewayv2 import (
    ApiGatewayV2Api,
    ApiMapping,
    ApiRoute,
    ApiStage,
    CorsConfiguration,
)


def api_arn(api_id: str, region: str = REGION) -> str:
    """The id the collector gives an HTTP or WebSocket API."""
    return f"arn:aws:apigateway:{region}::/apis/{api_id}"


def route(key: str, auth: str = "NONE", authorizer_id: str = "") -> ApiRoute:
    """A route; ``auth`` is NONE, AWS_IAM, JWT or CUSTOM."""
    rid = "r" + "".join(c for c in key.lower() if c.isalnum())[:8]
    return ApiRoute(route_id=rid, route_key=key, authorization_type=auth, authorizer_id=authorizer_id)


def stage(name: str = "prod", *, logs: bool = True, throttled: bool = True, **attrs: Any) -> ApiStage:
    """A stage with access logs and throttling unless told otherwise; ``attrs`` override any field."""
    fields: dict[str, Any] = {
        "stage_name": name,
        "access_log_destination": (
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/apigw/{name}" if logs else ""
        ),
        "throttling_burst_limit": 100 if throttled else None,
        "throttling_rate_limit": 50.0 if throttled else None,
    }
    fields.update(attrs)
    return ApiStage(**fields)


def mapping(domain: str, api_id: str, key: str = "", mutual_tls: bool = False) -> ApiMapping:
    """A custom domain path serving ``api_id``'s prod stage."""
    return ApiMapping(
        domain_name=domain,
        api_id=api_id,
        stage="prod",
        mapping_key=key,
        mutual_tls=mutual_tls,
        security_policy="TLS_1_2",
    )


def cors(origins: Iterable[str], credentials: bool = False) -> CorsConfiguration:
    """A CORS configuration."""
    return CorsConfiguration(
        allow_origins=tuple(origins), allow_credentials=credentials, allow_methods=("GET", "POST")
    )


def api(
    api_id: str,
    *,
    protocol: str = "HTTP",
    routes: Iterable[ApiRoute] = (),
    stages: Iterable[ApiStage] = (stage(),),
    execute_endpoint: bool = True,
    mappings: Iterable[ApiMapping] = (),
    cors_config: CorsConfiguration | None = None,
    unread: Mapping[str, str] | None = None,
    region: str = REGION,
    **attrs: Any,
) -> ApiGatewayV2Api:
    """An API in ``ACCOUNT`` (named after its id), served on its execute-api endpoint by default."""
    scheme = "wss" if protocol == "WEBSOCKET" else "https"
    fields: dict[str, Any] = {
        "provider": PROVIDER,
        "account": ACCOUNT,
        "region": region,
        "id": api_arn(api_id, region),
        "name": api_id,
        "api_id": api_id,
        "protocol_type": protocol,
        "api_endpoint": f"{scheme}://{api_id}.execute-api.{region}.amazonaws.com",
        "execute_endpoint_disabled": not execute_endpoint,
        "routes": tuple(routes),
        "stages": tuple(stages),
        "domain_mappings": tuple(mappings),
        "cors": cors_config,
        "unread": dict(unread or {}),
    }
    fields.update(attrs)
    return ApiGatewayV2Api(**fields)


def worst_api() -> ApiGatewayV2Api:
    """An API that fails every API check.

    It is an HTTP API (route auth, catch-all and CORS checks judge HTTP APIs) carrying an open
    ``$connect`` route, which the WebSocket connect check judges wherever it appears.
    """
    return api(
        "worstapi1",
        routes=(route("GET /orders"), route("ANY /{proxy+}"), route("$default"), route("$connect")),
        stages=(
            stage(
                "prod",
                logs=False,
                throttled=False,
                data_trace=True,
                variable_names=("dbPassword", "region"),
                secret_variables=("dbPassword",),
            ),
        ),
        mappings=(mapping("api.worst.example.com", "worstapi1", mutual_tls=True),),
        cors_config=cors(["https://*"], credentials=True),
    )
