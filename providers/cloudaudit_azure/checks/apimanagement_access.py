"""API Management checks on who may call an API: authentication at every scope, plain HTTP, CORS.

Decisions
---------
APIs without authentication (``api_without_authentication``)
    A request without a subscription key reaches the backend through the API's open product, or, when
    the API does not require a subscription, through the API alone (see
    :mod:`cloudaudit_azure.assets_apimanagement`). It is unauthenticated when no statement of the scopes
    it passes (API, that product, global: ``<base />`` decides how far it goes) checks credentials. HIGH;
    CRITICAL when the API also accepts plain HTTP (the calls and what they return cross the network in
    clear) or the scopes it passes allow any origin with credentials (any web site can call it from its
    visitors' browsers); MEDIUM when an ``ip-filter`` admits only listed callers or the gateway is not
    on the Internet (Internal VNet, public network access disabled). UNKNOWN when a policy on the way
    was not read or cannot be analysed (malformed, an unreadable fragment), or the products were not
    listed, unless authentication found elsewhere decides. Operation-level policies are not read.
Plain HTTP (``api_plain_http``)
    ``http`` (or ``ws``) among the API's protocols: the gateway answers it on port 80 without TLS, so
    requests with their subscription keys and tokens travel in clear. HIGH, MEDIUM on a gateway that is
    not on the Internet.
CORS with any origin (``cors_any_origin``)
    ``<origin>*</origin>`` in a ``<cors>`` of the global, a product's or an API's policy: any web site
    may call the APIs from its visitors' browsers and read the answers. MEDIUM; CRITICAL with
    ``allow-credentials="true"``, which asks the gateway to let such calls carry the visitors' cookies
    and certificates. One verdict per service, naming every scope.
"""

from __future__ import annotations

from collections import defaultdict

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import CORS
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, PortRange
from cloudaudit_azure.assets_apimanagement import (
    GLOBAL_SCOPE,
    Access,
    ApimApi,
    ApimPolicy,
    ApimService,
    Chain,
    CorsRule,
    access,
    api_scope,
)

"""Security misconfiguration plus Broken (User) Authentication."""
PLAINTEXT_ACCEPTED = ("probe.tls.plaintext_accepted",)
AUTH_POLICIES = (
    "validate-jwt, validate-azure-ad-token, validate-client-certificate or a credential check-header"
)
APIS_BY_SERVICE = "azure.apimanagement.apis_by_service"


def _where(api: ApimApi) -> str:
    revision = "" if api.is_current else f" (revision {api.revision}, not current)"
    return f"{revision} at {api.url}" if api.url else revision


def _access_evidence(api: ApimApi, found: Access) -> dict[str, object]:
    return {
        "subscription_required": api.subscription_required,
        "products": [
            {"name": p.name, "subscription_required": p.subscription_required, "state": p.state}
            for p in api.products
        ],
        "ways_in_without_key": [_chain(c) for c in found.chains],
        "protocols": list(api.protocols),
    }


def _chain(chain: Chain) -> dict[str, object]:
    out: dict[str, object] = {"context": chain.context, "scopes_applied": list(chain.applied)}
    if chain.authentication:
        out["authentication"] = [f"{scope}: {a.label}" for scope, a in chain.authentication]
    if chain.conditional:
        out["conditional_authentication"] = [f"{scope}: {a.label}" for scope, a in chain.conditional]
    if chain.stopped and chain.stopped != GLOBAL_SCOPE:
        out["no_base"] = chain.stopped
    if any(rule.any_origin for _, rule in chain.cors):
        out["cors_any_origin"] = [f"{scope}: {_rule(rule)}" for scope, rule in chain.cors if rule.any_origin]
    if chain.ip_filters:
        out["ip_filter_allow"] = [f"{scope}: {', '.join(f.addresses)}" for scope, f in chain.ip_filters]
    if chain.backend_credentials:
        out["backend_credentials"] = [f"{scope}: {b}" for scope, b in chain.backend_credentials]
    if chain.problem:
        out["unknown"] = chain.problem
    return out


