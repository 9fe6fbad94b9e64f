"""API Gateway v2 checks: who may call HTTP and WebSocket APIs, CORS, endpoints and stages.

Reachability: an API is reachable through its default ``execute-api`` endpoint (unless disabled)
and through every custom domain path mapped to it; a route is served once the API has a stage.
Findings about who may call an API are graded by that: high when served on the Internet, low
when nothing serves the API today (disabled endpoint, no domain mapping, or no stage yet).

WebSocket APIs authorize a connection once, on the ``$connect`` route: API Gateway supports
authorizers (IAM, Lambda) on ``$connect`` only, so their other routes are not judged route by
route; ``websocket_connect_no_authorization`` covers them. It is graded medium, not high: many
WebSocket applications authenticate in-band in their first message, which this audit cannot see.

``catch_all_route`` is low (medium when the catch-all route itself is open to anyone on a served
API): ``$default`` and ``ANY`` routes hand every path or verb to the backend, widening the attack
surface, but are a common, legitimate proxy pattern.

Custom domain names are shared with REST APIs (one pool, listed by both API versions): their TLS
security policy is judged once, by ``aws.apigateway.domain_tls_1_0`` on the ``aws.apigateway``
domain asset. Here domains only matter as mappings that serve an API.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from cloudaudit.engine.declarative import expect_each
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.predicates import Predicate, predicate
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import CORS
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, ports_of
from cloudaudit_aws.assets_apigatewayv2 import ApiGatewayV2Api, ApiRoute, ApiStage

NO_AUTH_EXEMPT_METHODS = frozenset({"OPTIONS"})
"""CORS preflight requests carry no credentials: OPTIONS routes must stay open."""

ANY_ORIGIN = "*"
REFLECTED_ANY_ORIGINS = frozenset({"https://*", "http://*", "*://*"})
"""HTTP API origin patterns that match (and echo back) every origin of a scheme."""
NULL_ORIGIN = "null"
"""Sent by sandboxed iframes, ``file:`` pages and some redirects: any site can produce it."""


# ---------------------------------------------------------------------------------- reachability


@dataclass(frozen=True)
class Reach:
    """Where an API is served from, as far as the inventory tells."""

    via: tuple[str, ...]
    """The execute-api endpoint and custom domain URLs that serve the API."""
    deployed: bool
    """The API has a stage (or its stages could not be read: assumed)."""
    undecided: str = ""
    """Why it cannot be told whether the API is reachable (mappings unread, endpoint disabled)."""

    @property
    def served(self) -> bool:
        """Reachable from the Internet and deployed."""
        return bool(self.via) and self.deployed

    def evidence(self) -> dict[str, object]:
        """The reachability facts for a finding."""
        return {"reachable_via": list(self.via), "deployed": self.deployed}

    def network(self) -> NetworkExposure:
        """The hosts that serve the API (execute-api endpoint, custom domains), on HTTPS."""
        hosts = (urlsplit(v if "//" in v else f"https://{v}").hostname or "" for v in self.via)
        return NetworkExposure(addresses=tuple(dict.fromkeys(h for h in hosts if h)), ports=ports_of([443]))


def reach(api: ApiGatewayV2Api) -> Reach:
    """How :func:`api` can be reached."""
    via: list[str] = []
    if not api.execute_endpoint_disabled:
        via.append(api.api_endpoint or f"{api.api_id}.execute-api.{api.region}.amazonaws.com")
    via.extend(m.url for m in api.domain_mappings)
    deployed = bool(api.stages) or "stages" in api.unread
    undecided = api.unread.get("domain_mappings", "") if not via else ""
    return Reach(tuple(via), deployed, undecided)


def _graded(severity: Severity, where: Reach) -> Severity:
    """The check's severity when the API is served (or may be); low when nothing serves it."""
    return severity if where.served or where.undecided else Severity.LOW


def _served_text(where: Reach) -> str:
    if where.served:
        return f"served at {', '.join(where.via)}"
    if not where.via:
        return "not reachable today (execute-api endpoint disabled and no custom domain mapping)"
    return "not deployed to any stage yet"


# ---------------------------------------------------------------------------------- authorization


def _open_routes(api: ApiGatewayV2Api) -> list[ApiRoute]:
    return [
        r for r in api.routes if r.authorization_type == "NONE" and r.method not in NO_AUTH_EXEMPT_METHODS
    ]


