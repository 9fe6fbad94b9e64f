"""Compute Engine v1: firewalls, networks, regions, global forwarding rules and global addresses
(global); instances per zone, forwarding rules and addresses per region, and their aggregated lists
keyed ``zones/...``/``regions/...`` (``returnPartialSuccess`` and unreachable scopes, see FakeProject)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from cloudaudit_gcp.fake.errors import ApiError, error_body, not_found
from cloudaudit_gcp.fake.model_compute import GLOBAL
from cloudaudit_gcp.fake.routing import Call, Route, with_page
from cloudaudit_gcp.fake.shapes import JSON
from cloudaudit_gcp.fake.state import FakeProject

ROOT = "/compute/v1/projects/<project>"
PAGE = 500

# What a collection holds: (scope, name, render) per resource; only the page asked for is rendered.
Entry = tuple[str, str, Callable[[], JSON]]
Scoped = Callable[[FakeProject], list[Entry]]


def _instances(p: FakeProject) -> list[Entry]:
    return [(f"zones/{i.zone}", i.name, partial(i.resource, p)) for i in p.instances]


def _forwarding_rules(p: FakeProject) -> list[Entry]:
    return [
        (f"regions/{r.region}", r.name, partial(r.resource, p))
        for r in p.forwarding_rules
        if r.region != GLOBAL
    ]


def _global_forwarding_rules(p: FakeProject) -> list[Entry]:
    return [(GLOBAL, r.name, partial(r.resource, p)) for r in p.forwarding_rules if r.region == GLOBAL]


def _addresses(p: FakeProject) -> list[Entry]:
    return [
        (f"regions/{a.region}", a.name, partial(a.resource, p)) for a in p.addresses if a.region != GLOBAL
    ]


def _global_addresses(p: FakeProject) -> list[Entry]:
    return [(GLOBAL, a.name, partial(a.resource, p)) for a in p.addresses if a.region == GLOBAL]


def _firewalls(p: FakeProject) -> list[Entry]:
    return [("global", f.name, partial(f.resource, p)) for f in p.firewalls]


def _networks(p: FakeProject) -> list[Entry]:
    return [("global", n.name, partial(n.resource, p)) for n in p.networks]


def _regions(p: FakeProject) -> list[Entry]:
    return [("global", r, partial(p.region_resource, r)) for r in p.regions]


def _scopes(project: FakeProject, zonal: bool) -> list[str]:
    return [f"zones/{z}" for z in project.zones()] if zonal else [f"regions/{r}" for r in project.regions]


def _list_body(call: Call, kind: str, collection: str, entries: list[Entry]) -> JSON:
    page, token = call.paged(entries, "maxResults", PAGE)
    page_items = [render() for _, _, render in page]
    link = f"{call.project.compute_url}/{collection}"
    body: JSON = {"kind": kind, "id": link.split("/compute/v1/", 1)[1], "selfLink": link}
    return with_page(body, "items", page_items, token)


def _check_scope(project: FakeProject, scope: str) -> None:
    if scope not in _scopes(project, scope.startswith("zones/")):
        raise not_found(f"projects/{project.id}/{scope}")


def list_route(method: str, collection: str, kind: str, scoped: Scoped, scope_arg: str | None) -> Route:
    """``{collection}`` list; with ``scope_arg`` (``zone``/``region``) only that scope's items."""
    plural = collection.rsplit("/", 1)[-1]

    def handler(call: Call) -> JSON:
        project = call.project
        scope = f"{scope_arg}s/{call.args[scope_arg]}" if scope_arg else "global"
        if scope_arg:
            _check_scope(project, scope)
        entries = [entry for entry in scoped(project) if entry[0] == scope]
        path = f"{scope}/{plural}" if scope_arg else collection
        return _list_body(call, kind, path, entries)

    prefix = f"{scope_arg}s/<{scope_arg}>" if scope_arg else "global"
    return Route(f"compute.{method}.list", f"{ROOT}/{prefix}/{plural}", handler)


