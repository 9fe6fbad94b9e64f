"""API Gateway REST API (v1) resource policy check: a grant of Invoke to anyone where the policy is the gate.

Decisions
---------
Resource policy open to anyone (``rest_api_policy_public``)
    A policy granting ``execute-api:Invoke`` to anyone without restricting condition is only meaningful
    together with method authorization, so this check fails only where the policy is the gate: on a
    PRIVATE API (any VPC endpoint of any AWS account may call it; HIGH with unauthenticated methods, LOW
    when every method still authenticates callers) and, on a public API, where the public grant covers
    unauthenticated methods (MEDIUM: the policy adds no protection; the exposure itself is rated by
    ``rest_api_unauthenticated_methods``).  No policy, or a policy admitting only specific callers, PASSes.
"""

from __future__ import annotations

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_aws.assets_apigateway import ApiGatewayRestApi
from cloudaudit_aws.checks.apigateway_invoke import invoke_grants, method_labels, open_to_anyone, statements


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
)
def rest_api_policy_public(api: ApiGatewayRestApi, inventory: Inventory) -> Outcome:
    """Public Invoke grants, judged where the policy is the gate (see the module docstring)."""
    if api.policy is None and not api.policy_error:
        if api.private:
            return passed(f"PRIVATE API {api.name} has no resource policy: no VPC endpoint may invoke it.")
        return passed(f"API {api.name} has no resource policy; method authorization decides who calls it.")
    grants, error = invoke_grants(api)
    if error:
        return unknown(f"API {api.name}: {error}")
    if not grants:
        return passed(f"The resource policy of API {api.name} admits only specific callers.")
    unauthenticated = [m for m in api.methods if m.unauthenticated and open_to_anyone(api, grants, m)]
    evidence: dict[str, object] = {
        "statements": statements(grants),
        "endpoint_types": list(api.endpoint_types),
        "unauthenticated_methods": method_labels(unauthenticated),
    }
    if api.private:
        if unauthenticated:
            return fail(
                f"PRIVATE API {api.name} lets any VPC endpoint of any AWS account invoke it, and "
                f"{', '.join(method_labels(unauthenticated))} need no authorization.",
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
            f"{', '.join(method_labels(unauthenticated))}.",
            evidence,
            Severity.MEDIUM,
        )
    if any(m.unauthenticated for m in api.methods):
        return passed(
            f"The resource policy of API {api.name} admits anyone only to methods that authorize callers.",
            {"statements": statements(grants)},
        )
    return passed(
        f"The resource policy of API {api.name} admits anyone, but every method authorizes callers.",
        {"statements": statements(grants)},
    )