@check(
    id="aws.apigatewayv2.route_no_authorization",
    title="HTTP API route can be called without authorization",
    severity=Severity.HIGH,
    asset=ApiGatewayV2Api,
    requires=("routes",),
    rationale="""A route with authorization type NONE runs its integration for anyone who can reach the
        API: no IAM signature, JWT or Lambda authorizer stands between the Internet and the backend
        (OWASP API2 broken authentication, API5 broken function level authorization).""",
    remediation="""Attach an authorizer to every route (aws apigatewayv2 update-route --authorization-type
        JWT, AWS_IAM or CUSTOM and --authorizer-id AUTHORIZER_ID); keep only OPTIONS (CORS preflight)
        routes open.""",
)
def route_no_authorization(api: ApiGatewayV2Api, inventory: Inventory) -> Iterator[Outcome]:
    """HTTP API routes with authorization NONE (OPTIONS exempt), graded by reachability."""
    if api.websocket:
        return
    open_routes = _open_routes(api)
    if not open_routes:
        yield passed(f"Every route of HTTP API {api.name} requires authorization (OPTIONS routes aside).")
        return
    where = reach(api)
    keys = [r.route_key for r in open_routes]
    evidence = {"route_keys": keys, **where.evidence()}
    if where.undecided:
        yield unknown(
            f"HTTP API {api.name} has routes without authorization ({', '.join(keys)}); its execute-api "
            f"endpoint is disabled and its custom domain mappings could not be read ({where.undecided}).",
            evidence,
        )
        return
    yield fail(
        f"HTTP API {api.name} lets anyone call {', '.join(keys)} without authorization; "
        f"{_served_text(where)}.",
        evidence,
        _graded(Severity.HIGH, where),
        where.network(),
    )


@check(
    id="aws.apigatewayv2.websocket_connect_no_authorization",
    title="WebSocket API accepts connections without authorization",
    severity=Severity.MEDIUM,
    asset=ApiGatewayV2Api,
    requires=("routes",),
    rationale="""A WebSocket API authorizes clients once, on its $connect route; with no authorizer there
        (or no $connect route at all) anyone may open a connection and send messages to every route.
        Applications that authenticate in-band in their first message are not visible to this audit.""",
    remediation="""Add a $connect route with AWS_IAM or a Lambda REQUEST authorizer (aws apigatewayv2
        update-route --api-id API_ID --route-id CONNECT_ROUTE_ID --authorization-type CUSTOM
        --authorizer-id AUTHORIZER_ID).""",
)
def websocket_connect_no_authorization(api: ApiGatewayV2Api, inventory: Inventory) -> Iterator[Outcome]:
    """The $connect route's authorization (its absence on a WebSocket API counts as open)."""
    connect = [r for r in api.routes if r.route_key == "$connect"]
    if not connect and not api.websocket:
        return
    where = reach(api)
    if connect and connect[0].authorization_type != "NONE":
        yield passed(
            f"WebSocket API {api.name} authorizes connections on $connect ({connect[0].authorization_type}).",
            {"authorization_type": connect[0].authorization_type},
        )
        return
    problem = "has no authorizer on its $connect route" if connect else "has no $connect route"
    evidence = {"route_keys": [r.route_key for r in api.routes], **where.evidence()}
    if where.undecided:
        yield unknown(
            f"WebSocket API {api.name} {problem}; whether it is reachable is unknown ({where.undecided}).",
            evidence,
        )
        return
    yield fail(
        f"WebSocket API {api.name} {problem}: anyone may connect; {_served_text(where)}.",
        evidence,
        _graded(Severity.MEDIUM, where),
        where.network(),
    )


def _without_auth(keys: list[str], open_keys: list[str]) -> str:
    """Which of the routes lack authorization, without repeating them when all do."""
    if not open_keys:
        return ""
    if len(open_keys) == len(keys):
        return ", none with authorization" if len(keys) > 1 else ", without authorization"
    return f"; without authorization: {', '.join(open_keys)}"


@check(
    id="aws.apigatewayv2.catch_all_route",
    title="HTTP API has catch-all ($default or ANY) routes",
    severity=Severity.LOW,
    asset=ApiGatewayV2Api,
    requires=("routes",),
    rationale="""A $default route receives every request no other route matches, and an ANY route every
        HTTP verb (DELETE, PUT, PATCH included): the backend is exposed to paths and methods nobody
        designed or reviewed, and authorization mistakes there apply to everything.""",
    remediation="""Declare the routes the API serves with their methods (GET /orders, POST /orders) and remove
        $default / ANY routes, or at least give them an authorizer.""",
)
def catch_all_route(api: ApiGatewayV2Api, inventory: Inventory) -> Iterator[Outcome]:
    """``$default`` and ``ANY`` routes of HTTP APIs; medium when one is open on a served API."""
    if api.websocket:
        return
    catch_all = [r for r in api.routes if r.route_key == "$default" or r.method == "ANY"]
    if not catch_all:
        yield passed(f"HTTP API {api.name} declares explicit methods and paths only.")
        return
    where = reach(api)
    open_keys = [r.route_key for r in catch_all if r.authorization_type == "NONE"]
    severity = Severity.MEDIUM if open_keys and (where.served or where.undecided) else Severity.LOW
    keys = [r.route_key for r in catch_all]
    detail = _without_auth(keys, open_keys)
    yield fail(
        f"HTTP API {api.name} has catch-all route(s) {', '.join(keys)}{detail}.",
        {"route_keys": keys, "without_authorization": open_keys, **where.evidence()},
        severity,
    )


