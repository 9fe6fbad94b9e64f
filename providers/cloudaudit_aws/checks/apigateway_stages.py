"""API Gateway REST API (v1) stage checks: logging, tracing, caching, WAF and stage variables.

Each is a child-collection declaration (:func:`~cloudaudit.engine.declarative.expect_each`): "for
each stage of the API, expect ...", one verdict per API over all its stages (the evidence names each
failing stage and what is wrong with it); an API without any deployed stage gets no stage finding.

The client certificate check is a function: a stage presents its certificate only to HTTP backends
(HTTP and HTTP_PROXY integrations, over the Internet or a VPC link), so an API whose methods all
integrate with Lambda, other AWS services or MOCK passes as not applicable, and one whose
integrations could not be read is UNKNOWN. As for the method checks, the integrations judged are
the API's current ones; a stage serves its last deployment, which may differ.
"""

from __future__ import annotations

from collections.abc import Iterator

from cloudaudit.engine.declarative import expect_each
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.predicates import Predicate, predicate
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets_apigateway import ApiGatewayRestApi, ApiMethod, ApiStage

_LOGGING_ON = ("ERROR", "INFO")


def _execution_logging_gaps(stage: ApiStage) -> list[str]:
    """``*/*`` not at ERROR/INFO, and method overrides explicitly OFF (an empty level inherits ``*/*``)."""
    default = stage.setting("*/*")
    level = default.logging_level if default else ""
    gaps = [] if level in _LOGGING_ON else [f"*/*: {level or 'OFF'}"]
    gaps.extend(f"{m.key}: OFF" for m in stage.method_settings if m.key != "*/*" and m.logging_level == "OFF")
    return gaps


def _traced_methods(stage: ApiStage) -> list[str]:
    return [m.key for m in stage.method_settings if m.data_trace_enabled]


def _unencrypted_cache(stage: ApiStage) -> list[str]:
    if not stage.cache_cluster_enabled:
        return []
    return [m.key for m in stage.method_settings if m.caching_enabled and not m.cache_data_encrypted]


@predicate("writes access logs", problem=lambda _: "no access log destination")
def writes_access_logs(stage: ApiStage) -> bool:
    """An access log destination (CloudWatch Logs group or Firehose stream) is set."""
    return bool(stage.access_log_destination)


logs_execution: Predicate[ApiStage] = Predicate(
    "logs execution at ERROR or INFO",
    lambda stage: not _execution_logging_gaps(stage),
    _execution_logging_gaps,
    "``*/*`` at ERROR or INFO and no method override set to OFF.",
)
no_data_trace: Predicate[ApiStage] = Predicate(
    "does not log full requests and responses",
    lambda stage: not _traced_methods(stage),
    _traced_methods,
    "No method setting with dataTraceEnabled.",
)
encrypts_cache: Predicate[ApiStage] = Predicate(
    "encrypts its cache",
    lambda stage: not _unencrypted_cache(stage),
    _unencrypted_cache,
    "No method caching into a cache cluster with cacheDataEncrypted off.",
)
no_secret_variables: Predicate[ApiStage] = Predicate(
    "has no secret-like stage variable",
    lambda stage: not stage.secret_variables,
    lambda stage: list(stage.secret_variables),
    "Stage variables judged secret-like at collection (names only: values are never recorded).",
)


@predicate("has a WAF web ACL", problem=lambda _: "no web ACL")
def has_web_acl(stage: ApiStage) -> bool:
    """A WAF web ACL is associated with the stage."""
    return bool(stage.web_acl_arn)


@predicate("presents a client certificate", problem=lambda _: "no client certificate")
def has_client_certificate(stage: ApiStage) -> bool:
    """A clientCertificateId the backend can verify."""
    return bool(stage.client_certificate_id)


@predicate("has X-Ray tracing on", problem=lambda _: "tracing off")
def traced(stage: ApiStage) -> bool:
    """tracingEnabled."""
    return stage.tracing_enabled


expect_each(
    id="aws.apigateway.stage_access_logging",
    title="API Gateway REST API stage has no access logging",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    items="stages",
    ok=writes_access_logs,
    pass_msg="Every stage of API {name} writes access logs.",
    fail_msg="Stage(s) {failing} of API {name} have no access logging.",
    rationale="""Access logs record who called which method, from where, and the answer: without them
        abuse, credential stuffing and data scraping go unseen and cannot be investigated.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN
        op=replace,path=/accessLogSettings/format,value='$context.requestId ...'""",
)

expect_each(
    id="aws.apigateway.stage_execution_logging",
    title="API Gateway REST API stage has execution logging off",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    items="stages",
    ok=logs_execution,
    pass_msg="Every stage of API {name} logs execution at level ERROR or INFO.",
    fail_msg="Stage(s) {failing} of API {name} have execution logging off.",
    rationale="""Execution logs (level ERROR or INFO) show authorizer decisions, integration errors and
        throttling; with logging OFF failed attacks and backend faults leave no trace.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/*/*/logging/loglevel,value=ERROR (and no method override set to OFF).""",
)

expect_each(
    id="aws.apigateway.stage_data_trace",
    title="API Gateway REST API stage logs full requests and responses (data trace)",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    items="stages",
    ok=no_data_trace,
    pass_msg="No stage of API {name} logs full request/response data.",
    fail_msg="Stage(s) {failing} of API {name} log full requests and responses (data trace).",
    rationale="""Data trace writes full request and response bodies and headers to CloudWatch Logs:
        tokens, passwords and personal data end up in logs readable by anyone with log access.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/*/*/logging/dataTrace,value=false (use access logs with chosen fields instead).""",
)

