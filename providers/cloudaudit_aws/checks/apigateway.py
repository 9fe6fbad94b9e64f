"""API Gateway REST API (v1) checks: who can call the API, and the hardening of its stages and custom domains.

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
Resource policy open to anyone (``rest_api_policy_public``)
    A policy granting ``execute-api:Invoke`` to anyone without restricting condition is only meaningful
    together with method authorization, so this check fails only where the policy is the gate: on a
    PRIVATE API (any VPC endpoint of any AWS account may call it; HIGH with unauthenticated methods, LOW
    when every method still authenticates callers) and, on a public API, where the public grant covers
    unauthenticated methods (MEDIUM: the policy adds no protection; the exposure itself is rated by
    ``rest_api_unauthenticated_methods``).  No policy, or a policy admitting only specific callers, PASSes.
Stages
    Stage checks give one verdict per API over all its stages (the evidence names each failing stage);
    an API without any deployed stage gets no stage finding.
Custom domains
    Which domains serve an API comes from base path mappings; routing rules (``routingMode`` other than
    BASE_PATH_MAPPING_ONLY) are not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from cloudaudit.compliance import with_controls
from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import LEGACY_TLS
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, ports_of
from cloudaudit_aws.assets_apigateway import ApiGatewayDomainName, ApiGatewayRestApi, ApiMethod, ApiStage
from cloudaudit_aws.checks.frameworks import AWS_FSBP
from cloudaudit_aws.policy import PublicGrant, action_matches, analyse_policy

INVOKE = "execute-api:Invoke"
ANY_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
"""Verbs an ``ANY`` method answers (checked one by one against policy resources)."""
_SHORT_RESOURCE = "execute-api:/"
_LOGGING_ON = ("ERROR", "INFO")
_WEAK_TLS = re.compile(r"^(?:TLS_1_[01]|SecurityPolicy_TLS1\d_1_[01](?:_.*)?)$", re.IGNORECASE)
"""Security policies accepting TLS 1.0/1.1."""


# ---------------------------------------------------------------------------------- helpers


def _labels(methods: list[ApiMethod]) -> list[str]:
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


def _invoke_grants(api: ApiGatewayRestApi) -> tuple[tuple[PublicGrant, ...], str]:
    """(grants of execute-api:Invoke to anyone, analysis error)."""
    if api.policy_error:
        return (), api.policy_error
    analysis = analyse_policy(api.policy)
    if analysis.error:
        return (), f"resource policy could not be analysed: {analysis.error}"
    return analysis.write_grants({INVOKE}), ""


def _open_to_anyone(api: ApiGatewayRestApi, grants: tuple[PublicGrant, ...], method: ApiMethod) -> bool:
    """Anyone may invoke ``method``: no resource policy, or a public grant covering it."""
    if api.policy is None:
        return True
    return any(_grant_covers(api, g, arn) for g in grants for arn in _method_arns(api, method))


def _statements(grants: tuple[PublicGrant, ...]) -> list[dict[str, object]]:
    return [
        {"sid": g.sid, "principal": g.principal, "actions": list(g.actions), "resources": list(g.resources)}
        for g in grants
    ]


def _reach(api: ApiGatewayRestApi) -> tuple[list[str], dict[str, str]]:
    """(URLs reaching a public API, notes on inputs that could not be read)."""
    urls = [] if api.execute_api_endpoint_disabled else [f"https://{api.execute_api_host}"]
    urls.extend(f"https://{d}" for d in api.custom_domains)
    notes: dict[str, str] = {a: api.unread[a] for a in ("custom_domains", "stages") if a in api.unread}
    return urls, notes


def _network(api: ApiGatewayRestApi) -> NetworkExposure:
    """The hosts that serve a public API (execute-api endpoint, custom domains), on HTTPS."""
    hosts = (urlsplit(url).hostname or "" for url in _reach(api)[0])
    return NetworkExposure(addresses=tuple(dict.fromkeys(h for h in hosts if h)), ports=ports_of([443]))


# ---------------------------------------------------------------------------------- who can call


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
    compliance=with_controls(),
)
def rest_api_unauthenticated_methods(api: ApiGatewayRestApi, inventory: Inventory) -> Outcome:
    """Unauthenticated non-OPTIONS methods, graded by reachability and the resource policy."""
    open_methods = [m for m in api.methods if m.unauthenticated]
    if not api.methods:
        return passed(f"API {api.name} has no methods.")
    if not open_methods:
        return passed(f"Every method of API {api.name} requires authorization or an API key.")
    labels = _labels(open_methods)
    if api.private:
        return passed(
            f"API {api.name} is PRIVATE: its unauthenticated methods are reachable only through the VPC "
            "endpoints its resource policy admits (see aws.apigateway.rest_api_policy_public).",
            {"methods": labels},
        )
    grants, error = _invoke_grants(api)
    if error:
        return unknown(f"API {api.name} has unauthenticated methods, but {error}", {"methods": labels})
    public = [m for m in open_methods if _open_to_anyone(api, grants, m)]
    network = _network(api)
    urls, notes = _reach(api)
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
    evidence["open_to_anyone"] = _labels(public)
    where = ", ".join(urls) if urls else f"custom domains unknown: {notes.get('custom_domains', '')}"
    return fail(
        f"Anyone can call {', '.join(_labels(public))} on API {api.name} without credentials ({where}).",
        evidence,
        Severity.HIGH,
        network,
    )


@check(
    id="aws.apigateway.rest_api_policy_public",
    title="API Gateway REST API resource policy lets anyone invoke unauthenticated or private methods",
    severity=Severity.HIGH,
    asset=ApiGatewayRestApi,
    requires=("policy", "methods"),
    rationale="""A resource policy granting execute-api:Invoke to Principal "*" without a condition on the
        caller's VPC endpoint, network or account is no gate: on a PRIVATE API any VPC endpoint of any AWS
        account can call it, and methods without authorization are open to all.""",
    remediation="""Restrict the Allow statement with aws:SourceVpce (private APIs), aws:SourceIp or
        aws:PrincipalOrgID, or add a Deny for callers outside them; then redeploy the API.""",
    compliance=with_controls(),
)
def rest_api_policy_public(api: ApiGatewayRestApi, inventory: Inventory) -> Outcome:
    """Public Invoke grants, judged where the policy is the gate (see the module docstring)."""
    if api.policy is None and not api.policy_error:
        if api.private:
            return passed(f"PRIVATE API {api.name} has no resource policy: no VPC endpoint may invoke it.")
        return passed(f"API {api.name} has no resource policy; method authorization decides who calls it.")
    grants, error = _invoke_grants(api)
    if error:
        return unknown(f"API {api.name}: {error}")
    if not grants:
        return passed(f"The resource policy of API {api.name} admits only specific callers.")
    unauthenticated = [m for m in api.methods if m.unauthenticated and _open_to_anyone(api, grants, m)]
    evidence: dict[str, object] = {
        "statements": _statements(grants),
        "endpoint_types": list(api.endpoint_types),
        "unauthenticated_methods": _labels(unauthenticated),
    }
    if api.private:
        if unauthenticated:
            return fail(
                f"PRIVATE API {api.name} lets any VPC endpoint of any AWS account invoke it, and "
                f"{', '.join(_labels(unauthenticated))} need no authorization.",
                evidence,
                Severity.HIGH,
            )
        return fail(
            f"PRIVATE API {api.name} lets any VPC endpoint of any AWS account invoke it (the methods it "
            "opens authorize callers).",
            evidence,
            Severity.LOW,
        )
    if unauthenticated:
        return fail(
            f"The resource policy of API {api.name} lets anyone invoke the unauthenticated methods "
            f"{', '.join(_labels(unauthenticated))}.",
            evidence,
            Severity.MEDIUM,
        )
    if any(m.unauthenticated for m in api.methods):
        return passed(
            f"The resource policy of API {api.name} admits anyone only to methods that authorize callers.",
            {"statements": _statements(grants)},
        )
    return passed(
        f"The resource policy of API {api.name} admits anyone, but every method authorizes callers.",
        {"statements": _statements(grants)},
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
    compliance=with_controls(),
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
        {"methods": _labels(catch_all), "unauthenticated": open_any},
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
    compliance=with_controls(),
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


# ---------------------------------------------------------------------------------- stages


def _per_stage(
    api: ApiGatewayRestApi,
    problem: Callable[[ApiStage], object],
    ok_msg: str,
    fail_msg: str,
    severity: Severity | None = None,
) -> Iterator[Outcome]:
    """One verdict over all stages: ``problem(stage)`` is falsy when the stage is fine, else its evidence."""
    if not api.stages:
        return
    bad = {s.name: p for s in api.stages if (p := problem(s))}
    if not bad:
        yield passed(ok_msg.format(name=api.name), {"stages": [s.name for s in api.stages]})
        return
    yield fail(fail_msg.format(name=api.name, stages=", ".join(bad)), {"stages": bad}, severity)


@check(
    id="aws.apigateway.stage_access_logging",
    title="API Gateway REST API stage has no access logging",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""Access logs record who called which method, from where, and the answer: without them
        abuse, credential stuffing and data scraping go unseen and cannot be investigated.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/accessLogSettings/destinationArn,value=LOG_GROUP_ARN
        op=replace,path=/accessLogSettings/format,value='$context.requestId ...'""",
    compliance=with_controls(),
)
def stage_access_logging(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """Every stage sends access logs somewhere."""
    yield from _per_stage(
        api,
        lambda s: "" if s.access_log_destination else "no access log destination",
        "Every stage of API {name} writes access logs.",
        "Stage(s) {stages} of API {name} have no access logging.",
    )


def _execution_logging_gap(stage: ApiStage) -> list[str]:
    """``*/*`` not at ERROR/INFO, and method overrides explicitly OFF (an empty level inherits ``*/*``)."""
    default = stage.setting("*/*")
    level = default.logging_level if default else ""
    gaps = [] if level in _LOGGING_ON else [f"*/*: {level or 'OFF'}"]
    gaps.extend(f"{m.key}: OFF" for m in stage.method_settings if m.key != "*/*" and m.logging_level == "OFF")
    return gaps


@check(
    id="aws.apigateway.stage_execution_logging",
    title="API Gateway REST API stage has execution logging off",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""Execution logs (level ERROR or INFO) show authorizer decisions, integration errors and
        throttling; with logging OFF failed attacks and backend faults leave no trace.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/*/*/logging/loglevel,value=ERROR (and no method override set to OFF).""",
    compliance=with_controls(**{AWS_FSBP: ("APIGateway.1",)}),
)
def stage_execution_logging(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """Logging level ERROR or INFO for all methods (``*/*``) and no per-method override turning it off."""
    yield from _per_stage(
        api,
        _execution_logging_gap,
        "Every stage of API {name} logs execution at level ERROR or INFO.",
        "Stage(s) {stages} of API {name} have execution logging off.",
    )


@check(
    id="aws.apigateway.stage_data_trace",
    title="API Gateway REST API stage logs full requests and responses (data trace)",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""Data trace writes full request and response bodies and headers to CloudWatch Logs:
        tokens, passwords and personal data end up in logs readable by anyone with log access.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/*/*/logging/dataTrace,value=false (use access logs with chosen fields instead).""",
    compliance=with_controls(),
)
def stage_data_trace(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """Any method setting with dataTraceEnabled."""
    yield from _per_stage(
        api,
        lambda s: [m.key for m in s.method_settings if m.data_trace_enabled],
        "No stage of API {name} logs full request/response data.",
        "Stage(s) {stages} of API {name} log full requests and responses (data trace).",
    )


def _unencrypted_cache(stage: ApiStage) -> list[str]:
    if not stage.cache_cluster_enabled:
        return []
    return [m.key for m in stage.method_settings if m.caching_enabled and not m.cache_data_encrypted]


@check(
    id="aws.apigateway.stage_cache_encryption",
    title="API Gateway REST API stage caches responses unencrypted",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""Cached responses hold the API's data; without cache encryption they are stored in clear
        at rest.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/*/*/caching/dataEncrypted,value=true""",
    compliance=with_controls(**{AWS_FSBP: ("APIGateway.5",)}),
)
def stage_cache_encryption(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """A cache cluster with method caching on and cacheDataEncrypted off."""
    yield from _per_stage(
        api,
        _unencrypted_cache,
        "No stage of API {name} caches responses unencrypted.",
        "Stage(s) {stages} of API {name} cache responses without encryption.",
    )


@check(
    id="aws.apigateway.stage_waf",
    title="API Gateway public REST API stage has no WAF web ACL",
    severity=Severity.MEDIUM,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""AWS WAF filters injection payloads, known bad IPs and request floods before they reach the
        backend; a public stage without a web ACL takes everything.""",
    remediation="""aws wafv2 associate-web-acl --web-acl-arn ACL_ARN --resource-arn
        arn:aws:apigateway:REGION::/restapis/ID/stages/STAGE""",
    compliance=with_controls(**{AWS_FSBP: ("APIGateway.4",)}),
)
def stage_waf(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """Stages of EDGE/REGIONAL APIs without a web ACL (PRIVATE APIs PASS)."""
    if api.private and api.stages:
        yield passed(f"API {api.name} is PRIVATE: it is not reachable from the Internet.")
        return
    yield from _per_stage(
        api,
        lambda s: "" if s.web_acl_arn else "no web ACL",
        "Every stage of API {name} is protected by a WAF web ACL.",
        "Stage(s) {stages} of public API {name} have no WAF web ACL.",
    )


@check(
    id="aws.apigateway.stage_client_certificate",
    title="API Gateway REST API stage does not authenticate itself to the backend",
    severity=Severity.LOW,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""Without a client certificate the HTTP backend cannot tell API Gateway's calls from anyone
        else's, so callers can go around the API's authorization straight to the backend.""",
    remediation="""aws apigateway generate-client-certificate, then update-stage --patch-operations
        op=replace,path=/clientCertificateId,value=CERT_ID; make the backend require it.""",
    compliance=with_controls(**{AWS_FSBP: ("APIGateway.2",)}),
)
def stage_client_certificate(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """A clientCertificateId on every stage."""
    yield from _per_stage(
        api,
        lambda s: "" if s.client_certificate_id else "no client certificate",
        "Every stage of API {name} presents a client certificate to its backend.",
        "Stage(s) {stages} of API {name} present no client certificate to the backend.",
    )


@check(
    id="aws.apigateway.stage_xray_tracing",
    title="API Gateway REST API stage has X-Ray tracing off",
    severity=Severity.LOW,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""X-Ray traces follow each request through the API and its backends, which helps spot
        abuse patterns and failing components.""",
    remediation="""aws apigateway update-stage --rest-api-id ID --stage-name STAGE --patch-operations
        op=replace,path=/tracingEnabled,value=true""",
    compliance=with_controls(**{AWS_FSBP: ("APIGateway.3",)}),
)
def stage_xray_tracing(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """tracingEnabled on every stage."""
    yield from _per_stage(
        api,
        lambda s: "" if s.tracing_enabled else "tracing off",
        "Every stage of API {name} has X-Ray tracing on.",
        "Stage(s) {stages} of API {name} have X-Ray tracing off.",
    )


@check(
    id="aws.apigateway.stage_secret_variables",
    title="API Gateway REST API stage variables look like secrets",
    severity=Severity.HIGH,
    asset=ApiGatewayRestApi,
    requires=("stages",),
    rationale="""Stage variables are plain configuration: readable by anyone with apigateway:GET, shown in
        the console and exported with the API. Passwords, keys and tokens stored there leak.""",
    remediation="""Move the secret to AWS Secrets Manager or SSM Parameter Store (SecureString), let the
        backend fetch it, rotate the exposed value, and delete the stage variable.""",
    compliance=with_controls(),
)
def stage_secret_variables(api: ApiGatewayRestApi, inventory: Inventory) -> Iterator[Outcome]:
    """Stage variables judged secret-like at collection (evidence names them, never their values)."""
    if not api.stages:
        return
    bad = {s.name: list(s.secret_variables) for s in api.stages if s.secret_variables}
    if not bad:
        yield passed(f"No stage variable of API {api.name} looks like a secret.")
        return
    named = "; ".join(f"{stage}: {', '.join(names)}" for stage, names in bad.items())
    yield fail(
        f"Stage variables of API {api.name} look like secrets ({named}).",
        {"stages": bad, "note": "variable values are not recorded"},
    )


# ---------------------------------------------------------------------------------- custom domains


@check(
    id="aws.apigateway.domain_tls_1_0",
    title="API Gateway custom domain accepts TLS 1.0",
    severity=Severity.MEDIUM,
    asset=ApiGatewayDomainName,
    requires=("security_policy",),
    rationale="""TLS 1.0 and 1.1 have known weaknesses (BEAST, weak ciphers) and are deprecated; a domain
        accepting them lets clients, or an attacker forcing a downgrade, use them.""",
    remediation="""aws apigateway update-domain-name --domain-name NAME --patch-operations
        op=replace,path=/securityPolicy,value=TLS_1_2""",
    compliance=with_controls(),
    exploited_by=LEGACY_TLS,
)
def domain_tls_1_0(domain: ApiGatewayDomainName, inventory: Inventory) -> Outcome:
    """securityPolicy TLS_1_0 (or an enhanced policy with a TLS 1.0/1.1 minimum)."""
    policy = domain.security_policy
    if not policy:
        return unknown(f"Custom domain {domain.domain_name} reports no security policy.")
    evidence = {"security_policy": policy, "endpoint_types": list(domain.endpoint_types)}
    if _WEAK_TLS.match(policy):
        public = "PRIVATE" not in domain.endpoint_types
        network = NetworkExposure(addresses=(domain.domain_name,) if public else (), ports=ports_of([443]))
        return fail(
            f"Custom domain {domain.domain_name} accepts TLS 1.0 ({policy}).", evidence, network=network
        )
    return passed(f"Custom domain {domain.domain_name} requires TLS 1.2 or later ({policy}).", evidence)
