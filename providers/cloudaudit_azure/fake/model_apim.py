"""ARM JSON of API Management resources as the REST API (2024-05-01) writes them: services, APIs,
products, the APIs of a product, policies (``.../policies/policy``, ``properties.value`` holding the XML
and ``format``) and policy fragments. The fake serves each under its id; a scope without a policy has
no ``.../policies/policy`` resource and answers 404, as API Management does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cloudaudit_azure.fake.state import JSON, arm_id

NAMESPACE = "Microsoft.ApiManagement"
SERVICE_TYPE = f"{NAMESPACE}/service"
TLS_PREFIX = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security."
ALL_LEGACY_OFF = {
    f"{TLS_PREFIX}{key}": "False"
    for key in (
        "Protocols.Tls10",
        "Protocols.Tls11",
        "Protocols.Ssl30",
        "Ciphers.TripleDes168",
        "Backend.Protocols.Tls10",
        "Backend.Protocols.Tls11",
        "Backend.Protocols.Ssl30",
    )
}
"""customProperties of a service that accepts none of the legacy protocols and ciphers."""


def service_id(subscription: str, group: str, name: str) -> str:
    """``/subscriptions/S/resourceGroups/G/providers/Microsoft.ApiManagement/service/NAME``."""
    return arm_id(subscription, group, NAMESPACE, "service", name)


def service(
    subscription: str,
    group: str,
    name: str,
    *,
    location: str = "East US",
    sku: str = "Developer",
    created: str | None = "2023-05-10T08:30:00.1234567Z",
    custom_properties: Mapping[str, str] | None = None,
    public_network_access: str | None = "Enabled",
    virtual_network_type: str | None = "None",
    developer_portal_status: str | None = "Enabled",
    legacy_portal_status: str | None = "Disabled",
    proxy_hostnames: Sequence[str] = (),
    portal_hostnames: Sequence[str] = (),
    tags: Mapping[str, str] | None = None,
) -> JSON:
    """An ``ApiManagementServiceResource``; None leaves a property out (as older API versions do)."""
    gateway = f"{name}.azure-api.net"
    hostnames: list[JSON] = [
        {"type": "Proxy", "hostName": gateway, "defaultSslBinding": True, "certificateSource": "BuiltIn"},
        *({"type": "Proxy", "hostName": h, "certificateSource": "KeyVault"} for h in proxy_hostnames),
        *(
            {"type": "DeveloperPortal", "hostName": h, "certificateSource": "KeyVault"}
            for h in portal_hostnames
        ),
    ]
    consumption = sku == "Consumption"
    properties: dict[str, Any] = {
        "publisherEmail": "api-team@example.com",
        "publisherName": "Example",
        "provisioningState": "Succeeded",
        "targetProvisioningState": "",
        "createdAtUtc": created,
        "gatewayUrl": f"https://{gateway}",
        "gatewayRegionalUrl": "" if consumption else f"https://{name}-eastus-01.regional.azure-api.net",
        "portalUrl": "" if consumption else f"https://{name}.portal.azure-api.net",
        "developerPortalUrl": "" if consumption else f"https://{name}.developer.azure-api.net",
        "managementApiUrl": f"https://{name}.management.azure-api.net",
        "scmUrl": "" if consumption else f"https://{name}.scm.azure-api.net",
        "hostnameConfigurations": hostnames,
        "publicIPAddresses": [] if consumption else ["192.0.2.210"],
        "customProperties": dict(custom_properties or {}),
        "platformVersion": "stv2",
        "publicNetworkAccess": public_network_access,
        "virtualNetworkType": virtual_network_type,
        "developerPortalStatus": developer_portal_status,
        "legacyPortalStatus": legacy_portal_status,
    }
    return {
        "id": service_id(subscription, group, name),
        "name": name,
        "type": SERVICE_TYPE,
        "location": location,
        "tags": dict(tags or {}),
        "etag": "AAAAAAAAAAA=",
        "sku": {"name": sku, "capacity": 0 if consumption else 1},
        "systemData": {"createdBy": "ops@example.com", "createdByType": "User", "createdAt": created},
        "properties": {k: v for k, v in properties.items() if v is not None},
    }


def api(
    service: str,
    name: str,
    *,
    path: str | None = None,
    protocols: Sequence[str] = ("https",),
    subscription_required: bool | None = True,
    service_url: str = "https://backend.example.com/api",
    display_name: str | None = None,
    api_type: str | None = None,
    revision: str = "1",
    is_current: bool = True,
) -> JSON:
    """An ``ApiContract`` of the service whose id is ``service``."""
    properties: dict[str, Any] = {
        "displayName": display_name or name,
        "apiRevision": revision,
        "description": "",
        "subscriptionRequired": subscription_required,
        "serviceUrl": service_url,
        "path": name if path is None else path,
        "protocols": list(protocols),
        "isCurrent": is_current,
        "type": api_type,
        "subscriptionKeyParameterNames": {"header": "Ocp-Apim-Subscription-Key", "query": "subscription-key"},
    }
    return {
        "id": f"{service}/apis/{name}",
        "name": name,
        "type": f"{SERVICE_TYPE}/apis",
        "properties": {k: v for k, v in properties.items() if v is not None},
    }


def product(
    service: str,
    name: str,
    *,
    subscription_required: bool | None = True,
    approval_required: bool = False,
    state: str = "published",
    display_name: str | None = None,
) -> JSON:
    """A ``ProductContract`` of the service whose id is ``service``."""
    properties: dict[str, Any] = {
        "displayName": display_name or name.title(),
        "description": f"{name} product",
        "subscriptionRequired": subscription_required,
        "approvalRequired": approval_required if subscription_required is not False else None,
        "subscriptionsLimit": 1 if subscription_required is not False else None,
        "state": state,
    }
    return {
        "id": f"{service}/products/{name}",
        "name": name,
        "type": f"{SERVICE_TYPE}/products",
        "properties": {k: v for k, v in properties.items() if v is not None},
    }


def product_api(product: JSON, api_json: JSON) -> JSON:
    """The API as ``GET .../products/{p}/apis`` lists it (its id under the product's)."""
    return {**api_json, "id": f"{product['id']}/apis/{api_json['name']}"}


def policy(parent: str, xml: str, fmt: str = "xml") -> JSON:
    """The ``PolicyContract`` of a scope (``parent``: a service, product or API id)."""
    kind = parent.rsplit("/", 2)[-2] if "/apis/" in parent or "/products/" in parent else ""
    return {
        "id": f"{parent}/policies/policy",
        "name": "policy",
        "type": f"{SERVICE_TYPE}/{kind + '/' if kind else ''}policies",
        "properties": {"value": xml, "format": fmt},
    }


def fragment(service: str, name: str, xml: str, fmt: str = "xml") -> JSON:
    """A ``PolicyFragmentContract`` (``<fragment>...</fragment>``)."""
    return {
        "id": f"{service}/policyFragments/{name}",
        "name": name,
        "type": f"{SERVICE_TYPE}/policyFragments",
        "properties": {"value": xml, "format": fmt, "description": f"{name} fragment"},
    }


def signup(service: str, enabled: bool) -> JSON:
    """The developer portal's ``PortalSignupSettings`` (``.../portalsettings/signup``)."""
    return {
        "id": f"{service}/portalsettings/signup",
        "name": "signup",
        "type": f"{SERVICE_TYPE}/portalsettings",
        "properties": {"enabled": enabled, "termsOfService": {"enabled": False, "consentRequired": False}},
    }


def policies(inbound: str = "<base />", backend: str = "<base />", outbound: str = "<base />") -> str:
    """A ``<policies>`` document with these sections' statements (``on-error`` inherits)."""
    sections = {"inbound": inbound, "backend": backend, "outbound": outbound, "on-error": "<base />"}
    body = "".join(f"\r\n\t<{name}>\r\n\t\t{text}\r\n\t</{name}>" for name, text in sections.items())
    return f"<policies>{body}\r\n</policies>"


VALIDATE_JWT = (
    '<validate-jwt header-name="Authorization" failed-validation-httpcode="401" '
    'failed-validation-error-message="Unauthorized. Access token is missing or invalid.">'
    '<openid-config url="https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/'
    '.well-known/openid-configuration" />'
    "<audiences><audience>api://orders</audience></audiences></validate-jwt>"
)


def cors(*origins: str, credentials: bool = False) -> str:
    """A ``<cors>`` statement."""
    allowed = "".join(f"<origin>{o}</origin>" for o in origins)
    return (
        f'<cors allow-credentials="{"true" if credentials else "false"}">'
        f"<allowed-origins>{allowed}</allowed-origins>"
        "<allowed-methods><method>GET</method><method>POST</method></allowed-methods>"
        "<allowed-headers><header>*</header></allowed-headers></cors>"
    )
