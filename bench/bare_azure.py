"""The floor: the azure-mgmt clients reading what cloudaudit's Azure collectors read, nothing more.

    python bench/bare_azure.py --subscription S --endpoint-url URL --access-token T [--services storage,...]

Storage: ``storageAccounts.list``, then per account ``blobContainers.list`` and
``blobServices.getServiceProperties``. SQL: ``servers.list``, then per server ``firewallRules`` and the
Entra-only setting. PostgreSQL and MySQL flexible servers: the server list, then per server its firewall
rules and two server parameters (``require_secure_transport`` and the engine's TLS parameter). Cosmos DB:
the account list. Every server of the benchmark is Ready, so every parameter is read, as the audit does.
API Management: the services, then per service its APIs, global policy, policy fragments, products (their
APIs and policies), sign-up settings and every API's policy. Network: the five subscription-wide listings
(NSGs, NICs, virtual networks, public IPs, load balancers), side by side in the pool.

One pool of 16 workers and one shared keep-alive connection pool of 16; the SDK's default policies
(retries included), no model, no checks, no reports. The fake's CA comes from ``REQUESTS_CA_BUNDLE``.
Prints what it read and its peak RSS (KiB, ``/proc/self/status`` VmHWM) on stderr. Used by bench_azure.py.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
import requests.adapters
from azure.core.credentials import AccessToken
from azure.core.pipeline.transport import RequestsTransport

WORKERS = 16
SERVICES = ("storage", "sql", "postgresql", "mysql", "cosmosdb", "apimanagement", "network")
PARAMETERS = {"postgresql": "ssl_min_protocol_version", "mysql": "tls_version"}


class Token:
    """A static bearer token."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


def _group_and_name(resource_id: str) -> tuple[str, str]:
    parts = resource_id.split("/")
    return parts[parts.index("resourceGroups") + 1], parts[-1]


