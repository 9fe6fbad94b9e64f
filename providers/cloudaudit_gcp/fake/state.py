"""The typed in-memory project the fake serves, and how each resource renders in the real JSON shape.

Field names and nesting follow the discovery documents bundled with google-api-python-client
(``storage.v1``, ``compute.v1``, ``sqladmin.v1``, ``apigateway.v1``, ``cloudresourcemanager.v3``);
int64 values are JSON strings, as the real APIs send them. ``tests/providers/gcp/test_gcp_fake.py``
checks every emitted field against those schemas.
The resources live in ``model_<api>.py``; this module holds the project and re-exports them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from cloudaudit_gcp.fake.model_apigateway import Api, ApiConfig, Gateway
from cloudaudit_gcp.fake.model_compute import (
    Address,
    Firewall,
    ForwardingRule,
    Instance,
    Interface,
    Network,
    PortRule,
)
from cloudaudit_gcp.fake.model_resourcemanager import ACTIVE, FakeFolder
from cloudaudit_gcp.fake.model_sql import SqlInstance, SqlUser
from cloudaudit_gcp.fake.model_storage import AclEntry, Binding, Bucket
from cloudaudit_gcp.fake.shapes import CREATED, CREATED_UTC, JSON, compact, numeric_id

__all__ = [
    "AclEntry",
    "Address",
    "Api",
    "ApiConfig",
    "Binding",
    "Bucket",
    "FakeFolder",
    "FakeProject",
    "Firewall",
    "ForwardingRule",
    "Gateway",
    "Instance",
    "Interface",
    "Network",
    "PortRule",
    "SqlInstance",
    "SqlUser",
    "sample_project",
]

COMPUTE_ROOT = "https://www.googleapis.com/compute/v1"

# ---------------------------------------------------------------- the project


DEFAULT_REGIONS: dict[str, list[str]] = {
    "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c"],
    "europe-west1": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
}


@dataclass
class FakeProject:
    """Everything the fake knows about one project."""

    id: str
    number: str = "123456789012"
    regions: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_REGIONS))
    buckets: list[Bucket] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)
    firewalls: list[Firewall] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)
    forwarding_rules: list[ForwardingRule] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    """Scopes (``zones/us-central1-b``, ``regions/europe-west1``) Compute's aggregated lists cannot read:
    with ``returnPartialSuccess=true`` an ``UNREACHABLE`` warning there (and in ``unreachables``),
    without it a 503 for the whole listing."""
    sql_instances: list[SqlInstance] = field(default_factory=list)
    parent: str = ""
    """Where Resource Manager lists it: ``organizations/N`` or ``folders/N`` (empty: under none served)."""
    state: str = ACTIVE
    """``ACTIVE`` or ``DELETE_REQUESTED`` (listed only with ``showDeleted=true``)."""
    apis: list[Api] = field(default_factory=list)
    gateways: list[Gateway] = field(default_factory=list)

    @property
    def compute_url(self) -> str:
        """The project's Compute self-link prefix."""
        return f"{COMPUTE_ROOT}/projects/{self.id}"

    def network_url(self, network: str) -> str:
        """A network's self link."""
        return f"{self.compute_url}/global/networks/{network}"

    def zones(self) -> list[str]:
        """Every zone of every region, in order."""
        return [zone for zones in self.regions.values() for zone in zones]

    def region_resource(self, region: str) -> JSON:
        """``Region``."""
        return {
            "kind": "compute#region",
            "id": numeric_id("regions", region),
            "creationTimestamp": CREATED,
            "name": region,
            "description": region,
            "status": "UP",
            "zones": [f"{self.compute_url}/zones/{zone}" for zone in self.regions[region]],
            "selfLink": f"{self.compute_url}/regions/{region}",
        }

    # API Gateway names are full resource names.
    def api_name(self, api: Api) -> str:
        """``projects/{p}/locations/global/apis/{api}``."""
        return self.api_name_of(api.name)

    def api_name_of(self, api: str) -> str:
        """The full resource name of the API called ``api``."""
        return f"projects/{self.id}/locations/global/apis/{api}"

    def api_resource(self, api: Api) -> JSON:
        """``ApigatewayApi``."""
        return compact(
            {
                "name": self.api_name(api),
                "displayName": api.name,
                "managedService": f"{api.name}-0abc123def456.apigateway.{self.id}.cloud.goog",
                "state": "ACTIVE",
                "createTime": CREATED_UTC,
                "updateTime": CREATED_UTC,
                "labels": dict(api.labels),
            }
        )

    def config_resource(self, api: Api, config: ApiConfig, full: bool) -> JSON:
        """``ApigatewayApiConfig``; the OpenAPI documents only with ``view=FULL``, as the real API."""
        body: JSON = {
            "name": f"{self.api_name(api)}/configs/{config.name}",
            "displayName": config.name,
            "state": "ACTIVE",
            "serviceConfigId": f"{config.name}-0abc123def456",
            "gatewayServiceAccount": f"projects/-/serviceAccounts/gateway@{self.id}.iam.gserviceaccount.com",
            "createTime": CREATED_UTC,
            "updateTime": CREATED_UTC,
        }
        if full:
            body["openapiDocuments"] = [
                {"document": {"path": path, "contents": base64.b64encode(text.encode()).decode()}}
                for path, text in config.documents.items()
            ]
        return body

    def gateway_resource(self, gateway: Gateway) -> JSON:
        """``ApigatewayGateway``."""
        suffix = {"us-central1": "uc", "europe-west1": "ew"}.get(gateway.region, "xx")
        return compact(
            {
                "name": f"projects/{self.id}/locations/{gateway.region}/gateways/{gateway.name}",
                "displayName": gateway.name,
                "apiConfig": f"{self.api_name_of(gateway.api)}/configs/{gateway.config}",
                "state": "ACTIVE",
                "defaultHostname": f"{gateway.name}-{numeric_id(gateway.name)[:8]}.{suffix}.gateway.dev",
                "createTime": CREATED_UTC,
                "updateTime": CREATED_UTC,
                "labels": dict(gateway.labels),
            }
        )


def sample_project(project_id: str = "demo-project") -> FakeProject:
    """A small project with a good and a bad example of every kind (the demo and the tests seed this)."""
    from cloudaudit_gcp.fake.sample import build_sample

    return build_sample(project_id)