@check(
    id="azure.apimanagement.api_without_authentication",
    title="API Management API answers requests without any credential",
    severity=Severity.HIGH,
    asset=ApimApi,
    rationale="""An API that takes requests without a subscription key (its subscriptionRequired is false,
        or it is in an open product) and whose API, product and global policies run no validate-jwt,
        validate-azure-ad-token, validate-client-certificate or credential check-header forwards
        anyone's calls to its backend, often with credentials the gateway adds itself (managed identity,
        certificates). A <base /> left out of an API or product policy silently drops the
        authentication of the enclosing scopes (OWASP API2 broken authentication).""",
    remediation="""Require a subscription on the API (az apim api update --service-name SERVICE -g GROUP
        --api-id API --subscription-required true) and remove it from open products, or add
        <validate-jwt> / <validate-azure-ad-token> (Entra ID tokens) to the API's inbound policy or to
        the global policy, keeping <base /> in the inbound section of every API and product policy.""",
    references=(
        "https://learn.microsoft.com/azure/api-management/api-management-subscriptions",
        "https://learn.microsoft.com/azure/api-management/validate-jwt-policy",
        "https://learn.microsoft.com/azure/api-management/api-management-howto-policies",
    ),
)
def api_without_authentication(api: ApimApi, inventory: Inventory) -> Outcome:
    """The ways in without a subscription key and what their scopes' policies check."""
    network = api.network()
    found = access(api)
    evidence = _access_evidence(api, found)
    if found.key_required:
        return passed(
            f"API {api.name} requires a subscription key on every request: it is in no open product and "
            "requires a subscription.",
            evidence,
            network,
        )
    opened = found.open_chains
    if not opened:
        if found.undecided:
            return unknown(
                f"API {api.name} may answer requests without a subscription key, and whether a policy "
                f"checks credentials is unknown: {found.undecided}.",
                evidence,
                network,
            )
        checks = sorted({f"{scope}: {a.label}" for c in found.chains for scope, a in c.authentication})
        return passed(
            f"API {api.name} takes requests without a subscription key, but every one must pass "
            f"{'; '.join(checks)}.",
            evidence,
            network,
        )
    chain = opened[0]
    severity, aggravation = _grade(api, chain)
    scopes = ", ".join(chain.applied)
    dropped = (
        f"; the {chain.stopped} policy has no <base /> in <inbound>, so the enclosing scopes' "
        "policies do not run"
        if chain.stopped and chain.stopped != GLOBAL_SCOPE
        else ""
    )
    return fail(
        f"API {api.name} lets requests without any credential through the gateway{_where(api)} "
        f"({chain.context}): no {AUTH_POLICIES} runs at {scopes}{dropped}.{aggravation}",
        evidence,
        severity,
        network,
    )


def _grade(api: ApimApi, chain: Chain) -> tuple[Severity, str]:
    """The failing severity and the sentence that explains it."""
    if not api.gateway_public:
        return (
            Severity.MEDIUM,
            " The gateway is not on the Internet (Internal VNet or private endpoints only).",
        )
    if chain.ip_filters:
        allowed = "; ".join(", ".join(f.addresses) for _, f in chain.ip_filters)
        return Severity.MEDIUM, f" An ip-filter admits only {allowed}."
    reasons = []
    if api.plaintext:
        reasons.append(f"it also accepts {', '.join(api.plaintext)} without TLS")
    credentialed = [scope for scope, rule in chain.cors if rule.any_origin and rule.credentials]
    if credentialed:
        reasons.append(f"the {', '.join(credentialed)} policy allows any origin with credentials (CORS)")
    if reasons:
        return Severity.CRITICAL, f" Worse, {' and '.join(reasons)}."
    return Severity.HIGH, ""


@check(
    id="azure.apimanagement.api_plain_http",
    title="API Management API accepts plain HTTP",
    severity=Severity.HIGH,
    asset=ApimApi,
    rationale="""An API whose protocols include http (or ws) is answered by the gateway on port 80 without
        TLS: requests, with their subscription keys, tokens and data, and the answers cross the network
        in clear, where anyone on the path can read or change them.""",
    remediation="""Serve the API over HTTPS only: az apim api update --service-name SERVICE -g GROUP
        --api-id API --protocols https (wss for WebSocket APIs).""",
    exploited_by=PLAINTEXT_ACCEPTED,
)
def api_plain_http(api: ApimApi, inventory: Inventory) -> Outcome:
    """``http`` or ``ws`` among the protocols."""
    evidence: dict[str, object] = {"protocols": list(api.protocols)}
    if not api.plaintext:
        return passed(
            f"API {api.name} is served over TLS only ({', '.join(api.protocols) or 'no protocol'}).", evidence
        )
    hosts = api.gateway_hosts if api.gateway_public else ()
    network = NetworkExposure(addresses=hosts, ports=(PortRange.single(80),))
    where = f" at http://{api.gateway_hosts[0]}/{api.path.lstrip('/')}" if api.gateway_hosts else ""
    message = f"API {api.name} accepts {', '.join(api.plaintext)} without TLS{where}."
    if not api.gateway_public:
        return fail(f"{message} The gateway is not on the Internet.", evidence, Severity.MEDIUM, network)
    return fail(message, evidence, Severity.HIGH, network)


