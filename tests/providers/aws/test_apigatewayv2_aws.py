"""API Gateway v2: translation (pure), collection and `cloudaudit run` over moto's server.

moto 5.2 implements GetApis, GetRoutes, GetStages, GetAuthorizer, GetDomainNames and
GetApiMappings but not GetAuthorizers (HTTP 500 "not implemented"): the collector reads the
authorizers its routes reference with GetAuthorizer, which moto serves. moto never paginates,
so pagination and a denied per-API read are exercised against a local server on 127.0.0.1
speaking API Gateway v2's real REST-JSON wire format (camelCase ``items``/``nextToken``, errors as
``x-amzn-ErrorType`` + ``{"message": ...}``), reached through AWS_ENDPOINT_URL_APIGATEWAYV2.

Custom domains are owned by the ``apigateway`` service: this collector reads them only to fill
each API's ``domain_mappings`` and emits no domain asset.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import boto3
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cloudaudit.cli.app import main
from cloudaudit.plugins import CollectOptions
from cloudaudit.progress import PlainProgress
from cloudaudit_aws import demo_apigatewayv2
from cloudaudit_aws.assets_apigateway import ApiGatewayDomainName
from cloudaudit_aws.assets_apigatewayv2 import ApiGatewayV2Api
from cloudaudit_aws.collect.apigatewayv2 import (
    PERMISSIONS,
    ApiDetail,
    DomainMappings,
    to_api,
    to_domain_mappings,
    to_stage,
)
from cloudaudit_aws.collect.guard import Failed
from cloudaudit_aws.collect.runner import collect
from cloudaudit_aws.collect.services import required_permissions
from cloudaudit_aws.plugin import plugin

plugin.load()

ACCOUNT = "123456789012"
REGION = "us-east-1"
SECRET_VALUE = "Sup3r-S3cret-Demo!"


def _arn(api_id: str) -> str:
    return f"arn:aws:apigateway:{REGION}::/apis/{api_id}"


# ------------------------------------------------------------------------------ translation (pure)

RAW_API: dict[str, Any] = {
    "ApiEndpoint": "https://a1b2c3.execute-api.us-east-1.amazonaws.com",
    "ApiId": "a1b2c3",
    "ApiKeySelectionExpression": "$request.header.x-api-key",
    "CorsConfiguration": {
        "AllowCredentials": True,
        "AllowOrigins": ["https://*"],
        "AllowMethods": ["GET"],
        "AllowHeaders": ["authorization"],
        "ExposeHeaders": ["x-request-id"],
        "MaxAge": 300,
    },
    "DisableExecuteApiEndpoint": False,
    "Name": "orders",
    "ProtocolType": "HTTP",
    "RouteSelectionExpression": "$request.method $request.path",
    "Tags": {"team": "orders"},
}
RAW_ROUTES: list[dict[str, Any]] = [
    {"RouteId": "r1", "RouteKey": "GET /orders", "AuthorizationType": "JWT", "AuthorizerId": "au1"},
    {"RouteId": "r2", "RouteKey": "ANY /{proxy+}", "AuthorizationType": "NONE", "ApiKeyRequired": False},
]
RAW_AUTHORIZER: dict[str, Any] = {
    "AuthorizerId": "au1",
    "AuthorizerType": "JWT",
    "Name": "cognito",
    "IdentitySource": ["$request.header.Authorization"],
    "JwtConfiguration": {"Issuer": "https://cognito-idp.us-east-1.amazonaws.com/pool", "Audience": ["web"]},
}
RAW_STAGE: dict[str, Any] = {
    "StageName": "prod",
    "AutoDeploy": True,
    "AccessLogSettings": {
        "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:gw",
        "Format": "x",
    },
    "DefaultRouteSettings": {"DetailedMetricsEnabled": True, "ThrottlingBurstLimit": 10},
    "RouteSettings": {
        "POST /login": {"DataTraceEnabled": True},
        "GET /orders": {"ThrottlingRateLimit": 5.0},
    },
    "StageVariables": {"dbPassword": SECRET_VALUE, "region": "eu-west-1", "apiKeyName": "orders-key"},
}
RAW_DOMAIN: dict[str, Any] = {
    "DomainName": "api.example.com",
    "DomainNameArn": "arn:aws:apigateway:us-east-1::/domainnames/api.example.com",
    "DomainNameConfigurations": [
        {
            "ApiGatewayDomainName": "d-abc123.execute-api.us-east-1.amazonaws.com",
            "CertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x",
            "DomainNameStatus": "AVAILABLE",
            "EndpointType": "REGIONAL",
            "SecurityPolicy": "TLS_1_0",
        }
    ],
    "MutualTlsAuthentication": {"TruststoreUri": "s3://truststore/bundle.pem"},
}
RAW_MAPPINGS = [{"ApiId": "a1b2c3", "ApiMappingId": "m1", "ApiMappingKey": "v1", "Stage": "prod"}]


def test_api_translation_keeps_routes_authorizers_stages_and_mappings() -> None:
    mappings = to_domain_mappings([RAW_DOMAIN], [(RAW_DOMAIN, RAW_MAPPINGS)])
    api = to_api(ACCOUNT, REGION, RAW_API, ApiDetail(RAW_ROUTES, [RAW_STAGE], [RAW_AUTHORIZER]), mappings)

    assert (api.id, api.name, api.api_id, api.protocol_type, api.tags) == (
        _arn("a1b2c3"),
        "orders",
        "a1b2c3",
        "HTTP",
        {"team": "orders"},
    )
    assert api.cors is not None
    assert (api.cors.allow_origins, api.cors.allow_credentials, api.cors.max_age) == (
        ("https://*",),
        True,
        300,
    )
    assert [(r.route_key, r.authorization_type, r.method) for r in api.routes] == [
        ("GET /orders", "JWT", "GET"),
        ("ANY /{proxy+}", "NONE", "ANY"),
    ]
    (authorizer,) = api.authorizers
    assert (authorizer.name, authorizer.authorizer_type, authorizer.jwt_audience) == (
        "cognito",
        "JWT",
        ("web",),
    )
    (mapping,) = api.domain_mappings
    assert (mapping.url, mapping.stage, mapping.mutual_tls, mapping.security_policy) == (
        "https://api.example.com/v1",
        "prod",
        True,
        "TLS_1_0",
    )
    assert [(e.host, e.from_port, e.to_port, e.via) for e in api.endpoints] == [
        ("a1b2c3.execute-api.us-east-1.amazonaws.com", 443, 443, "execute-api endpoint (https)")
    ]
    assert api.endpoints[0].methods == ("ANY", "GET")  # what the probe compares an Allow header with
    assert api.unread == {}
    disabled = to_api(
        ACCOUNT,
        REGION,
        {**RAW_API, "DisableExecuteApiEndpoint": True},
        ApiDetail([], [], []),
        DomainMappings(),
    )
    assert disabled.endpoints == () and disabled.execute_endpoint_disabled


def test_stage_translation_keeps_variable_names_never_values() -> None:
    stage = to_stage(RAW_STAGE)
    assert stage.access_logging and stage.access_log_destination.endswith("log-group:gw")
    assert (stage.detailed_metrics, stage.data_trace, stage.data_trace_routes) == (
        True,
        False,
        ("POST /login",),
    )
    assert (stage.throttling_burst_limit, stage.throttling_rate_limit, stage.throttled) == (10, None, True)
    assert stage.throttled_routes == ("GET /orders",)
    assert stage.variable_names == ("apiKeyName", "dbPassword", "region")
    assert stage.secret_variables == ("dbPassword",)
    assert SECRET_VALUE not in stage.model_dump_json()
    websocket = to_stage({"StageName": "live", "DefaultRouteSettings": {"LoggingLevel": "INFO"}})
    assert (websocket.logging_level, websocket.access_logging, websocket.throttled) == ("INFO", False, False)


def test_websocket_endpoint_and_failed_reads_become_unread() -> None:
    raw = {
        "ApiId": "ws1",
        "ProtocolType": "WEBSOCKET",
        "ApiEndpoint": "wss://ws1.execute-api.us-east-1.amazonaws.com",
    }
    denied = Failed("AccessDeniedException", "denied")
    api = to_api(
        ACCOUNT, REGION, raw, ApiDetail(denied, denied, None), DomainMappings(unread="Throttling on X")
    )
    assert api.websocket and api.name == "ws1"
    assert [e.via for e in api.endpoints] == ["execute-api endpoint (wss)"]
    assert api.endpoints[0].methods is None  # WebSocket routes are not HTTP methods
    assert api.unread == {
        "routes": "AccessDeniedException on GetRoutes",
        "authorizers": "AccessDeniedException on GetRoutes",
        "stages": "AccessDeniedException on GetStages",
        "domain_mappings": "Throttling on X",
    }
    partial = to_api(ACCOUNT, REGION, raw, ApiDetail([], [], denied), DomainMappings())
    assert partial.unread == {"authorizers": "AccessDeniedException on GetAuthorizer"}


def test_domain_mappings_are_grouped_by_api_and_unreadable_ones_reported() -> None:
    plain = {"DomainName": "www.example.com", "DomainNameConfigurations": [{"SecurityPolicy": "TLS_1_2"}]}
    mappings = to_domain_mappings(
        [RAW_DOMAIN, plain],
        [
            (RAW_DOMAIN, [*RAW_MAPPINGS, {"ApiId": "other1", "ApiMappingKey": "", "Stage": "$default"}]),
            (plain, [{"ApiId": "a1b2c3", "Stage": "prod"}]),
        ],
    )
    assert mappings.unread == ""
    assert {k: [(m.url, m.mutual_tls, m.security_policy) for m in v] for k, v in mappings.by_api.items()} == {
        "a1b2c3": [
            ("https://api.example.com/v1", True, "TLS_1_0"),
            ("https://www.example.com", False, "TLS_1_2"),
        ],
        "other1": [("https://api.example.com", True, "TLS_1_0")],
    }

    denied = Failed("AccessDeniedException", "denied")
    assert (
        to_domain_mappings([RAW_DOMAIN], [(RAW_DOMAIN, denied)]).unread
        == "AccessDeniedException on GetApiMappings"
    )
    assert to_domain_mappings(denied, []).unread == "AccessDeniedException on GetDomainNames"


def test_apigatewayv2_permissions_are_required_and_read_only() -> None:
    assert PERMISSIONS == ("apigateway:GET",)
    assert set(PERMISSIONS) <= set(required_permissions())


# ------------------------------------------------------------------------------ end to end (moto server)


def _collect(*services: str) -> tuple[dict[str, ApiGatewayV2Api], Any]:
    inv = collect(
        CollectOptions(regions=(REGION,), services=frozenset(services or {"apigatewayv2"}), max_workers=4),
        PlainProgress(),
    )
    return {a.name: a for a in inv.of(ApiGatewayV2Api)}, inv


def test_demo_seed_is_collected_with_routes_authorizers_stages_and_domain_mappings(aws: str) -> None:
    demo_apigatewayv2.seed(aws, REGION)

    apis, inv = _collect()

    assert inv.gaps == ()
    # Custom domains belong to the apigateway service: none is emitted here.
    assert not [a.id for a in inv.assets if a.kind.startswith("aws.apigatewayv2.domain")]
    assert {a.kind for a in inv.assets} == {"aws.apigatewayv2.api"}
    assert set(apis) == {
        "orders-api-no-auth",
        "payments-api-jwt",
        "chat-ws-open-connect",
        "notifications-ws-iam",
    }
    orders, payments = apis["orders-api-no-auth"], apis["payments-api-jwt"]
    assert orders.id == _arn(orders.api_id) and orders.unread == {}
    assert {r.route_key: r.authorization_type for r in orders.routes} == {
        "GET /orders": "NONE",
        "DELETE /orders/{id}": "NONE",
        "ANY /admin/{proxy+}": "NONE",
        "$default": "NONE",
    }
    (prod,) = orders.stages
    assert (prod.access_logging, prod.data_trace, prod.secret_variables) == (False, True, ("dbPassword",))
    assert [(m.url, m.mutual_tls, m.security_policy) for m in orders.domain_mappings] == [
        ("https://legacy-orders.example.com/orders", False, "TLS_1_0")
    ]
    assert [e.host for e in orders.endpoints] == [f"{orders.api_id}.execute-api.{REGION}.amazonaws.com"]
    assert SECRET_VALUE not in json.dumps(inv.to_json())

    assert payments.execute_endpoint_disabled and payments.endpoints == ()
    (authorizer,) = payments.authorizers  # read with GetAuthorizer: the id the JWT routes reference
    assert (authorizer.name, authorizer.authorizer_type, authorizer.jwt_audience) == (
        "cognito-jwt",
        "JWT",
        ("payments-web",),
    )
    assert payments.cors is not None and payments.cors.allow_origins == ("https://shop.example.com",)
    assert (payments.stages[0].access_logging, payments.stages[0].throttled) == (True, True)
    assert [m.domain_name for m in payments.domain_mappings] == ["payments.example.com"]

    chat = apis["chat-ws-open-connect"]
    assert chat.websocket and [e.via for e in chat.endpoints] == ["execute-api endpoint (wss)"]
    assert chat.domain_mappings == ()


def test_with_apigateway_each_shared_domain_is_one_asset_of_the_v1_service(aws: str) -> None:
    """AWS lists a domain through both API versions; moto keeps two pools, so it is created in both."""
    demo_apigatewayv2.seed(aws, REGION)
    boto3.client("apigateway", endpoint_url=aws, region_name=REGION).create_domain_name(
        domainName=demo_apigatewayv2.LEGACY_DOMAIN,
        regionalCertificateArn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/legacy-orders",
        endpointConfiguration={"types": ["REGIONAL"]},
        securityPolicy="TLS_1_0",
    )

    apis, inv = _collect("apigateway", "apigatewayv2")

    ids = [a.id for a in inv.assets]
    assert len(ids) == len(set(ids))
    (domain,) = inv.of(ApiGatewayDomainName)
    assert (domain.id, domain.security_policy) == (
        f"arn:aws:apigateway:{REGION}::/domainnames/{demo_apigatewayv2.LEGACY_DOMAIN}",
        "TLS_1_0",
    )
    assert [m.domain_name for m in apis["orders-api-no-auth"].domain_mappings] == [domain.domain_name]


def _findings(out: Path) -> list[dict[str, Any]]:
    return list(json.loads((out / "findings.json").read_text())["findings"])


def _run(out: Path, checks: str = "aws.apigatewayv2.*") -> list[dict[str, Any]]:
    assert main(["run", "--provider", "aws", "--regions", REGION, "--checks", checks, "-o", str(out)]) == 0
    return _findings(out)


def _verdicts(findings: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(check name, resource name) -> FAIL severity or status."""
    return {
        (f["check_id"].removeprefix("aws.apigatewayv2."), f["resource_name"]): (
            f["severity"] if f["status"] == "FAIL" else f["status"]
        )
        for f in findings
    }


