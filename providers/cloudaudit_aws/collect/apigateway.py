"""API Gateway REST APIs (v1): APIs, their methods, authorizers, stages and gateway responses, custom domains.

``fetch_*`` do the SDK calls of one region (per-API and per-domain detail reads run in the shared
detail pool); ``to_*`` translate the answers without any I/O.  A failed detail read puts the
attributes it fills into the asset's ``unread`` so the checks needing them say UNKNOWN.  Stage
variable values are judged here (``looks_secret``) and dropped: only names reach the inventory.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_aws.assets import PROVIDER
from cloudaudit_aws.assets_apigateway import (
    EXECUTE_API_DOMAIN,
    HTTP_INTEGRATIONS,
    ApiGatewayDomainName,
    ApiGatewayRestApi,
    ApiMethod,
    ApiStage,
    Authorizer,
    BasePathMapping,
    GatewayResponse,
    MethodSetting,
)
from cloudaudit_aws.collect.context import CollectContext, ServiceCollector
from cloudaudit_aws.collect.guard import Absent, Failed, Guard, Raw
from cloudaudit_aws.collect.session import AwsSession
from cloudaudit_aws.secrets_like import looks_secret

SERVICE = "apigateway"
PERMISSIONS = ("apigateway:GET",)
"""Every API Gateway read is the one resource-scoped action ``apigateway:GET``."""

PAGE_LIMIT = 500
"""Largest page size API Gateway accepts."""

# detail key -> (SDK method, operation name for unread reasons, asset attribute it fills)
DETAILS: dict[str, tuple[str, str, str]] = {
    "resources": ("get_resources", "GetResources", "methods"),
    "authorizers": ("get_authorizers", "GetAuthorizers", "authorizers"),
    "stages": ("get_stages", "GetStages", "stages"),
    "gateway_responses": ("get_gateway_responses", "GetGatewayResponses", "gateway_responses"),
}

Listing = list[Raw] | Failed
ApiDetails = dict[str, Listing]
RegionRaw = dict[str, Listing]


# ---------------------------------------------------------------- fetch (SDK I/O)


def _pages(
    guard: Guard, fn: Callable[..., Raw], key: str, region: str, resource_id: str, **kw: Any
) -> Listing:
    """Every item of a ``position``-paginated API Gateway listing, or Failed (gap recorded)."""
    items: list[Raw] = []
    position: str | None = None
    while True:
        extra = {"position": position} if position else {}
        resp = guard.call(fn, service=SERVICE, region=region, resource_id=resource_id, **kw, **extra)
        if isinstance(resp, Failed):
            return resp
        if not isinstance(resp, dict):
            return items
        items.extend(resp.get(key, []) or [])
        nxt = resp.get("position")
        if not nxt or nxt == position:
            return items
        position = str(nxt)


def fetch_apigateway(aws: AwsSession, guard: Guard, region: str) -> RegionRaw:
    """The REST APIs and custom domain names of one region."""
    client = aws.client("apigateway", region)
    return {
        "apis": _pages(guard, client.get_rest_apis, "items", region, "", limit=PAGE_LIMIT),
        "domains": _pages(guard, client.get_domain_names, "items", region, "", limit=PAGE_LIMIT),
    }


def fetch_api_details(aws: AwsSession, guard: Guard, region: str, api: Raw) -> ApiDetails:
    """Resources with their methods, authorizers, stages and gateway responses of one API."""
    client = aws.client("apigateway", region)
    api_id = str(api["id"])
    rid = rest_api_arn(region, api_id)
    details: ApiDetails = {
        "resources": _pages(
            guard,
            client.get_resources,
            "items",
            region,
            rid,
            restApiId=api_id,
            embed=["methods"],
            limit=PAGE_LIMIT,
        ),
        "authorizers": _pages(
            guard, client.get_authorizers, "items", region, rid, restApiId=api_id, limit=PAGE_LIMIT
        ),
        "gateway_responses": _pages(
            guard, client.get_gateway_responses, "items", region, rid, restApiId=api_id, limit=PAGE_LIMIT
        ),
    }
    stages = guard.call(client.get_stages, service=SERVICE, region=region, resource_id=rid, restApiId=api_id)
    details["stages"] = stages if isinstance(stages, Failed) else _items(stages, "item")
    return details


def fetch_mappings(aws: AwsSession, guard: Guard, region: str, domain: Raw) -> Listing:
    """Base path mappings of one custom domain name."""
    client = aws.client("apigateway", region)
    name = str(domain["domainName"])
    kw: dict[str, Any] = {"domainName": name, "limit": PAGE_LIMIT}
    if domain.get("domainNameId"):  # private custom domains are addressed by name and id
        kw["domainNameId"] = str(domain["domainNameId"])
    return _pages(guard, client.get_base_path_mappings, "items", region, domain_arn(region, domain), **kw)


def collect_apigateway(ctx: CollectContext, region: str) -> list[Asset]:
    """Fetch one region; per-API and per-domain detail reads run concurrently in the detail pool."""
    aws, guard = ctx.aws, ctx.guard
    raw = fetch_apigateway(aws, guard, region)
    apis, domains = _listed(raw["apis"]), _listed(raw["domains"])
    ctx.progress.add_total(len(apis) + len(domains))
    api_futures = [(a, ctx.detail_pool.submit(fetch_api_details, aws, guard, region, a)) for a in apis]
    domain_futures = [(d, ctx.detail_pool.submit(fetch_mappings, aws, guard, region, d)) for d in domains]
    mappings: list[tuple[Raw, Listing]] = []
    for domain, pending in domain_futures:
        mappings.append((domain, pending.result()))
        ctx.progress.advance(f"apigateway {domain.get('domainName', '')}")
    assets: list[Asset] = [to_domain_name(guard.account, region, d, m) for d, m in mappings]
    served = domains_by_api(raw["domains"], mappings)
    for api, future in api_futures:
        assets.append(to_rest_api(guard.account, region, api, future.result(), served))
        ctx.progress.advance(f"apigateway {api.get('name', api.get('id', ''))}")
    return with_domain_methods(assets)


# ---------------------------------------------------------------- translate (pure)


def _items(resp: Raw | Absent, key: str) -> list[Raw]:
    return list(resp.get(key, []) or []) if isinstance(resp, dict) else []


def _listed(raw: Listing) -> list[Raw]:
    return [] if isinstance(raw, Failed) else raw


def rest_api_arn(region: str, api_id: str) -> str:
    """The ARN of a REST API (API Gateway resource ARNs have no account field)."""
    return f"arn:aws:apigateway:{region}::/restapis/{api_id}"


def domain_arn(region: str, raw: Mapping[str, Any]) -> str:
    """The ARN of a custom domain name (private ones carry their own ARN with account and id)."""
    return str(raw.get("domainNameArn") or f"arn:aws:apigateway:{region}::/domainnames/{raw['domainName']}")


def parse_policy(text: object) -> tuple[dict[str, Any] | None, str]:
    """(policy document, error) from the ``policy`` field of a REST API.

    API Gateway returns the document JSON-escaped a second time (``{\\"Version\\":...}``, ``\\/`` in
    CIDRs); plain JSON text (as written by some tools and emulators) is accepted too.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None, ""
    if not isinstance(text, str):
        return None, "policy is not a string"
    doc: object = None
    try:
        doc = json.loads(text)
    except ValueError:
        try:
            doc = json.loads(json.loads(f'"{text}"'))
        except ValueError as exc:
            return None, f"resource policy is not valid JSON: {exc}"
    if isinstance(doc, str):  # quoted twice over
        try:
            doc = json.loads(doc)
        except ValueError as exc:
            return None, f"resource policy is not valid JSON: {exc}"
    if not isinstance(doc, dict):
        return None, "resource policy is not a JSON object"
    return doc, ""