class Floor:
    """The clients of one subscription and the reads, each a plain function run in the pool."""

    def __init__(self, subscription: str, endpoint: str, token: str) -> None:
        self.subscription = subscription
        session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=WORKERS)
        session.mount("https://", adapter)
        transport = RequestsTransport(session=session, session_owner=False)
        self.options = {
            "base_url": endpoint.rstrip("/"),
            "credential_scopes": [f"{endpoint.rstrip('/')}/.default"],
            "transport": transport,
        }
        self.credential = Token(token)

    def client(self, kind: Any) -> Any:
        return kind(self.credential, self.subscription, **self.options)

    def storage(self, pool: ThreadPoolExecutor) -> dict[str, int]:
        from azure.mgmt.storage import StorageManagementClient

        client = self.client(StorageManagementClient)
        accounts = list(client.storage_accounts.list())

        def details(account: Any) -> int:
            group, name = _group_and_name(account.id)
            containers = list(client.blob_containers.list(group, name))
            client.blob_services.get_service_properties(group, name)
            return len(containers)

        return {"storage accounts": len(accounts), "containers": sum(pool.map(details, accounts))}

    def sql(self, pool: ThreadPoolExecutor) -> dict[str, int]:
        from azure.mgmt.sql import SqlManagementClient

        client = self.client(SqlManagementClient)
        servers = list(client.servers.list())

        def details(server: Any) -> int:
            group, name = _group_and_name(server.id)
            rules = list(client.firewall_rules.list_by_server(group, name))
            list(client.server_azure_ad_only_authentications.list_by_server(group, name))
            return len(rules)

        return {"sql servers": len(servers), "sql firewall rules": sum(pool.map(details, servers))}

    def flexible(self, engine: str, pool: ThreadPoolExecutor) -> dict[str, int]:
        client: Any
        if engine == "postgresql":
            from azure.mgmt.postgresqlflexibleservers import PostgreSQLManagementClient

            client = self.client(PostgreSQLManagementClient)
            servers = list(client.servers.list_by_subscription())
        else:
            from azure.mgmt.mysqlflexibleservers import MySQLManagementClient

            client = self.client(MySQLManagementClient)
            servers = list(client.servers.list())

        def details(server: Any) -> int:
            group, name = _group_and_name(server.id)
            rules = list(client.firewall_rules.list_by_server(group, name))
            for parameter in ("require_secure_transport", PARAMETERS[engine]):
                client.configurations.get(group, name, parameter)
            return len(rules)

        return {
            f"{engine} servers": len(servers),
            f"{engine} firewall rules": sum(pool.map(details, servers)),
        }

    def cosmosdb(self, pool: ThreadPoolExecutor) -> dict[str, int]:
        from azure.mgmt.cosmosdb import CosmosDBManagementClient

        return {"cosmos accounts": len(list(self.client(CosmosDBManagementClient).database_accounts.list()))}

    def apimanagement(self, pool: ThreadPoolExecutor) -> dict[str, int]:
        from azure.core.exceptions import ResourceNotFoundError
        from azure.mgmt.apimanagement import ApiManagementClient

        client = self.client(ApiManagementClient)
        services = list(client.api_management_service.list())

        def optional(call: Callable[[], Any]) -> None:
            with contextlib.suppress(ResourceNotFoundError):  # no policy at that scope
                call()

        def details(service: Any) -> int:
            group, name = _group_and_name(service.id)
            apis = list(client.api.list_by_service(group, name))
            optional(lambda: client.policy.get(group, name, "policy", format="xml"))
            list(client.policy_fragment.list_by_service(group, name))
            products = list(client.product.list_by_service(group, name))
            if service.developer_portal_url or service.portal_url:
                optional(lambda: client.sign_up_settings.get(group, name))
            for product in products:
                list(client.product_api.list_by_product(group, name, product.name))
                optional(
                    lambda p=product: client.product_policy.get(group, name, p.name, "policy", format="xml")
                )
            for api in apis:
                optional(lambda a=api: client.api_policy.get(group, name, a.name, "policy", format="xml"))
            return len(apis)

        return {"apim services": len(services), "apim apis": sum(pool.map(details, services))}

    def network(self, pool: ThreadPoolExecutor) -> dict[str, int]:
        from azure.mgmt.network import NetworkManagementClient

        client = self.client(NetworkManagementClient)
        listings = {
            "nsgs": client.network_security_groups,
            "nics": client.network_interfaces,
            "virtual networks": client.virtual_networks,
            "public ips": client.public_ip_addresses,
            "load balancers": client.load_balancers,
        }
        counts = pool.map(lambda operations: len(list(operations.list_all())), listings.values())
        return dict(zip(listings, counts, strict=True))


def read(floor: Floor, services: Iterable[str]) -> dict[str, int]:
    """Read the subscription, then the services, each in its own thread (their detail reads share the pool
    of 16)."""
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    SubscriptionClient(floor.credential, **floor.options).subscriptions.get(floor.subscription)
    readers: dict[str, Callable[[ThreadPoolExecutor], dict[str, int]]] = {
        "storage": floor.storage,
        "sql": floor.sql,
        "postgresql": lambda pool: floor.flexible("postgresql", pool),
        "mysql": lambda pool: floor.flexible("mysql", pool),
        "cosmosdb": floor.cosmosdb,
        "apimanagement": floor.apimanagement,
        "network": floor.network,
    }
    found: dict[str, int] = {}
    with ThreadPoolExecutor(WORKERS) as pool, ThreadPoolExecutor(len(readers)) as services_pool:
        for counts in services_pool.map(lambda name: readers[name](pool), list(services)):
            found.update(counts)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscription", required=True)
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--access-token", required=True)
    parser.add_argument("--services", default=",".join(SERVICES))
    args = parser.parse_args()
    services = [s for s in args.services.split(",") if s]
    found = read(Floor(args.subscription, args.endpoint_url, args.access_token), services)
    print("floor read: " + ", ".join(f"{n} {k}" for k, n in found.items()), file=sys.stderr)
    with open("/proc/self/status") as status:
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM"))
    print(f"peak_rss_kib={hwm}", file=sys.stderr)


if __name__ == "__main__":
    main()
