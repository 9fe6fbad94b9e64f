"""Pass/fail table of every API Management check (run by tests/providers/azure/test_checks_azure.py).

Every asset is built from the fake's ARM JSON through the collector's translation, so each row also
exercises one reading: subscription flags of APIs and products, the <base /> chain, fragments,
unreadable or hostile policies, failed reads, documented protocol defaults.
"""

from __future__ import annotations

from azure_build_apim import DENIED, Product, Service, build, m
from azure_cases import GROUP, SUBSCRIPTION, CheckCase, case
from cloudaudit.model.asset import Asset
from cloudaudit.model.enums import Severity

CRITICAL, HIGH, MEDIUM, LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

JWT = m.VALIDATE_JWT
BASE_JWT = m.policies(f"<base />{JWT}")
NO_BASE = m.policies('<rate-limit calls="100" renewal-period="60" />')
BASE = m.policies("<base />")
OPEN = {"subscription_required": False}
KEY = {"subscription_required": True}

# ---------------------------------------------------------------- who may call an API

SHOP = Service(
    "shop",
    apis=[
        {"name": "keyed", **KEY},
        {"name": "open", **OPEN},
        {"name": "open-http", **OPEN, "protocols": ("http", "https")},
        {"name": "jwt-api", **OPEN},
        {"name": "no-base", **OPEN},
        {"name": "via-open-product", **KEY},
        {"name": "no-key-in-open-product", **OPEN},
        {"name": "open-product-no-auth", **KEY},
        {"name": "protected-product-only", **OPEN},
        {"name": "conditional", **OPEN},
        {"name": "both-branches", **OPEN},
        {"name": "client-cert", **OPEN},
        {"name": "managed-identity", **OPEN},
        {"name": "content-type", **OPEN},
        {"name": "auth-header", **OPEN},
        {"name": "ip-allow", **OPEN},
        {"name": "fragment", **OPEN},
        {"name": "missing-fragment", **OPEN},
        {"name": "malformed", **OPEN},
        {"name": "entities", **OPEN},
        {"name": "denied", **OPEN},
        {"name": "ws-open", **OPEN, "protocols": ("ws", "wss"), "api_type": "websocket"},
    ],
    api_policies={
        "jwt-api": BASE_JWT,
        "no-base": NO_BASE,
        "conditional": m.policies(f'<base /><choose><when condition="@(true)">{JWT}</when></choose>'),
        "both-branches": m.policies(
            f'<base /><choose><when condition="@(true)">{JWT}</when><otherwise>{JWT}</otherwise></choose>'
        ),
        "client-cert": m.policies(
            '<base /><choose><when condition="@(context.Request.Certificate == null)"><return-response>'
            '<set-status code="403" reason="Forbidden" /></return-response></when></choose>'
        ),
        "managed-identity": m.policies('<base /><authentication-managed-identity resource="api://erp" />'),
        "content-type": m.policies(
            '<base /><check-header name="Content-Type" failed-check-httpcode="415" />'
        ),
        "auth-header": m.policies(
            '<base /><check-header name="Authorization" failed-check-httpcode="401" />'
        ),
        "ip-allow": m.policies(
            '<base /><ip-filter action="allow"><address>198.51.100.7</address></ip-filter>'
        ),
        "fragment": m.policies('<base /><include-fragment fragment-id="jwt" />'),
        "missing-fragment": m.policies('<base /><include-fragment fragment-id="gone" />'),
        "malformed": "<policies><inbound><base /><validate-jwt></inbound></policies>",
        "entities": '<!DOCTYPE policies [<!ENTITY a "x">]><policies><inbound>&a;</inbound></policies>',
        "denied": DENIED,
    },
    global_policy=m.policies(m.cors("https://app.example.com")),
    products=[
        # a request without a key runs in the open product's context, even for an API needing no key
        Product(
            "free",
            apis=["via-open-product", "no-key-in-open-product"],
            policy=BASE_JWT,
            subscription_required=False,
        ),
        Product("trial", apis=["open-product-no-auth"], policy=BASE, subscription_required=False),
        Product("gold", apis=["keyed", "protected-product-only"], policy=BASE_JWT),
    ],
    fragments={"jwt": f"<fragment>{JWT}</fragment>"},
)
SHOP_ASSETS = build(SHOP)
# A gateway in an Internal VNet: its open API is reachable inside the network only.
INTERNAL = build(
    Service(
        "internal",
        apis=[{"name": "hr", **OPEN, "protocols": ("http", "https")}],
        options={"virtual_network_type": "Internal"},
    )
)
# Global CORS * with credentials: an open API under it is critical.
CORS_CREDENTIALS = build(
    Service(
        "cors", apis=[{"name": "profile", **OPEN}], global_policy=m.policies(m.cors("*", credentials=True))
    )
)
# Global validate-jwt: an API without policy inherits it, one whose policy lacks <base /> drops it.
GLOBAL_JWT = build(
    Service(
        "global-jwt",
        apis=[{"name": "inherits", **OPEN}, {"name": "drops", **OPEN}],
        api_policies={"drops": NO_BASE},
        global_policy=m.policies(JWT),
    )
)
# The global policy could not be read: decided by the API's own policy only.
GLOBAL_DENIED = build(
    Service(
        "global-denied",
        apis=[{"name": "own-jwt", **OPEN}, {"name": "undecided", **OPEN}],
        api_policies={"own-jwt": BASE_JWT},
        global_policy=DENIED,
    )
)
# Products not listed: an API requiring a subscription may still be in an open product.
PRODUCTS_DENIED = build(
    Service(
        "products-denied",
        apis=[{"name": "keyed", **KEY}, {"name": "own-jwt", **KEY}, {"name": "open-no-base", **OPEN}],
        api_policies={"own-jwt": BASE_JWT, "open-no-base": NO_BASE},
        products=DENIED,
    )
)
# An open product whose API list could not be read may hold any API.
PRODUCT_APIS_DENIED = build(
    Service(
        "product-apis-denied",
        apis=[{"name": "keyed", **KEY}],
        products=[Product("free", DENIED, None, False)],
    )
)

