"""Pass/fail table of every API Gateway REST API (v1) check (merged into test_checks_aws.py)."""

from __future__ import annotations

from collections.abc import Callable

from aws_build_apigateway import (
    api_arn,
    domain,
    domain_arn,
    hardened_api,
    hardened_stage,
    invoke_policy,
    method,
    rest_api,
    settings,
    stage,
    vpce_policy,
    worst_api,
    worst_stage,
)
from aws_builders import ACCOUNT, REGION
from aws_cases import CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity
from cloudaudit_aws.assets_apigateway import ApiGatewayDomainName, ApiGatewayRestApi

HIGH, MEDIUM, LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW
A = api_arn
D = domain_arn
OPEN_GET = (method("GET", "/orders"), method("POST", "/orders", "AWS_IAM"))
DENIED = "AccessDenied on GetBasePathMappings"


def _arn(api: str, tail: str) -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/{tail}"


# ------------------------------------------------------------------------------------ who can call

_UNAUTHENTICATED = case(
    rest_api("open-regional", methods=OPEN_GET, stages=(stage(),)),
    rest_api(
        "open-edge", endpoint_types=("EDGE",), methods=(method("DELETE", "/orders/{id}"),), stages=(stage(),)
    ),
    # Endpoint disabled but a custom domain serves it.
    rest_api(
        "open-via-domain",
        methods=OPEN_GET,
        stages=(stage(),),
        execute_api_endpoint_disabled=True,
        custom_domains=("api.example.com",),
    ),
    # A public policy is no restriction.
    rest_api("open-public-policy", methods=OPEN_GET, stages=(stage(),), policy=invoke_policy()),
    # The policy admits only one corporate network: lowered.
    rest_api(
        "open-ip-restricted",
        methods=OPEN_GET,
        stages=(stage(),),
        policy=invoke_policy(IpAddress={"aws:SourceIp": "10.0.0.0/8"}),
    ),
    # The public grant covers only /health: /orders stays restricted to nobody -> MEDIUM.
    rest_api(
        "open-policy-other-path",
        methods=OPEN_GET,
        stages=(stage(),),
        policy=invoke_policy(_arn("open-policy-other-path", "*/GET/health")),
    ),
    # The public grant names the method under its deployed stage.
    rest_api(
        "open-policy-stage-path",
        methods=OPEN_GET,
        stages=(stage(),),
        policy=invoke_policy(_arn("open-policy-stage-path", "prod/GET/orders")),
    ),
    # Nothing reaches it: endpoint disabled, no domain.
    rest_api("open-unreachable", methods=OPEN_GET, stages=(stage(),), execute_api_endpoint_disabled=True),
    rest_api("open-not-deployed", methods=OPEN_GET, stages=()),
    # Inputs of the grade unread: graded as reachable.
    rest_api(
        "open-domains-unread",
        methods=OPEN_GET,
        stages=(stage(),),
        execute_api_endpoint_disabled=True,
        unread={"custom_domains": DENIED},
    ),
    rest_api("open-stages-unread", methods=OPEN_GET, unread={"stages": "Throttling on GetStages"}),
    rest_api("open-policy-garbled", methods=OPEN_GET, stages=(stage(),), policy={"Version": "2012-10-17"}),
    rest_api("open-policy-unparsable", methods=OPEN_GET, stages=(stage(),), policy_error="not valid JSON"),
    hardened_api("all-authorized"),
    rest_api("api-key-only", methods=(method("GET", "/orders", api_key=True),), stages=(stage(),)),
    rest_api("options-only", methods=(method("OPTIONS", "/orders"),), stages=(stage(),)),
    rest_api("no-methods", stages=(stage(),)),
    rest_api("private-open", endpoint_types=("PRIVATE",), methods=OPEN_GET, stages=(stage(),)),
    failing={
        A("open-regional"): HIGH,
        A("open-edge"): HIGH,
        A("open-via-domain"): HIGH,
        A("open-public-policy"): HIGH,
        A("open-ip-restricted"): MEDIUM,
        A("open-policy-other-path"): MEDIUM,
        A("open-policy-stage-path"): HIGH,
        A("open-unreachable"): LOW,
        A("open-not-deployed"): LOW,
        A("open-domains-unread"): HIGH,
        A("open-stages-unread"): HIGH,
    },
    passing={A("all-authorized"), A("api-key-only"), A("options-only"), A("no-methods"), A("private-open")},
    unknown={A("open-policy-garbled"), A("open-policy-unparsable")},
    messages={
        A("open-regional"): "Anyone can call GET /orders on API open-regional",
        A("open-via-domain"): "https://api.example.com",
        A("open-ip-restricted"): "admits only specific callers",
        A("open-unreachable"): "no custom domain maps to it",
        A("open-not-deployed"): "no stage is deployed",
        A("private-open"): "PRIVATE",
        A("open-policy-garbled"): "no Statement",
        A("open-domains-unread"): "custom domains unknown: AccessDenied on GetBasePathMappings",
        A("no-methods"): "has no methods",
    },
)

