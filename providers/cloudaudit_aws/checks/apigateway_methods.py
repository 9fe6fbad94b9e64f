"""API Gateway REST API (v1) checks on its methods: who can call them without credentials, catch-all
verbs, and the default endpoint left open behind a custom domain.

Decisions
---------
Unauthenticated methods (``rest_api_unauthenticated_methods``)
    A method is unauthenticated when its authorization type is NONE, it needs no API key and it is not
    OPTIONS (CORS preflight).  On an EDGE/REGIONAL API it is graded HIGH when callers can reach it (the
    execute-api endpoint is enabled or a custom domain maps to the API), MEDIUM when the resource policy
    admits only specific callers (``analyse_policy`` finds no grant of ``execute-api:Invoke`` to anyone
    covering the method: with authorization NONE API Gateway then denies everybody else), LOW when nothing
    reaches it (no stage deployed, or endpoint disabled and no custom domain).  When the inputs of that
    grade could not be read (stages, custom domains) the grade stays HIGH and the evidence says why.
    PRIVATE APIs PASS here: who reaches them is decided by their resource policy, judged by the next check.
    The methods judged are the API's current ones; a stage serves its last deployment, which may differ.
"""

from __future__ import annotations

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets_apigateway import ApiGatewayDomainName, ApiGatewayRestApi
from cloudaudit_aws.checks.apigateway_invoke import (
    invoke_grants,
    method_labels,
    open_to_anyone,
    reach,
    served_network,
)


@check(
    id="aws.apigateway.rest_api_unauthenticated_methods",
    title="API Gateway REST API has methods anyone can call without authorization",
    severity=Severity.HIGH,
    asset=ApiGatewayRestApi,
    requires=("methods", "policy"),
    rationale="""A method with authorization NONE and no API key runs its backend for any caller on the
        Internet: data is read or changed anonymously, and the backend pays for every request.""",
    remediation="""Set an authorizer on every method that is not deliberately public (AWS_IAM, a Cognito
        user pool or a Lambda authorizer: aws apigateway update-method --patch-operations
        op=replace,path=/authorizationType,value=AWS_IAM), or restrict callers with a resource policy
        (aws:SourceVpce, aws:SourceIp); redeploy the stage.""",
)
def rest_api_unauthenticated_methods(api: ApiGatewayRestApi, inventory: Inventory) -> Outcome:
    """Unauthenticated non-OPTIONS methods, graded by reachability and the resource policy."""
    open_methods = [m for m in api.methods if m.unauthenticated]
    if not api.methods:
        return passed(f"API {api.name} has no methods.")
    if not open_methods:
        return passed(f"Every method of API {api.name} requires authorization or an API key.")
    labels = method_labels(open_methods)
    if api.private:
        return passed(
            f"API {api.name} is PRIVATE: its unauthenticated methods are reachable only through the VPC "
            "endpoints its resource policy admits (see aws.apigateway.rest_api_policy_public).",
            {"methods": labels},
        )
    grants, error = invoke_grants(api)
    if error:
        return unknown(f"API {api.name} has unauthenticated methods, but {error}", {"methods": labels})
    public = [m for m in open_methods if open_to_anyone(api, grants, m)]
    network = served_network(api)
    urls, notes = reach(api)
    evidence: dict[str, object] = {"methods": labels, "endpoint_types": list(api.endpoint_types)}
    if urls:
        evidence["reachable_at"] = urls
    if notes:
        evidence["unread"] = notes
    listed = ", ".join(labels)
    if not api.stages and "stages" not in api.unread:
        return fail(
            f"API {api.name} has methods without authorization ({listed}), but no stage is deployed.",
            evidence,
            Severity.LOW,
            network,
        )
    if not urls and "custom_domains" not in api.unread:
        return fail(
            f"API {api.name} has methods without authorization ({listed}); its execute-api endpoint is "
            "disabled and no custom domain maps to it.",
            evidence,
            Severity.LOW,
            network,
        )
    if not public:
        evidence["restricted_by_policy"] = labels
        return fail(
            f"API {api.name} has methods without authorization ({listed}); its resource policy admits "
            "only specific callers.",
            evidence,
            Severity.MEDIUM,
            network,
        )
    evidence["open_to_anyone"] = anyone = method_labels(public)
    where = ", ".join(urls) if urls else f"custom domains unknown: {notes.get('custom_domains', '')}"
    return fail(
        f"Anyone can call {', '.join(anyone)} on API {api.name} without credentials ({where}).",
        evidence,
        Severity.HIGH,
        network,
    )


