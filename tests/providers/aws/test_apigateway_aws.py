"""API Gateway REST APIs (v1): translation (pure), collection and `cloudaudit run` over moto's server.

moto 5.2 serves every read the collector makes (GetRestApis, GetResources with embed=methods,
GetAuthorizers, GetStages with methodSettings set through UpdateStage patch operations and webAclArn
through wafv2 AssociateWebACL, GetGatewayResponses, GetDomainNames with securityPolicy,
GetBasePathMappings). What it lacks is served by a local server on 127.0.0.1 speaking API Gateway's
real REST-JSON wire format (list key ``item``, ``position`` paging, errors as ``x-amzn-ErrorType`` +
``{"message": ...}``), reached through AWS_ENDPOINT_URL_API_GATEWAY, which forwards every other
request to moto:

* GetRestApis as AWS answers it: the resource policy JSON-escaped a second time, and two pages;
* GetStages with ``clientCertificateId`` (moto's stages never carry one);
* a denied GetStages / GetBasePathMappings / GetResources (AccessDeniedException) for the
  partial-failure tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from cloudaudit.cli.app import main
from cloudaudit.plugins import CollectOptions
from cloudaudit.progress import PlainProgress
from cloudaudit_aws import demo_apigateway
from cloudaudit_aws.assets_apigateway import ApiGatewayDomainName, ApiGatewayRestApi, ApiMethod
from cloudaudit_aws.collect.apigateway import (
    PERMISSIONS,
    domains_by_api,
    parse_policy,
    to_domain_name,
    to_methods,
    to_rest_api,
    to_stage,
    with_domain_methods,
)
from cloudaudit_aws.collect.guard import Failed
from cloudaudit_aws.collect.runner import collect
from cloudaudit_aws.collect.services import required_permissions
from cloudaudit_aws.plugin import plugin

plugin.load()

ACCOUNT = "123456789012"
REGION = "us-east-1"
SECRET_VALUE = "demo-Sup3r-S3cret!"
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
        }
    ],
}


def _escaped(policy: dict[str, Any]) -> str:
    """The ``policy`` field as AWS returns it: the JSON document escaped again, ``/`` as ``\\/``."""
    return json.dumps(json.dumps(policy, separators=(",", ":")))[1:-1].replace("/", "\\/")


def _arn(api_id: str) -> str:
    return f"arn:aws:apigateway:{REGION}::/restapis/{api_id}"


# ------------------------------------------------------------------------------ translation (pure)

RAW_API: dict[str, Any] = {
    "id": "a1b2c3d4e5",
    "name": "orders",
    "apiKeySource": "HEADER",
    "endpointConfiguration": {"types": ["REGIONAL"]},
    "policy": _escaped(POLICY),
    "tags": {"team": "orders"},
    "disableExecuteApiEndpoint": False,
    "rootResourceId": "r00t",
}
RAW_RESOURCES: list[dict[str, Any]] = [
    {"id": "r00t", "path": "/"},
    {
        "id": "res1",
        "parentId": "r00t",
        "pathPart": "orders",
        "path": "/orders",
        "resourceMethods": {
            "GET": {
                "httpMethod": "GET",
                "authorizationType": "NONE",
                "apiKeyRequired": False,
                "methodIntegration": {
                    "type": "HTTP_PROXY",
                    "httpMethod": "GET",
                    "uri": "https://svc:k3y@orders.example.com:8443/v1/orders?token=abc",
                    "connectionType": "INTERNET",
                },
            },
            "POST": {
                "httpMethod": "POST",
                "authorizationType": "COGNITO_USER_POOLS",
                "authorizerId": "au1",
                "apiKeyRequired": True,
                "requestValidatorId": "val1",
                "methodIntegration": {
                    "type": "AWS_PROXY",
                    "httpMethod": "POST",
                    "uri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                    "arn:aws:lambda:us-east-1:123456789012:function:orders/invocations",
                },
            },
        },
    },
]
RAW_STAGE: dict[str, Any] = {
    "deploymentId": "dep1",
    "stageName": "prod",
    "clientCertificateId": "cert1",
    "cacheClusterEnabled": True,
    "methodSettings": {
        "*/*": {
            "loggingLevel": "INFO",
            "dataTraceEnabled": True,
            "metricsEnabled": True,
            "cachingEnabled": True,
            "cacheDataEncrypted": False,
            "throttlingBurstLimit": 100,
            "throttlingRateLimit": 50.0,
        }
    },
    "variables": {"dbPassword": SECRET_VALUE, "backendHost": "orders.internal"},
    "accessLogSettings": {
        "format": "$context.requestId",
        "destinationArn": "arn:aws:logs:us-east-1:1:log-group:a",
    },
    "tracingEnabled": True,
    "webAclArn": "arn:aws:wafv2:us-east-1:1:regional/webacl/a/1",
}
RAW_DOMAIN: dict[str, Any] = {
    "domainName": "api.example.com",
    "regionalDomainName": "d-abc.execute-api.us-east-1.amazonaws.com",
    "endpointConfiguration": {"types": ["REGIONAL"]},
    "domainNameStatus": "AVAILABLE",
    "securityPolicy": "TLS_1_0",
    "mutualTlsAuthentication": {"truststoreUri": "s3://trust/store.pem"},
}
DETAILS: dict[str, Any] = {
    "resources": RAW_RESOURCES,
    "authorizers": [{"id": "au1", "name": "users", "type": "COGNITO_USER_POOLS"}],
    "stages": [RAW_STAGE],
    "gateway_responses": [
        {"responseType": "DEFAULT_5XX", "statusCode": "500", "responseTemplates": {"application/json": "{}"}}
    ],
}


def test_policy_is_parsed_from_the_doubly_escaped_wire_form_and_from_plain_json() -> None:
    assert parse_policy(_escaped(POLICY)) == (POLICY, "")
    assert parse_policy(json.dumps(POLICY)) == (POLICY, "")
    assert parse_policy(None) == (None, "") and parse_policy("") == (None, "")
    doc, error = parse_policy("{not json")
    assert doc is None and "not valid JSON" in error


def test_methods_come_from_embedded_resource_methods() -> None:
    methods = to_methods(RAW_RESOURCES)
    assert [(m.label, m.authorization_type, m.api_key_required, m.unauthenticated) for m in methods] == [
        ("GET /orders", "NONE", False, True),
        ("POST /orders", "COGNITO_USER_POOLS", True, False),
    ]
    assert (methods[1].authorizer_id, methods[1].request_validator_id) == ("au1", "val1")


def test_methods_keep_their_integration_but_no_path_query_or_credentials_of_its_uri() -> None:
    private = {
        "id": "res2",
        "path": "/stock",
        "resourceMethods": {
            "PUT": {
                "httpMethod": "PUT",
                "authorizationType": "AWS_IAM",
                "methodIntegration": {
                    "type": "HTTP",
                    "uri": "http://${stageVariables.backendHost}/stock",
                    "connectionType": "VPC_LINK",
                    "connectionId": "vl1",
                },
            },
            "DELETE": {"httpMethod": "DELETE", "authorizationType": "AWS_IAM"},
        },
    }
    methods = {m.label: m for m in to_methods([*RAW_RESOURCES, private])}
    integrations = {
        label: (m.integration_type, m.integration_connection, m.integration_host, m.http_backend)
        for label, m in methods.items()
    }
    assert integrations == {
        "GET /orders": ("HTTP_PROXY", "", "https://orders.example.com:8443", True),
        "POST /orders": ("AWS_PROXY", "", "", False),
        "PUT /stock": ("HTTP", "VPC_LINK", "http://${stageVariables.backendHost}", True),
        "DELETE /stock": ("", "", "", False),  # no integration: nothing is called
    }
    dumped = json.dumps([m.model_dump() for m in methods.values()])
    assert "k3y" not in dumped and "token=abc" not in dumped and "/v1/orders" not in dumped
    # An inventory written before integrations were collected: not recorded, not "none".
    old = ApiMethod.model_validate({"path": "/orders", "http_method": "GET"})
    assert (old.integration_type, old.http_backend) == (None, False)


def test_stage_keeps_settings_and_variable_names_but_never_values() -> None:
    stage = to_stage(RAW_STAGE)
    (setting,) = stage.method_settings
    assert (setting.key, setting.logging_level, setting.data_trace_enabled) == ("*/*", "INFO", True)
    assert (setting.caching_enabled, setting.cache_data_encrypted, setting.throttling_rate_limit) == (
        True,
        False,
        50.0,
    )
    assert (stage.client_certificate_id, stage.tracing_enabled, stage.cache_cluster_enabled) == (
        "cert1",
        True,
        True,
    )
    assert stage.access_log_destination.endswith("log-group:a") and stage.web_acl_arn.endswith("webacl/a/1")
    assert stage.variable_names == ("backendHost", "dbPassword")
    assert stage.secret_variables == ("dbPassword",)
    assert SECRET_VALUE not in stage.model_dump_json()


def test_rest_api_translation_publishes_the_default_endpoint_and_joins_custom_domains() -> None:
    api = to_rest_api(ACCOUNT, REGION, RAW_API, DETAILS, {"a1b2c3d4e5": ("api.example.com",)})
    assert (api.id, api.name, api.api_id, api.tags) == (
        _arn("a1b2c3d4e5"),
        "orders",
        "a1b2c3d4e5",
        {"team": "orders"},
    )
    assert (api.endpoint_types, api.policy, api.unread) == (("REGIONAL",), POLICY, {})
    assert [(e.host, e.from_port, e.to_port) for e in api.endpoints] == [
        ("a1b2c3d4e5.execute-api.us-east-1.amazonaws.com", 443, 443)
    ]
    assert api.endpoints[0].methods == ("GET", "POST")  # what the probe compares an Allow header with
    assert api.custom_domains == ("api.example.com",)
    assert [a.type for a in api.authorizers] == ["COGNITO_USER_POOLS"]
    assert [(g.response_type, g.status_code, g.template_bytes) for g in api.gateway_responses] == [
        ("DEFAULT_5XX", "500", 2)
    ]
    private = to_rest_api(
        ACCOUNT,
        REGION,
        {**RAW_API, "endpointConfiguration": {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-1"]}},
        DETAILS,
        {},
    )
    assert (private.endpoints, private.vpc_endpoint_ids, private.custom_domains) == ((), ("vpce-1",), ())
    disabled = to_rest_api(ACCOUNT, REGION, {**RAW_API, "disableExecuteApiEndpoint": True}, DETAILS, {})
    assert disabled.endpoints == ()


def test_failed_detail_reads_become_unread_attributes() -> None:
    denied = Failed("AccessDeniedException", "denied")
    details = {**DETAILS, "stages": denied, "resources": denied}
    api = to_rest_api(ACCOUNT, REGION, RAW_API, details, "AccessDeniedException on GetBasePathMappings")
    assert api.unread == {
        "stages": "AccessDeniedException on GetStages",
        "methods": "AccessDeniedException on GetResources",
        "custom_domains": "AccessDeniedException on GetBasePathMappings",
    }
    assert (api.stages, api.methods, api.custom_domains) == ((), (), ())
    assert api.endpoints[0].methods is None  # unread: unknown, not "declares nothing"


def test_domain_translation_and_which_api_each_domain_serves() -> None:
    mappings = [{"basePath": "(none)", "restApiId": "a1b2c3d4e5", "stage": "prod"}]
    dom = to_domain_name(ACCOUNT, REGION, RAW_DOMAIN, mappings)
    assert dom.id == f"arn:aws:apigateway:{REGION}::/domainnames/api.example.com"
    assert (dom.security_policy, dom.mutual_tls, dom.endpoint_types) == ("TLS_1_0", True, ("REGIONAL",))
    assert [(m.base_path, m.rest_api_id, m.stage) for m in dom.mappings] == [("(none)", "a1b2c3d4e5", "prod")]
    assert [(e.host, e.from_port) for e in dom.endpoints] == [("api.example.com", 443)]
    private = to_domain_name(
        ACCOUNT, REGION, {**RAW_DOMAIN, "endpointConfiguration": {"types": ["PRIVATE"]}}, []
    )
    assert private.endpoints == ()
    failed = to_domain_name(ACCOUNT, REGION, RAW_DOMAIN, Failed("AccessDeniedException", "no"))
    assert failed.unread == {"mappings": "AccessDeniedException on GetBasePathMappings"}

    assert domains_by_api([RAW_DOMAIN], [(RAW_DOMAIN, mappings)]) == {"a1b2c3d4e5": ("api.example.com",)}
    assert domains_by_api(Failed("Throttling", "slow"), []) == "Throttling on GetDomainNames"
    assert domains_by_api([RAW_DOMAIN], [(RAW_DOMAIN, Failed("AccessDeniedException", "no"))]) == (
        "AccessDeniedException on GetBasePathMappings"
    )


def test_a_custom_domain_declares_the_methods_of_the_rest_apis_it_serves() -> None:
    mappings = [{"basePath": "(none)", "restApiId": "a1b2c3d4e5", "stage": "prod"}]
    dom = to_domain_name(ACCOUNT, REGION, RAW_DOMAIN, mappings)
    api = to_rest_api(ACCOUNT, REGION, RAW_API, DETAILS, {})
    (served,) = with_domain_methods([dom, api])[:1]
    assert served.endpoints[0].methods == ("GET", "POST")
    other = to_domain_name(ACCOUNT, REGION, RAW_DOMAIN, [*mappings, {"restApiId": "httpapi1", "stage": "v1"}])
    (unknown,) = with_domain_methods([other, api])[:1]  # also serves an API not read here (an HTTP API)
    assert unknown.endpoints[0].methods is None
    unread = to_rest_api(ACCOUNT, REGION, RAW_API, {**DETAILS, "resources": Failed("Throttling", "slow")}, {})
    assert with_domain_methods([dom, unread])[0].endpoints[0].methods is None


def test_apigateway_permission_is_the_single_read_action() -> None:
    assert PERMISSIONS == ("apigateway:GET",)
    assert set(PERMISSIONS) <= set(required_permissions())


# ------------------------------------------------------------------------------ collection (moto server)


def _api_ids(endpoint: str) -> dict[str, str]:
    client = boto3.client("apigateway", endpoint_url=endpoint, region_name=REGION)
    return {str(a["name"]): str(a["id"]) for a in client.get_rest_apis()["items"]}


def _collect() -> tuple[dict[str, ApiGatewayRestApi], dict[str, ApiGatewayDomainName], Any]:
    inv = collect(
        CollectOptions(regions=(REGION,), services=frozenset({"apigateway"}), max_workers=4), PlainProgress()
    )
    return (
        {a.name: a for a in inv.of(ApiGatewayRestApi)},
        {d.name: d for d in inv.of(ApiGatewayDomainName)},
        inv,
    )


def test_demo_seed_is_collected(aws: str) -> None:
    demo_apigateway.seed(aws, REGION)
    ids = _api_ids(aws)

    apis, domains, inv = _collect()

    assert inv.gaps == ()
    assert set(apis) == {"orders-rest-api-no-auth", "payments-rest-api-iam", "inventory-private-api"}
    orders, payments, private = (
        apis["orders-rest-api-no-auth"],
        apis["payments-rest-api-iam"],
        apis["inventory-private-api"],
    )
    assert orders.id == _arn(ids["orders-rest-api-no-auth"])
    assert [m.label for m in orders.methods if m.unauthenticated] == ["ANY /admin", "GET /orders"]
    assert [e.host for e in orders.endpoints] == [
        f"{ids['orders-rest-api-no-auth']}.execute-api.{REGION}.amazonaws.com"
    ]
    assert orders.endpoints[0].methods == tuple(sorted({m.http_method for m in orders.methods}))
    assert "ANY" in orders.endpoints[0].methods  # read over the wire from moto's GetResources
    assert orders.custom_domains == (demo_apigateway.ORDERS_DOMAIN,)
    (prod,) = orders.stages
    assert (prod.name, prod.secret_variables, prod.access_log_destination) == ("prod", ("dbPassword",), "")
    assert prod.setting("*/*") is not None and prod.setting("*/*").data_trace_enabled  # type: ignore[union-attr]
    assert SECRET_VALUE not in json.dumps(inv.to_json())

    assert (payments.execute_api_endpoint_disabled, payments.endpoints) == (True, ())
    assert {m.authorization_type for m in payments.methods if m.http_method != "OPTIONS"} == {
        "COGNITO_USER_POOLS",
        "AWS_IAM",
    }
    (pstage,) = payments.stages
    assert pstage.web_acl_arn.startswith("arn:aws:wafv2:") and pstage.tracing_enabled
    assert payments.custom_domains == (demo_apigateway.PAYMENTS_DOMAIN,)
    assert [a.name for a in payments.authorizers] == ["payments-users"]

    assert (private.endpoint_types, private.endpoints, private.vpc_endpoint_ids) == (
        ("PRIVATE",),
        (),
        (demo_apigateway.DEMO_VPCE,),
    )
    assert private.policy is not None and private.policy["Statement"][0]["Condition"]

    legacy = domains[demo_apigateway.ORDERS_DOMAIN]
    assert (legacy.security_policy, [m.rest_api_id for m in legacy.mappings]) == (
        "TLS_1_0",
        [ids["orders-rest-api-no-auth"]],
    )
    assert [e.host for e in legacy.endpoints] == [demo_apigateway.ORDERS_DOMAIN]
    assert legacy.endpoints[0].methods == orders.endpoints[0].methods  # the methods of the API it serves
    assert domains[demo_apigateway.PAYMENTS_DOMAIN].security_policy == "TLS_1_2"


def _findings(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "findings.json").read_text()))


def _run(out: Path) -> dict[str, Any]:
    args = ["run", "--provider", "aws", "--regions", REGION, "--checks", "aws.apigateway.*", "-o", str(out)]
    assert main(args) == 0
    return _findings(out)


def _by_check(doc: dict[str, Any], status: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for f in doc["findings"]:
        if f["status"] == status:
            out.setdefault(f["check_id"], {})[f["resource_name"]] = f["severity"]
    return out


ORDERS, PAYMENTS, PRIVATE = "orders-rest-api-no-auth", "payments-rest-api-iam", "inventory-private-api"
DEMO_FAILURES = {
    "aws.apigateway.rest_api_unauthenticated_methods": {ORDERS: "high"},
    "aws.apigateway.rest_api_any_method": {ORDERS: "medium"},
    "aws.apigateway.rest_api_default_endpoint_enabled": {ORDERS: "low"},
    "aws.apigateway.stage_access_logging": {ORDERS: "medium", PRIVATE: "medium"},
    "aws.apigateway.stage_execution_logging": {ORDERS: "medium", PRIVATE: "medium"},
    "aws.apigateway.stage_data_trace": {ORDERS: "medium"},
    "aws.apigateway.stage_waf": {ORDERS: "medium"},
    "aws.apigateway.stage_client_certificate": {ORDERS: "low"},
    "aws.apigateway.stage_xray_tracing": {ORDERS: "low", PRIVATE: "low"},
    "aws.apigateway.stage_secret_variables": {ORDERS: "high"},
    "aws.apigateway.domain_tls_1_0": {demo_apigateway.ORDERS_DOMAIN: "medium"},
}


def test_run_apigateway_checks_on_the_demo_account(aws: str, out_dir: Path) -> None:
    demo_apigateway.seed(aws, REGION)

    doc = _run(out_dir)

    assert _by_check(doc, "FAIL") == DEMO_FAILURES
    assert not [f for f in doc["findings"] if f["status"] in ("UNKNOWN", "ERROR")]
    by_key = {(f["check_id"], f["resource_name"]): f for f in doc["findings"]}
    open_methods = by_key["aws.apigateway.rest_api_unauthenticated_methods", ORDERS]
    assert open_methods["evidence"]["methods"] == ["ANY /admin", "GET /orders"]
    assert f"https://{demo_apigateway.ORDERS_DOMAIN}" in open_methods["evidence"]["reachable_at"]
    assert by_key["aws.apigateway.rest_api_unauthenticated_methods", PRIVATE]["status"] == "PASS"
    assert by_key["aws.apigateway.rest_api_policy_public", PRIVATE]["status"] == "PASS"
    secrets = by_key["aws.apigateway.stage_secret_variables", ORDERS]
    assert secrets["evidence"]["stages"] == {"prod": ["dbPassword"]}
    written = sorted(p for p in out_dir.rglob("*") if p.is_file())
    assert {p.name for p in written} >= {"findings.json", "inventory.json", "report.html"}
    assert not [p.name for p in written if SECRET_VALUE in p.read_text(errors="replace")]
    # Client certificates reach HTTP backends only: the orders API proxies GET /orders to one and
    # fails; the payments API (Lambda) and the private one (MOCK) have none: not applicable.
    cert = "aws.apigateway.stage_client_certificate"
    assert by_key[cert, ORDERS]["evidence"]["http_backends"] == [
        "GET /orders -> https://orders.internal.example.com (HTTP_PROXY)"
    ]
    assert by_key[cert, ORDERS]["evidence"]["stages"] == {"prod": "no client certificate"}
    assert (by_key[cert, PAYMENTS]["status"], by_key[cert, PAYMENTS]["evidence"]["integration_types"]) == (
        "PASS",
        ["AWS_PROXY", "MOCK"],
    )
    assert "not applicable" in by_key[cert, PAYMENTS]["message"]
    assert (by_key[cert, PRIVATE]["status"], by_key[cert, PRIVATE]["evidence"]["integration_types"]) == (
        "PASS",
        ["MOCK"],
    )
    waf = by_key["aws.apigateway.stage_waf", ORDERS]
    assert waf["compliance"]["AWS-Foundational-Security-Best-Practices"] == ["APIGateway.4"]
    assert waf["compliance"]["OWASP-API-Top10-2023"] == ["API8"]


# ------------------------------------------------------------------------------ local server (real wire)

Handler = Callable[[Request], Response | None]


class Gateway:
    """The API Gateway endpoint on 127.0.0.1: the handlers a test appends answer first (a handler returns
    None to pass); every other request is forwarded unchanged to moto."""

    def __init__(self, moto: str) -> None:
        self.moto = moto
        self.handlers: list[Handler] = []

    def forward(self, request: Request) -> requests.Response:
        """moto's answer to the (SDK-signed) request."""
        return requests.request(
            request.method,
            f"{self.moto}{request.full_path.rstrip('?')}",
            headers={k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")},
            data=request.get_data(),
            timeout=10,
        )

    def dispatch(self, request: Request) -> Response:
        for handler in self.handlers:
            answer = handler(request)
            if answer is not None:
                return answer
        upstream = self.forward(request)
        keep = ("content-type", "x-amzn-requestid", "x-amzn-errortype")
        return Response(
            upstream.content,
            status=upstream.status_code,
            headers={k: v for k, v in upstream.headers.items() if k.lower() in keep},
        )


@pytest.fixture
def gateway(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gateway]:
    """A :class:`Gateway` reached through AWS_ENDPOINT_URL_API_GATEWAY (STS etc. stay on moto)."""
    gw = Gateway(aws)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("").respond_with_handler(gw.dispatch)
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_API_GATEWAY", server.url_for("/").rstrip("/"))
    try:
        yield gw
    finally:
        server.clear()
        server.stop()


def _json(body: dict[str, Any], status: int = 200, error: str = "") -> Response:
    headers = {"x-amzn-ErrorType": error} if error else {}
    return Response(json.dumps(body), status=status, content_type="application/json", headers=headers)


def _denied(resource: str) -> Response:
    who = f"User: arn:aws:iam::{ACCOUNT}:user/auditor"
    message = f"{who} is not authorized to perform: apigateway:GET on resource: {resource}"
    return _json({"message": message}, 403, "AccessDeniedException")


def test_real_wire_escaped_policy_paging_and_client_certificate(aws: str, gateway: Gateway) -> None:
    demo_apigateway.seed(aws, REGION)
    ids = _api_ids(aws)
    orders_id, payments_id = ids[ORDERS], ids[PAYMENTS]
    page_calls: list[str] = []

    def rest_apis(request: Request) -> Response | None:
        """GetRestApis in two pages, the orders API with AWS's escaped policy."""
        if request.path != "/restapis":
            return None
        page_calls.append(request.args.get("position", ""))
        items = gateway.forward(request).json()["item"]
        if not request.args.get("position"):
            first = next(a for a in items if a["id"] == orders_id)
            return _json({"item": [{**first, "policy": _escaped(POLICY)}], "position": "page-2"})
        return _json({"item": [a for a in items if a["id"] != orders_id]})

    def payments_stages(request: Request) -> Response | None:
        """GetStages of the payments API with the clientCertificateId moto cannot store."""
        if request.path != f"/restapis/{payments_id}/stages":
            return None
        stages = gateway.forward(request).json()["item"]
        return _json({"item": [{**s, "clientCertificateId": "pay-backend-cert"} for s in stages]})

    gateway.handlers.extend([rest_apis, payments_stages])

    apis, _, inv = _collect()

    assert page_calls == ["", "page-2"]
    assert inv.gaps == ()
    assert set(apis) == {ORDERS, PAYMENTS, PRIVATE}
    assert apis[ORDERS].policy == POLICY and apis[ORDERS].policy_error == ""
    assert apis[PAYMENTS].stages[0].client_certificate_id == "pay-backend-cert"
    assert apis[PRIVATE].stages[0].client_certificate_id == ""


def test_denied_detail_reads_are_unknown_and_reported_as_gaps(
    aws: str, out_dir: Path, gateway: Gateway
) -> None:
    demo_apigateway.seed(aws, REGION)
    orders_id = _api_ids(aws)[ORDERS]
    stages_path = f"/restapis/{orders_id}/stages"
    mappings_path = f"/domainnames/{demo_apigateway.PAYMENTS_DOMAIN}/basepathmappings"

    def deny(request: Request) -> Response | None:
        if request.path in (stages_path, mappings_path):
            return _denied(f"arn:aws:apigateway:{REGION}::{request.path}")
        return None

    gateway.handlers.append(deny)

    doc = _run(out_dir)

    status = {(f["check_id"], f["resource_name"]): f for f in doc["findings"]}
    stage_checks = [c for c in DEMO_FAILURES if c.startswith("aws.apigateway.stage_")]
    for check_id in stage_checks:
        finding = status[check_id, ORDERS]
        assert finding["status"] == "UNKNOWN", check_id
        assert "stages: AccessDeniedException on GetStages" in finding["message"]
    # Which domain serves which API could not be known: the default-endpoint check cannot decide.
    endpoint = status["aws.apigateway.rest_api_default_endpoint_enabled", ORDERS]
    assert endpoint["status"] == "UNKNOWN"
    assert "custom_domains: AccessDeniedException on GetBasePathMappings" in endpoint["message"]
    # What was read is still judged: the open methods stay a HIGH failure.
    open_methods = status["aws.apigateway.rest_api_unauthenticated_methods", ORDERS]
    assert (open_methods["status"], open_methods["severity"]) == ("FAIL", "high")
    assert status["aws.apigateway.stage_waf", PAYMENTS]["status"] == "PASS"
    assert status["aws.apigateway.domain_tls_1_0", demo_apigateway.ORDERS_DOMAIN]["status"] == "FAIL"
    gaps = {(g["service"], g["operation"], g["resource_id"], g["error_code"]) for g in doc["coverage"]}
    assert ("apigateway", "GetStages", _arn(orders_id), "AccessDeniedException") in gaps
    assert (
        "apigateway",
        "GetBasePathMappings",
        f"arn:aws:apigateway:{REGION}::/domainnames/{demo_apigateway.PAYMENTS_DOMAIN}",
        "AccessDeniedException",
    ) in gaps
    assert "GetStages" in (out_dir / "report.html").read_text()


def test_client_certificate_is_judged_on_http_backends_and_unknown_without_integrations(
    aws: str, out_dir: Path, gateway: Gateway
) -> None:
    demo_apigateway.seed(aws, REGION)
    ids = _api_ids(aws)
    orders_stages = f"/restapis/{ids[ORDERS]}/stages"
    private_resources = f"/restapis/{ids[PRIVATE]}/resources"

    def answer(request: Request) -> Response | None:
        """The orders stage with a client certificate; the private API's GetResources denied."""
        if request.path == orders_stages:
            stages = gateway.forward(request).json()["item"]
            return _json({"item": [{**s, "clientCertificateId": "orders-backend-cert"} for s in stages]})
        if request.path == private_resources:
            return _denied(f"arn:aws:apigateway:{REGION}::{request.path}")
        return None

    gateway.handlers.append(answer)
    check_id = "aws.apigateway.stage_client_certificate"
    args = ["run", "--provider", "aws", "--regions", REGION, "--checks", check_id, "-o", str(out_dir)]
    assert main(args) == 0

    found = {f["resource_name"]: f for f in _findings(out_dir)["findings"]}
    assert {name: f["status"] for name, f in found.items()} == {
        ORDERS: "PASS",
        PAYMENTS: "PASS",
        PRIVATE: "UNKNOWN",
    }
    assert "presents a client certificate to its HTTP backends" in found[ORDERS]["message"]
    assert "not applicable" in found[PAYMENTS]["message"]
    assert (
        "its integrations were not read (AccessDeniedException on GetResources)" in found[PRIVATE]["message"]
    )
