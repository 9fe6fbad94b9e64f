"""API Management service checks: legacy protocols and ciphers, the gateway and the developer portal on
the Internet.

Decisions
---------
Legacy TLS (``gateway_legacy_tls``, ``backend_legacy_tls``)
    The ``customProperties`` keys ``Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10``,
    ``Tls11``, ``Ssl30`` and ``Ciphers.TripleDes168`` (callers to the gateway) and ``...Backend.Protocols.*``
    (the gateway to the backends). A key that is not set takes the documented default: on for services
    created on or before 1 April 2018, off after (so an old service that never set them accepts TLS 1.0,
    1.1, SSL 3.0 and 3DES); UNKNOWN when the creation date is not reported. The Consumption tier has
    neither SSL 3.0 nor 3DES settings. MEDIUM; HIGH with SSL 3.0 (POODLE: it cannot be made safe).
Public gateway (``public_network_access``)
    LOW when the gateway answers the whole Internet with no network boundary: public network access on
    and no virtual network. An External VNet (its subnet's NSG filters), an Internal VNet or private
    endpoints only pass.
Developer portal (``developer_portal_public``)
    LOW when the developer portal (or the retired legacy portal) is served on a public gateway: it shows
    the published APIs and products to anyone and is where visitors sign up for subscription keys.
    MEDIUM when sign-up is enabled and a product needs a subscription but no approval: anyone can get
    a key for it (product visibility to groups is not read, so the message says "when visible").
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from cloudaudit.engine.outcome import Outcome, fail, passed, unknown
from cloudaudit.engine.registry import check
from cloudaudit.exposure.proofs import LEGACY_TLS
from cloudaudit.model.enums import Severity
from cloudaudit.model.inventory import Inventory
from cloudaudit.model.network import NetworkExposure, PortRange
from cloudaudit_azure.assets_apimanagement import ApimService, TlsSetting

FIXED_CIPHERS = frozenset({"consumption", "basicv2", "standardv2", "premiumv2"})
"""Tiers whose default cipher configuration cannot be changed."""
SET_ALL = """PATCH the service with every key in one request (a PATCH resets the keys it omits to their
    defaults, which are on for services created on or before 1 April 2018): az rest --method patch --url
    https://management.azure.com/subscriptions/SUB/resourceGroups/GROUP/providers/Microsoft.ApiManagement/service/NAME?api-version=2024-05-01
    --body with properties.customProperties setting"""


def _legacy_tls(side: str, who: str) -> Callable[[ApimService, Inventory], Outcome]:
    def run(service: ApimService, inventory: Inventory) -> Outcome:
        settings = [t for t in service.tls if t.side == side]
        on = [t for t in settings if t.enabled]
        undecided = [t for t in settings if t.enabled is None]
        evidence: dict[str, object] = {
            "settings": {t.name: _state(t) for t in settings},
            "created": service.created or "not reported",
            "sku": service.sku,
        }
        if service.sku.lower() in FIXED_CIPHERS:
            evidence["note"] = (
                f"the {service.sku} tier does not support changes to the default cipher configuration"
            )
        network = service.gateway_network() if side == "client" else None
        if on:
            severity = Severity.HIGH if any(t.name == "SSL 3.0" for t in on) else Severity.MEDIUM
            return fail(f"Service {service.name} {who} {_listed(service, on)}.", evidence, severity, network)
        if undecided:
            return unknown(
                f"Service {service.name} does not set {', '.join(t.name for t in undecided)}, and its "
                "creation date, which decides their defaults, is not reported.",
                evidence,
            )
        return passed(
            f"Service {service.name} {who} none of {', '.join(t.name for t in settings)}.", evidence
        )

    return run


def _listed(service: ApimService, on: list[TlsSetting]) -> str:
    """``TLS 1.0 (Security.Protocols.Tls10 = True), SSL 3.0 (not set: on by default ...)``."""
    parts = [t.label for t in on if t.source == "set"]
    defaults = [t.name for t in on if t.source == "default"]
    if defaults:
        parts.append(
            f"{', '.join(defaults)} (not set: on by default for a service created on {service.created}, "
            "on or before 1 April 2018)"
        )
    return ", ".join(parts)


def _state(setting: TlsSetting) -> str:
    state = {True: "on", False: "off", None: "unknown"}[setting.enabled]
    return f"{state} ({setting.source}{': ' + setting.value if setting.value else ''})"


check(
    id="azure.apimanagement.gateway_legacy_tls",
    title="API Management gateway accepts TLS 1.0/1.1, SSL 3.0 or 3DES from clients",
    severity=Severity.MEDIUM,
    asset=ApimService,
    requires=("tls",),
    rationale="""TLS 1.0 and 1.1 are deprecated (weak MAC and key schedule, BEAST), SSL 3.0 is broken
        (POODLE) and 3DES has 64-bit blocks (SWEET32): a gateway that accepts them lets old clients, or an
        attacker forcing a downgrade, use them. Services created on or before 1 April 2018 accept them all
        unless the settings are turned off explicitly.""",
    remediation=f"""{SET_ALL} Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10,
        ...Protocols.Tls11, ...Protocols.Ssl30 and ...Ciphers.TripleDes168 to "False" (Azure portal:
        API Management > Security > Protocols + ciphers).""",
    references=(
        "https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers",
    ),
    exploited_by=LEGACY_TLS,
)(_legacy_tls("client", "accepts from clients"))

check(
    id="azure.apimanagement.backend_legacy_tls",
    title="API Management gateway may use TLS 1.0/1.1 or SSL 3.0 towards backends",
    severity=Severity.MEDIUM,
    asset=ApimService,
    requires=("tls",),
    rationale="""With the backend TLS 1.0, 1.1 or SSL 3.0 settings on, the gateway agrees to these
        protocols with a backend that offers nothing better, so an attacker between them can force a
        downgrade and read or change the requests it forwards. Services created on or before 1 April 2018
        have them on unless turned off explicitly.""",
    remediation=f"""{SET_ALL} Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Backend.Protocols.Tls10,
        ...Backend.Protocols.Tls11 and ...Backend.Protocols.Ssl30 to "False", after making sure every
        backend offers TLS 1.2.""",
    references=(
        "https://learn.microsoft.com/azure/api-management/api-management-howto-manage-protocols-ciphers",
    ),
)(_legacy_tls("backend", "may use towards its backends"))


@check(
    id="azure.apimanagement.public_network_access",
    title="API Management gateway answers the whole Internet with no network boundary",
    severity=Severity.LOW,
    asset=ApimService,
    rationale="""With public network access on and no virtual network, every API of the service is one
        Internet request away and nothing but its policies decides who calls it; an NSG (External VNet),
        an Internal VNet behind an application gateway, or private endpoints add a network boundary.
        Context for the API findings rather than a fault by itself.""",
    remediation="""Deploy the service in a virtual network (External with an NSG on its subnet, or Internal
        behind Application Gateway with WAF), or disable public network access and reach it through
        private endpoints: az apim update -n NAME -g GROUP --public-network-access false.""",
    references=("https://learn.microsoft.com/azure/api-management/virtual-network-concepts",),
)
def public_network_access(service: ApimService, inventory: Inventory) -> Outcome:
    """Public network access on and virtual network type None."""
    evidence = {
        "public_network_access": service.public_network_access or "Enabled (default)",
        "virtual_network_type": service.virtual_network_type or "None (default)",
        "gateway_hosts": list(service.gateway_hosts),
    }
    if service.public_network_access.lower() == "disabled":
        return passed(f"Service {service.name} is reachable through private endpoints only.", evidence)
    network = service.virtual_network_type.lower()
    if network == "internal":
        return passed(f"Service {service.name} answers only inside its virtual network (Internal).", evidence)
    if network == "external":
        return passed(
            f"Service {service.name} is in a virtual network (External): its subnet's NSG decides who "
            "reaches the gateway.",
            evidence,
        )
    return fail(
        f"Service {service.name} answers any Internet address at "
        f"{', '.join(service.gateway_hosts) or 'its gateway'}: public network access is on and it is in no "
        "virtual network.",
        evidence,
        network=service.gateway_network(bool(service.plaintext_apis)),
    )


@check(
    id="azure.apimanagement.developer_portal_public",
    title="API Management developer portal is served on the Internet",
    severity=Severity.LOW,
    asset=ApimService,
    rationale="""The developer portal shows anyone the published APIs, their operations and products,
        and lets visitors sign up and subscribe for keys when sign-up is enabled; the legacy portal,
        retired in 2023, receives no fixes. Served on a public gateway, it maps the attack surface for
        anyone and is a way to obtain subscription keys.""",
    remediation="""Disable the portal if nobody uses it (az resource update --ids SERVICE_ID --api-version
        2024-05-01 --set properties.developerPortalStatus=Disabled, and legacyPortalStatus likewise),
        otherwise disable sign-up, require approval on products and publish only what outsiders may see.""",
    references=("https://learn.microsoft.com/azure/api-management/secure-developer-portal-access",),
)
def developer_portal_public(service: ApimService, inventory: Inventory) -> Outcome:
    """The developer or legacy portal served while the gateway is public."""
    portals = [
        name
        for name, on in (
            ("developer portal", service.developer_portal_enabled),
            ("legacy portal", service.legacy_portal_enabled),
        )
        if on
    ]
    evidence: dict[str, object] = {
        "developer_portal_url": service.developer_portal_url,
        "developer_portal_status": service.developer_portal_status or "not reported",
        "legacy_portal_status": service.legacy_portal_status or "not reported",
        "signup": _signup(service),
    }
    if not portals:
        return passed(f"Service {service.name} serves no developer portal.", evidence)
    if not service.public:
        return passed(
            f"Service {service.name} serves its {' and '.join(portals)} only inside its network.", evidence
        )
    hosts = [*service.portal_hosts] if service.developer_portal_enabled else []
    if service.legacy_portal_enabled:
        hosts.append(urlsplit(service.legacy_portal_url).hostname or "")
    network = NetworkExposure(
        addresses=tuple(dict.fromkeys(h for h in hosts if h)), ports=(PortRange.single(443),)
    )
    urls = [service.developer_portal_url] if service.developer_portal_enabled else []
    urls += [service.legacy_portal_url] if service.legacy_portal_enabled else []
    where = f" at {', '.join(u for u in urls if u)}" if any(urls) else ""
    legacy = " The legacy portal was retired in 2023." if service.legacy_portal_enabled else ""
    message = f"Service {service.name} serves its {' and '.join(portals)} on the Internet{where}.{legacy}"
    keys = [p.name for p in service.self_service_products]
    if service.signup_enabled and keys:
        evidence["subscribe_without_approval"] = keys
        return fail(
            f"{message} Anyone can sign up there and subscribe without approval to {', '.join(keys)} (when "
            "visible to the Developers group): their subscription keys keep nobody out.",
            evidence,
            Severity.MEDIUM,
            network,
        )
    return fail(message, evidence, network=network)


def _signup(service: ApimService) -> str:
    if "signup_enabled" in service.unread:
        return f"not read ({service.unread['signup_enabled']})"
    return {True: "enabled", False: "disabled", None: "not reported"}[service.signup_enabled]
