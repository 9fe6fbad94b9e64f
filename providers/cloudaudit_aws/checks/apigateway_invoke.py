"""Who may invoke a REST API (v1) method: the resource policy's public grants and the URLs serving it.

Shared by the method checks (:mod:`.apigateway_methods`) and the resource policy check
(:mod:`.apigateway_policy`). Which custom domains serve an API comes from base path mappings;
routing rules (``routingMode`` other than BASE_PATH_MAPPING_ONLY) are not read.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from cloudaudit.model.network import NetworkExposure, ports_of
from cloudaudit_aws.assets_apigateway import ApiGatewayRestApi, ApiMethod
from cloudaudit_aws.policy import PublicGrant, action_matches, analyse_policy

INVOKE = "execute-api:Invoke"
ANY_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
"""Verbs an ``ANY`` method answers (checked one by one against policy resources)."""
_SHORT_RESOURCE = "execute-api:/"


def method_labels(methods: list[ApiMethod]) -> list[str]:
    return [m.label for m in methods]


def _method_arns(api: ApiGatewayRestApi, method: ApiMethod) -> list[str]:
    """``arn:aws:execute-api:{region}:{account}:{api}/{stage}/{VERB}/{path}`` for each deployed stage."""
    stages = [s.name for s in api.stages] or ["*"]
    verbs = ANY_VERBS if method.http_method == "ANY" else (method.http_method,)
    path = method.path.lstrip("/")
    prefix = f"arn:aws:execute-api:{api.region}:{api.account}:{api.api_id}"
    return [f"{prefix}/{stage}/{verb}/{path}" for stage in stages for verb in verbs]


def _resource_matches(api: ApiGatewayRestApi, pattern: str, arn: str) -> bool:
    if pattern.startswith(_SHORT_RESOURCE):  # "execute-api:/stage/VERB/path" shorthand
        pattern = (
            f"arn:aws:execute-api:{api.region}:{api.account}:{api.api_id}/{pattern[len(_SHORT_RESOURCE) :]}"
        )
    return action_matches(pattern, arn)


def _grant_covers(api: ApiGatewayRestApi, grant: PublicGrant, arn: str) -> bool:
    nots = [r.removeprefix("NOT:") for r in grant.resources if r.startswith("NOT:")]
    if nots:
        return not any(_resource_matches(api, p, arn) for p in nots)
    return any(_resource_matches(api, p, arn) for p in grant.resources)


def invoke_grants(api: ApiGatewayRestApi) -> tuple[tuple[PublicGrant, ...], str]:
    """(grants of execute-api:Invoke to anyone, analysis error)."""
    if api.policy_error:
        return (), api.policy_error
    analysis = analyse_policy(api.policy)
    if analysis.error:
        return (), f"resource policy could not be analysed: {analysis.error}"
    return analysis.write_grants({INVOKE}), ""


def open_to_anyone(api: ApiGatewayRestApi, grants: tuple[PublicGrant, ...], method: ApiMethod) -> bool:
    """Anyone may invoke ``method``: no resource policy, or a public grant covering it."""
    if api.policy is None:
        return True
    return any(_grant_covers(api, g, arn) for g in grants for arn in _method_arns(api, method))


def statements(grants: tuple[PublicGrant, ...]) -> list[dict[str, object]]:
    return [
        {"sid": g.sid, "principal": g.principal, "actions": list(g.actions), "resources": list(g.resources)}
        for g in grants
    ]


def reach(api: ApiGatewayRestApi) -> tuple[list[str], dict[str, str]]:
    """(URLs reaching a public API, notes on inputs that could not be read)."""
    urls = [] if api.execute_api_endpoint_disabled else [f"https://{api.execute_api_host}"]
    urls.extend(f"https://{d}" for d in api.custom_domains)
    notes: dict[str, str] = {a: api.unread[a] for a in ("custom_domains", "stages") if a in api.unread}
    return urls, notes


def served_network(api: ApiGatewayRestApi) -> NetworkExposure:
    """The hosts that serve a public API (execute-api endpoint, custom domains), on HTTPS."""
    hosts = (urlsplit(url).hostname or "" for url in reach(api)[0])
    return NetworkExposure(addresses=tuple(dict.fromkeys(h for h in hosts if h)), ports=ports_of([443]))
