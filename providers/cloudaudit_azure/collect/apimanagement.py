"""API Management: fetch services, their APIs, products, policies and policy fragments
(azure-mgmt-apimanagement), then map them to assets (pure).

One ``api_management_service.list`` covers the subscription; ``--regions`` keeps the services of the
audited locations. Per kept service, in the detail pool: its APIs, its global policy, its policy
fragments, its products and (when it has a developer portal) the portal's sign-up settings; then, per
product, its APIs and its policy, and per API its policy. Policies
are read with ``format=xml`` (policy expressions XML-escaped, so every document is well-formed XML); a
404 on a policy means the scope has none. Nothing that returns a secret is called: no subscription keys,
no named values, no ``listSecrets``.

A failed read leaves what depends on it unread: the API's ``policy``, ``global_policy`` or ``products``
(its checks say UNKNOWN), a product's policy or API list (the APIs it could hold say UNKNOWN where it
matters). Not read: operation-level policies (an operation's policy can add authentication, or drop the
API's by leaving out ``<base />``) and workspaces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from azure.mgmt.apimanagement import ApiManagementClient

from cloudaudit.collect.guard import ABSENT, Absent, Failed
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit_azure.apim_xml import parse_policy
from cloudaudit_azure.assets import PROVIDER, normal_location, parse_id, text
from cloudaudit_azure.assets_apimanagement import (
    GATEWAY_PREFIX,
    ApimApi,
    ApimPolicy,
    ApimProduct,
    ApimService,
    TlsSetting,
    public_gateway,
)
from cloudaudit_azure.collect.context import CollectContext, ServiceCollector

SERVICE = "apimanagement"
NAMESPACE = "Microsoft.ApiManagement"
GLOBAL = "global"
POLICY = "policy"
"""The id of the one policy of a scope."""
LIST_SERVICES = "apiManagementService.list"
LIST_APIS = "api.listByService"
GET_POLICY = "policy.get"
LIST_FRAGMENTS = "policyFragment.listByService"
LIST_PRODUCTS = "product.listByService"
LIST_PRODUCT_APIS = "productApi.listByProduct"
GET_PRODUCT_POLICY = "productPolicy.get"
GET_API_POLICY = "apiPolicy.get"
GET_SIGNUP = "signUpSettings.get"
ACTIONS = (
    "Microsoft.ApiManagement/service/read",
    "Microsoft.ApiManagement/service/apis/read",
    "Microsoft.ApiManagement/service/apis/policies/read",
    "Microsoft.ApiManagement/service/policies/read",
    "Microsoft.ApiManagement/service/policyFragments/read",
    "Microsoft.ApiManagement/service/portalsettings/read",
    "Microsoft.ApiManagement/service/products/read",
    "Microsoft.ApiManagement/service/products/apis/read",
    "Microsoft.ApiManagement/service/products/policies/read",
)
NOT_FOUND = (404,)
DEFAULT_ON_UNTIL = date(2018, 4, 1)
"""Protocol and cipher settings not set are on for services created on or before this day, off after
(the ``customProperties`` documentation of the API Management REST API)."""
CLIENT_SETTINGS = (
    ("Security.Protocols.Tls10", "TLS 1.0"),
    ("Security.Protocols.Tls11", "TLS 1.1"),
    ("Security.Protocols.Ssl30", "SSL 3.0"),
    ("Security.Ciphers.TripleDes168", "3DES"),
)
BACKEND_SETTINGS = (
    ("Security.Backend.Protocols.Tls10", "TLS 1.0"),
    ("Security.Backend.Protocols.Tls11", "TLS 1.1"),
    ("Security.Backend.Protocols.Ssl30", "SSL 3.0"),
)
NOT_IN_CONSUMPTION = frozenset({"Security.Protocols.Ssl30", "Security.Ciphers.TripleDes168"})
"""Settings the Consumption tier does not accept (its gateway offers neither)."""
GATEWAY_VIA = "API Management gateway"
PORTAL_VIA = "API Management developer portal"

Read = Any  # an SDK model, ABSENT or Failed


# ---------------------------------------------------------------- fetch (SDK I/O)


@dataclass
class ServiceReads:
    """Everything read about one service (SDK models, ABSENT or Failed)."""

    apis: list[Any] | Failed
    global_policy: Read
    fragments: list[Any] | Failed
    products: list[Any] | Failed
    product_apis: dict[str, list[Any] | Failed] = field(default_factory=dict)
    product_policies: dict[str, Read] = field(default_factory=dict)
    api_policies: dict[str, Read] = field(default_factory=dict)
    signup: Read = ABSENT
    """The developer portal's sign-up settings (ABSENT: no portal, or not read)."""