def test_run_grades_the_demo_apis(aws: str, out_dir: Path) -> None:
    demo_apigatewayv2.seed(aws, REGION)

    findings = _run(out_dir)

    verdicts = _verdicts(findings)
    failing = {k: v for k, v in verdicts.items() if v not in ("PASS", "UNKNOWN", "ERROR")}
    assert failing == {
        ("route_no_authorization", "orders-api-no-auth"): "high",
        ("catch_all_route", "orders-api-no-auth"): "medium",
        ("cors_any_origin", "orders-api-no-auth"): "medium",
        ("execute_endpoint_with_custom_domain", "orders-api-no-auth"): "medium",
        ("stage_access_logging", "orders-api-no-auth"): "medium",
        ("stage_data_trace", "orders-api-no-auth"): "medium",
        ("stage_secret_variables", "orders-api-no-auth"): "high",
        ("stage_throttling_not_set", "orders-api-no-auth"): "low",
        ("websocket_connect_no_authorization", "chat-ws-open-connect"): "medium",
    }
    assert not [f for f in findings if f["status"] in ("UNKNOWN", "ERROR")]
    payments = {check for (check, name), v in verdicts.items() if name == "payments-api-jwt" and v == "PASS"}
    assert payments == {
        "route_no_authorization",
        "catch_all_route",
        "cors_any_origin",
        "execute_endpoint_with_custom_domain",
        "stage_access_logging",
        "stage_data_trace",
        "stage_secret_variables",
        "stage_throttling_not_set",
    }
    assert verdicts["websocket_connect_no_authorization", "notifications-ws-iam"] == "PASS"
    assert not [f for f in findings if "/domainnames/" in f["resource_id"]]  # judged by apigateway

    by_check = {(f["check_id"], f["resource_name"]): f for f in findings}
    open_routes = by_check["aws.apigatewayv2.route_no_authorization", "orders-api-no-auth"]
    assert sorted(open_routes["evidence"]["route_keys"]) == [
        "$default",
        "ANY /admin/{proxy+}",
        "DELETE /orders/{id}",
        "GET /orders",
    ]
    assert "https://legacy-orders.example.com/orders" in open_routes["evidence"]["reachable_via"]
    assert open_routes["compliance"]["AWS-Foundational-Security-Best-Practices"] == ["APIGateway.8"]
    assert open_routes["compliance"]["OWASP-API-Top10-2023"] == ["API2", "API8"]  # unauthenticated: API2 too
    secret = by_check["aws.apigatewayv2.stage_secret_variables", "orders-api-no-auth"]
    assert secret["evidence"]["stages"] == {"prod": ["dbPassword"]}
    for name in ("findings.json", "inventory.json", "report.html"):
        path = out_dir / name
        if path.exists():
            assert SECRET_VALUE not in path.read_text(), name