API_ASSETS: list[Asset] = [
    *SHOP_ASSETS,
    *INTERNAL,
    *CORS_CREDENTIALS,
    *GLOBAL_JWT,
    *GLOBAL_DENIED,
    *PRODUCTS_DENIED,
    *PRODUCT_APIS_DENIED,
]


def api(service: str, name: str) -> str:
    """An API's id."""
    return f"{m.service_id(SUBSCRIPTION, GROUP, service)}/apis/{name}"


S = "shop"

# ---------------------------------------------------------------- service settings

OFF = m.ALL_LEGACY_OFF
TLS = m.TLS_PREFIX
SERVICES = {
    "modern": build(Service("modern", options={"custom_properties": OFF})),
    "tls10": build(Service("tls10", options={"custom_properties": {**OFF, f"{TLS}Protocols.Tls10": "True"}})),
    "ssl30": build(
        Service(
            "ssl30",
            options={
                "custom_properties": {
                    **OFF,
                    f"{TLS}Protocols.Ssl30": "true",
                    f"{TLS}Backend.Protocols.Ssl30": "true",
                }
            },
        )
    ),
    "backend-tls11": build(
        Service(
            "backend-tls11", options={"custom_properties": {**OFF, f"{TLS}Backend.Protocols.Tls11": "True"}}
        )
    ),
    # created before April 2018 and nothing set: every legacy protocol and cipher is on by default
    "old-defaults": build(Service("old-defaults", options={"created": "2018-04-01T23:00:00Z"})),
    # created before April 2018, everything turned off explicitly
    "old-hardened": build(
        Service("old-hardened", options={"created": "2016-03-01T00:00:00Z", "custom_properties": OFF})
    ),
    # created after April 2018 with nothing set: the defaults are off
    "new-defaults": build(Service("new-defaults", options={"created": "2018-04-02T00:00:00Z"})),
    # Consumption: no SSL 3.0 or 3DES setting exists, the rest defaults off
    "consumption": build(
        Service(
            "consumption",
            options={
                "sku": "Consumption",
                "created": "2020-01-01T00:00:00Z",
                "developer_portal_status": None,
            },
        )
    ),
    "external": build(
        Service("external", options={"virtual_network_type": "External", "custom_properties": OFF})
    ),
    "internal": build(
        Service("internal", options={"virtual_network_type": "Internal", "custom_properties": OFF})
    ),
    "private": build(
        Service("private", options={"public_network_access": "Disabled", "custom_properties": OFF})
    ),
    "portal-off": build(Service("portal-off", options={"developer_portal_status": "Disabled"})),
    "legacy-portal": build(
        Service(
            "legacy-portal",
            options={"developer_portal_status": "Disabled", "legacy_portal_status": "Enabled"},
        )
    ),
    # sign-up on and a product that needs a key but no approval: a key for the asking
    "signup-keys": build(Service("signup-keys", signup=True, products=[Product("starter")])),
    # sign-up on, but its products need approval or no key at all
    "signup-approval": build(
        Service(
            "signup-approval",
            signup=True,
            products=[Product("gold", approval_required=True), Product("free", subscription_required=False)],
        )
    ),
    "signup-unread": build(Service("signup-unread", signup=DENIED, products=[Product("starter")])),
}
# A service whose creation date is not reported (older API versions): the defaults are unknown.
UNDATED = build(Service("undated", options={"created": None}))