def _client(ctx: CollectContext) -> ApiManagementClient:
    return ctx.azure.client(ApiManagementClient, ctx.subscription)


def fetch_services(ctx: CollectContext) -> list[Any] | Failed:
    """Every API Management service of the subscription."""
    client = _client(ctx)
    return ctx.guard.items(
        client.api_management_service.list, service=SERVICE, region=GLOBAL, operation=LIST_SERVICES
    )


def _region(raw: Any) -> str:
    return normal_location(str(raw.location or "")) or GLOBAL


def _items(
    ctx: CollectContext, listing: Callable[[], Any], raw: Any, operation: str, resource_id: str = ""
) -> list[Any] | Failed:
    """Every item of a paged listing about service ``raw`` (Failed: a gap is recorded)."""
    return ctx.guard.items(
        listing,
        service=SERVICE,
        region=_region(raw),
        operation=operation,
        resource_id=resource_id or str(raw.id),
    )


def _policy(
    ctx: CollectContext, call: Callable[[], Any], raw: Any, operation: str, resource_id: str = ""
) -> Read:
    """A scope's policy, or a service's settings (ABSENT on 404: none)."""
    return ctx.guard.fetch(
        call,
        service=SERVICE,
        region=_region(raw),
        operation=operation,
        resource_id=resource_id or str(raw.id),
        absent_status=NOT_FOUND,
    )


def fetch_service(ctx: CollectContext, raw: Any) -> ServiceReads:
    """A service's APIs, global policy, policy fragments and products."""
    client = _client(ctx)
    rid = parse_id(str(raw.id))
    group, name = rid.resource_group, rid.name
    return ServiceReads(
        apis=_items(ctx, lambda: client.api.list_by_service(group, name), raw, LIST_APIS),
        global_policy=_policy(
            ctx, lambda: client.policy.get(group, name, POLICY, format="xml"), raw, GET_POLICY
        ),
        fragments=_items(
            ctx, lambda: client.policy_fragment.list_by_service(group, name), raw, LIST_FRAGMENTS
        ),
        products=_items(ctx, lambda: client.product.list_by_service(group, name), raw, LIST_PRODUCTS),
        signup=_policy(ctx, lambda: client.sign_up_settings.get(group, name), raw, GET_SIGNUP)
        if raw.developer_portal_url or raw.portal_url
        else ABSENT,
    )


def fetch_product(ctx: CollectContext, raw: Any, product: Any) -> tuple[list[Any] | Failed, Read]:
    """A product's APIs and its policy."""
    client = _client(ctx)
    rid = parse_id(str(raw.id))
    group, name, product_name = rid.resource_group, rid.name, str(product.name)
    product_id = str(product.id)
    apis = _items(
        ctx,
        lambda: client.product_api.list_by_product(group, name, product_name),
        raw,
        LIST_PRODUCT_APIS,
        product_id,
    )
    policy = _policy(
        ctx,
        lambda: client.product_policy.get(group, name, product_name, POLICY, format="xml"),
        raw,
        GET_PRODUCT_POLICY,
        product_id,
    )
    return apis, policy


def fetch_api_policy(ctx: CollectContext, raw: Any, api: Any) -> Read:
    """An API's own policy (ABSENT: none)."""
    client = _client(ctx)
    rid = parse_id(str(raw.id))
    group, name, api_name = rid.resource_group, rid.name, str(api.name)
    return _policy(
        ctx,
        lambda: client.api_policy.get(group, name, api_name, POLICY, format="xml"),
        raw,
        GET_API_POLICY,
        str(api.id),
    )