# ---------------------------------------------------------------------------------- CORS


@check(
    id="aws.apigatewayv2.cors_any_origin",
    title="HTTP API CORS allows any origin",
    severity=Severity.MEDIUM,
    asset=ApiGatewayV2Api,
    requires=("cors",),
    rationale="""With AllowOrigins "*" (or "https://*", "http://*", "null") any web site may call the API
        from its visitors' browsers and read the answers. API Gateway refuses credentials with a literal
        "*", but echoes the caller's origin for "https://*" and "null": with AllowCredentials true, any
        site can then make authenticated requests with the visitor's cookies or client certificate.""",
    remediation="""List the exact origins of your web front ends in AllowOrigins (aws apigatewayv2
        update-api --cors-configuration AllowOrigins=https://app.example.com); never combine wildcard
        patterns or "null" with AllowCredentials.""",
    exploited_by=CORS,
)
def cors_any_origin(api: ApiGatewayV2Api, inventory: Inventory) -> Iterator[Outcome]:
    """Any-origin CORS; high when a reflected origin is combined with credentials."""
    if api.cors is None:
        return
    origins = api.cors.allow_origins
    wild = [o for o in origins if o == ANY_ORIGIN]
    reflected = [o for o in origins if o.lower() in REFLECTED_ANY_ORIGINS or o.lower() == NULL_ORIGIN]
    if not wild and not reflected:
        yield passed(
            f"HTTP API {api.name} allows only listed origins: {', '.join(origins) or 'none'}.",
            {"allow_origins": list(origins)},
        )
        return
    where = reach(api)
    credentials = api.cors.allow_credentials
    evidence = {
        "allow_origins": list(origins),
        "allow_credentials": credentials,
        "allow_methods": list(api.cors.allow_methods),
        **where.evidence(),
    }
    if reflected and credentials:
        severity, text = (
            Severity.HIGH,
            (
                f"echoes any origin ({', '.join(reflected)}) with AllowCredentials true: any web site can "
                "make authenticated calls with its visitors' credentials and read the answers"
            ),
        )
    elif credentials:
        severity, text = (
            Severity.MEDIUM,
            ('allows any origin ("*"); AllowCredentials is true, which browsers refuse with a literal "*"'),
        )
    else:
        severity, text = Severity.MEDIUM, f"allows any origin ({', '.join(wild + reflected)})"
    yield fail(f"HTTP API {api.name} CORS {text}.", evidence, _graded(severity, where), where.network())


# ---------------------------------------------------------------------------------- endpoints


@check(
    id="aws.apigatewayv2.execute_endpoint_with_custom_domain",
    title="API served on a custom domain still has its default execute-api endpoint enabled",
    severity=Severity.MEDIUM,
    asset=ApiGatewayV2Api,
    requires=("domain_mappings",),
    rationale="""When clients use a custom domain, the default https://{id}.execute-api endpoint is a second
        door that skips what the domain enforces: its TLS security policy, mutual TLS client
        certificates and base-path mapping. With mutual TLS on the domain, the default endpoint lets
        clients without a certificate in.""",
    remediation="""Disable the default endpoint (aws apigatewayv2 update-api --api-id ...
        --disable-execute-api-endpoint) and redeploy the stages.""",
)
def execute_endpoint_with_custom_domain(api: ApiGatewayV2Api, inventory: Inventory) -> Iterator[Outcome]:
    """Execute-api endpoint enabled on an API that a custom domain serves; high when it bypasses mTLS."""
    if not api.domain_mappings:
        return
    urls = [m.url for m in api.domain_mappings]
    if api.execute_endpoint_disabled:
        yield passed(f"API {api.name} is served only through its custom domain(s) {', '.join(urls)}.")
        return
    mtls = sorted({m.domain_name for m in api.domain_mappings if m.mutual_tls})
    evidence = {"execute_api_endpoint": api.api_endpoint, "custom_domains": urls, "mutual_tls_domains": mtls}
    if mtls:
        yield fail(
            f"API {api.name} requires client certificates on {', '.join(mtls)}, but its default endpoint "
            f"{api.api_endpoint} is enabled and skips mutual TLS.",
            evidence,
            Severity.HIGH,
        )
        return
    yield fail(
        f"API {api.name} is served on {', '.join(urls)} and still on its default endpoint "
        f"{api.api_endpoint}.",
        evidence,
    )