@check(
    id="aws.apigateway.rest_api_any_method",
    title="API Gateway REST API uses catch-all ANY methods",
    severity=Severity.LOW,
    asset=ApiGatewayRestApi,
    requires=("methods",),
    rationale="""An ANY method accepts every HTTP verb (DELETE, PUT, PATCH...) and hands it to the backend,
        which must then reject what it does not expect; unneeded verbs widen the attack surface.""",
    remediation="""Replace ANY with the verbs the resource serves (aws apigateway put-method for each, then
        delete-method --http-method ANY) and redeploy.""",
)
def rest_api_any_method(api: ApiGatewayRestApi, inventory: Inventory) -> Outcome:
    """ANY methods; MEDIUM when one of them needs no authorization on a public API."""
    catch_all = [m for m in api.methods if m.http_method == "ANY"]
    if not catch_all:
        return passed(f"API {api.name} has no ANY method.")
    open_any = not api.private and any(m.unauthenticated for m in catch_all)
    return fail(
        f"API {api.name} accepts every HTTP verb on {', '.join(m.path for m in catch_all)}"
        + (" without authorization." if open_any else "."),
        {"methods": method_labels(catch_all), "unauthenticated": open_any},
        Severity.MEDIUM if open_any else Severity.LOW,
    )


@check(
    id="aws.apigateway.rest_api_default_endpoint_enabled",
    title="API Gateway REST API default execute-api endpoint stays enabled behind a custom domain",
    severity=Severity.LOW,
    asset=ApiGatewayRestApi,
    requires=("custom_domains",),
    rationale="""Once a custom domain serves the API, the default https://{api-id}.execute-api endpoint is a
        second way in that bypasses the domain's TLS policy, mutual TLS and base-path layout.""",
    remediation="""aws apigateway update-rest-api --rest-api-id ID --patch-operations
        op=replace,path=/disableExecuteApiEndpoint,value='True'; then redeploy the stages.""",
)
def rest_api_default_endpoint_enabled(api: ApiGatewayRestApi, inventory: Inventory) -> Outcome:
    """Execute-api endpoint enabled while a custom domain maps to the API; MEDIUM when that skips mTLS."""
    if api.private:
        return passed(f"API {api.name} is PRIVATE: it has no public default endpoint.")
    if not api.custom_domains:
        return passed(f"No custom domain maps to API {api.name}; its default endpoint is its address.")
    if api.execute_api_endpoint_disabled:
        return passed(f"API {api.name} is served only through {', '.join(api.custom_domains)}.")
    mtls = [
        d.domain_name
        for d in inventory.of(ApiGatewayDomainName)
        if d.mutual_tls and d.domain_name in api.custom_domains and d.account == api.account
    ]
    evidence: dict[str, object] = {
        "execute_api_endpoint": f"https://{api.execute_api_host}",
        "custom_domains": list(api.custom_domains),
        "security_policy": api.security_policy or "legacy default (accepts TLS 1.0)",
    }
    if mtls:
        evidence["mutual_tls_bypassed"] = mtls
    return fail(
        f"API {api.name} is served by {', '.join(api.custom_domains)} but still answers on "
        f"https://{api.execute_api_host}" + (" without the domain's mutual TLS." if mtls else "."),
        evidence,
        Severity.MEDIUM if mtls else Severity.LOW,
    )
