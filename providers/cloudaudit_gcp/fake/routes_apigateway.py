"""API Gateway v1: APIs, API configs (OpenAPI documents only with ``view=FULL``) and gateways."""

from __future__ import annotations

from cloudaudit_gcp.fake.errors import not_found
from cloudaudit_gcp.fake.routing import Call, Route, with_page
from cloudaudit_gcp.fake.shapes import JSON
from cloudaudit_gcp.fake.state import Api, ApiConfig

ROOT = "/v1/projects/<project>/locations/<location>"
PREFIX = "apigateway.projects.locations"
PAGE = 1000


def _missing(call: Call) -> Exception:
    return not_found("/".join(f"{k}/{v}" for k, v in call.args.items()))


def _global_only(call: Call) -> None:
    if call.args["location"] != "global":
        raise _missing(call)


def _api(call: Call) -> Api:
    _global_only(call)
    for api in call.project.apis:
        if api.name == call.args["api"]:
            return api
    raise _missing(call)


def _config(call: Call) -> tuple[Api, ApiConfig]:
    api = _api(call)
    for config in api.configs:
        if config.name == call.args["config"]:
            return api, config
    raise _missing(call)


def list_apis(call: Call) -> JSON:
    _global_only(call)
    project = call.project
    items, token = call.paged([project.api_resource(a) for a in project.apis], "pageSize", PAGE)
    return with_page({}, "apis", items, token)


def get_api(call: Call) -> JSON:
    return call.project.api_resource(_api(call))


def list_configs(call: Call) -> JSON:
    api = _api(call)
    full = call.query.get("view") == "FULL"
    configs = [call.project.config_resource(api, c, full) for c in api.configs]
    items, token = call.paged(configs, "pageSize", PAGE)
    return with_page({}, "apiConfigs", items, token)


def get_config(call: Call) -> JSON:
    api, config = _config(call)
    return call.project.config_resource(api, config, call.query.get("view") == "FULL")


def list_gateways(call: Call) -> JSON:
    project, location = call.project, call.args["location"]
    if location != "-" and location not in project.regions:
        raise _missing(call)
    gateways = [project.gateway_resource(g) for g in project.gateways if location in ("-", g.region)]
    items, token = call.paged(gateways, "pageSize", PAGE)
    return with_page({}, "gateways", items, token)


def get_gateway(call: Call) -> JSON:
    project = call.project
    for gateway in project.gateways:
        if (gateway.region, gateway.name) == (call.args["location"], call.args["gateway"]):
            return project.gateway_resource(gateway)
    raise _missing(call)


ROUTES = [
    Route(f"{PREFIX}.apis.list", f"{ROOT}/apis", list_apis),
    Route(f"{PREFIX}.apis.get", f"{ROOT}/apis/<api>", get_api),
    Route(f"{PREFIX}.apis.configs.list", f"{ROOT}/apis/<api>/configs", list_configs),
    Route(f"{PREFIX}.apis.configs.get", f"{ROOT}/apis/<api>/configs/<config>", get_config),
    Route(f"{PREFIX}.gateways.list", f"{ROOT}/gateways", list_gateways),
    Route(f"{PREFIX}.gateways.get", f"{ROOT}/gateways/<gateway>", get_gateway),
]