def _each(ctx: CollectContext, jobs: Sequence[tuple[int, Any]], call: Callable[[int, Any], Any]) -> list[Any]:
    return list(ctx.detail_pool.map(lambda job: call(*job), jobs))


def collect(ctx: CollectContext, region: str) -> list[Asset]:
    """Every service of the wanted locations with its APIs: service-wide reads first, then every
    product's and API's reads of all services together (the detail pool never waits on itself)."""
    listed = fetch_services(ctx)
    if isinstance(listed, Failed):
        return []
    kept = [raw for raw in listed if ctx.wanted(str(raw.location or ""))]
    reads = list(ctx.detail_pool.map(lambda raw: fetch_service(ctx, raw), kept))
    product_jobs = [(i, p) for i, r in enumerate(reads) if isinstance(r.products, list) for p in r.products]
    api_jobs = [(i, a) for i, r in enumerate(reads) if isinstance(r.apis, list) for a in r.apis]
    products = _each(ctx, product_jobs, lambda i, p: fetch_product(ctx, kept[i], p))
    policies = _each(ctx, api_jobs, lambda i, a: fetch_api_policy(ctx, kept[i], a))
    for (i, product), (apis, policy) in zip(product_jobs, products, strict=True):
        reads[i].product_apis[str(product.name)] = apis
        reads[i].product_policies[str(product.name)] = policy
    for (i, api), policy in zip(api_jobs, policies, strict=True):
        reads[i].api_policies[str(api.name)] = policy
    return [
        asset
        for raw, read in zip(kept, reads, strict=True)
        for asset in to_assets(ctx.subscription, raw, read)
    ]


# ---------------------------------------------------------------- translate (pure)


def to_assets(subscription: str, raw: Any, reads: ServiceReads) -> list[Asset]:
    """The service and its APIs from the service resource and what was read about it."""
    fragments = fragment_texts(reads.fragments)
    global_policy, global_unread = policy_of(reads.global_policy, fragments, GET_POLICY)
    products, products_unread = to_products(reads, fragments)
    apis = reads.apis if isinstance(reads.apis, list) else []
    plaintext = tuple(str(a.name) for a in apis if set(_protocols(a)) & {"http", "ws"})
    service = to_service(subscription, raw, global_policy, products, apis, plaintext)
    unread: dict[str, str] = {}
    if isinstance(reads.apis, Failed):
        unread["apis"] = reads.apis.reason(LIST_APIS)
    if global_unread:
        unread["global_policy"] = global_unread
    if products_unread:
        unread["products"] = products_unread
    if isinstance(reads.signup, Failed):
        unread["signup_enabled"] = reads.signup.reason(GET_SIGNUP)
    elif not isinstance(reads.signup, Absent):
        service = service.model_copy(update={"signup_enabled": bool(reads.signup.enabled)})
    if unread:
        service = service.model_copy(update={"unread": unread})
    out: list[Asset] = [service]
    for api in apis:
        policy, policy_unread = policy_of(
            reads.api_policies.get(str(api.name), ABSENT), fragments, GET_API_POLICY
        )
        out.append(
            to_api(
                service, api, policy, policy_unread, global_unread, products, products_unread, subscription
            )
        )
    return out


def fragment_texts(listed: list[Any] | Failed) -> dict[str, str | None]:
    """Fragment id -> its XML (None when the listing gave no text); empty when not listed."""
    if isinstance(listed, Failed):
        return {}
    return {str(f.name): (str(f.value) if f.value else None) for f in listed}


def policy_of(
    read: Read, fragments: Mapping[str, str | None], operation: str
) -> tuple[ApimPolicy | None, str]:
    """(the analysed policy, or None when the scope has none; why it was not read)."""
    if isinstance(read, Absent):
        return None, ""
    if isinstance(read, Failed):
        return None, read.reason(operation)
    return parse_policy(str(read.value or ""), fragments, text(read.format) or "xml"), ""


