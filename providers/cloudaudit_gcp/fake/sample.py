"""The sample project: a good and a bad example of every resource kind cloudaudit reads."""

from __future__ import annotations

import json

from cloudaudit_gcp.fake.state import (
    AclEntry,
    Address,
    Api,
    ApiConfig,
    Binding,
    Bucket,
    FakeProject,
    Firewall,
    ForwardingRule,
    Gateway,
    Instance,
    Interface,
    Network,
    PortRule,
    SqlInstance,
    SqlUser,
)

OPEN_API = {
    "swagger": "2.0",
    "info": {"title": "orders", "version": "1.0.0"},
    "x-google-backend": {"address": "http://orders.internal.example:8080"},
    "securityDefinitions": {"api_key": {"type": "apiKey", "name": "key", "in": "query"}},
    "paths": {
        "/orders": {
            "get": {"operationId": "listOrders", "security": [{"api_key": []}], "responses": {"200": {}}},
            "post": {"operationId": "createOrder", "responses": {"200": {}}},
        }
    },
}
SECURED_API = """swagger: "2.0"
info: {title: billing, version: 1.0.0}
security: [{api_key: []}]
securityDefinitions: {api_key: {type: apiKey, name: x-api-key, in: header}}
x-google-backend: {address: "https://billing.internal.example"}
paths:
  /invoices:
    get: {operationId: listInvoices, responses: {"200": {description: ok}}}
"""


def _buckets(number: str) -> list[Bucket]:
    return [
        Bucket(
            "public-assets",
            iam=[
                Binding("roles/storage.objectViewer", ["allUsers"]),
                Binding("roles/storage.legacyBucketOwner", [f"projectOwner:{number}"]),
            ],
            cors_origins=["*"],
            website_main_page="index.html",
            website_not_found_page="404.html",
        ),
        Bucket(
            "legacy-uploads",
            uniform_access=False,
            acl=[AclEntry(f"project-owners-{number}", "OWNER"), AclEntry("allUsers", "WRITER")],
            default_object_acl=[AclEntry("allAuthenticatedUsers", "READER")],
        ),
        Bucket(
            "private-logs",
            location="EU",
            iam=[Binding("roles/storage.admin", ["user:admin@example.com"])],
            public_access_prevention="enforced",
            retention_seconds=86_400,
            versioning=True,
            log_bucket="audit-sink",
            labels={"env": "prod"},
        ),
    ]


def _compute(project: FakeProject) -> None:
    project.networks += [Network("default"), Network("prod-vpc", auto_create_subnetworks=False)]
    project.firewalls += [
        Firewall(
            "default-allow-ssh",
            allowed=[PortRule("tcp", ["22"])],
            source_ranges=["0.0.0.0/0"],
            priority=65534,
        ),
        Firewall(
            "default-allow-http",
            allowed=[PortRule("tcp", ["80"])],
            source_ranges=["0.0.0.0/0"],
            target_tags=["http-server"],
        ),
        Firewall(
            "db-open-to-world",
            network="prod-vpc",
            allowed=[PortRule("tcp", ["5432", "6379"])],
            source_ranges=["0.0.0.0/0", "::/0"],
            target_tags=["db"],
            logging=True,
        ),
        Firewall(
            "deny-rdp",
            network="prod-vpc",
            priority=100,
            denied=[PortRule("tcp", ["3389"])],
            source_ranges=["0.0.0.0/0"],
        ),
        Firewall(
            "all-ports-sa",
            network="prod-vpc",
            allowed=[PortRule("all")],
            source_ranges=["0.0.0.0/0"],
            target_service_accounts=[f"worker@{project.id}.iam.gserviceaccount.com"],
            disabled=True,
        ),
        Firewall(
            "internal",
            allowed=[PortRule("all")],
            source_ranges=["10.128.0.0/9"],
            description="<b>internal</b>",
        ),
    ]
    project.instances += [
        Instance("web-1", "us-central1-a", [Interface(nat_ip="192.0.2.10")], tags=["http-server"]),
        Instance(
            "db-1",
            "us-central1-b",
            [Interface("prod-vpc", "10.10.0.3", nat_ip="192.0.2.11", external_ipv6="2001:db8:4000::1")],
            tags=["db"],
            service_accounts=[f"worker@{project.id}.iam.gserviceaccount.com"],
            labels={"team": "data"},
        ),
        Instance("batch-1", "europe-west1-b", [Interface("prod-vpc", "10.20.0.4")], status="TERMINATED"),
    ]
    lb_url = f"{project.compute_url}/regions/us-central1/forwardingRules/web-lb"
    project.forwarding_rules.append(ForwardingRule("web-lb", "us-central1", "192.0.2.20"))
    project.addresses += [
        Address("web-lb-ip", "us-central1", "192.0.2.20", users=[lb_url]),
        Address("spare-ip", "europe-west1", "192.0.2.21"),
    ]
    https_url = f"{project.compute_url}/global/forwardingRules/web-https"
    project.forwarding_rules.append(
        ForwardingRule(
            "web-https",
            "global",
            "192.0.2.40",
            port_range="443-443",
            scheme="EXTERNAL_MANAGED",
            target="targetHttpsProxies/web-https-proxy",
        )
    )
    project.addresses.append(Address("web-global-ip", "global", "192.0.2.40", users=[https_url]))


def _sql() -> list[SqlInstance]:
    return [
        SqlInstance(
            "pg-public",
            public_ip="192.0.2.30",
            authorized_networks={"anyone": "0.0.0.0/0"},
            flags={"log_connections": "off"},
            backups=False,
            users=[SqlUser("postgres")],
        ),
        SqlInstance(
            "mysql-legacy",
            database_version="MYSQL_8_0",
            region="europe-west1",
            public_ip="192.0.2.31",
            flags={"local_infile": "on"},
            users=[SqlUser("root", "%"), SqlUser("app", "10.0.0.%")],
        ),
        SqlInstance(
            "pg-private",
            private_ip="10.50.0.3",
            ssl_mode="TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
            require_ssl=True,
            flags={"cloudsql.enable_pgaudit": "on", "log_connections": "on"},
            users=[SqlUser("postgres")],
            labels={"team": "data"},
        ),
    ]


def build_sample(project_id: str) -> FakeProject:
    """Build the sample project (called by ``state.sample_project``)."""
    project = FakeProject(project_id)
    project.buckets += _buckets(project.number)
    _compute(project)
    project.sql_instances += _sql()
    project.apis += [
        Api(
            "orders", [ApiConfig("orders-v1", {"openapi.json": json.dumps(OPEN_API)})], labels={"env": "prod"}
        ),
        Api("billing", [ApiConfig("billing-v1", {"openapi.yaml": SECURED_API})]),
    ]
    project.gateways += [
        Gateway("orders-gw", "us-central1", "orders", "orders-v1"),
        Gateway("billing-gw", "europe-west1", "billing", "billing-v1"),
    ]
    return project