def _apis_by_service(inventory: Inventory) -> dict[str, list[ApimApi]]:
    index: dict[str, list[ApimApi]] = defaultdict(list)
    for api in inventory.of(ApimApi):
        index[api.service_id.lower()].append(api)
    return dict(index)


def _scopes(service: ApimService, inventory: Inventory) -> tuple[list[tuple[str, ApimPolicy]], list[str]]:
    """Every policy of the service (global, products, APIs) and the scopes that could not be read."""
    found: list[tuple[str, ApimPolicy]] = []
    missing: list[str] = []
    if "global_policy" in service.unread:
        missing.append(f"global ({service.unread['global_policy']})")
    elif service.global_policy is not None:
        found.append((GLOBAL_SCOPE, service.global_policy))
    if "products" in service.unread:
        missing.append(f"products ({service.unread['products']})")
    for product in service.products:
        if product.policy_unread:
            missing.append(f"{product.label} ({product.policy_unread})")
        elif product.policy is not None:
            found.append((product.label, product.policy))
    for api in inventory.derived(APIS_BY_SERVICE, _apis_by_service).get(service.id.lower(), ()):
        if "policy" in api.unread:
            missing.append(f"{api_scope(api)} ({api.unread['policy']})")
        elif api.policy is not None:
            found.append((api_scope(api), api.policy))
    if "apis" in service.unread:
        missing.append(f"APIs ({service.unread['apis']})")
    missing += [f"{scope} ({policy.problem})" for scope, policy in found if policy.problem]
    return [(scope, policy) for scope, policy in found if not policy.problem], missing


def _rule(rule: CorsRule) -> str:
    credentials = ' allow-credentials="true"' if rule.credentials else ""
    return f"origins {', '.join(rule.origins) or 'none'}{credentials}"


@check(
    id="azure.apimanagement.cors_any_origin",
    title="API Management CORS policy allows any origin",
    severity=Severity.MEDIUM,
    asset=ApimService,
    rationale="""A cors policy with <origin>*</origin> lets any web site call the APIs from its visitors'
        browsers and read the answers. With allow-credentials="true" the policy also asks the gateway to
        let such calls carry the visitors' cookies, HTTP authentication and client certificates: any site
        they visit can then act as them on the API.""",
    remediation="""List the exact origins of your web front ends in <allowed-origins> (never *), and keep
        allow-credentials="false" unless the API relies on cookies from those origins; edit the global,
        product or API policy named in the finding (Azure portal > API Management > APIs > Policies).""",
    references=("https://learn.microsoft.com/azure/api-management/cors-policy",),
    exploited_by=CORS,
)
def cors_any_origin(service: ApimService, inventory: Inventory) -> Outcome:
    """``*`` origins in any policy of the service; CRITICAL with credentials."""
    policies, missing = _scopes(service, inventory)
    rules = [(scope, rule) for scope, policy in policies for rule in policy.cors]
    wild = [(scope, rule) for scope, rule in rules if rule.any_origin]
    evidence: dict[str, object] = {"cors": {scope: _rule(rule) for scope, rule in rules}}
    if missing:
        evidence["unread"] = missing
    network = service.gateway_network(bool(service.plaintext_apis))
    if wild:
        evidence["any_origin"] = [scope for scope, _ in wild]
        credentialed = [scope for scope, rule in wild if rule.credentials]
        named = ", ".join(f"{scope} policy" for scope, _ in wild)
        if credentialed:
            return fail(
                f"Service {service.name} allows any origin with credentials in the "
                f"{', '.join(credentialed)} policy: any web site can call its APIs as its visitors "
                f'(CORS * with allow-credentials="true"; any origin in: {named}).',
                evidence,
                Severity.CRITICAL,
                network,
            )
        return fail(
            f"Service {service.name} allows any origin (CORS *) in the {named}.",
            evidence,
            Severity.MEDIUM,
            network,
        )
    if missing:
        return unknown(
            f"No policy read of service {service.name} allows any origin, but these were not read or "
            f"analysed: {'; '.join(missing)}.",
            evidence,
        )
    if not rules:
        return passed(f"No policy of service {service.name} enables CORS.", evidence)
    return passed(f"Every CORS policy of service {service.name} lists its origins.", evidence)
