"""API Gateway v2: HTTP and WebSocket APIs, their routes, authorizers, stages and domain mappings.

``fetch_*`` do the SDK calls of one region: the API and domain listings in the unit itself, the
per-API reads (routes, stages, the authorizers the routes use) and per-domain API mappings in the
shared detail pool. ``to_*`` translate the answers without any I/O.

Custom domain names are one pool shared with REST APIs (GetDomainNames of v1 lists them too): the
``apigateway`` collector owns them as assets. Here GetDomainNames and GetApiMappings are read only
to fill each API's ``domain_mappings`` (which domain paths serve it, mutual TLS); no domain asset
is emitted, so a run over both services has each domain once.

Authorizers are read one by one (``GetAuthorizer``) for the ids the routes reference: only those
decide who may call a route, and an authorizer no route uses changes nothing. Every read is the
IAM action ``apigateway:GET`` (API Gateway v1 and v2 share it).

Pagination: botocore has paginators for GetApis, GetDomainNames, GetRoutes and GetStages but not
for GetApiMappings; the per-resource reads follow ``NextToken`` here (so a gap names the API or
domain it concerns), the region listings use the botocore paginators through :class:`Guard`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.assets_apigatewayv2 import (
    ApiAuthorizer,
    ApiGatewayV2Api,
    ApiMapping,
    ApiRoute,
    ApiStage,
    CorsConfiguration,
)
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Absent, Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession
from cloudaudit_aws.secrets_like import looks_secret

SERVICE = "apigatewayv2"
PERMISSIONS = ("apigateway:GET",)
"""IAM action of every call below (documented in deploy/iam-readonly-policy.json)."""

NOT_FOUND = ("NotFoundException",)
"""An authorizer deleted between the route read and its own read."""

Listing = list[Raw] | Failed


@dataclass(frozen=True)
class ApiDetail:
    """The per-API reads; ``authorizers`` is None when the routes could not be read."""

    routes: Listing
    stages: Listing
    authorizers: Listing | None


@dataclass(frozen=True)
class DomainMappings:
    """Custom domain mappings of a region, by API id; ``unread`` when some could not be read."""

    by_api: Mapping[str, tuple[ApiMapping, ...]] = field(default_factory=dict)
    unread: str = ""


# ---------------------------------------------------------------- fetch (SDK I/O)


def _pages(guard: Guard, client: Any, method: str, region: str, resource_id: str, **kwargs: Any) -> Listing:
    """Every ``Items`` entry of a NextToken-paginated read of one resource (a gap names it)."""
    items: list[Raw] = []
    seen: set[str] = set()
    token = ""
    while True:
        page = guard.call(
            getattr(client, method),
            service=SERVICE,
            region=region,
            resource_id=resource_id,
            **kwargs,
            **({"NextToken": token} if token else {}),
        )
        if isinstance(page, Failed):
            return page
        if isinstance(page, Absent):  # no absent codes are passed: never happens
            return items
        items.extend(page.get("Items", []) or [])
        token = str(page.get("NextToken") or "")
        if not token or token in seen:  # a repeated token would loop forever
            return items
        seen.add(token)


def fetch_listings(aws: AwsSession, guard: Guard, region: str) -> tuple[Listing, Listing]:
    """The APIs and the custom domain names of one region."""
    client = aws.client(SERVICE, region)
    apis = guard.paginate(client, "get_apis", "Items", service=SERVICE, region=region)
    domains = guard.paginate(client, "get_domain_names", "Items", service=SERVICE, region=region)
    return apis, domains


def api_arn(region: str, api_id: str) -> str:
    """The ARN API Gateway gives an HTTP or WebSocket API."""
    return f"arn:{_partition(region)}:apigateway:{region}::/apis/{api_id}"


def domain_arn(region: str, name: str) -> str:
    """The ARN of a custom domain name (names it in a gap when the answer does not carry it)."""
    return f"arn:{_partition(region)}:apigateway:{region}::/domainnames/{name}"


def fetch_api_detail(aws: AwsSession, guard: Guard, region: str, api: Raw) -> ApiDetail:
    """Routes, stages and the authorizers the routes reference, of one API."""
    client = aws.client(SERVICE, region)
    api_id = str(api["ApiId"])
    rid = api_arn(region, api_id)
    routes = _pages(guard, client, "get_routes", region, rid, ApiId=api_id)
    stages = _pages(guard, client, "get_stages", region, rid, ApiId=api_id)
    if isinstance(routes, Failed):
        return ApiDetail(routes, stages, None)
    authorizers: list[Raw] = []
    for authorizer_id in sorted({str(r["AuthorizerId"]) for r in routes if r.get("AuthorizerId")}):
        answer = guard.call(
            client.get_authorizer,
            service=SERVICE,
            region=region,
            resource_id=rid,
            absent=NOT_FOUND,
            ApiId=api_id,
            AuthorizerId=authorizer_id,
        )
        if isinstance(answer, Failed):
            return ApiDetail(routes, stages, answer)
        if not isinstance(answer, Absent):
            authorizers.append(answer)
    return ApiDetail(routes, stages, authorizers)


def fetch_api_mappings(aws: AwsSession, guard: Guard, region: str, domain: Raw) -> Listing:
    """The API mappings of one custom domain name."""
    name = str(domain["DomainName"])
    rid = str(domain.get("DomainNameArn") or domain_arn(region, name))
    return _pages(guard, aws.client(SERVICE, region), "get_api_mappings", region, rid, DomainName=name)


def collect_apigatewayv2(ctx: CollectContext, region: str) -> list[Asset]:
    """Fetch one region; per-API and per-domain reads run concurrently in the detail pool."""
    aws, guard = ctx.aws, ctx.guard
    apis, domains = fetch_listings(aws, guard, region)
    api_list, domain_list = _listed(apis), _listed(domains)
    ctx.progress.add_total(len(api_list) + len(domain_list))
    mapping_futures = [
        (d, ctx.detail_pool.submit(fetch_api_mappings, aws, guard, region, d)) for d in domain_list
    ]
    detail_futures = [(a, ctx.detail_pool.submit(fetch_api_detail, aws, guard, region, a)) for a in api_list]
    read: list[tuple[Raw, Listing]] = []
    for domain, future in mapping_futures:
        read.append((domain, future.result()))
        ctx.progress.advance(f"apigatewayv2 {domain.get('DomainName', '')}")
    mappings = to_domain_mappings(domains, read)
    assets: list[Asset] = []
    for api, detail_future in detail_futures:
        assets.append(to_api(guard.account, region, api, detail_future.result(), mappings))
        ctx.progress.advance(f"apigatewayv2 {api.get('ApiId', '')}")
    return assets


# ---------------------------------------------------------------- translate (pure)


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _listed(raw: Listing) -> list[Raw]:
    return [] if isinstance(raw, Failed) else raw


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())


def to_cors(raw: Mapping[str, Any] | None) -> CorsConfiguration | None:
    """The CORS configuration of an HTTP API; None when it has none."""
    if not raw:
        return None
    max_age = raw.get("MaxAge")
    return CorsConfiguration(
        allow_origins=_strings(raw.get("AllowOrigins")),
        allow_credentials=bool(raw.get("AllowCredentials")),
        allow_methods=_strings(raw.get("AllowMethods")),
        allow_headers=_strings(raw.get("AllowHeaders")),
        expose_headers=_strings(raw.get("ExposeHeaders")),
        max_age=None if max_age is None else int(max_age),
    )


def to_route(raw: Mapping[str, Any]) -> ApiRoute:
    """An :class:`ApiRoute` from one GetRoutes item."""
    return ApiRoute(
        route_id=str(raw.get("RouteId", "")),
        route_key=str(raw.get("RouteKey", "")),
        authorization_type=str(raw.get("AuthorizationType") or "NONE").upper(),
        authorizer_id=str(raw.get("AuthorizerId") or ""),
        authorization_scopes=_strings(raw.get("AuthorizationScopes")),
        api_key_required=bool(raw.get("ApiKeyRequired")),
    )


def to_authorizer(raw: Mapping[str, Any]) -> ApiAuthorizer:
    """An :class:`ApiAuthorizer` from a GetAuthorizer answer."""
    jwt = raw.get("JwtConfiguration") or {}
    return ApiAuthorizer(
        authorizer_id=str(raw.get("AuthorizerId", "")),
        name=str(raw.get("Name", "")),
        authorizer_type=str(raw.get("AuthorizerType", "")),
        identity_source=_strings(raw.get("IdentitySource")),
        jwt_issuer=str(jwt.get("Issuer", "")),
        jwt_audience=_strings(jwt.get("Audience")),
        result_ttl_seconds=int(raw.get("AuthorizerResultTtlInSeconds") or 0),
    )


def to_stage(raw: Mapping[str, Any]) -> ApiStage:
    """An :class:`ApiStage` from one GetStages item; stage variable values are dropped here."""
    defaults = raw.get("DefaultRouteSettings") or {}
    per_route: Mapping[str, Mapping[str, Any]] = raw.get("RouteSettings") or {}
    variables: Mapping[str, Any] = raw.get("StageVariables") or {}
    burst, rate = defaults.get("ThrottlingBurstLimit"), defaults.get("ThrottlingRateLimit")
    return ApiStage(
        stage_name=str(raw.get("StageName", "")),
        auto_deploy=bool(raw.get("AutoDeploy")),
        access_log_destination=str((raw.get("AccessLogSettings") or {}).get("DestinationArn") or ""),
        detailed_metrics=bool(defaults.get("DetailedMetricsEnabled")),
        logging_level=str(defaults.get("LoggingLevel") or ""),
        data_trace=bool(defaults.get("DataTraceEnabled")),
        data_trace_routes=tuple(sorted(k for k, s in per_route.items() if s.get("DataTraceEnabled"))),
        throttling_burst_limit=None if burst is None else int(burst),
        throttling_rate_limit=None if rate is None else float(rate),
        throttled_routes=tuple(
            sorted(
                k
                for k, s in per_route.items()
                if s.get("ThrottlingBurstLimit") is not None or s.get("ThrottlingRateLimit") is not None
            )
        ),
        variable_names=tuple(sorted(str(k) for k in variables)),
        secret_variables=tuple(sorted(str(k) for k, v in variables.items() if looks_secret(str(k), str(v)))),
        api_gateway_managed=bool(raw.get("ApiGatewayManaged")),
    )


def to_mapping(domain: Mapping[str, Any], raw: Mapping[str, Any]) -> ApiMapping:
    """An :class:`ApiMapping` from one GetApiMappings item of ``domain`` (a GetDomainNames item)."""
    configurations = domain.get("DomainNameConfigurations", []) or []
    policies = sorted({str(c["SecurityPolicy"]) for c in configurations if c.get("SecurityPolicy")})
    return ApiMapping(
        domain_name=str(domain.get("DomainName", "")),
        api_id=str(raw.get("ApiId", "")),
        stage=str(raw.get("Stage", "")),
        mapping_key=str(raw.get("ApiMappingKey") or ""),
        mutual_tls=bool((domain.get("MutualTlsAuthentication") or {}).get("TruststoreUri")),
        security_policy=", ".join(policies),
    )


def to_domain_mappings(domains: Listing, read: list[tuple[Raw, Listing]]) -> DomainMappings:
    """The mappings of every domain, by API id; what could not be read makes them unread."""
    if isinstance(domains, Failed):
        return DomainMappings(unread=domains.reason("GetDomainNames"))
    by_api: dict[str, list[ApiMapping]] = {}
    unread = ""
    for domain, mappings in read:
        if isinstance(mappings, Failed):
            unread = unread or mappings.reason("GetApiMappings")
            continue
        for raw in mappings:
            mapping = to_mapping(domain, raw)
            by_api.setdefault(mapping.api_id, []).append(mapping)
    return DomainMappings({k: tuple(v) for k, v in by_api.items()}, unread)


def route_methods(routes: Listing, websocket: bool) -> tuple[str, ...] | None:
    """The HTTP methods an HTTP API's routes declare (``$default`` answers any: ``ANY``).

    None when unknown: the routes were not read, or a WebSocket API (its routes are not HTTP methods).
    """
    if websocket or isinstance(routes, Failed):
        return None
    parsed = [to_route(r) for r in routes]
    return tuple(sorted({r.method or "ANY" for r in parsed if r.method or r.route_key == "$default"}))


def _execute_endpoint(
    raw: Mapping[str, Any], region: str, websocket: bool, methods: tuple[str, ...] | None
) -> tuple[Endpoint, ...]:
    if raw.get("DisableExecuteApiEndpoint"):
        return ()
    api_id = str(raw["ApiId"])
    host = (
        urlparse(str(raw.get("ApiEndpoint", ""))).hostname or f"{api_id}.execute-api.{region}.amazonaws.com"
    )
    via = f"execute-api endpoint ({'wss' if websocket else 'https'})"
    return (Endpoint(host=host, from_port=443, to_port=443, via=via, methods=methods),)


def to_api(
    account: str, region: str, raw: Mapping[str, Any], detail: ApiDetail, mappings: DomainMappings
) -> ApiGatewayV2Api:
    """An :class:`ApiGatewayV2Api` from a GetApis item, its detail reads and the region's mappings."""
    api_id = str(raw["ApiId"])
    protocol = str(raw.get("ProtocolType", "HTTP")).upper()
    unread: dict[str, str] = {}
    if isinstance(detail.routes, Failed):
        unread["routes"] = unread["authorizers"] = detail.routes.reason("GetRoutes")
    elif isinstance(detail.authorizers, Failed):
        unread["authorizers"] = detail.authorizers.reason("GetAuthorizer")
    if isinstance(detail.stages, Failed):
        unread["stages"] = detail.stages.reason("GetStages")
    if mappings.unread:
        unread["domain_mappings"] = mappings.unread
    return ApiGatewayV2Api(
        provider=PROVIDER,
        account=account,
        region=region,
        id=api_arn(region, api_id),
        name=str(raw.get("Name") or api_id),
        tags={str(k): str(v) for k, v in (raw.get("Tags") or {}).items()},
        endpoints=_execute_endpoint(
            raw, region, protocol == "WEBSOCKET", route_methods(detail.routes, protocol == "WEBSOCKET")
        ),
        unread=unread,
        api_id=api_id,
        protocol_type=protocol,
        api_endpoint=str(raw.get("ApiEndpoint", "")),
        execute_endpoint_disabled=bool(raw.get("DisableExecuteApiEndpoint")),
        cors=to_cors(raw.get("CorsConfiguration")),
        api_key_selection_expression=str(raw.get("ApiKeySelectionExpression", "")),
        route_selection_expression=str(raw.get("RouteSelectionExpression", "")),
        routes=tuple(to_route(r) for r in _listed(detail.routes)),
        authorizers=tuple(to_authorizer(a) for a in _listed(detail.authorizers or [])),
        stages=tuple(to_stage(s) for s in _listed(detail.stages)),
        domain_mappings=mappings.by_api.get(api_id, ()),
    )


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=True, collect=collect_apigatewayv2, permissions=PERMISSIONS
)
