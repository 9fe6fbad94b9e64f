"""API Gateway: fetch gateways and the configs they serve (discovery client), then map them to assets (pure).

One paged ``gateways.list`` over ``locations/-`` returns the gateways of every region; ``--regions``
keeps those of the audited regions. The OpenAPI documents come only with ``view=FULL``, so each
config a kept gateway serves is read once with it, in the detail pool. A config that could not be
read, or whose documents cannot be parsed, leaves the gateway's operations and backends unread.
"""

from __future__ import annotations

from typing import Any

from cloudaudit.collect.guard import Failed, Raw
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_gcp.assets import PROVIDER, full_name, last_segment
from cloudaudit_gcp.assets_apigateway import ApiGateway
from cloudaudit_gcp.collect.context import CollectContext, ServiceCollector
from cloudaudit_gcp.openapi import OpenApiError, ParsedConfig, parse_config

SERVICE = "apigateway"
GLOBAL = "global"
LIST_GATEWAYS = "apigateway.gateways.list"
GET_CONFIG = "apigateway.apiconfigs.get"
PERMISSIONS = (LIST_GATEWAYS, GET_CONFIG)
VIA = "API Gateway default hostname (https)"
NOTHING = ParsedConfig((), (), ())

# ---------------------------------------------------------------- fetch (SDK I/O)


def _collection(ctx: CollectContext, *path: str) -> Any:
    return ctx.gcp.collection("apigateway", "v1", "projects", "locations", *path)


def fetch_gateways(ctx: CollectContext) -> list[Raw] | Failed:
    """Every gateway of the project, all regions in one paged listing."""
    return ctx.guard.discovery_list(
        ctx.gcp,
        _collection(ctx, "gateways"),
        "gateways",
        service=SERVICE,
        region=GLOBAL,
        operation=LIST_GATEWAYS,
        parent=f"projects/{ctx.project}/locations/-",
    )


def fetch_config(ctx: CollectContext, name: str) -> Raw | Failed:
    """One API config with its OpenAPI documents (``view=FULL``)."""
    configs = _collection(ctx, "apis", "configs")
    return ctx.guard.fetch(  # type: ignore[no-any-return]
        lambda: ctx.gcp.execute(configs.get(name=name, view="FULL")),
        service=SERVICE,
        region=GLOBAL,
        operation=GET_CONFIG,
        resource_id=full_name(SERVICE, name),
    )


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """The gateways of the audited regions, each with the config it serves read once."""
    listed = fetch_gateways(ctx)
    if isinstance(listed, Failed):
        return []
    kept = [raw for raw in listed if ctx.wanted(gateway_region(raw))]
    served = sorted({str(raw["apiConfig"]) for raw in kept if raw.get("apiConfig")})
    configs = dict(
        zip(served, ctx.detail_pool.map(lambda name: fetch_config(ctx, name), served), strict=True)
    )
    return [to_gateway(ctx.project, raw, configs.get(str(raw.get("apiConfig") or ""))) for raw in kept]


# ---------------------------------------------------------------- translate (pure)


def gateway_region(raw: Raw) -> str:
    """``projects/p/locations/{region}/gateways/g`` -> the region."""
    parts = str(raw.get("name", "")).split("/")
    return parts[3] if len(parts) > 3 else ""


def api_of(config_name: str) -> str:
    """``projects/p/locations/global/apis/{api}/configs/c`` -> the API id."""
    parts = config_name.split("/")
    return parts[5] if len(parts) > 5 and parts[4] == "apis" else ""


def read_config(config: Raw | Failed | None) -> ParsedConfig | str | None:
    """The parsed documents of a served config; the reason they are unread; None without a config."""
    if config is None:
        return None
    if isinstance(config, Failed):
        return config.reason(GET_CONFIG)
    documents = config.get("openapiDocuments")
    if not documents and (config.get("grpcServices") or config.get("managedServiceConfigs")):
        return "gRPC API config: its service configuration is not analysed"
    try:
        return parse_config(documents or [])
    except OpenApiError as exc:
        return str(exc)


def to_gateway(project: str, raw: Raw, config: Raw | Failed | None) -> ApiGateway:
    """An :class:`ApiGateway` from its resource and the served config (``view=FULL``) or its failure."""
    parsed = read_config(config)
    unread = {"operations": parsed, "backends": parsed} if isinstance(parsed, str) else {}
    read = parsed if isinstance(parsed, ParsedConfig) else NOTHING
    config_name = str(raw.get("apiConfig") or "")
    hostname = str(raw.get("defaultHostname") or "")
    endpoint = Endpoint(
        host=hostname,
        from_port=443,
        to_port=443,
        via=VIA,
        application="https",
        methods=None if unread else read.methods,  # unread: unknown, not none
    )
    return ApiGateway(
        provider=PROVIDER,
        account=project,
        region=gateway_region(raw),
        id=full_name(SERVICE, str(raw["name"])),
        name=last_segment(str(raw["name"])),
        tags={str(k): str(v) for k, v in (raw.get("labels") or {}).items()},
        endpoints=(endpoint,) if hostname else (),
        default_hostname=hostname,
        api=api_of(config_name),
        api_config=config_name,
        state=str(raw.get("state") or ""),
        documents=read.documents,
        operations=read.operations,
        backends=read.backends,
        unread=unread,
    )


COLLECTOR = ServiceCollector(
    service=SERVICE,
    regional=False,
    collect=collect,
    permissions=PERMISSIONS,
    api="apigateway.googleapis.com",
)