def to_products(
    reads: ServiceReads, fragments: Mapping[str, str | None]
) -> tuple[tuple[ApimProduct, ...], str]:
    """The products with their policies and API names; why they were not listed."""
    if isinstance(reads.products, Failed):
        return (), reads.products.reason(LIST_PRODUCTS)
    out: list[ApimProduct] = []
    for raw in reads.products:
        name = str(raw.name)
        policy, policy_unread = policy_of(
            reads.product_policies.get(name, ABSENT), fragments, GET_PRODUCT_POLICY
        )
        apis = reads.product_apis.get(name, [])
        out.append(
            ApimProduct(
                name=name,
                display_name=str(raw.display_name or ""),
                subscription_required=raw.subscription_required is not False,  # absent: required
                approval_required=bool(raw.approval_required),
                state=text(raw.state),
                policy=policy,
                policy_unread=policy_unread,
                apis=tuple(str(a.name) for a in apis) if isinstance(apis, list) else (),
                apis_unread=apis.reason(LIST_PRODUCT_APIS) if isinstance(apis, Failed) else "",
            )
        )
    return tuple(out), ""


def _host(url: str | None) -> str:
    return (urlsplit(url).hostname or "") if url else ""


def _hostnames(raw: Any, kind: str) -> list[str]:
    return [
        str(h.host_name)
        for h in raw.hostname_configurations or ()
        if text(h.type).lower() == kind.lower() and h.host_name
    ]


def gateway_hosts(raw: Any) -> tuple[str, ...]:
    """The default gateway host, each location's regional gateway and every custom Proxy host name."""
    hosts = [_host(raw.gateway_url), _host(raw.gateway_regional_url), *_hostnames(raw, "Proxy")]
    hosts += [_host(x.gateway_regional_url) for x in raw.additional_locations or () if not x.disable_gateway]
    return tuple(dict.fromkeys(h for h in hosts if h))


def created_on(raw: Any) -> date | None:
    """The day the service was created (``createdAtUtc``, else ``systemData.createdAt``)."""
    when = raw.created_at_utc or getattr(raw.system_data, "created_at", None)
    if isinstance(when, datetime):
        return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).date()
    return None


def tls_settings(custom: Mapping[str, str], created: date | None, sku: str) -> tuple[TlsSetting, ...]:
    """Each legacy protocol and cipher, on or off: as set in ``customProperties``, else the default for
    the creation date (on for services created on or before 1 April 2018)."""
    lowered = {k.lower(): (k, v) for k, v in custom.items()}
    out: list[TlsSetting] = []
    for side, settings in (("client", CLIENT_SETTINGS), ("backend", BACKEND_SETTINGS)):
        for suffix, name in settings:
            if sku.lower() == "consumption" and suffix in NOT_IN_CONSUMPTION:
                continue
            key = GATEWAY_PREFIX + suffix
            found = lowered.get(key.lower())
            if found is not None:
                value = str(found[1]).strip()
                enabled = {"true": True, "false": False}.get(value.lower())
                out.append(
                    TlsSetting(side=side, name=name, key=key, enabled=enabled, source="set", value=value)
                )
            elif created is None:
                out.append(TlsSetting(side=side, name=name, key=key, enabled=None, source="unknown"))
            else:
                on = created <= DEFAULT_ON_UNTIL
                out.append(TlsSetting(side=side, name=name, key=key, enabled=on, source="default"))
    return tuple(out)


def _protocols(api: Any) -> tuple[str, ...]:
    return tuple(text(p).lower() for p in api.protocols or ())


