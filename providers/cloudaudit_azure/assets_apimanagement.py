"""API Management assets: services (gateway, portals, TLS settings, global policy, products) and their
APIs, with what their policies say about who may call them.

Who gets through the gateway without credentials (the rules the checks apply, from the API Management
documentation on subscriptions and policies):

* A request without a subscription key is served in the context of the API's *open* product (a
  product with ``subscriptionRequired: false``; an API has at most one), whatever the API's own
  ``subscriptionRequired`` says; otherwise, when the API does not require a subscription, in the
  context of the API alone (no product, so no product policy runs); otherwise it is refused (401).
  A product's ``state`` (published or not) does not change what the gateway serves.
* Policies nest: API -> product -> global. Each scope's ``<inbound>`` runs its parent's where it holds
  ``<base />``; a scope without a policy behaves as ``<base />`` alone; a section without ``<base />``
  drops every enclosing scope's statements (their authentication too).
* Authentication is an unconditional ``validate-jwt``, ``validate-azure-ad-token``,
  ``validate-client-certificate``, a ``check-header`` of a credential header (or one failing with 401/403),
  or a ``<choose>`` whose branch answers 401/403 with ``return-response``. ``authentication-basic``,
  ``authentication-certificate`` and ``authentication-managed-identity`` authenticate the *gateway to
  the backend*, not the caller: they are kept as backend credentials, never as authentication.

Operation-level policies and workspaces are not read (see :mod:`cloudaudit_azure.collect.apimanagement`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from cloudaudit.model.asset import Asset, asset_kind
from cloudaudit.model.network import NetworkExposure, PortRange
from cloudaudit_azure.assets import Frozen

PLAINTEXT_PROTOCOLS = frozenset({"http", "ws"})
"""API protocols without TLS (``https`` and ``wss`` use it)."""
ANY_ORIGIN = "*"
GLOBAL_SCOPE = "global"
GATEWAY_PREFIX = "Microsoft.WindowsAzure.ApiManagement.Gateway."
"""Prefix of the customProperties keys of the gateway's protocols and ciphers."""


class AuthStatement(Frozen):
    """A policy statement that rejects callers without valid credentials."""

    policy: str
    """``validate-jwt``, ``validate-azure-ad-token``, ``validate-client-certificate``, ``check-header``,
    ``choose`` (a branch answering 401/403)."""
    detail: str = ""
    """What it checks (the header, the tenant, the condition), as the policy writes it."""

    @property
    def label(self) -> str:
        """``validate-jwt (header Authorization)``."""
        return f"{self.policy} ({self.detail})" if self.detail else self.policy


class CorsRule(Frozen):
    """One ``<cors>`` statement."""

    origins: tuple[str, ...] = ()
    allow_credentials: str = "false"
    """The attribute as written (a policy expression stays text); absent: false."""

    @property
    def any_origin(self) -> bool:
        """``<origin>*</origin>``: every web site may call."""
        return any(o.strip() == ANY_ORIGIN for o in self.origins)

    @property
    def credentials(self) -> bool:
        """``allow-credentials="true"``."""
        return self.allow_credentials.strip().lower() == "true"


class IpFilter(Frozen):
    """An unconditional ``<ip-filter action="allow">``: only these callers get through."""

    addresses: tuple[str, ...] = ()
    """Addresses and ``from-to`` ranges, as written."""


class ApimPolicy(Frozen):
    """What one policy document's ``<inbound>`` section decides about access (the rest is not kept)."""

    inherits: bool = True
    """``<base />`` in ``<inbound>``: the enclosing scope's inbound statements run too."""
    authentication: tuple[AuthStatement, ...] = ()
    """Statements every request must pass."""
    conditional: tuple[AuthStatement, ...] = ()
    """Authentication that runs only under a ``<choose>`` condition (not every request)."""
    cors: tuple[CorsRule, ...] = ()
    ip_filters: tuple[IpFilter, ...] = ()
    backend_credentials: tuple[str, ...] = ()
    """``authentication-*`` statements: credentials the gateway adds towards the backend."""
    fragments: tuple[str, ...] = ()
    """Policy fragments it includes (their statements are counted here)."""
    format: str = "xml"
    problem: str = ""
    """Why the document could not be analysed (malformed XML, entities, a fragment not read); its
    other fields are then empty and mean nothing."""


