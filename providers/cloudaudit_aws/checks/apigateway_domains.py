"""API Gateway custom domain checks: the TLS versions a domain accepts."""

from __future__ import annotations

import re

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import LEGACY_TLS
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, ports_of
from cloudaudit_aws.assets_apigateway import ApiGatewayDomainName

_WEAK_TLS = re.compile(r"^(?:TLS_1_[01]|SecurityPolicy_TLS1\d_1_[01](?:_.*)?)$", re.IGNORECASE)
"""Security policies accepting TLS 1.0/1.1."""


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