def to_service(
    subscription: str,
    raw: Any,
    global_policy: ApimPolicy | None,
    products: tuple[ApimProduct, ...],
    apis: Sequence[Any],
    plaintext: tuple[str, ...],
) -> ApimService:
    """An :class:`ApimService` from its resource (``ApiManagementServiceResource``)."""
    sku = text(getattr(raw.sku, "name", None))
    created = created_on(raw)
    custom = {
        str(k): str(v) for k, v in (raw.custom_properties or {}).items() if str(k).startswith(GATEWAY_PREFIX)
    }
    access, network = text(raw.public_network_access), text(raw.virtual_network_type)
    hosts = gateway_hosts(raw)
    portal_hosts = tuple(
        dict.fromkeys(h for h in (_host(raw.developer_portal_url), *_hostnames(raw, "DeveloperPortal")) if h)
    )
    service = ApimService(
        provider=PROVIDER,
        account=subscription,
        region=normal_location(str(raw.location or "")) or GLOBAL,
        id=str(raw.id),
        name=str(raw.name),
        tags={str(k): str(v) for k, v in (raw.tags or {}).items()},
        sku=sku,
        capacity=int(getattr(raw.sku, "capacity", 0) or 0),
        created=created.isoformat() if created else "",
        provisioning_state=str(raw.provisioning_state or ""),
        public_network_access=access,
        virtual_network_type=network,
        gateway_url=str(raw.gateway_url or ""),
        gateway_hosts=hosts,
        developer_portal_url=str(raw.developer_portal_url or ""),
        developer_portal_status=text(raw.developer_portal_status),
        portal_hosts=portal_hosts,
        legacy_portal_url=str(raw.portal_url or ""),
        legacy_portal_status=text(raw.legacy_portal_status),
        custom_properties=custom,
        tls=tls_settings(custom, created, sku),
        global_policy=global_policy,
        products=products,
        api_names=tuple(str(a.name) for a in apis),
        plaintext_apis=plaintext,
    )
    return service.model_copy(update={"endpoints": endpoints(service)})


def endpoints(service: ApimService) -> tuple[Endpoint, ...]:
    """The gateway's public host names on 443 (and 80 when an API accepts plain HTTP), and the developer
    portal's on 443 while it is served; none when the gateway is not public."""
    if not service.public:
        return ()
    out = [
        Endpoint(host=h, from_port=443, to_port=443, via=f"{GATEWAY_VIA} (https)", application="https")
        for h in service.gateway_hosts
    ]
    if service.plaintext_apis:
        out += [
            Endpoint(host=h, from_port=80, to_port=80, via=f"{GATEWAY_VIA} (http)", application="http")
            for h in service.gateway_hosts
        ]
    if service.developer_portal_enabled:
        out += [
            Endpoint(host=h, from_port=443, to_port=443, via=f"{PORTAL_VIA} (https)", application="https")
            for h in service.portal_hosts
        ]
    return tuple(out)


def to_api(
    service: ApimService,
    raw: Any,
    policy: ApimPolicy | None,
    policy_unread: str,
    global_unread: str,
    products: tuple[ApimProduct, ...],
    products_unread: str,
    subscription: str,
) -> ApimApi:
    """An :class:`ApimApi` from its ``ApiContract`` and the service's other reads."""
    name = str(raw.name)
    member = tuple(p.model_copy(update={"apis": ()}) for p in products if name in p.apis)
    # an open product whose APIs were not listed may hold this API (a protected one does not matter:
    # requests without a key never run in its context)
    unknown_lists = [p.apis_unread for p in products if p.apis_unread and not p.subscription_required]
    unread: dict[str, str] = {}
    if policy_unread:
        unread["policy"] = policy_unread
    if global_unread:
        unread["global_policy"] = global_unread
    if products_unread or unknown_lists:
        unread["products"] = products_unread or unknown_lists[0]
    return ApimApi(
        provider=PROVIDER,
        account=subscription,
        region=service.region,
        id=str(raw.id),
        name=name,
        service_id=service.id,
        service_name=service.name,
        display_name=str(raw.display_name or ""),
        path=str(raw.path or ""),
        api_type=text(raw.api_type) or "http",
        protocols=_protocols(raw),
        service_url=str(raw.service_url or ""),
        subscription_required=raw.subscription_required is not False,
        is_current=raw.is_current is not False,
        revision=str(raw.api_revision or ""),
        gateway_hosts=service.gateway_hosts,
        gateway_public=public_gateway(service.public_network_access, service.virtual_network_type),
        policy=policy,
        global_policy=service.global_policy,
        products=member,
        unread=unread,
    )


COLLECTOR = ServiceCollector(
    service=SERVICE, regional=False, collect=collect, actions=ACTIONS, namespace=NAMESPACE
)