def _types(raw: Mapping[str, Any]) -> tuple[str, ...]:
    config = raw.get("endpointConfiguration") or {}
    return tuple(str(t).upper() for t in config.get("types", []) or [])


def integration_host(uri: object) -> str:
    """``scheme://host[:port]`` of an integration URI (path, query and any ``user:password@`` dropped:
    they may hold secrets); empty without a scheme. The host may be a stage variable reference."""
    text = str(uri or "")
    scheme, sep, rest = text.partition("://")
    if not sep:
        return ""
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    return f"{scheme.lower()}://{host.rpartition('@')[2]}"


def _integration(method: Mapping[str, Any]) -> dict[str, str]:
    """The integration fields of an embedded method (``methodIntegration``; absent: no integration)."""
    raw = method.get("methodIntegration") or {}
    kind = str(raw.get("type") or "").upper()
    connection = str(raw.get("connectionType") or "").upper()
    return {
        "integration_type": kind,
        "integration_connection": "" if connection == "INTERNET" else connection,
        "integration_host": integration_host(raw.get("uri")) if kind in HTTP_INTEGRATIONS else "",
    }


def to_methods(resources: list[Raw]) -> tuple[ApiMethod, ...]:
    """Methods of a GetResources answer read with ``embed=methods`` (each with its integration), sorted
    by path then verb."""
    methods: list[ApiMethod] = []
    for res in resources:
        path = str(res.get("path", ""))
        for verb, method in (res.get("resourceMethods") or {}).items():
            method = method or {}
            methods.append(
                ApiMethod(
                    path=path,
                    http_method=str(method.get("httpMethod") or verb).upper(),
                    authorization_type=str(method.get("authorizationType") or "NONE").upper(),
                    authorizer_id=str(method.get("authorizerId", "")),
                    api_key_required=bool(method.get("apiKeyRequired")),
                    request_validator_id=str(method.get("requestValidatorId", "")),
                    **_integration(method),
                )
            )
    return tuple(sorted(methods, key=lambda m: (m.path, m.http_method)))