class TlsSetting(Frozen):
    """One protocol or cipher of the gateway (``client``: callers to the gateway; ``backend``: the
    gateway to the backends) and whether it is accepted."""

    side: Literal["client", "backend"]
    name: str
    """``TLS 1.0``, ``TLS 1.1``, ``SSL 3.0``, ``3DES``."""
    key: str
    """The ``customProperties`` key that turns it on or off."""
    enabled: bool | None
    """None: not set and the service's creation date (which decides the default) is unknown."""
    source: Literal["set", "default", "unknown"] = "set"
    """``set`` in customProperties, else the platform ``default`` for the creation date."""
    value: str = ""
    """The customProperties value as written (empty when not set)."""

    @property
    def label(self) -> str:
        """``TLS 1.0 (Protocols.Tls10 = True)``, or where its value comes from when not set."""
        if self.source == "set":
            return f"{self.name} ({self.key.removeprefix(GATEWAY_PREFIX)} = {self.value})"
        if self.source == "default":
            return f"{self.name} (not set: on by default for services created on or before 1 April 2018)"
        return f"{self.name} (not set, and the creation date that decides its default is unknown)"


class ApimProduct(Frozen):
    """A product of a service: whether it needs a subscription key, its policy, its APIs."""

    name: str
    display_name: str = ""
    subscription_required: bool = True
    """False: an *open* product; its APIs answer requests without a key, in its context."""
    approval_required: bool = False
    state: str = ""
    """``published`` / ``notPublished`` (the developer portal only; the gateway serves either)."""
    policy: ApimPolicy | None = None
    """None: no product policy (its scope behaves as ``<base />``)."""
    policy_unread: str = ""
    apis: tuple[str, ...] = ()
    """Names of its APIs (on the service's copy; an API's own copy leaves it empty)."""
    apis_unread: str = ""

    @property
    def label(self) -> str:
        """``product starter``."""
        return f"product {self.name}"


@asset_kind("azure.apimanagement.service", service="apimanagement")
class ApimService(Asset):
    """An API Management service: its gateway and portals, protocols and ciphers, global policy and
    products (``region`` is its primary location)."""

    sku: str = ""
    """Developer, Basic, Standard, Premium, Isolated, Consumption, BasicV2, StandardV2, PremiumV2."""
    capacity: int = 0
    created: str = ""
    """ISO date of creation (decides the default of the protocol settings); empty when not reported."""
    provisioning_state: str = ""
    public_network_access: str = ""
    """``Enabled`` (also when not reported: the default) or ``Disabled`` (private endpoints only)."""
    virtual_network_type: str = ""
    """``None`` (also when not reported), ``External`` (in a VNet, Internet-facing) or ``Internal``."""
    gateway_url: str = ""
    gateway_hosts: tuple[str, ...] = ()
    """The default gateway host name and every custom ``Proxy`` host name."""
    developer_portal_url: str = ""
    developer_portal_status: str = ""
    """``Enabled``/``Disabled``; empty when not reported (then: served when it has a URL)."""
    portal_hosts: tuple[str, ...] = ()
    """Host names of the developer portal (default and custom)."""
    legacy_portal_url: str = ""
    legacy_portal_status: str = ""
    signup_enabled: bool | None = None
    """Visitors of the developer portal may create accounts (None: no portal, or not read)."""
    custom_properties: dict[str, str] = Field(default_factory=dict)
    """The ``Microsoft.WindowsAzure.ApiManagement.Gateway.*`` settings as written."""
    tls: tuple[TlsSetting, ...] = ()
    global_policy: ApimPolicy | None = None
    products: tuple[ApimProduct, ...] = ()
    api_names: tuple[str, ...] = ()
    plaintext_apis: tuple[str, ...] = ()
    """APIs that accept ``http`` (or ``ws``): the gateway answers them on port 80."""

    @property
    def public(self) -> bool:
        """The gateway answers on the Internet: public network access on and not an Internal VNet."""
        return public_gateway(self.public_network_access, self.virtual_network_type)

    @property
    def developer_portal_enabled(self) -> bool:
        """The (new) developer portal is served."""
        if self.developer_portal_status:
            return self.developer_portal_status.lower() == "enabled"
        return bool(self.developer_portal_url)

    @property
    def self_service_products(self) -> tuple[ApimProduct, ...]:
        """Products a signed-up account subscribes to without approval (a key for the asking)."""
        return tuple(p for p in self.products if p.subscription_required and not p.approval_required)

    @property
    def legacy_portal_enabled(self) -> bool:
        """The retired legacy developer portal is still served."""
        return self.legacy_portal_status.lower() == "enabled"

    def gateway_network(self, plaintext: bool = False) -> NetworkExposure:
        """The gateway's public host names and 443 (and 80 when ``plaintext``)."""
        return gateway_network(self.gateway_hosts if self.public else (), plaintext)


