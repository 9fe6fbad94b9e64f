"""Pass/fail table of every API Gateway v2 check (merged into tests/providers/aws/test_checks_aws.py)."""

from __future__ import annotations

from collections.abc import Callable

from aws_build_apigatewayv2 import api, api_arn, cors, mapping, route, stage, worst_api
from aws_cases import CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_aws.assets_apigatewayv2 import ApiGatewayV2Api

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
A = api_arn
DENIED = "AccessDenied on GetApiMappings"

# ------------------------------------------------------------------------------------ authorization

_ROUTE_AUTH = case(
    api("open-served", routes=(route("GET /orders"), route("POST /orders", "JWT", "au1"))),
    # Reachable only through a custom domain: still served.
    api(
        "open-via-domain",
        routes=(route("DELETE /orders/{id}"),),
        execute_endpoint=False,
        mappings=(mapping("api.example.com", "open-via-domain", "v1"),),
    ),
    # Nothing serves it: endpoint disabled, no domain.
    api("open-unreachable", routes=(route("GET /orders"),), execute_endpoint=False),
    # Reachable but not deployed to any stage.
    api("open-no-stage", routes=(route("GET /orders"),), stages=()),
    # Mappings unread and endpoint disabled: cannot tell.
    api(
        "open-mappings-unread",
        routes=(route("GET /orders"),),
        execute_endpoint=False,
        unread={"domain_mappings": DENIED},
    ),
    # Stages unread: assumed deployed.
    api("open-stages-unread", routes=(route("$default"),), stages=(), unread={"stages": "Throttling"}),
    api(
        "all-authorized",
        routes=(
            route("GET /orders", "JWT", "au1"),
            route("POST /orders", "AWS_IAM"),
            route("$default", "CUSTOM"),
        ),
    ),
    # CORS preflight routes stay open on purpose.
    api("options-open", routes=(route("OPTIONS /orders"), route("GET /orders", "JWT", "au1"))),
    api("no-routes", routes=()),
    api("ws-open", protocol="WEBSOCKET", routes=(route("$connect"), route("sendMessage"))),
    failing={
        A("open-served"): HIGH,
        A("open-via-domain"): HIGH,
        A("open-unreachable"): LOW,
        A("open-no-stage"): LOW,
        A("open-stages-unread"): HIGH,
    },
    passing={A("all-authorized"), A("options-open"), A("no-routes")},
    unknown={A("open-mappings-unread")},
    silent={A("ws-open")},
    messages={
        A("open-served"): "lets anyone call GET /orders without authorization",
        A("open-via-domain"): "https://api.example.com/v1",
        A("open-unreachable"): "not reachable today",
        A("open-no-stage"): "not deployed to any stage",
        A("open-mappings-unread"): DENIED,
    },
)

_WS_CONNECT = case(
    api("ws-connect-open", protocol="WEBSOCKET", routes=(route("$connect"), route("$default"))),
    api("ws-no-connect", protocol="WEBSOCKET", routes=(route("sendMessage"),)),
    api("ws-connect-open-private", protocol="WEBSOCKET", routes=(route("$connect"),), execute_endpoint=False),
    api("ws-connect-iam", protocol="WEBSOCKET", routes=(route("$connect", "AWS_IAM"), route("sendMessage"))),
    api("ws-connect-lambda", protocol="WEBSOCKET", routes=(route("$connect", "CUSTOM", "lam1"),)),
    api("http-api", routes=(route("GET /orders"),)),
    failing={A("ws-connect-open"): MEDIUM, A("ws-no-connect"): MEDIUM, A("ws-connect-open-private"): LOW},
    passing={A("ws-connect-iam"), A("ws-connect-lambda")},
    silent={A("http-api")},
    messages={
        A("ws-no-connect"): "has no $connect route",
        A("ws-connect-open"): "no authorizer on its $connect",
    },
)

_CATCH_ALL = case(
    api("default-open", routes=(route("$default"),)),
    api("any-open", routes=(route("ANY /{proxy+}"), route("GET /health", "JWT", "au1"))),
    api("default-authorized", routes=(route("$default", "JWT", "au1"),)),
    api("two-open", routes=(route("ANY /{proxy+}"), route("$default"))),
    api("one-of-two-open", routes=(route("ANY /{proxy+}", "JWT", "au1"), route("$default"))),
    api("any-open-unreachable", routes=(route("ANY /{proxy+}"),), execute_endpoint=False),
    api("explicit-routes", routes=(route("GET /orders"), route("POST /orders", "JWT", "au1"))),
    api("ws-default", protocol="WEBSOCKET", routes=(route("$connect", "AWS_IAM"), route("$default"))),
    failing={
        A("default-open"): MEDIUM,
        A("any-open"): MEDIUM,
        A("default-authorized"): LOW,
        A("any-open-unreachable"): LOW,
        A("two-open"): MEDIUM,
        A("one-of-two-open"): MEDIUM,
    },
    passing={A("explicit-routes")},
    silent={A("ws-default")},
    messages={
        A("any-open"): "catch-all route(s) ANY /{proxy+}, without authorization.",
        A("default-open"): "catch-all route(s) $default, without authorization.",
        A("two-open"): "catch-all route(s) ANY /{proxy+}, $default, none with authorization.",
        A("one-of-two-open"): "catch-all route(s) ANY /{proxy+}, $default; without authorization: $default.",
    },
)

