"""API Gateway checks on the API config a gateway serves: who may call its operations, how it reaches
its backends, where API keys travel.

Decisions
---------
Operations without security (``operation_without_security``)
    Every gateway is public: its default hostname answers on the Internet, on HTTPS. An operation that
    no enforced requirement covers (see :mod:`cloudaudit_gcp.openapi`) runs its backend for anyone:
    HIGH, LOW when the gateway is failed or being deleted (it serves nothing). OPTIONS operations are
    exempt (CORS preflight requests carry no credentials). The finding names each operation, with its
    path, method and why it is not covered, and carries the gateway's hostname as its network facts.
Plain-HTTP backends (``backend_plain_http``)
    ``http://`` (or ``grpc://``) in ``x-google-backend``: requests, with the caller's credentials and
    the gateway's ID token, cross the network between Google's proxy and the backend unencrypted.
API keys in the query string (``api_key_in_query``)
    LOW: URLs end up in proxy and server logs, browser history and Referer headers; API Gateway reads
    a key from the ``x-api-key`` header as well. Only operations that accept such a key are named.
"""

from __future__ import annotations

from cloudaudit.engine.declarative import expect_each
from cloudaudit.engine.outcome import Outcome, fail, passed
from cloudaudit.engine.predicates import Predicate
from cloudaudit.engine.registry import check
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit_gcp.assets_apigateway import ApiGateway, ApiOperation

SHOWN = 10
"""Operations named in a message; the evidence lists them all."""
"""Security misconfiguration plus Broken (User) Authentication."""
DEPLOY = """gcloud api-gateway api-configs create NEW_CONFIG --api=API --openapi-spec=openapi.yaml
    --project=PROJECT, then gcloud api-gateway gateways update GATEWAY --api=API --api-config=NEW_CONFIG
    --location=REGION --project=PROJECT"""


def _listed(labels: list[str]) -> str:
    more = len(labels) - SHOWN
    return ", ".join(labels[:SHOWN]) + (f" and {more} more" if more > 0 else "")


@check(
    id="gcp.apigateway.operation_without_security",
    title="API Gateway serves operations that no security requirement covers",
    severity=Severity.HIGH,
    asset=ApiGateway,
    requires=("operations",),
    rationale="""Every API Gateway gateway answers on a public hostname. An operation without an enforced
        security requirement (an API key, or a JWT from an x-google-issuer: Firebase, Auth0, Google ID
        tokens) is forwarded to the backend for anyone on the Internet, with the gateway's own service
        account identity towards the backend. A requirement naming an undefined security definition, an
        operation-level security: [] or an empty requirement {} leaves it open (OWASP API2 broken
        authentication).""",
    remediation=f"""Add a top-level security requirement to the OpenAPI document (security: - api_key: []
        with securityDefinitions api_key: type apiKey, or a JWT definition with x-google-issuer and
        x-google-jwks_uri), remove security: [] and {{}} from operations that are not deliberately public,
        define every name a requirement uses, and serve a new config: {DEPLOY}.""",
    references=("https://cloud.google.com/api-gateway/docs/authentication-method",),
)
def operation_without_security(gateway: ApiGateway, inventory: Inventory) -> Outcome:
    """Operations (OPTIONS excepted) without an enforced security requirement, per path and method."""
    network = gateway.endpoint_network()
    if not gateway.operations:
        return passed(f"Gateway {gateway.name} serves no operation.", network=network)
    open_ops = [op for op in gateway.operations if not op.secured and not op.preflight]
    if not open_ops:
        return passed(
            f"Every operation of gateway {gateway.name} requires credentials.",
            {"operations": [op.label for op in gateway.operations]},
            network,
        )
    evidence: dict[str, object] = {
        "operations": [_operation(op) for op in open_ops],
        "api_config": gateway.api_config,
        "state": gateway.state,
    }
    where = f" at {gateway.url}" if gateway.url else ""
    message = (
        f"Gateway {gateway.name} forwards {len(open_ops)} operation(s) to the backend without checking "
        f"credentials{where}: {_listed([op.label for op in open_ops])}."
    )
    if gateway.serving:
        return fail(message, evidence, Severity.HIGH, network)
    return fail(
        f"{message} The gateway is {gateway.state}: it serves nothing today.", evidence, Severity.LOW, network
    )


def _operation(op: ApiOperation) -> dict[str, str]:
    return {"path": op.path, "method": op.method, "document": op.document, "why": op.problem}


expect_each(
    id="gcp.apigateway.backend_plain_http",
    title="API Gateway forwards requests to a backend over plain HTTP",
    severity=Severity.MEDIUM,
    asset=ApiGateway,
    items="backends",
    key="address",
    ok=Predicate(
        "uses TLS (https://)",
        lambda backend: not backend.plaintext,
        problem=lambda backend: f"used by {_listed(list(backend.operations))}",
    ),
    pass_msg="Gateway {name} reaches every backend over TLS.",
    fail_msg="Gateway {name} forwards requests without TLS to {details}.",
    rationale="""An x-google-backend address with http:// (or grpc://) sends every request, with the
        caller's data and credentials and the ID token the gateway adds, unencrypted between Google's
        proxy and the backend, where anyone on the path can read or change it.""",
    remediation=f"""Serve the backend over HTTPS (Cloud Run, Cloud Functions and App Engine always do) and
        set x-google-backend address: https://... in the OpenAPI document, then serve a new config:
        {DEPLOY}.""",
    references=("https://cloud.google.com/api-gateway/docs/openapi-overview",),
)


def _query_keys(op: ApiOperation) -> object:
    return f"API key in query parameter {', '.join(op.query_api_keys)}"


expect_each(
    id="gcp.apigateway.api_key_in_query",
    title="API Gateway takes API keys in the query string",
    severity=Severity.LOW,
    asset=ApiGateway,
    items="operations",
    key="label",
    ok=Predicate("takes API keys in a header", lambda op: not op.query_api_keys, problem=_query_keys),
    pass_msg="No operation of gateway {name} takes an API key in the URL.",
    fail_msg="Gateway {name} takes API keys in the URL on {failing}.",
    rationale="""An API key in the query string is part of the URL: it is written to proxy, load balancer
        and server logs, browser history and Referer headers, where it outlives the request.""",
    remediation=f"""Declare the API key in a header (securityDefinitions: api_key: type: apiKey, name:
        x-api-key, in: header), move the clients to it, then serve a new config: {DEPLOY}.""",
    references=("https://cloud.google.com/api-gateway/docs/authenticate-api-keys",),
)
