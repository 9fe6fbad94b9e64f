"""Credentials, endpoint and management clients of one Azure target (GET requests only).

Credentials, in order: ``--access-token`` (a bearer token obtained elsewhere, e.g. ``az account
get-access-token``; never refreshed, never printed), else ``azure.identity.DefaultAzureCredential``
(environment, workload identity, managed identity, Azure CLI...), for ``--tenant`` when given.
``--endpoint-url`` is the Azure Resource Manager root of every client of the run (sovereign clouds,
a proxy, the local fake); ``REQUESTS_CA_BUNDLE`` names a custom CA, as for any requests-based client
(the demo passes its fake's CA in the target's ``ca_bundle`` setting instead: os.environ stays as is).

Every client shares one transport that sends GET requests only: azure-mgmt-core's pipeline would
otherwise POST a resource provider registration when a provider is not registered, a write the audit
must never make. The refusal surfaces as :class:`~.errors.ReadOnlyRefused`, a gap of that service.
"""

from __future__ import annotations

import threading
import time
from typing import Any, TypeVar

import requests
import requests.adapters
from azure.core.credentials import AccessToken, TokenCredential
from azure.core.pipeline.policies import RetryPolicy
from azure.core.pipeline.transport import RequestsTransport

from cloudaudit.collect.retry import PATIENT, retry_seconds
from cloudaudit.logs import register_secret
from cloudaudit.plugins import Target
from cloudaudit_azure.collect.errors import ReadOnlyRefused

C = TypeVar("C")

PUBLIC_ARM = "https://management.azure.com"
"""The Azure Resource Manager root of the public cloud."""
TIMEOUT = 30
"""Seconds a single request may wait for an answer."""
RETRIES = 4
"""Retries of one call (429 honouring Retry-After, 5xx, broken connections), by the SDK's policy, when the
retry budget (``CLOUDAUDIT_RETRY_SECONDS``) is patient; one quick retry otherwise. A ``Retry-After`` is
honoured up to the budget's share of one attempt."""


class StaticToken:
    """A bearer token obtained elsewhere (``--access-token``): handed out as is, never refreshed."""

    def __init__(self, token: str) -> None:
        register_secret(token)
        self._token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """The token, valid for an hour from now as far as the pipeline knows (ARM will say if not)."""
        return AccessToken(self._token, int(time.time()) + 3600)


class TenantCredential:
    """A credential asked for tokens of one tenant (``--tenant``)."""

    def __init__(self, inner: TokenCredential, tenant: str) -> None:
        self._inner, self._tenant = inner, tenant

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """A token of the tenant."""
        return self._inner.get_token(*scopes, **{**kwargs, "tenant_id": self._tenant})


class GetOnlyTransport(RequestsTransport):  # type: ignore[misc]
    """azure-core's requests transport, refusing every method but GET before anything is sent."""

    def send(self, request: Any, **kwargs: Any) -> Any:
        """Send a GET; raise ReadOnlyRefused for anything else."""
        if str(request.method).upper() != "GET":
            raise ReadOnlyRefused(
                f"cloudaudit makes read requests only and did not send {request.method} "
                f"{str(request.url).split('?', 1)[0]}"
                + (" (a resource provider registration)" if "/register" in str(request.url) else "")
            )
        return super().send(request, **kwargs)


_DEFAULTS: dict[str, TokenCredential] = {}
"""The DefaultAzureCredential of each tenant ("": the default one), shared by every target of the process."""
_DEFAULTS_LOCK = threading.Lock()


def credential_for(target: Target) -> TokenCredential:
    """The target's credential: its access token, else DefaultAzureCredential (for its tenant), one per
    tenant for the whole process: the subscriptions of a run share its token cache (an Azure CLI
    login is asked for a token once, not once per subscription)."""
    token = target.setting("access_token")
    if token:
        return StaticToken(token)
    tenant = target.setting("tenant") or ""
    with _DEFAULTS_LOCK:
        if tenant not in _DEFAULTS:
            _DEFAULTS[tenant] = _default_credential(tenant)
        return _DEFAULTS[tenant]


def _default_credential(tenant: str) -> TokenCredential:
    from azure.identity import DefaultAzureCredential  # imported only when no token is given

    default = DefaultAzureCredential(
        exclude_interactive_browser_credential=True,
        additionally_allowed_tenants=[tenant] if tenant else [],
    )
    return TenantCredential(default, tenant) if tenant else default


class BoundedRetry(RetryPolicy[Any, Any]):
    """azure-core's retry policy, except that a ``Retry-After`` is waited at most ``longest`` seconds
    (a service asking for an hour would otherwise stall the audit for an hour per call)."""

    def __init__(self, longest: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.longest = longest

    def get_retry_after(self, response: Any) -> float | None:
        """The service's ``Retry-After``, capped."""
        asked = super().get_retry_after(response)
        return None if asked is None else min(float(asked), self.longest)


def _retries() -> dict[str, Any]:
    budget = retry_seconds()
    patient = budget >= PATIENT
    total = RETRIES if patient else 1
    policy = BoundedRetry(
        budget / (total + 1), retry_total=total, retry_backoff_factor=0.8 if patient else 0.1
    )
    return {"retry_policy": policy}


class AzureSession:
    """The credential, the endpoint and the management clients of one target, shared by its threads."""

    def __init__(self, target: Target, max_workers: int, credential: TokenCredential | None = None) -> None:
        self.target = target
        self.endpoint = (target.setting("endpoint_url") or PUBLIC_ARM).rstrip("/")
        self.credential = credential or credential_for(target)
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(10, max_workers))
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        verify: bool | str = target.setting("ca_bundle") or True  # True: requests' REQUESTS_CA_BUNDLE
        self.transport = GetOnlyTransport(
            session=session, session_owner=False, connection_timeout=TIMEOUT, connection_verify=verify
        )
        self._session = session
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    @property
    def scopes(self) -> list[str]:
        """The token scope of the endpoint's Resource Manager."""
        return [f"{self.endpoint}/.default"]

    def options(self) -> dict[str, Any]:
        """Keyword arguments every management client of this session is built with."""
        return {
            "base_url": self.endpoint,
            "credential_scopes": self.scopes,
            "transport": self.transport,
            **_retries(),
            "read_timeout": TIMEOUT,
        }

    def client(self, kind: type[C], subscription: str = "") -> C:
        """A management client of ``kind`` for ``subscription`` (built once, shared by the threads)."""
        key = (f"{kind.__module__}.{kind.__qualname__}", subscription)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                args: tuple[Any, ...] = (
                    (self.credential, subscription) if subscription else (self.credential,)
                )
                found = self._clients[key] = kind(*args, **self.options())
            return found

    def close(self) -> None:
        """Drop the clients and close the shared connections."""
        with self._lock:
            self._clients.clear()
        self._session.close()