# ---------------------------------------------------------------------------------- stages


@predicate("writes access logs", problem=lambda _: "no access log destination")
def writes_access_logs(stage: ApiStage) -> bool:
    """An access log destination (CloudWatch Logs group or Firehose stream) is set."""
    return stage.access_logging


def _traced_routes(stage: ApiStage) -> list[str]:
    return ["all routes"] if stage.data_trace else list(stage.data_trace_routes)


no_data_trace: Predicate[ApiStage] = Predicate(
    "does not log full requests and responses",
    lambda stage: not _traced_routes(stage),
    _traced_routes,
    "Data trace off by default and in every route setting.",
)
no_secret_variables: Predicate[ApiStage] = Predicate(
    "has no secret-like stage variable",
    lambda stage: not stage.secret_variables,
    lambda stage: list(stage.secret_variables),
    "Stage variables judged secret-like at collection (names only: values are never recorded).",
)


@predicate("has throttling limits", problem=lambda _: "no default rate or burst limit")
def throttled(stage: ApiStage) -> bool:
    """Stage-wide (default route) rate or burst limits are set."""
    return stage.throttled


expect_each(
    id="aws.apigatewayv2.stage_access_logging",
    title="API Gateway v2 stage has no access logging",
    severity=Severity.MEDIUM,
    asset=ApiGatewayV2Api,
    items="stages",
    key="stage_name",
    ok=writes_access_logs,
    pass_msg="Every stage of API {name} writes access logs.",
    fail_msg="API {name} stage(s) {failing} write no access logs.",
    rationale="""Without access logs there is no record of who called which route from where: abuse,
        credential stuffing and data exfiltration through the API cannot be detected or investigated.""",
    remediation="""aws apigatewayv2 update-stage --api-id API_ID --stage-name STAGE_NAME --access-log-settings
        'DestinationArn=LOG_GROUP_ARN,Format=$context.requestId $context.identity.sourceIp ...'""",
)

expect_each(
    id="aws.apigatewayv2.stage_data_trace",
    title="API Gateway v2 stage logs full requests and responses (data trace)",
    severity=Severity.MEDIUM,
    asset=ApiGatewayV2Api,
    items="stages",
    key="stage_name",
    ok=no_data_trace,
    pass_msg="No stage of API {name} logs request/response data.",
    fail_msg="API {name} logs full request/response data on stage(s) {failing} ({details}).",
    rationale="""Data trace writes full request and response payloads, including tokens, personal data and
        secrets sent to the API, to CloudWatch Logs, readable by everyone with log access.""",
    remediation="""Turn data trace off (aws apigatewayv2 update-stage --default-route-settings
        DataTraceEnabled=false, and in every route setting); use access logs and ERROR-level logging.""",
)

expect_each(
    id="aws.apigatewayv2.stage_secret_variables",
    title="API Gateway v2 stage variable looks like a secret",
    severity=Severity.HIGH,
    asset=ApiGatewayV2Api,
    items="stages",
    key="stage_name",
    ok=no_secret_variables,
    pass_msg="No stage variable of API {name} looks like a secret.",
    fail_msg="API {name} stores what looks like secrets in stage variables: {details}.",
    rationale="""Stage variables are plain configuration: anyone with apigateway:GET reads them, and they
        show up in logs and integration requests. A password, token or key stored there is exposed.""",
    remediation="""Move the secret to AWS Secrets Manager or SSM Parameter Store (SecureString), read it from
        the integration, rotate it, and delete the stage variable.""",
)

expect_each(
    id="aws.apigatewayv2.stage_throttling_not_set",
    title="API Gateway v2 stage has no throttling limits of its own",
    severity=Severity.LOW,
    asset=ApiGatewayV2Api,
    items="stages",
    key="stage_name",
    ok=throttled,
    pass_msg="Every stage of API {name} has throttling limits.",
    fail_msg="API {name} stage(s) {failing} have no default throttling limits.",
    rationale="""Without stage throttling an API may take the whole account quota (10,000 requests per
        second per region by default): one flood or runaway client drives Lambda and backend costs up and
        starves the account's other APIs.""",
    remediation="""Set default route throttling sized for the API (aws apigatewayv2 update-stage
        --default-route-settings ThrottlingBurstLimit=...,ThrottlingRateLimit=...).""",
)
