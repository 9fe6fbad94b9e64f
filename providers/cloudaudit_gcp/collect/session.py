"""Credentials, project and API clients of one GCP target (read-only reads, bounded retries).

Credentials, in order: ``--access-token`` (a bearer token obtained elsewhere, never refreshed),
``--credentials FILE`` (a service-account key or any google-auth credentials file), else
application-default credentials. ``--endpoint-url`` is the one API root every client of the run
uses; ``STORAGE_EMULATOR_HOST`` keeps working for Cloud Storage (the client honours it itself).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import google.auth
import httplib2
import requests.adapters
from google.api_core import exceptions as api_core
from google.api_core.retry import Retry, if_exception_type
from google.auth import credentials as auth_credentials
from google.auth import exceptions as auth
from google.auth.transport.requests import Request
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials as TokenCredentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient import discovery, discovery_cache
from googleapiclient.http import HttpRequest

from cloudaudit.collect.retry import PATIENT, retry_seconds
from cloudaudit.errors import CredentialsError, EndpointError, UsageError
from cloudaudit.inputs import Limits, load_json
from cloudaudit.logs import register_secret
from cloudaudit.plugins import Target

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
"""OAuth scope of every call; the custom role (deploy/gcp-audit-role.yaml) is what limits it to reads."""
TIMEOUT = 30.0
"""Seconds a single request may take."""
RETRYABLE = (
    api_core.TooManyRequests,
    api_core.InternalServerError,
    api_core.BadGateway,
    api_core.ServiceUnavailable,
    api_core.GatewayTimeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    auth.TransportError,
)


CREDENTIALS_FILE = Limits(max_bytes=64 * 2**10)
"""A key file is a few kilobytes."""

C = TypeVar("C")


class GcpSession:
    """Clients of one project, built on first use and shared by the collection threads."""

    def __init__(self, target: Target, max_workers: int) -> None:
        self.endpoint = (target.setting("endpoint_url") or "").rstrip("/") or None
        self.max_workers = max_workers
        self.credentials, adc_project = credentials_of(target)
        self.project = target.id or os.environ.get("GOOGLE_CLOUD_PROJECT") or adc_project or ""
        if not self.project:
            raise UsageError(
                "no GCP project to audit: pass --project PROJECT_ID (or set GOOGLE_CLOUD_PROJECT, "
                "or 'gcloud config set project' for application-default credentials)"
            )
        budget = retry_seconds()
        self.retry = Retry(predicate=if_exception_type(*RETRYABLE), initial=0.5, maximum=16.0, timeout=budget)
        """The retry of every google-cloud-storage call."""
        self.num_retries = discovery_retries()
        """Retries of a discovery-client call."""
        self._clients: dict[str, Any] = {}
        self._resources: list[Any] = []
        """Every discovery resource built, the intermediate ones too (emptied by :meth:`close`)."""
        self._lock = threading.RLock()  # a collection builds its client under the same lock
        self._http = threading.local()

    # ------------------------------------------------------------------ identity

    def identify(self) -> str:
        """The project id; the credentials are checked first (a clear CloudauditError when they fail)."""
        creds = self.credentials
        if isinstance(creds, TokenCredentials | auth_credentials.AnonymousCredentials):
            return self.project
        try:
            creds.refresh(Request())
        except auth.RefreshError as exc:
            raise CredentialsError(
                f"the GCP credentials were refused ({_first_line(exc)}): run 'gcloud auth "
                "application-default login', or pass --credentials FILE or --access-token"
            ) from exc
        except auth.TransportError as exc:
            raise EndpointError(
                f"cannot reach Google's token endpoint ({_first_line(exc)}): check the network or proxy"
            ) from exc
        return self.project

    # ------------------------------------------------------------------ clients

    def storage(self) -> Any:
        """The Cloud Storage client (JSON API)."""
        return self._cached("storage", self._storage)

    def discovery(self, api: str, version: str) -> Any:
        """A discovery client (``sqladmin v1``, ``compute v1``...) from the bundled documents, built once
        per project and shared by the collection threads (Compute's document alone takes ~15 MB)."""

        def build() -> Any:
            client, _ = discovery_client(api, version, self.credentials, self.endpoint)
            self._resources.append(client)
            return client

        return self._cached(f"{api}/{version}", build)

    def collection(self, api: str, version: str, *path: str) -> Any:
        """A resource of a discovery client, built once: ``collection("compute", "v1", "firewalls")``.

        Building a resource writes into the shared discovery document (googleapiclient adds the common
        parameters to each of its methods), so it happens under the session's lock; the requests made
        from the resource only read it, and each thread executes them on its own connection.
        """

        def build() -> Any:
            resource = self.discovery(api, version)
            for name in path:
                resource = getattr(resource, name)()
                self._resources.append(resource)
            return resource

        return self._cached("/".join((api, version, *path)), build)

    def execute(self, request: HttpRequest) -> Any:
        """Run a discovery request on this thread's own HTTP connection (httplib2 is not thread-safe)."""
        http = getattr(self._http, "value", None)
        if http is None:
            http = authorized_http(self.credentials)
            self._http.value = http
        return request.execute(http=http, num_retries=self.num_retries)

    def _storage(self) -> Any:
        from google.cloud import storage  # imported where Cloud Storage is read only (~3 MB of modules)

        options = {"api_endpoint": self.endpoint} if self.endpoint else None
        client = storage.Client(project=self.project, credentials=self.credentials, client_options=options)
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(10, self.max_workers))
        client._http.mount("https://", adapter)  # one connection per worker, not urllib3's 10
        client._http.mount("http://", adapter)
        # google-cloud-storage 3.x fills a tracing cache with one background buckets.get (a new thread
        # each) per bucket a call names: a read of a permission the audit role lacks, doubling requests.
        client._bucket_metadata_cache = None
        return client

    def _cached(self, key: str, build: Callable[[], C]) -> C:
        with self._lock:
            if key not in self._clients:
                self._clients[key] = build()
            return self._clients[key]  # type: ignore[no-any-return]

    def close(self) -> None:
        """Drop the clients and break their reference cycles. A discovery resource refers to itself
        (its methods are bound to it) and to its API's discovery document (Compute Engine's: ~12 MB),
        which only a full collection would then free, and a full collection over a large inventory costs
        a quarter of a second: with every resource's attributes cleared, the documents go now, by
        reference counting."""
        with self._lock:
            self._clients.clear()
            resources, self._resources = self._resources, []
        for resource in resources:
            resource.__dict__.clear()


