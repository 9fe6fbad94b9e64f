"""The floor: the official Google clients reading what cloudaudit's GCP collectors read, nothing more.

    python bench/bare_google_gcp.py --project P --endpoint-url URL --access-token T [--services storage,...]

Cloud Storage (google-cloud-storage): ``buckets.list`` with ``projection=full``, one ``getIamPolicy``
per bucket. Compute Engine, Cloud SQL and API Gateway (google-api-python-client, static discovery, one
httplib2 ``Http`` per thread since httplib2 is not thread-safe): ``firewalls.list``, ``networks.list``,
``globalForwardingRules.list``, ``globalAddresses.list`` and the aggregated ``instances``,
``forwardingRules`` and ``addresses`` (``returnPartialSuccess=true``), all with ``maxResults=500``;
``instances.list`` and ``users.list`` per running MySQL instance (the users the audit reads);
``gateways.list`` over every location and ``configs.get(view=FULL)`` per distinct served config.

One pool of 16 workers, no retries beyond the clients' defaults, no model, no checks, no reports; only
the clients of the services read are imported, and google-cloud-storage's background ``buckets.get``
per bucket (a tracing cache) is turned off.
Prints what it read and its peak RSS (KiB, ``/proc/self/status`` VmHWM) on stderr. Used by bench_gcp.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from typing import Any
from urllib.parse import urlencode

import requests.adapters
from google.cloud import storage
from google.oauth2.credentials import Credentials

WORKERS = 16
SERVICES = ("storage", "compute", "sql", "apigateway")
TIMEOUT = 30
PAGE_SIZE = 500


class Floor:
    """The clients of one project and the reads, each a plain function run in the pool."""

    def __init__(self, project: str, endpoint: str, token: str) -> None:
        self.project = project
        self.endpoint = endpoint.rstrip("/")
        self.creds = Credentials(token)
        self.gcs = storage.Client(
            project=project, credentials=self.creds, client_options={"api_endpoint": self.endpoint}
        )
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=WORKERS)  # urllib3 keeps 10 otherwise
        self.gcs._http.mount("http://", adapter)
        self.gcs._http.mount("https://", adapter)
        # google-cloud-storage >= 3.x fills a tracing cache of bucket locations with one background
        # buckets.get (in a new thread) per bucket a call names; the floor does not make that read.
        self.gcs._bucket_metadata_cache = None
        self._local = threading.local()
        self._discovery: dict[str, Any] = {}
        self._collections: dict[str, Any] = {}

    # ---------------------------------------------------------------- clients

    def api(self, name: str) -> Any:
        """A discovery client from the bundled document (built once, before the pool starts), its base
        URL the endpoint plus the API's service path (``compute/v1/``)."""
        from googleapiclient import discovery, discovery_cache

        if name not in self._discovery:
            document = json.loads(discovery_cache.get_static_doc(name, "v1"))
            self._discovery[name] = discovery.build_from_document(
                document,
                credentials=self.creds,
                client_options={"api_endpoint": f"{self.endpoint}/{document.get('servicePath', '')}"},
            )
        return self._discovery[name]

    def collection(self, resource: str) -> Any:
        """A Compute Engine resource (``firewalls``), built before the pool starts: building one writes
        into the shared discovery document."""
        if resource not in self._collections:
            self._collections[resource] = getattr(self.api("compute"), resource)()
        return self._collections[resource]

    def execute(self, request: Any) -> Any:
        """A discovery request on this thread's own httplib2 connection."""
        import httplib2
        from google_auth_httplib2 import AuthorizedHttp

        http = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = AuthorizedHttp(self.creds, http=httplib2.Http(timeout=TIMEOUT))
        return request.execute(http=http)

    def pages(self, collection: Any, request: Any, key: str) -> list[Any]:
        """Every item of a discovery listing, page after page."""
        items: list[Any] = []
        while request is not None:
            response = self.execute(request)
            items.extend(response.get(key, []))
            request = collection.list_next(request, response)
        return items

    # ---------------------------------------------------------------- reads

    def buckets(self) -> list[dict[str, Any]]:
        """Every bucket's resource (``projection=full``)."""
        return [dict(b._properties) for b in self.gcs.list_buckets(projection="full")]

    def bucket_iam(self, name: str) -> dict[str, Any]:
        """One bucket's IAM policy (version 3, as the audit asks)."""
        policy: dict[str, Any] = (
            self.gcs.bucket(name).get_iam_policy(requested_policy_version=3).to_api_repr()
        )
        return policy

    def listing(self, resource: str, aggregated: bool) -> list[Any]:
        """A Compute Engine list (global), or aggregated list (every zone or region, with partial
        success: the parameter is the API's though the v1 document does not declare it), every page."""
        collection = self.collection(resource)
        if not aggregated:
            return self.pages(
                collection, collection.list(project=self.project, maxResults=PAGE_SIZE), "items"
            )
        request = collection.aggregatedList(project=self.project, maxResults=PAGE_SIZE)
        request.uri += "&" + urlencode({"returnPartialSuccess": "true"})
        items: list[Any] = []
        while request is not None:
            response = self.execute(request)
            items.extend(i for scoped in response.get("items", {}).values() for i in scoped.get(resource, []))
            request = collection.aggregatedList_next(request, response)
        return items

    def sql_instances(self) -> list[dict[str, Any]]:
        """Every Cloud SQL instance."""
        instances = self.api("sqladmin").instances()
        return self.pages(instances, instances.list(project=self.project), "items")

    def sql_users(self, instance: str) -> list[dict[str, Any]]:
        """One instance's users (a single page: users.list does not page)."""
        request = self.api("sqladmin").users().list(project=self.project, instance=instance)
        users: list[dict[str, Any]] = self.execute(request).get("items", [])
        return users

    def gateways(self) -> list[dict[str, Any]]:
        """Every API gateway of every location."""
        gateways = self.api("apigateway").projects().locations().gateways()
        parent = f"projects/{self.project}/locations/-"
        return self.pages(gateways, gateways.list(parent=parent), "gateways")

    def config(self, name: str) -> dict[str, Any]:
        """One API config with its OpenAPI documents."""
        configs = self.api("apigateway").projects().locations().apis().configs()
        config: dict[str, Any] = self.execute(configs.get(name=name, view="FULL"))
        return config