expect_each(
    id="aws.apigateway.stage_cache_encryption",
    title="API Gateway REST API stage caches responses unencrypted",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    items="stages",
    ok=encrypts_cache,
    pass_msg="No stage of API {name} caches responses unencrypted.",
    fail_msg="Stage(s) {failing} of API {name} cache responses without encryption.",
    rationale="""Cached responses hold the API's data; without cache encryption they are stored in clear
        at rest.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/*/*/caching/dataEncrypted,value=true""",
)

expect_each(
    id="aws.apigateway.stage_waf",
    title="API Gateway public REST API stage has no WAF web ACL",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    items="stages",
    ok=has_web_acl,
    exempt=lambda api: (
        "API {name} is PRIVATE: it is not reachable from the Internet." if api.private else None
    ),
    pass_msg="Every stage of API {name} is protected by a WAF web ACL.",
    fail_msg="Stage(s) {failing} of public API {name} have no WAF web ACL.",
    rationale="""AWS WAF filters injection payloads, known bad IPs and request floods before they reach the
        backend; a public stage without a web ACL takes everything.""",
    remediation="""aws wafv2 associate-web-acl --web-acl-arn ACL_ARN --resource-arn
        arn:aws:apigateway:REGION::/restapis/ID/stages/STAGE""",
)


def _backend(method: ApiMethod) -> str:
    """``GET /orders -> https://orders.example.com (HTTP_PROXY, VPC_LINK)``."""
    how = ", ".join(x for x in (method.integration_type, method.integration_connection) if x)
    return f"{method.label} -> {method.integration_host or 'an HTTP endpoint'} ({how})"


def _listed(items: list[str], shown: int = 3) -> str:
    more = len(items) - shown
    return "; ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


@check(
    id="aws.apigateway.stage_client_certificate",
    title="API Gateway REST API stage does not authenticate itself to the backend",
    severity=Severity.LOW,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""Without a client certificate the HTTP backend cannot tell API Gateway's calls from anyone
        else's, so callers can go around the API's authorization straight to the backend. Only HTTP and
        HTTP_PROXY integrations receive the certificate: an API whose methods all integrate with Lambda,
        other AWS services (called with IAM credentials) or MOCK passes as not applicable.""",
    remediation="""aws apigateway generate-client-certificate, then update-stage --patch-operations
        op=replace,path=/clientCertificateId,value=CERT_ID; make the backend require it.""",
)
def stage_client_certificate(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """Stages without a client certificate, when a method of the API integrates with an HTTP backend."""
    if not api.stages:
        return
    if "methods" in api.unread:
        reason = api.unread["methods"]
        yield unknown(
            f"API {api.name}: its integrations were not read ({reason}), so whether its stages reach an "
            "HTTP backend is unknown.",
            {"unread": {"methods": reason}},
        )
        return
    unrecorded = [m.label for m in api.methods if m.integration_type is None]
    if unrecorded:
        yield unknown(
            f"API {api.name}: the integrations of {_listed(unrecorded)} are not recorded in the inventory, "
            "so whether its stages reach an HTTP backend is unknown.",
            {"methods_without_integration_data": unrecorded},
        )
        return
    stages = [s.name for s in api.stages]
    http = [_backend(m) for m in api.methods if m.http_backend]
    if not http:
        kinds = sorted({m.integration_type or "none" for m in api.methods})
        listed = ", ".join(kinds) or "none"
        yield passed(
            f"API {api.name} has no HTTP or HTTP_PROXY integration (integrations: {listed}): "
            "not applicable, a stage presents its client certificate only to HTTP backends.",
            {"stages": stages, "integration_types": kinds},
        )
        return
    missing = {s.name: "no client certificate" for s in api.stages if not has_client_certificate(s)}
    if not missing:
        yield passed(
            f"Every stage of API {api.name} presents a client certificate to its HTTP backends.",
            {"stages": stages, "http_backends": http},
        )
        return
    yield fail(
        f"Stage(s) {', '.join(missing)} of API {api.name} present no client certificate to its HTTP "
        f"backends: {_listed(http)}.",
        {
            "stages": missing,
            "expected": "each of stages presents a client certificate",
            "http_backends": http,
        },
    )


expect_each(
    id="aws.apigateway.stage_xray_tracing",
    title="API Gateway REST API stage has X-Ray tracing off",
    severity=Severity.LOW,
    asset=ApiGatewayRestApi,
    items="stages",
    ok=traced,
    pass_msg="Every stage of API {name} has X-Ray tracing on.",
    fail_msg="Stage(s) {failing} of API {name} have X-Ray tracing off.",
    rationale="""X-Ray traces follow each request through the API and its backends, which helps spot
        abuse patterns and failing components.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/tracingEnabled,value=true""",
)

expect_each(
    id="aws.apigateway.stage_secret_variables",
    title="API Gateway REST API stage variables look like secrets",
    severity=Severity.HIGH,
    asset=ApiGatewayRestApi,
    items="stages",
    ok=no_secret_variables,
    pass_msg="No stage variable of API {name} looks like a secret.",
    fail_msg="Stage variables of API {name} look like secrets ({details}); their values are not recorded.",
    rationale="""Stage variables are plain configuration: readable by anyone with apigateway:GET, shown in
        the console and exported with the API. Passwords, keys and tokens stored there leak.""",
    remediation="""Move the secret to AWS Secrets Manager or SSM Parameter Store (SecureString), let the
        backend fetch it, rotate the exposed value, and delete the stage variable.""",
)