# ------------------------------------------------------------------------------ pagination and a denied read

API_ONE = {
    "apiId": "pageone1",
    "apiEndpoint": "https://pageone1.execute-api.us-east-1.amazonaws.com",
    "name": "paged-open-api",
    "protocolType": "HTTP",
    "disableExecuteApiEndpoint": False,
}
API_TWO = {
    "apiId": "denied22",
    "apiEndpoint": "https://denied22.execute-api.us-east-1.amazonaws.com",
    "name": "routes-denied-api",
    "protocolType": "HTTP",
    "disableExecuteApiEndpoint": False,
}
DOMAIN = {
    "domainName": "api.paged.example.com",
    "domainNameArn": "arn:aws:apigateway:us-east-1::/domainnames/api.paged.example.com",
    "domainNameConfigurations": [{"endpointType": "REGIONAL", "securityPolicy": "TLS_1_2"}],
}


def _page(items: list[dict[str, Any]], next_token: str = "") -> Response:
    body: dict[str, Any] = {"items": items}
    if next_token:
        body["nextToken"] = next_token
    return Response(json.dumps(body), status=200, content_type="application/json")


def _apigatewayv2(request: Request) -> Response:
    """GetApis, GetRoutes, GetStages, GetDomainNames, GetApiMappings as API Gateway answers them."""
    token = request.args.get("nextToken", "")
    path = request.path
    if path == "/v2/apis":
        return _page([API_TWO], "apis-2") if not token else _page([API_ONE])
    if path == "/v2/apis/pageone1/routes":
        if not token:
            return _page(
                [{"routeId": "r1", "routeKey": "GET /orders", "authorizationType": "NONE"}], "routes-2"
            )
        return _page([{"routeId": "r2", "routeKey": "POST /orders", "authorizationType": "NONE"}])
    if path == "/v2/apis/denied22/routes":
        return Response(
            json.dumps({"message": "User is not authorized to perform: apigateway:GET"}),
            status=403,
            headers={"x-amzn-ErrorType": "AccessDeniedException"},
            content_type="application/json",
        )
    if path.endswith("/stages"):
        return _page([{"stageName": "$default", "autoDeploy": True, "apiGatewayManaged": True}])
    if path == "/v2/domainnames":
        return _page([DOMAIN])
    if path == "/v2/domainnames/api.paged.example.com/apimappings":
        if not token:
            return _page([], "mappings-2")  # an empty first page, as AWS may send
        return _page([{"apiId": "pageone1", "apiMappingId": "m1", "apiMappingKey": "", "stage": "$default"}])
    return Response(json.dumps({"message": f"no route {path}"}), status=404, content_type="application/json")