def _method_setting(key: str, raw: Mapping[str, Any]) -> MethodSetting:
    burst, rate = raw.get("throttlingBurstLimit"), raw.get("throttlingRateLimit")
    return MethodSetting(
        key=key,
        logging_level=str(raw.get("loggingLevel") or "").upper(),
        data_trace_enabled=bool(raw.get("dataTraceEnabled")),
        metrics_enabled=bool(raw.get("metricsEnabled")),
        caching_enabled=bool(raw.get("cachingEnabled")),
        cache_data_encrypted=bool(raw.get("cacheDataEncrypted")),
        throttling_burst_limit=int(burst) if burst is not None else None,
        throttling_rate_limit=float(rate) if rate is not None else None,
    )


def to_stage(raw: Mapping[str, Any]) -> ApiStage:
    """An :class:`ApiStage` from one GetStages item; stage variable values are judged, then dropped."""
    variables = {str(k): str(v) for k, v in (raw.get("variables") or {}).items()}
    access = raw.get("accessLogSettings") or {}
    return ApiStage(
        name=str(raw.get("stageName", "")),
        deployment_id=str(raw.get("deploymentId", "")),
        access_log_destination=str(access.get("destinationArn") or ""),
        method_settings=tuple(
            _method_setting(str(k), v or {}) for k, v in sorted((raw.get("methodSettings") or {}).items())
        ),
        tracing_enabled=bool(raw.get("tracingEnabled")),
        client_certificate_id=str(raw.get("clientCertificateId") or ""),
        web_acl_arn=str(raw.get("webAclArn") or ""),
        cache_cluster_enabled=bool(raw.get("cacheClusterEnabled")),
        variable_names=tuple(sorted(variables)),
        secret_variables=tuple(sorted(k for k, v in variables.items() if looks_secret(k, v))),
    )


def to_gateway_response(raw: Mapping[str, Any]) -> GatewayResponse:
    """A :class:`GatewayResponse` from one GetGatewayResponses item (templates by size only)."""
    templates = raw.get("responseTemplates") or {}
    return GatewayResponse(
        response_type=str(raw.get("responseType", "")),
        status_code=str(raw.get("statusCode") or ""),
        default_response=bool(raw.get("defaultResponse", True)),
        template_bytes=sum(len(str(t).encode()) for t in templates.values()),
    )


def to_authorizer(raw: Mapping[str, Any]) -> Authorizer:
    """An :class:`Authorizer` from one GetAuthorizers item."""
    return Authorizer(
        authorizer_id=str(raw.get("id", "")), name=str(raw.get("name", "")), type=str(raw.get("type", ""))
    )


def domains_by_api(domains: Listing, mappings: list[tuple[Raw, Listing]]) -> dict[str, tuple[str, ...]] | str:
    """API id -> custom domain names mapped to it; a reason string when that cannot be known."""
    if isinstance(domains, Failed):
        return domains.reason("GetDomainNames")
    served: dict[str, set[str]] = {}
    for domain, listing in mappings:
        if isinstance(listing, Failed):
            return listing.reason("GetBasePathMappings")
        for mapping in listing:
            served.setdefault(str(mapping.get("restApiId", "")), set()).add(str(domain["domainName"]))
    return {api: tuple(sorted(names)) for api, names in served.items()}


def _api_endpoints(
    host: str, public: bool, disabled: bool, methods: tuple[str, ...] | None
) -> tuple[Endpoint, ...]:
    if not public or disabled:
        return ()
    via = "execute-api default endpoint (https)"
    return (Endpoint(host=host, from_port=443, to_port=443, via=via, methods=methods),)


def declared_methods(resources: Listing) -> tuple[str, ...] | None:
    """The HTTP methods a REST API declares on any resource (``ANY`` included); None when unread."""
    if isinstance(resources, Failed):
        return None
    return tuple(sorted({m.http_method for m in to_methods(resources)}))