def svc(name: str) -> str:
    """A service's id."""
    return m.service_id(SUBSCRIPTION, GROUP, name)


SERVICE_ASSETS: list[Asset] = [a for assets in SERVICES.values() for a in assets]
ALL_SERVICES = [*SERVICES, "undated"]

CORS_SERVICES: list[Asset] = [
    *build(Service("no-cors")),
    *build(Service("listed", global_policy=m.policies(m.cors("https://app.example.com", credentials=True)))),
    *build(Service("global-any", global_policy=m.policies(m.cors("*")))),
    *build(
        Service(
            "api-any-credentials",
            apis=[{"name": "spa", **OPEN}],
            api_policies={"spa": m.policies(f"<base />{m.cors('*', credentials=True)}")},
        )
    ),
    *build(
        Service(
            "product-any",
            apis=[{"name": "p", **KEY}],
            products=[
                Product("free", ["p"], m.policies(f"<base />{m.cors('https://a.example.com', '*')}"), False)
            ],
        )
    ),
    *build(Service("cors-unread", global_policy=DENIED)),
    *build(Service("cors-malformed", apis=[{"name": "x", **OPEN}], api_policies={"x": "<policies>"})),
]

CASES: dict[str, CheckCase] = {
    "azure.apimanagement.api_without_authentication": case(
        *API_ASSETS,
        failing={
            api(S, "open"): HIGH,
            api(S, "open-http"): CRITICAL,
            api(S, "no-base"): HIGH,
            api(S, "open-product-no-auth"): HIGH,
            api(S, "protected-product-only"): HIGH,
            api(S, "conditional"): HIGH,
            api(S, "managed-identity"): HIGH,
            api(S, "content-type"): HIGH,
            api(S, "ip-allow"): MEDIUM,
            api(S, "ws-open"): CRITICAL,
            api("internal", "hr"): MEDIUM,
            api("cors", "profile"): CRITICAL,
            api("global-jwt", "drops"): HIGH,
            api("products-denied", "open-no-base"): HIGH,
        },
        passing=[
            api(S, "keyed"),
            api(S, "jwt-api"),
            api(S, "via-open-product"),
            api(S, "no-key-in-open-product"),
            api(S, "both-branches"),
            api(S, "client-cert"),
            api(S, "auth-header"),
            api(S, "fragment"),
            api("global-jwt", "inherits"),
            api("global-denied", "own-jwt"),
            api("products-denied", "own-jwt"),
        ],
        unknown=[
            api(S, "missing-fragment"),
            api(S, "malformed"),
            api(S, "entities"),
            api(S, "denied"),
            api("global-denied", "undecided"),
            api("products-denied", "keyed"),
            api("product-apis-denied", "keyed"),
        ],
        messages={
            api(S, "open"): "(the API does not require a subscription): no validate-jwt",
            api(S, "open-http"): "Worse, it also accepts http without TLS.",
            api(S, "no-base"): "the API no-base policy has no <base /> in <inbound>",
            api(S, "open-product-no-auth"): "(open product trial)",
            api(S, "via-open-product"): "product free: validate-jwt (header Authorization)",
            api(S, "ip-allow"): "An ip-filter admits only 198.51.100.7.",
            api("internal", "hr"): "The gateway is not on the Internet",
            api("cors", "profile"): "the global policy allows any origin with credentials (CORS)",
            api(S, "keyed"): "requires a subscription key on every request",
            api(S, "malformed"): "the API malformed policy cannot be analysed: malformed XML",
            api(S, "entities"): "declares a DTD, entities or external references, refused",
            api(S, "missing-fragment"): "policy fragment 'gone', which was not read",
            api(S, "denied"): "AuthorizationFailed on apiPolicy.get",
            api(
                "products-denied", "keyed"
            ): "its products were not read (AuthorizationFailed on product.listByService)",
            api("product-apis-denied", "keyed"): "AuthorizationFailed on productApi.listByProduct",
            api("global-jwt", "inherits"): "global: validate-jwt (header Authorization)",
        },
    ),
    "azure.apimanagement.api_plain_http": case(
        *SHOP_ASSETS,
        *INTERNAL,
        failing={api(S, "open-http"): HIGH, api(S, "ws-open"): HIGH, api("internal", "hr"): MEDIUM},
        passing=[
            a.id
            for a in [*SHOP_ASSETS, *INTERNAL]
            if a.kind == "azure.apimanagement.api" and a.name not in ("open-http", "ws-open", "hr")
        ],
        messages={
            api(S, "open-http"): "accepts http without TLS at http://shop.azure-api.net/open-http",
            api(S, "ws-open"): "accepts ws without TLS",
        },
    ),
    "azure.apimanagement.cors_any_origin": case(
        *CORS_SERVICES,
        failing={svc("global-any"): MEDIUM, svc("api-any-credentials"): CRITICAL, svc("product-any"): MEDIUM},
        passing=[svc("no-cors"), svc("listed")],
        unknown=[svc("cors-unread"), svc("cors-malformed")],
        messages={
            svc("global-any"): "allows any origin (CORS *) in the global policy",
            svc("api-any-credentials"): "allows any origin with credentials in the API spa policy",
            svc("product-any"): "in the product free policy",
            svc("no-cors"): "No policy of service no-cors enables CORS",
            svc("cors-unread"): "global (AuthorizationFailed on policy.get)",
            svc("cors-malformed"): "API x (malformed XML",
        },
    ),
    "azure.apimanagement.gateway_legacy_tls": case(
        *SERVICE_ASSETS,
        *UNDATED,
        failing={svc("tls10"): MEDIUM, svc("ssl30"): HIGH, svc("old-defaults"): HIGH},
        passing=[svc(n) for n in SERVICES if n not in ("tls10", "ssl30", "old-defaults")],
        unknown=[svc("undated")],
        messages={
            svc("tls10"): "accepts from clients TLS 1.0 (Security.Protocols.Tls10 = True)",
            svc("old-defaults"): (
                "TLS 1.0, TLS 1.1, SSL 3.0, 3DES (not set: on by default for a service created on 2018-04-01"
            ),
            svc("consumption"): "none of TLS 1.0, TLS 1.1.",
            svc("undated"): "its creation date, which decides their defaults, is not reported",
        },
    ),
    "azure.apimanagement.backend_legacy_tls": case(
        *SERVICE_ASSETS,
        *UNDATED,
        failing={svc("ssl30"): HIGH, svc("backend-tls11"): MEDIUM, svc("old-defaults"): HIGH},
        passing=[svc(n) for n in SERVICES if n not in ("ssl30", "backend-tls11", "old-defaults")],
        unknown=[svc("undated")],
        messages={
            svc(
                "backend-tls11"
            ): "may use towards its backends TLS 1.1 (Security.Backend.Protocols.Tls11 = True)"
        },
    ),
    "azure.apimanagement.public_network_access": case(
        *SERVICE_ASSETS,
        *UNDATED,
        failing={svc(n): LOW for n in ALL_SERVICES if n not in ("external", "internal", "private")},
        passing=[svc("external"), svc("internal"), svc("private")],
        messages={
            svc("modern"): "answers any Internet address at modern.azure-api.net",
            svc("external"): "its subnet's NSG decides",
            svc("private"): "private endpoints only",
        },
    ),
    "azure.apimanagement.developer_portal_public": case(
        *SERVICE_ASSETS,
        *UNDATED,
        failing={
            **{
                svc(n): LOW
                for n in ALL_SERVICES
                if n not in ("consumption", "internal", "private", "portal-off")
            },
            svc("signup-keys"): MEDIUM,
        },
        passing=[svc("consumption"), svc("internal"), svc("private"), svc("portal-off")],
        messages={
            svc(
                "modern"
            ): "serves its developer portal on the Internet at https://modern.developer.azure-api.net",
            svc(
                "legacy-portal"
            ): "serves its legacy portal on the Internet at https://legacy-portal.portal.azure-api.net",
            svc("internal"): "only inside its network",
            svc("signup-keys"): "Anyone can sign up there and subscribe without approval to starter",
        },
    ),
}