def get_route(method: str, plural: str, scoped: Scoped, scope_arg: str | None) -> Route:
    """``{plural}/{name}`` get."""

    def handler(call: Call) -> JSON:
        scope = f"{scope_arg}s/{call.args[scope_arg]}" if scope_arg else "global"
        for where, name, render in scoped(call.project):
            if (where, name) == (scope, call.args["name"]):
                return render()
        raise not_found(f"projects/{call.args['project']}/{scope}/{plural}/{call.args['name']}")

    prefix = f"{scope_arg}s/<{scope_arg}>" if scope_arg else "global"
    return Route(f"compute.{method}.get", f"{ROOT}/{prefix}/{plural}/<name>", handler)


def aggregated_route(method: str, kind: str, scoped: Scoped, zonal: bool) -> Route:
    """``aggregated/{plural}``: every scope on every page; an empty one carries a ``warning``."""

    def handler(call: Call) -> JSON:
        project = call.project
        scopes = _scopes(project, zonal)
        down = [scope for scope in scopes if scope in project.unreachable]
        if down and call.query.get("returnPartialSuccess") != "true":
            message = f"The resource '{down[0]}' is currently unavailable."
            raise ApiError(503, error_body(503, message, "backendError"))
        entries = [entry for entry in scoped(project) if entry[0] not in down]
        page, token = call.paged(entries, "maxResults", PAGE)
        items: JSON = {}
        for scope in scopes:
            found = [render() for where, _, render in page if where == scope]
            warning = _unreachable(scope) if scope in down else _no_results(scope)
            items[scope] = {method: found} if found else {"warning": warning}
        link = f"{project.compute_url}/aggregated/{method}"
        body: JSON = {"kind": kind, "id": f"projects/{project.id}/aggregated/{method}", "items": items}
        body["selfLink"] = link
        if down:
            body["unreachables"] = down
        return with_page(body, "unused", [], token)

    return Route(f"compute.{method}.aggregatedList", f"{ROOT}/aggregated/{method}", handler)


def _no_results(scope: str) -> JSON:
    return {
        "code": "NO_RESULTS_ON_PAGE",
        "message": f"There are no results for scope '{scope}' on this page.",
        "data": [{"key": "scope", "value": scope}],
    }


def _unreachable(scope: str) -> JSON:
    return {
        "code": "UNREACHABLE",
        "message": f"Scope '{scope}' is unreachable: its resources are not listed.",
        "data": [{"key": "scope", "value": scope}],
    }


ROUTES = [
    list_route("firewalls", "global/firewalls", "compute#firewallList", _firewalls, None),
    get_route("firewalls", "firewalls", _firewalls, None),
    list_route("networks", "global/networks", "compute#networkList", _networks, None),
    get_route("networks", "networks", _networks, None),
    Route(
        "compute.regions.list",
        f"{ROOT}/regions",
        lambda call: _list_body(call, "compute#regionList", "regions", _regions(call.project)),
    ),
    aggregated_route("instances", "compute#instanceAggregatedList", _instances, zonal=True),
    list_route("instances", "instances", "compute#instanceList", _instances, "zone"),
    get_route("instances", "instances", _instances, "zone"),
    aggregated_route(
        "forwardingRules", "compute#forwardingRuleAggregatedList", _forwarding_rules, zonal=False
    ),
    list_route(
        "forwardingRules", "forwardingRules", "compute#forwardingRuleList", _forwarding_rules, "region"
    ),
    get_route("forwardingRules", "forwardingRules", _forwarding_rules, "region"),
    list_route(
        "globalForwardingRules",
        "global/forwardingRules",
        "compute#forwardingRuleList",
        _global_forwarding_rules,
        None,
    ),
    get_route("globalForwardingRules", "forwardingRules", _global_forwarding_rules, None),
    aggregated_route("addresses", "compute#addressAggregatedList", _addresses, zonal=False),
    list_route("addresses", "addresses", "compute#addressList", _addresses, "region"),
    get_route("addresses", "addresses", _addresses, "region"),
    list_route("globalAddresses", "global/addresses", "compute#addressList", _global_addresses, None),
    get_route("globalAddresses", "addresses", _global_addresses, None),
]