def test_pages_are_followed_and_a_denied_route_read_is_unknown(
    aws: str, out_dir: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """STS and EC2 come from moto; API Gateway v2 from the local server (its standard endpoint setting)."""
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(f"{request.path}?{request.query_string.decode()}")
        return _apigatewayv2(request)

    httpserver.expect_request(re.compile(r"^/v2/"), method="GET").respond_with_handler(handler)
    monkeypatch.setenv("AWS_ENDPOINT_URL_APIGATEWAYV2", httpserver.url_for("/"))

    findings = _run(out_dir)

    verdicts = _verdicts(findings)
    by_check = {(f["check_id"].removeprefix("aws.apigatewayv2."), f["resource_name"]): f for f in findings}
    paged = by_check["route_no_authorization", "paged-open-api"]
    assert (paged["status"], paged["severity"]) == ("FAIL", "high")
    assert paged["evidence"]["route_keys"] == ["GET /orders", "POST /orders"]  # both pages of routes
    # The mapping came from the second page of GetApiMappings (no botocore paginator for it).
    assert verdicts["execute_endpoint_with_custom_domain", "paged-open-api"] == "medium"
    denied = by_check["route_no_authorization", "routes-denied-api"]
    assert denied["status"] == "UNKNOWN"
    assert "AccessDeniedException on GetRoutes" in denied["message"]
    assert verdicts["stage_access_logging", "routes-denied-api"] == "medium"  # its stages were still read
    doc = json.loads((out_dir / "findings.json").read_text())
    gaps = {(g["service"], g["operation"], g["resource_id"], g["error_code"]) for g in doc["coverage"]}
    assert gaps == {("apigatewayv2", "GetRoutes", _arn("denied22"), "AccessDeniedException")}
    assert "/v2/apis?nextToken=apis-2" in seen
    assert "/v2/domainnames/api.paged.example.com/apimappings?nextToken=mappings-2" in seen