@asset_kind("azure.apimanagement.api", service="apimanagement")
class ApimApi(Asset):
    """An API of an API Management service, with the policies of every scope its requests pass
    (``region`` is the service's; the service's gateway hosts answer it)."""

    service_id: str = ""
    service_name: str = ""
    display_name: str = ""
    path: str = ""
    """The URL suffix after the gateway host (``/orders``)."""
    api_type: str = ""
    """http, soap, websocket, graphql, grpc, odata."""
    protocols: tuple[str, ...] = ()
    service_url: str = ""
    """The backend the gateway forwards to."""
    subscription_required: bool = True
    is_current: bool = True
    revision: str = ""
    gateway_hosts: tuple[str, ...] = ()
    gateway_public: bool = True
    """The service's gateway answers on the Internet."""
    policy: ApimPolicy | None = None
    """None: no API-scope policy (or not read: see ``unread``)."""
    global_policy: ApimPolicy | None = None
    products: tuple[ApimProduct, ...] = ()
    """The products that include it (their policies; ``apis`` left empty)."""

    @property
    def plaintext(self) -> tuple[str, ...]:
        """Its protocols without TLS."""
        return tuple(p for p in self.protocols if p.lower() in PLAINTEXT_PROTOCOLS)

    @property
    def url(self) -> str:
        """``https://{gateway host}/{path}``; empty without a gateway host."""
        if not self.gateway_hosts:
            return ""
        return f"https://{self.gateway_hosts[0]}/{self.path.lstrip('/')}"

    def network(self) -> NetworkExposure:
        """The gateway host names (when public) and the ports the API answers on."""
        return gateway_network(self.gateway_hosts if self.gateway_public else (), bool(self.plaintext))


def public_gateway(public_network_access: str, virtual_network_type: str) -> bool:
    """The gateway answers on the Internet (public network access on and not an Internal VNet)."""
    return public_network_access.lower() != "disabled" and virtual_network_type.lower() != "internal"


def gateway_network(hosts: Sequence[str], plaintext: bool) -> NetworkExposure:
    """``hosts`` on 443, and 80 when a protocol without TLS is accepted."""
    ports = (PortRange.single(443), PortRange.single(80)) if plaintext else (PortRange.single(443),)
    return NetworkExposure(addresses=tuple(hosts), ports=ports)


# ---------------------------------------------------------------- who gets in (pure)


@dataclass(frozen=True)
class Layer:
    """One scope a request passes: its label, its policy (None: none) or why it was not read."""

    scope: str
    policy: ApimPolicy | None
    unread: str = ""


@dataclass(frozen=True)
class Chain:
    """What the inbound statements of a request's scopes decide, from the API outwards."""

    context: str
    """How the request gets in (``the API does not require a subscription``, ``open product p``)."""
    applied: tuple[str, ...]
    """Scopes whose inbound statements run."""
    authentication: tuple[tuple[str, AuthStatement], ...] = ()
    conditional: tuple[tuple[str, AuthStatement], ...] = ()
    cors: tuple[tuple[str, CorsRule], ...] = ()
    ip_filters: tuple[tuple[str, IpFilter], ...] = ()
    backend_credentials: tuple[tuple[str, str], ...] = ()
    stopped: str = ""
    """The scope whose inbound has no ``<base />`` (the enclosing ones do not run); empty if none."""
    problem: str = ""
    """Why what runs cannot be known (a policy not read or not analysable), if so."""

    @property
    def authenticated(self) -> bool:
        """Some statement every request passes checks credentials."""
        return bool(self.authentication)

    @property
    def decided(self) -> bool:
        """Authenticated, or known not to be."""
        return self.authenticated or not self.problem


