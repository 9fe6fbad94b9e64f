"""Pass/fail table of every API Gateway check (run by tests/providers/gcp/test_checks_gcp.py).

Every gateway is built from OpenAPI text through the collector's translation, so each row also
exercises one reading of the documents: top-level security, per-operation overrides, undefined
definitions, YAML and JSON, OpenAPI 3.x, several documents in one config, unreadable documents.
"""

from __future__ import annotations

from cloudaudit.model.enums import Severity
from gcp_build_apigateway import ALIAS_BOMB, DENIED, document, gateway, gateway_id, swagger
from gcp_cases import CheckCase, case

HIGH, MEDIUM, LOW = Severity.HIGH, Severity.MEDIUM, Severity.LOW
G = gateway_id

KEY_HEADER = {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
KEY_QUERY = {"api_key": {"type": "apiKey", "name": "key", "in": "query"}}
FIREBASE = {
    "firebase": {
        "type": "oauth2",
        "flow": "implicit",
        "authorizationUrl": "",
        "x-google-issuer": "https://securetoken.google.com/audit-project",
        "x-google-jwks_uri": "https://www.googleapis.com/service_accounts/v1/metadata/x509/securetoken@system.gserviceaccount.com",
    }
}
HTTPS = {"address": "https://orders-abc-uc.a.run.app"}
PLAIN = {"address": "http://user:secret@10.0.0.5:8080/api?token=t0ps3cret"}
OK = {"responses": {"200": {"description": "ok"}}}

SECURED_YAML = """swagger: "2.0"
info: {title: secured, version: "1"}
security:
  - api_key: []
securityDefinitions:
  api_key: {type: apiKey, name: x-api-key, in: header}
x-google-backend: {address: "https://orders-abc-uc.a.run.app"}
paths:
  /orders:
    get: {operationId: list, responses: {"200": {description: ok}}}
    options: {operationId: preflight, security: [], responses: {"200": {description: ok}}}
"""
OPENAPI_3 = """openapi: 3.0.4
info: {title: v3, version: "1"}
x-google-api-management:
  backends:
    run: {address: "https://v3-abc-uc.a.run.app", jwtAudience: "https://v3-abc-uc.a.run.app"}
components:
  securitySchemes:
    google_id_token:
      type: oauth2
      flows: {implicit: {authorizationUrl: "", scopes: {}}}
      x-google-auth:
        issuer: https://accounts.google.com
        jwksUri: https://www.googleapis.com/oauth2/v3/certs
security:
  - google_id_token: []
paths:
  /reports:
    get: {x-google-backend: run, responses: {"200": {description: ok}}}
"""

GATEWAYS = [
    # Secured by a top-level API key in a header (YAML); its OPTIONS preflight is open on purpose.
    gateway("yaml-secured", document("openapi.yaml", SECURED_YAML)),
    # OpenAPI 3.x, Google ID tokens through x-google-auth, a named backend over HTTPS.
    gateway("v3-id-token", document("openapi.yaml", OPENAPI_3)),
    # JSON, nothing secures anything, plain-HTTP backend with credentials in its URL.
    gateway(
        "json-open",
        document(
            "openapi.json", swagger({"/orders": {"get": OK, "post": OK}}, **{"x-google-backend": PLAIN})
        ),
    ),
    # Top-level Firebase requirement; one operation removes it with security: [].
    gateway(
        "override-empty",
        document(
            "spec.json",
            swagger(
                {"/orders": {"get": OK, "delete": {**OK, "security": []}}},
                security=[{"firebase": []}],
                securityDefinitions=FIREBASE,
                **{"x-google-backend": HTTPS},
            ),
        ),
    ),
    # A requirement naming a definition that does not exist does not count; the backend is http on
    # one operation only (its own x-google-backend overrides the top-level https one).
    gateway(
        "undefined-definition",
        document(
            "spec.json",
            swagger(
                {
                    "/a": {"get": {**OK, "security": [{"missing": []}]}},
                    "/b": {"get": {**OK, "x-google-backend": {"address": "http://legacy.example"}}},
                },
                security=[{"api_key": []}],
                securityDefinitions=KEY_HEADER,
                **{"x-google-backend": HTTPS},
            ),
        ),
    ),
    # Keys in the query string (the API key check); a top-level http backend every operation overrides.
    gateway(
        "query-key",
        document(
            "spec.json",
            swagger(
                {"/x": {"get": {**OK, "x-google-backend": HTTPS}}},
                security=[{"api_key": []}],
                securityDefinitions=KEY_QUERY,
                **{"x-google-backend": {"address": "http://unused.example"}},
            ),
        ),
    ),
    # Two documents in one config: only the second leaves an operation open.
    gateway(
        "two-documents",
        document("secured.yaml", SECURED_YAML),
        document(
            "admin.json",
            swagger({"/admin/users": {"delete": OK}}, **{"x-google-backend": HTTPS}),
        ),
    ),
    # Credentials made optional ({}), a basic-auth definition API Gateway does not enforce, and
    # x-google-allow: all letting unlisted paths through.
    gateway(
        "optional-and-allow-all",
        document(
            "spec.json",
            swagger(
                {
                    "/maybe": {"get": {**OK, "security": [{}, {"api_key": []}]}},
                    "/basic": {"get": {**OK, "security": [{"basic": []}]}},
                },
                securityDefinitions={**KEY_HEADER, "basic": {"type": "basic"}},
                security=[{"api_key": []}],
                **{"x-google-allow": "all", "x-google-backend": HTTPS},
            ),
        ),
    ),
    # Open operations, but the gateway failed to deploy: it serves nothing.
    gateway("failed-state", document("spec.json", swagger({"/x": {"get": OK}})), state="FAILED"),
    # A config without paths and without backend.
    gateway("no-paths", document("spec.json", swagger({}))),
    # Unreadable inputs: UNKNOWN, never FAIL.
    gateway("malformed-yaml", document("broken.yaml", 'swagger: "2.0"\npaths:\n  /x: {get: [unclosed\n')),
    gateway("alias-bomb", document("bomb.yaml", ALIAS_BOMB)),
    gateway("config-denied", config=DENIED),
]

_OPERATIONS = case(
    *GATEWAYS,
    failing={
        G("json-open"): HIGH,
        G("override-empty"): HIGH,
        G("undefined-definition"): HIGH,
        G("two-documents"): HIGH,
        G("optional-and-allow-all"): HIGH,
        G("failed-state"): LOW,
    },
    passing={G("yaml-secured"), G("v3-id-token"), G("query-key"), G("no-paths")},
    unknown={G("malformed-yaml"), G("alias-bomb"), G("config-denied")},
    messages={
        G("json-open"): "2 operation(s) to the backend without checking credentials at "
        "https://json-open-1a2b3c4d.uc.gateway.dev: GET /orders, POST /orders",
        G("override-empty"): "DELETE /orders.",
        G("undefined-definition"): ": GET /a.",
        G("two-documents"): ": DELETE /admin/users.",
        G("optional-and-allow-all"): "GET /maybe, GET /basic, ANY *",
        G("failed-state"): "The gateway is FAILED",
        G("malformed-yaml"): "OpenAPI document broken.yaml is not valid YAML/JSON at line 4",
        G("alias-bomb"): "expands to more than 1000000 values",
        G("config-denied"): "IAM_PERMISSION_DENIED on apigateway.apiconfigs.get",
    },
)

_PLAIN_HTTP = case(
    *GATEWAYS,
    failing={G("json-open"): MEDIUM, G("undefined-definition"): MEDIUM},
    passing={
        G("yaml-secured"),
        G("v3-id-token"),
        G("override-empty"),
        G("query-key"),
        G("two-documents"),
        G("optional-and-allow-all"),
    },
    unknown={G("malformed-yaml"), G("alias-bomb"), G("config-denied")},
    silent={G("failed-state"), G("no-paths")},
    messages={
        G("json-open"): "without TLS to http://10.0.0.5:8080/api: used by GET /orders, POST /orders.",
        G("undefined-definition"): "without TLS to http://legacy.example: used by GET /b.",
    },
)

_QUERY_KEY = case(
    *GATEWAYS,
    failing={G("query-key"): LOW},
    passing={
        G("yaml-secured"),
        G("v3-id-token"),
        G("json-open"),
        G("override-empty"),
        G("undefined-definition"),
        G("two-documents"),
        G("optional-and-allow-all"),
        G("failed-state"),
    },
    unknown={G("malformed-yaml"), G("alias-bomb"), G("config-denied")},
    silent={G("no-paths")},
    messages={G("query-key"): "takes API keys in the URL on GET /x."},
)

CASES: dict[str, CheckCase] = {
    "gcp.apigateway.operation_without_security": _OPERATIONS,
    "gcp.apigateway.backend_plain_http": _PLAIN_HTTP,
    "gcp.apigateway.api_key_in_query": _QUERY_KEY,
}