# ------------------------------------------------------------------------------------------- CORS

_CORS = case(
    api("cors-star", cors_config=cors(["*"])),
    api("cors-star-credentials", cors_config=cors(["*"], credentials=True)),
    api("cors-https-star-credentials", cors_config=cors(["https://*"], credentials=True)),
    api("cors-null-credentials", cors_config=cors(["https://app.example.com", "null"], credentials=True)),
    api("cors-http-star", cors_config=cors(["http://*"])),
    api("cors-star-unreachable", cors_config=cors(["*"]), execute_endpoint=False),
    api("cors-listed", cors_config=cors(["https://app.example.com"], credentials=True)),
    api("cors-subdomain-pattern", cors_config=cors(["https://*.example.com"])),
    api("no-cors"),
    failing={
        A("cors-star"): MEDIUM,
        A("cors-star-credentials"): MEDIUM,
        A("cors-https-star-credentials"): HIGH,
        A("cors-null-credentials"): HIGH,
        A("cors-http-star"): MEDIUM,
        A("cors-star-unreachable"): LOW,
    },
    passing={A("cors-listed"), A("cors-subdomain-pattern")},
    silent={A("no-cors")},
    messages={
        A("cors-https-star-credentials"): "echoes any origin (https://*) with AllowCredentials true",
        A("cors-star-credentials"): "browsers refuse",
    },
)

# ------------------------------------------------------------------------------------- endpoints

_EXECUTE_ENDPOINT = case(
    api("domain-and-default", mappings=(mapping("api.example.com", "domain-and-default"),)),
    api("mtls-bypass", mappings=(mapping("mtls.example.com", "mtls-bypass", mutual_tls=True),)),
    api("domain-only", execute_endpoint=False, mappings=(mapping("api.example.com", "domain-only", "v2"),)),
    api("default-only"),
    failing={A("domain-and-default"): MEDIUM, A("mtls-bypass"): HIGH},
    passing={A("domain-only")},
    silent={A("default-only")},
    messages={A("mtls-bypass"): "skips mutual TLS"},
)

# ------------------------------------------------------------------------------------------ stages

_ACCESS_LOGS = case(
    api("no-logs", stages=(stage("prod", logs=False), stage("dev"))),
    api("logs"),
    api("no-stages", stages=()),
    failing={A("no-logs"): MEDIUM},
    passing={A("logs")},
    silent={A("no-stages")},
    messages={A("no-logs"): "stage(s) prod write no access logs"},
)

_DATA_TRACE = case(
    api("trace-default", stages=(stage(data_trace=True),)),
    api("trace-one-route", stages=(stage("dev"), stage("prod", data_trace_routes=("POST /login",)))),
    api("no-trace"),
    api("no-stages", stages=()),
    failing={A("trace-default"): MEDIUM, A("trace-one-route"): MEDIUM},
    passing={A("no-trace")},
    silent={A("no-stages")},
    messages={A("trace-one-route"): "on stage(s) prod"},
)

_SECRETS = case(
    api(
        "secret-var",
        stages=(
            stage("prod", variable_names=("dbPassword", "lambdaAlias"), secret_variables=("dbPassword",)),
        ),
    ),
    api("plain-vars", stages=(stage("prod", variable_names=("lambdaAlias", "tableName")),)),
    api("no-stages", stages=()),
    failing={A("secret-var"): HIGH},
    passing={A("plain-vars")},
    silent={A("no-stages")},
    messages={A("secret-var"): "prod: dbPassword"},
)

_THROTTLING = case(
    api("unthrottled", stages=(stage("prod", throttled=False),)),
    api("throttled"),
    api("no-stages", stages=()),
    failing={A("unthrottled"): LOW},
    passing={A("throttled")},
    silent={A("no-stages")},
)

CASES: dict[str, CheckCase] = {
    "aws.apigatewayv2.route_no_authorization": _ROUTE_AUTH,
    "aws.apigatewayv2.websocket_connect_no_authorization": _WS_CONNECT,
    "aws.apigatewayv2.catch_all_route": _CATCH_ALL,
    "aws.apigatewayv2.cors_any_origin": _CORS,
    "aws.apigatewayv2.execute_endpoint_with_custom_domain": _EXECUTE_ENDPOINT,
    "aws.apigatewayv2.stage_access_logging": _ACCESS_LOGS,
    "aws.apigatewayv2.stage_data_trace": _DATA_TRACE,
    "aws.apigatewayv2.stage_secret_variables": _SECRETS,
    "aws.apigatewayv2.stage_throttling_not_set": _THROTTLING,
}

FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]] = {
    ApiGatewayV2Api: worst_api,
}