def inbound_chain(context: str, layers: Sequence[Layer]) -> Chain:
    """Walk the scopes from the most specific: each runs its inbound statements, and the next scope's
    only through ``<base />`` (no policy at a scope: ``<base />`` alone). A scope that cannot be read
    or analysed stops the walk: what it and the enclosing scopes do is unknown."""
    applied: list[str] = []
    auth: list[tuple[str, AuthStatement]] = []
    conditional: list[tuple[str, AuthStatement]] = []
    cors: list[tuple[str, CorsRule]] = []
    filters: list[tuple[str, IpFilter]] = []
    backend: list[tuple[str, str]] = []
    stopped = problem = ""
    for layer in layers:
        if layer.unread:
            problem = f"the {layer.scope} policy was not read ({layer.unread})"
            break
        policy = layer.policy
        applied.append(layer.scope)
        if policy is None:
            continue
        if policy.problem:
            problem = f"the {layer.scope} policy cannot be analysed: {policy.problem}"
            break
        auth += [(layer.scope, a) for a in policy.authentication]
        conditional += [(layer.scope, a) for a in policy.conditional]
        cors += [(layer.scope, c) for c in policy.cors]
        filters += [(layer.scope, f) for f in policy.ip_filters]
        backend += [(layer.scope, b) for b in policy.backend_credentials]
        if not policy.inherits:
            stopped = layer.scope
            break
    return Chain(
        context=context,
        applied=tuple(applied),
        authentication=tuple(auth),
        conditional=tuple(conditional),
        cors=tuple(cors),
        ip_filters=tuple(filters),
        backend_credentials=tuple(backend),
        stopped=stopped,
        problem=problem,
    )


@dataclass(frozen=True)
class Access:
    """How requests without a subscription key fare on one API."""

    chains: tuple[Chain, ...] = ()
    """One per way in without a key (none: every request needs a subscription key)."""
    problem: str = ""
    """Why the ways in cannot be known (the products were not read), if so."""

    @property
    def key_required(self) -> bool:
        """Every request needs a subscription key."""
        return not self.chains and not self.problem

    @property
    def open_chains(self) -> tuple[Chain, ...]:
        """Ways in without any credential (known to be)."""
        return tuple(c for c in self.chains if c.decided and not c.authenticated)

    @property
    def undecided(self) -> str:
        """Why the verdict cannot be given (empty when it can)."""
        if self.open_chains:
            return ""
        reasons = [self.problem] if self.problem else []
        reasons += [c.problem for c in self.chains if not c.decided]
        return "; ".join(reasons)


def api_scope(api: ApimApi) -> str:
    """``API orders``."""
    return f"API {api.name}"


def access(api: ApimApi) -> Access:
    """Every way a request without a subscription key reaches the API's backend, with what its
    policies check (see the module's docstring)."""
    own = Layer(api_scope(api), api.policy, api.unread.get("policy", ""))
    top = Layer(GLOBAL_SCOPE, api.global_policy, api.unread.get("global_policy", ""))
    products_unread = api.unread.get("products", "")
    if products_unread:
        # an open product may take requests in whatever the API says, and run its own policy: only
        # what the API's own policy decides holds in every context
        alone = inbound_chain("any context", [own])
        if alone.authenticated:
            return Access((alone,))
        if not api.subscription_required and alone.decided and alone.stopped:
            return Access((inbound_chain("the API does not require a subscription", [own]),))
        return Access((), f"its products were not read ({products_unread})")
    open_products = [p for p in api.products if not p.subscription_required]
    chains = [
        inbound_chain(f"open {p.label}", [own, Layer(p.label, p.policy, p.policy_unread), top])
        for p in open_products
    ]
    if not open_products and not api.subscription_required:
        chains.append(inbound_chain("the API does not require a subscription", [own, top]))
    return Access(tuple(chains))