_POLICY_PUBLIC = case(
    rest_api("private-anyone-open", endpoint_types=("PRIVATE",), methods=OPEN_GET, policy=invoke_policy()),
    rest_api(
        "private-anyone-authorized",
        endpoint_types=("PRIVATE",),
        methods=(method("GET", "/orders", "AWS_IAM"),),
        policy=invoke_policy(),
    ),
    rest_api("public-anyone-open", methods=OPEN_GET, policy=invoke_policy(principal={"AWS": "*"})),
    rest_api(
        "private-vpce", endpoint_types=("PRIVATE",), methods=OPEN_GET, policy=vpce_policy("private-vpce")
    ),
    rest_api(
        "public-anyone-authorized", methods=(method("GET", "/orders", "AWS_IAM"),), policy=invoke_policy()
    ),
    rest_api("public-no-policy", methods=OPEN_GET),
    rest_api(
        "public-account-only",
        methods=OPEN_GET,
        policy=invoke_policy(principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
    ),
    rest_api("policy-unparsable", methods=OPEN_GET, policy_error="resource policy is not valid JSON"),
    # The public grant covers only /health: GET /orders gets nobody in (judged by the previous check).
    rest_api(
        "public-grant-elsewhere",
        methods=OPEN_GET,
        policy=invoke_policy(_arn("public-grant-elsewhere", "*/GET/health")),
    ),
    rest_api("private-no-policy", endpoint_types=("PRIVATE",), methods=OPEN_GET),
    failing={
        A("private-anyone-open"): HIGH,
        A("private-anyone-authorized"): LOW,
        A("public-anyone-open"): MEDIUM,
    },
    passing={
        A("private-vpce"),
        A("public-anyone-authorized"),
        A("public-no-policy"),
        A("public-account-only"),
        A("public-grant-elsewhere"),
        A("private-no-policy"),
    },
    unknown={A("policy-unparsable")},
    messages={
        A("private-anyone-open"): "any VPC endpoint of any AWS account",
        A("public-anyone-open"): "GET /orders",
        A("public-anyone-authorized"): "every method authorizes callers",
        A("public-grant-elsewhere"): "only to methods that authorize callers",
        A("private-no-policy"): "no VPC endpoint may invoke it",
    },
)

_ANY_METHOD = case(
    rest_api("any-open", methods=(method("ANY", "/admin"), method("GET", "/orders", "AWS_IAM"))),
    rest_api("any-authorized", methods=(method("ANY", "/{proxy+}", "CUSTOM"),)),
    rest_api("any-private", endpoint_types=("PRIVATE",), methods=(method("ANY", "/admin"),)),
    hardened_api("verbs-only"),
    failing={A("any-open"): MEDIUM, A("any-authorized"): LOW, A("any-private"): LOW},
    passing={A("verbs-only")},
    messages={A("any-open"): "without authorization", A("any-authorized"): "/{proxy+}"},
)

_DEFAULT_ENDPOINT = case(
    domain("api.example.com"),
    domain("mtls.example.com", mutual_tls=True),
    rest_api("served-and-default", custom_domains=("api.example.com",)),
    rest_api("mtls-bypass", custom_domains=("mtls.example.com",)),
    hardened_api("domain-only"),
    rest_api("default-only"),
    rest_api("private-domain", endpoint_types=("PRIVATE",), custom_domains=("api.example.com",)),
    failing={A("served-and-default"): LOW, A("mtls-bypass"): MEDIUM},
    passing={A("domain-only"), A("default-only"), A("private-domain")},
    messages={
        A(
            "served-and-default"
        ): "still answers on https://served-and-default.execute-api.us-east-1.amazonaws.com",
        A("mtls-bypass"): "without the domain's mutual TLS",
    },
)

# ------------------------------------------------------------------------------------------ stages

_ACCESS_LOGGING = case(
    rest_api("logs-none", stages=(stage(),)),
    rest_api("logs-one-stage", stages=(hardened_stage("prod"), stage("dev"))),
    hardened_api("logs-all"),
    rest_api("logs-no-stage"),
    failing={A("logs-none"): MEDIUM, A("logs-one-stage"): MEDIUM},
    passing={A("logs-all")},
    silent={A("logs-no-stage")},
    messages={A("logs-one-stage"): "Stage(s) dev of API"},
)

_EXECUTION_LOGGING = case(
    rest_api("exec-no-settings", stages=(stage(),)),
    rest_api("exec-off", stages=(stage(method_settings=(settings(logging_level="OFF"),)),)),
    rest_api(
        "exec-override-off",
        stages=(
            stage(
                method_settings=(settings(logging_level="INFO"), settings("orders/GET", logging_level="OFF"))
            ),
        ),
    ),
    hardened_api("exec-error"),
    rest_api(
        "exec-override-inherits",
        stages=(
            stage(
                method_settings=(settings(logging_level="INFO"), settings("orders/GET", metrics_enabled=True))
            ),
        ),
    ),
    rest_api("exec-no-stage"),
    failing={A("exec-no-settings"): MEDIUM, A("exec-off"): MEDIUM, A("exec-override-off"): MEDIUM},
    passing={A("exec-error"), A("exec-override-inherits")},
    silent={A("exec-no-stage")},
)

_DATA_TRACE = case(
    rest_api("trace-all", stages=(stage(method_settings=(settings(data_trace_enabled=True),)),)),
    rest_api(
        "trace-one-method",
        stages=(hardened_stage(method_settings=(settings("orders/POST", data_trace_enabled=True),)),),
    ),
    hardened_api("trace-off"),
    rest_api("trace-no-stage"),
    failing={A("trace-all"): MEDIUM, A("trace-one-method"): MEDIUM},
    passing={A("trace-off")},
    silent={A("trace-no-stage")},
)

_CACHE = case(
    rest_api(
        "cache-plain",
        stages=(stage(cache_cluster_enabled=True, method_settings=(settings(caching_enabled=True),)),),
    ),
    rest_api(
        "cache-encrypted",
        stages=(
            stage(
                cache_cluster_enabled=True,
                method_settings=(settings(caching_enabled=True, cache_data_encrypted=True),),
            ),
        ),
    ),
    # A cache cluster with no method caching stores nothing.
    rest_api("cache-cluster-idle", stages=(stage(cache_cluster_enabled=True),)),
    hardened_api("cache-none"),
    rest_api("cache-no-stage"),
    failing={A("cache-plain"): MEDIUM},
    passing={A("cache-encrypted"), A("cache-cluster-idle"), A("cache-none")},
    silent={A("cache-no-stage")},
)

_WAF = case(
    rest_api("waf-none", stages=(stage(),)),
    rest_api("waf-edge-none", endpoint_types=("EDGE",), stages=(hardened_stage(), stage("dev"))),
    hardened_api("waf-on"),
    rest_api("waf-private", endpoint_types=("PRIVATE",), stages=(stage(),)),
    rest_api("waf-no-stage"),
    failing={A("waf-none"): MEDIUM, A("waf-edge-none"): MEDIUM},
    passing={A("waf-on"), A("waf-private")},
    silent={A("waf-no-stage")},
)

LAMBDA, AWS_SERVICE, MOCK = (method("GET", "/a", integration=t) for t in ("AWS_PROXY", "AWS", "MOCK"))

_CLIENT_CERT = case(
    # An HTTP backend reached without a certificate: the finding.
    rest_api("cert-none", methods=(method("GET", "/orders"),), stages=(stage(),)),
    rest_api("cert-http", methods=(LAMBDA, method("POST", "/b", integration="HTTP")), stages=(stage(),)),
    rest_api(
        "cert-vpc-link",
        methods=(method("GET", "/orders", integration="HTTP_PROXY", connection="VPC_LINK"),),
        stages=(stage(),),
    ),
    rest_api(
        "cert-one-stage",
        methods=(method("GET", "/orders"),),
        stages=(hardened_stage("prod"), stage("dev")),
    ),
    hardened_api("cert-on"),
    # No HTTP backend: the certificate would reach nobody (not applicable).
    rest_api("cert-lambda-only", methods=(LAMBDA,), stages=(stage(),)),
    rest_api("cert-aws-and-mock", methods=(LAMBDA, AWS_SERVICE, MOCK), stages=(stage(),)),
    rest_api("cert-no-integration", methods=(method("GET", "/a", integration=""),), stages=(stage(),)),
    rest_api("cert-no-methods", stages=(stage(),)),
    # Integrations unknown: no verdict.
    rest_api("cert-methods-unread", stages=(stage(),), unread={"methods": "AccessDenied on GetResources"}),
    rest_api("cert-not-recorded", methods=(LAMBDA, method("GET", "/b", integration=None)), stages=(stage(),)),
    rest_api("cert-no-stage", methods=(method("GET", "/orders"),)),
    rest_api("cert-no-stage-unread", unread={"methods": "AccessDenied on GetResources"}),
    failing={A("cert-none"): LOW, A("cert-http"): LOW, A("cert-vpc-link"): LOW, A("cert-one-stage"): LOW},
    passing={
        A("cert-on"),
        A("cert-lambda-only"),
        A("cert-aws-and-mock"),
        A("cert-no-integration"),
        A("cert-no-methods"),
    },
    unknown={A("cert-methods-unread"), A("cert-not-recorded")},
    silent={A("cert-no-stage"), A("cert-no-stage-unread")},
    messages={
        A("cert-none"): "Stage(s) prod of API cert-none present no client certificate to its HTTP backends: "
        "GET /orders -> https://backend.example.com (HTTP_PROXY).",
        A("cert-http"): "POST /b -> https://backend.example.com (HTTP)",
        A("cert-vpc-link"): "(HTTP_PROXY, VPC_LINK)",
        A("cert-one-stage"): "Stage(s) dev of API",
        A("cert-on"): "presents a client certificate to its HTTP backends",
        A("cert-lambda-only"): "has no HTTP or HTTP_PROXY integration (integrations: AWS_PROXY): not "
        "applicable, a stage presents its client certificate only to HTTP backends",
        A("cert-aws-and-mock"): "(integrations: AWS, AWS_PROXY, MOCK)",
        A("cert-no-integration"): "(integrations: none)",
        A("cert-methods-unread"): "its integrations were not read (AccessDenied on GetResources)",
        A("cert-not-recorded"): "the integrations of GET /b are not recorded in the inventory",
    },
)

_XRAY = case(
    rest_api("xray-off", stages=(stage(),)),
    hardened_api("xray-on"),
    rest_api("xray-no-stage"),
    failing={A("xray-off"): LOW},
    passing={A("xray-on")},
    silent={A("xray-no-stage")},
)

_SECRETS = case(
    rest_api("vars-secret", stages=(worst_stage(), hardened_stage("dev"))),
    hardened_api("vars-plain"),
    rest_api("vars-no-stage"),
    failing={A("vars-secret"): HIGH},
    passing={A("vars-plain")},
    silent={A("vars-no-stage")},
    messages={A("vars-secret"): "prod: dbPassword"},
)

# ------------------------------------------------------------------------------------------ domains

_TLS = case(
    domain("legacy.example.com", "TLS_1_0"),
    domain("edge-legacy.example.com", "tls_1_0", endpoint_types=("EDGE",)),
    domain("modern.example.com", "TLS_1_2"),
    domain("enhanced.example.com", "SecurityPolicy_TLS13_1_3_2025_09"),
    domain("unknown-policy.example.com", ""),
    failing={D("legacy.example.com"): MEDIUM, D("edge-legacy.example.com"): MEDIUM},
    passing={D("modern.example.com"), D("enhanced.example.com")},
    unknown={D("unknown-policy.example.com")},
    messages={D("legacy.example.com"): "accepts TLS 1.0 (TLS_1_0)"},
)

CASES: dict[str, CheckCase] = {
    "aws.apigateway.rest_api_unauthenticated_methods": _UNAUTHENTICATED,
    "aws.apigateway.rest_api_policy_public": _POLICY_PUBLIC,
    "aws.apigateway.rest_api_any_method": _ANY_METHOD,
    "aws.apigateway.rest_api_default_endpoint_enabled": _DEFAULT_ENDPOINT,
    "aws.apigateway.stage_access_logging": _ACCESS_LOGGING,
    "aws.apigateway.stage_execution_logging": _EXECUTION_LOGGING,
    "aws.apigateway.stage_data_trace": _DATA_TRACE,
    "aws.apigateway.stage_cache_encryption": _CACHE,
    "aws.apigateway.stage_waf": _WAF,
    "aws.apigateway.stage_client_certificate": _CLIENT_CERT,
    "aws.apigateway.stage_xray_tracing": _XRAY,
    "aws.apigateway.stage_secret_variables": _SECRETS,
    "aws.apigateway.domain_tls_1_0": _TLS,
}

FAILING_ASSETS: dict[type[Asset], Callable[[], Asset]] = {
    ApiGatewayRestApi: worst_api,
    ApiGatewayDomainName: lambda: domain("worst.example.com", "TLS_1_0"),
}
