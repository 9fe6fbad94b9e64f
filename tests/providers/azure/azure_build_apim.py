"""API Management fixtures built the way the collector builds them: the fake's ARM JSON, deserialised
into the SDK's models, through ``to_assets``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from azure.mgmt.apimanagement.models import (
    ApiContract,
    ApiManagementServiceResource,
    PolicyContract,
    PolicyFragmentContract,
    PortalSignupSettings,
    ProductContract,
)

from azure_cases import GROUP, SUBSCRIPTION
from cloudaudit.collect.guard import ABSENT, Failed
from cloudaudit.model.asset import Asset
from cloudaudit_azure.assets_apimanagement import ApimApi, ApimService
from cloudaudit_azure.collect.apimanagement import ServiceReads, to_assets
from cloudaudit_azure.fake import model_apim as m

DENIED = Failed("AuthorizationFailed", "The client does not have authorization to perform action")
Policy = str | Failed | None
"""A scope's policy XML; None: the scope has none (404); Failed: the read failed."""

__all__ = ["DENIED", "Product", "Service", "api_of", "build", "m", "service_of"]


@dataclass
class Product:
    """A product of a fixture service: its JSON options, its APIs (or a failed listing), its policy."""

    name: str
    apis: Sequence[str] | Failed = ()
    policy: Policy = None
    subscription_required: bool | None = True
    approval_required: bool = False


@dataclass
class Service:
    """A fixture service: its resource options, APIs, policies, products and fragments."""

    name: str
    apis: Sequence[dict[str, Any]] = ()
    """``m.api`` keyword arguments, each with its ``name``."""
    api_policies: Mapping[str, Policy] = field(default_factory=dict)
    global_policy: Policy = None
    products: Sequence[Product] | Failed = ()
    fragments: Mapping[str, str] | Failed = field(default_factory=dict)
    api_list: Failed | None = None
    signup: bool | Failed | None = None
    """The portal's sign-up setting; None: not read (no portal)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """``m.service`` keyword arguments."""

    @property
    def id(self) -> str:
        """The service's ARM id."""
        return m.service_id(SUBSCRIPTION, GROUP, self.name)


def _policy(parent: str, policy: Policy) -> Any:
    if policy is None:
        return ABSENT
    if isinstance(policy, Failed):
        return policy
    return PolicyContract.deserialize(m.policy(parent, policy))


def build(spec: Service) -> list[Asset]:
    """The service and its APIs, as the collector translates them."""
    raw = ApiManagementServiceResource.deserialize(m.service(SUBSCRIPTION, GROUP, spec.name, **spec.options))
    sid = spec.id
    apis_json = [m.api(sid, **options) for options in spec.apis]
    apis = [ApiContract.deserialize(a) for a in apis_json]
    reads = ServiceReads(
        apis=spec.api_list if spec.api_list is not None else apis,
        global_policy=_policy(sid, spec.global_policy),
        fragments=spec.fragments
        if isinstance(spec.fragments, Failed)
        else [PolicyFragmentContract.deserialize(m.fragment(sid, k, v)) for k, v in spec.fragments.items()],
        products=spec.products
        if isinstance(spec.products, Failed)
        else [
            ProductContract.deserialize(
                m.product(
                    sid,
                    p.name,
                    subscription_required=p.subscription_required,
                    approval_required=p.approval_required,
                )
            )
            for p in spec.products
        ],
    )
    by_name = {a["name"]: a for a in apis_json}
    for p in spec.products if not isinstance(spec.products, Failed) else ():
        product = m.product(sid, p.name)
        reads.product_apis[p.name] = (
            p.apis
            if isinstance(p.apis, Failed)
            else [ApiContract.deserialize(m.product_api(product, by_name[name])) for name in p.apis]
        )
        reads.product_policies[p.name] = _policy(product["id"], p.policy)
    if isinstance(spec.signup, Failed):
        reads.signup = spec.signup
    elif spec.signup is not None:
        reads.signup = PortalSignupSettings.deserialize(m.signup(sid, spec.signup))
    for a in apis_json:
        reads.api_policies[a["name"]] = _policy(a["id"], spec.api_policies.get(a["name"]))
    return to_assets(SUBSCRIPTION, raw, reads)


def service_of(assets: Sequence[Asset]) -> ApimService:
    """The service asset of a :func:`build`."""
    (found,) = [a for a in assets if isinstance(a, ApimService)]
    return found


def api_of(assets: Sequence[Asset], name: str) -> ApimApi:
    """The API asset called ``name`` of a :func:`build`."""
    (found,) = [a for a in assets if isinstance(a, ApimApi) and a.name == name]
    return found