def discovery_retries() -> int:
    """Retries of a discovery-client call: 5 (random exponential sleeps, up to a minute) when the retry
    budget (``CLOUDAUDIT_RETRY_SECONDS``) is patient, else 1."""
    return 5 if retry_seconds() >= PATIENT else 1


def discovery_client(
    api: str, version: str, credentials: auth_credentials.Credentials, endpoint: str | None
) -> tuple[Any, dict[str, Any]]:
    """A discovery client of ``api`` ``version`` built from the document google-api-python-client
    bundles (no request to the discovery service), and that document."""
    document = json.loads(discovery_cache.get_static_doc(api, version) or "null")
    if not isinstance(document, dict):
        raise RuntimeError(f"google-api-python-client bundles no {api} {version} document")
    client = discovery.build_from_document(
        document,
        credentials=credentials,
        client_options={"api_endpoint": api_root(endpoint, document)} if endpoint else None,
    )
    return client, document


def authorized_http(credentials: auth_credentials.Credentials) -> AuthorizedHttp:
    """An HTTP connection sending ``credentials`` (one per thread: httplib2 is not thread-safe)."""
    return AuthorizedHttp(credentials, http=httplib2.Http(timeout=int(TIMEOUT)))


def api_root(endpoint: str, document: dict[str, Any]) -> str:
    """The base URL of a discovery client under ``--endpoint-url``: the endpoint, then the API's service
    path as its document defines it (``compute/v1/``; Cloud SQL Admin and API Gateway have none)."""
    return f"{endpoint.rstrip('/')}/{str(document.get('servicePath') or '').lstrip('/')}"


def credentials_of(target: Target) -> tuple[auth_credentials.Credentials, str | None]:
    """The target's credentials and the project they name (None when they name none)."""
    token = target.setting("access_token")
    if token:
        register_secret(token)
        return TokenCredentials(token), None
    path = target.setting("credentials")
    if path:
        return _from_file(Path(path))
    try:
        creds, project = google.auth.default(scopes=SCOPES)
    except auth.DefaultCredentialsError as exc:
        raise CredentialsError(
            f"no usable GCP credentials (application-default): {_first_line(exc)}; run 'gcloud auth "
            "application-default login', or pass --credentials FILE or --access-token"
        ) from exc
    return creds, project


def _from_file(path: Path) -> tuple[auth_credentials.Credentials, str | None]:
    """A service-account key or an authorized-user file, loaded by its declared type only.

    Other types (external accounts run commands or call URLs named in the file) are refused here:
    use them through application-default credentials, where the user chose them.
    """
    info = load_json(path, "credentials file", CREDENTIALS_FILE)
    kind = info.get("type") if isinstance(info, dict) else None
    try:
        if kind == "service_account":
            creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            return creds, info.get("project_id")
        if kind == "authorized_user":
            user = TokenCredentials.from_authorized_user_info(info, scopes=SCOPES)
            return user, info.get("quota_project_id")
    except (ValueError, KeyError) as exc:
        raise UsageError(f"credentials file {path}: not a usable {kind} key ({_first_line(exc)})") from None
    raise UsageError(
        f"credentials file {path}: type {kind!r} is not supported by --credentials (service_account or "
        "authorized_user); use it through GOOGLE_APPLICATION_CREDENTIALS instead"
    )


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