def to_rest_api(
    account: str,
    region: str,
    raw: Mapping[str, Any],
    details: ApiDetails,
    served: Mapping[str, tuple[str, ...]] | str,
) -> ApiGatewayRestApi:
    """An :class:`ApiGatewayRestApi` from a GetRestApis item, its detail reads and the domain mappings."""
    api_id = str(raw["id"])
    types = _types(raw)
    policy, policy_error = parse_policy(raw.get("policy"))
    unread: dict[str, str] = {}
    for key, (_, operation, attr) in DETAILS.items():
        listing = details.get(key, [])
        if isinstance(listing, Failed):
            unread[attr] = listing.reason(operation)
    if isinstance(served, str):
        unread["custom_domains"] = served
    disabled = bool(raw.get("disableExecuteApiEndpoint"))
    config = raw.get("endpointConfiguration") or {}
    host = f"{api_id}.{EXECUTE_API_DOMAIN.format(region=region)}"
    return ApiGatewayRestApi(
        provider=PROVIDER,
        account=account,
        region=region,
        id=rest_api_arn(region, api_id),
        name=str(raw.get("name") or api_id),
        tags={str(k): str(v) for k, v in (raw.get("tags") or {}).items()},
        endpoints=_api_endpoints(
            host, "PRIVATE" not in types, disabled, declared_methods(details.get("resources", []))
        ),
        unread=unread,
        api_id=api_id,
        endpoint_types=types,
        vpc_endpoint_ids=tuple(str(v) for v in config.get("vpcEndpointIds", []) or []),
        execute_api_endpoint_disabled=disabled,
        policy=policy,
        policy_error=policy_error,
        api_key_source=str(raw.get("apiKeySource") or ""),
        security_policy=str(raw.get("securityPolicy") or ""),
        methods=to_methods(_listed(details.get("resources", []))),
        authorizers=tuple(to_authorizer(a) for a in _listed(details.get("authorizers", []))),
        stages=tuple(to_stage(s) for s in _listed(details.get("stages", []))),
        gateway_responses=tuple(
            to_gateway_response(g) for g in _listed(details.get("gateway_responses", []))
        ),
        custom_domains=() if isinstance(served, str) else served.get(api_id, ()),
    )


def _api_methods(api: ApiGatewayRestApi) -> tuple[str, ...] | None:
    if "methods" in api.unread:
        return None
    return tuple(sorted({m.http_method for m in api.methods}))


def with_domain_methods(assets: list[Asset]) -> list[Asset]:
    """Custom domains' endpoints declare the methods of the REST APIs they serve.

    Unknown (None) when a mapping names an API not read here (an HTTP API) or whose methods were
    not read, or when the mappings themselves were not read.
    """
    apis = {a.api_id: _api_methods(a) for a in assets if isinstance(a, ApiGatewayRestApi)}
    out: list[Asset] = []
    for asset in assets:
        if isinstance(asset, ApiGatewayDomainName) and asset.endpoints and "mappings" not in asset.unread:
            declared = [apis.get(m.rest_api_id) for m in asset.mappings]
            methods = (
                None
                if not declared or any(d is None for d in declared)
                else tuple(sorted({v for d in declared for v in d or ()}))
            )
            endpoints = tuple(e.model_copy(update={"methods": methods}) for e in asset.endpoints)
            asset = asset.model_copy(update={"endpoints": endpoints})
        out.append(asset)
    return out


def to_domain_name(
    account: str, region: str, raw: Mapping[str, Any], mappings: Listing
) -> ApiGatewayDomainName:
    """An :class:`ApiGatewayDomainName` from a GetDomainNames item and its base path mappings."""
    name = str(raw["domainName"])
    types = _types(raw)
    unread = {"mappings": mappings.reason("GetBasePathMappings")} if isinstance(mappings, Failed) else {}
    public = bool(types) and "PRIVATE" not in types and "*" not in name
    endpoints = (
        (Endpoint(host=name, from_port=443, to_port=443, via=f"custom domain ({'/'.join(types)}, https)"),)
        if public
        else ()
    )
    mtls = raw.get("mutualTlsAuthentication") or {}
    return ApiGatewayDomainName(
        provider=PROVIDER,
        account=account,
        region=region,
        id=domain_arn(region, raw),
        name=name,
        tags={str(k): str(v) for k, v in (raw.get("tags") or {}).items()},
        endpoints=endpoints,
        unread=unread,
        domain_name=name,
        security_policy=str(raw.get("securityPolicy") or ""),
        endpoint_types=types,
        regional_domain_name=str(raw.get("regionalDomainName") or ""),
        distribution_domain_name=str(raw.get("distributionDomainName") or ""),
        status=str(raw.get("domainNameStatus") or ""),
        mutual_tls=bool(mtls.get("truststoreUri")),
        mappings=tuple(
            BasePathMapping(
                base_path=str(m.get("basePath") or "(none)"),
                rest_api_id=str(m.get("restApiId", "")),
                stage=str(m.get("stage", "")),
            )
            for m in _listed(mappings)
        ),
    )


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=True, collect=collect_apigateway, permissions=PERMISSIONS
)