def _users_listed(instance: dict[str, Any]) -> bool:
    """Users hold a host only on MySQL, and only a running instance answers ``users.list``."""
    running = instance.get("state", "RUNNABLE") == "RUNNABLE"
    stopped = (instance.get("settings") or {}).get("activationPolicy") == "NEVER"
    return str(instance.get("databaseVersion", "")).startswith("MYSQL") and running and not stopped


COMPUTE = (  # what, the discovery resource, aggregated (every zone or region) or global
    ("firewalls", "firewalls", False),
    ("networks", "networks", False),
    ("instances", "instances", True),
    ("forwarding rules", "forwardingRules", True),
    ("global forwarding rules", "globalForwardingRules", False),
    ("addresses", "addresses", True),
    ("global addresses", "globalAddresses", False),
)


def read(floor: Floor, services: Iterable[str]) -> dict[str, list[Any]]:
    """Every read of ``services`` in one pool: listings first, then each listing's detail calls."""
    wanted = set(services)
    if "compute" in wanted:
        for _, resource, _ in COMPUTE:
            floor.collection(resource)
    if "sql" in wanted:
        floor.api("sqladmin")
    if "apigateway" in wanted:
        floor.api("apigateway")
    results: dict[str, list[Any]] = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        listings: dict[Future[list[Any]], str] = {}
        if "storage" in wanted:
            listings[pool.submit(floor.buckets)] = "buckets"
        if "sql" in wanted:
            listings[pool.submit(floor.sql_instances)] = "sql instances"
        if "apigateway" in wanted:
            listings[pool.submit(floor.gateways)] = "gateways"
        if "compute" in wanted:
            listings.update({pool.submit(floor.listing, r, agg): name for name, r, agg in COMPUTE})
        details: dict[str, list[Future[Any]]] = {}
        for done in as_completed(listings):  # details start as soon as their listing is in
            name, items = listings[done], done.result()
            results[name] = items
            if name == "buckets":
                details["bucket IAM policies"] = [pool.submit(floor.bucket_iam, b["name"]) for b in items]
            elif name == "sql instances":
                mysql = [i for i in items if _users_listed(i)]  # the users the audit reads
                details["sql users"] = [pool.submit(floor.sql_users, i["name"]) for i in mysql]
            elif name == "gateways":
                served = sorted({g["apiConfig"] for g in items if g.get("apiConfig")})
                details["api configs"] = [pool.submit(floor.config, c) for c in served]
        results.update({name: [f.result() for f in futures] for name, futures in details.items()})
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--project", required=True)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--access-token", default="bench")
    parser.add_argument(
        "--services", default=",".join(SERVICES), help=f"comma-separated: {', '.join(SERVICES)}"
    )
    args = parser.parse_args()
    services = [s for s in args.services.split(",") if s]
    unknown = set(services) - set(SERVICES)
    if unknown:
        parser.error(f"unknown services: {', '.join(sorted(unknown))}")

    results = read(Floor(args.project, args.endpoint_url, args.access_token), services)
    print("floor read: " + ", ".join(f"{len(v)} {k}" for k, v in results.items()), file=sys.stderr)
    with open("/proc/self/status") as status:  # VmHWM: peak RSS of this process image only
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak_rss_kib={hwm}", file=sys.stderr)


if __name__ == "__main__":
    main()
