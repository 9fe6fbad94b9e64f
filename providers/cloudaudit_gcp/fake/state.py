"""The typed in-memory project the fake serves, and how each resource renders in the real JSON shape.

Field names and nesting follow the discovery documents bundled with google-api-python-client
(``storage.v1``, ``compute.v1``, ``sqladmin.v1``, ``apigateway.v1``); int64 values are JSON strings,
as the real APIs send them. ``tests/test_gcp_fake.py`` checks every emitted field against those schemas.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
COMPUTE_ROOT = "https://www.googleapis.com/compute/v1"
CREATED = "2026-01-15T10:00:00.000-08:00"
CREATED_UTC = "2026-01-15T18:00:00.000Z"


def numeric_id(*parts: str) -> str:
    """A stable numeric id (a string, as int64/uint64 travel in JSON) derived from the resource's path."""
    return str(zlib.crc32("/".join(parts).encode()) * 100_003 + 1_000_000_000)


def _compact(body: JSON) -> JSON:
    """Drop unset fields: the real APIs omit them rather than sending null or empty lists."""
    return {key: value for key, value in body.items() if value is not None and value != [] and value != {}}


# ---------------------------------------------------------------- Cloud Storage


@dataclass
class AclEntry:
    """One legacy ACL grant (bucket ACL or default object ACL)."""

    entity: str  # allUsers, allAuthenticatedUsers, user-a@example.com, project-owners-123...
    role: str  # READER, WRITER, OWNER


@dataclass
class Binding:
    """One IAM binding: a role and its members."""

    role: str
    members: list[str]


@dataclass
class Bucket:
    """A Cloud Storage bucket and the settings cloudaudit reads."""

    name: str
    location: str = "US"
    labels: dict[str, str] = field(default_factory=dict)
    iam: list[Binding] = field(default_factory=list)
    acl: list[AclEntry] = field(default_factory=list)
    default_object_acl: list[AclEntry] = field(default_factory=list)
    uniform_access: bool = True
    public_access_prevention: str = "inherited"  # or "enforced"
    retention_seconds: int | None = None
    versioning: bool = False
    log_bucket: str | None = None
    cors_origins: list[str] = field(default_factory=list)
    website_main_page: str | None = None
    website_not_found_page: str | None = None

    def acl_resource(self, entry: AclEntry, kind: str) -> JSON:
        """A ``BucketAccessControl`` (kind ``storage#bucketAccessControl``) or ``ObjectAccessControl``."""
        return {
            "kind": kind,
            "id": f"{self.name}/{entry.entity}",
            "bucket": self.name,
            "entity": entry.entity,
            "role": entry.role,
            "etag": "CAE=",
        }

    def acl_list(self, default_object: bool) -> JSON:
        """``BucketAccessControls`` / ``ObjectAccessControls``."""
        if default_object:
            items = [self.acl_resource(e, "storage#objectAccessControl") for e in self.default_object_acl]
            return {"kind": "storage#objectAccessControls", "items": items}
        items = [self.acl_resource(e, "storage#bucketAccessControl") for e in self.acl]
        return {"kind": "storage#bucketAccessControls", "items": items}

    def policy(self) -> JSON:
        """``Policy`` as ``buckets.getIamPolicy`` returns it."""
        bindings = [{"role": b.role, "members": list(b.members)} for b in self.iam]
        return {
            "kind": "storage#policy",
            "resourceId": f"projects/_/buckets/{self.name}",
            "version": 1,
            "etag": "CAE=",
            "bindings": bindings,
        }

    def resource(self, project: FakeProject, full: bool) -> JSON:
        """``Bucket``; ``full`` (projection=full) adds the ACLs when uniform access is off, as GCS does."""
        ubla: JSON = {"enabled": self.uniform_access}
        if self.uniform_access:
            ubla["lockedTime"] = "2026-04-15T18:00:00.000Z"
        body: JSON = {
            "kind": "storage#bucket",
            "id": self.name,
            "selfLink": f"https://www.googleapis.com/storage/v1/b/{self.name}",
            "projectNumber": project.number,
            "name": self.name,
            "timeCreated": CREATED_UTC,
            "updated": CREATED_UTC,
            "metageneration": "1",
            "location": self.location,
            "locationType": "multi-region" if self.location in {"US", "EU", "ASIA"} else "region",
            "storageClass": "STANDARD",
            "etag": "CAE=",
            "labels": dict(self.labels),
            "iamConfiguration": {
                "bucketPolicyOnly": dict(ubla),
                "uniformBucketLevelAccess": ubla,
                "publicAccessPrevention": self.public_access_prevention,
            },
            "versioning": {"enabled": self.versioning},
            "rpo": "DEFAULT",
        }
        if self.retention_seconds is not None:
            body["retentionPolicy"] = {
                "retentionPeriod": str(self.retention_seconds),
                "effectiveTime": CREATED_UTC,
            }
        if self.log_bucket:
            body["logging"] = {"logBucket": self.log_bucket, "logObjectPrefix": self.name}
        if self.cors_origins:
            body["cors"] = [
                {
                    "origin": list(self.cors_origins),
                    "method": ["GET"],
                    "responseHeader": ["Content-Type"],
                    "maxAgeSeconds": 3600,
                }
            ]
        if self.website_main_page or self.website_not_found_page:
            body["website"] = _compact(
                {"mainPageSuffix": self.website_main_page, "notFoundPage": self.website_not_found_page}
            )
        if full and not self.uniform_access:
            body["acl"] = self.acl_list(default_object=False)["items"]
            body["defaultObjectAcl"] = self.acl_list(default_object=True)["items"]
        body["owner"] = {"entity": f"project-owners-{project.number}"}
        return _compact(body)


# ---------------------------------------------------------------- Compute Engine


@dataclass
class Network:
    """A VPC network."""

    name: str
    auto_create_subnetworks: bool = True

    def resource(self, project: FakeProject) -> JSON:
        """``Network``."""
        return {
            "kind": "compute#network",
            "id": numeric_id(project.id, "networks", self.name),
            "creationTimestamp": CREATED,
            "name": self.name,
            "selfLink": project.network_url(self.name),
            "autoCreateSubnetworks": self.auto_create_subnetworks,
            "routingConfig": {"routingMode": "REGIONAL"},
            "networkFirewallPolicyEnforcementOrder": "AFTER_CLASSIC_FIREWALL",
        }


@dataclass
class PortRule:
    """An ``allowed``/``denied`` entry: a protocol and optional ports ("22", "8000-8080")."""

    protocol: str
    ports: list[str] = field(default_factory=list)

    def resource(self) -> JSON:
        """``{"IPProtocol": ..., "ports": [...]}``."""
        return _compact({"IPProtocol": self.protocol, "ports": list(self.ports)})


@dataclass
class Firewall:
    """A VPC firewall rule."""

    name: str
    network: str = "default"
    direction: str = "INGRESS"
    priority: int = 1000
    allowed: list[PortRule] = field(default_factory=list)
    denied: list[PortRule] = field(default_factory=list)
    source_ranges: list[str] = field(default_factory=list)
    destination_ranges: list[str] = field(default_factory=list)
    source_tags: list[str] = field(default_factory=list)
    target_tags: list[str] = field(default_factory=list)
    target_service_accounts: list[str] = field(default_factory=list)
    disabled: bool = False
    logging: bool = False
    description: str = ""

    def resource(self, project: FakeProject) -> JSON:
        """``Firewall``."""
        return _compact(
            {
                "kind": "compute#firewall",
                "id": numeric_id(project.id, "firewalls", self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "description": self.description,
                "network": project.network_url(self.network),
                "priority": self.priority,
                "direction": self.direction,
                "sourceRanges": list(self.source_ranges),
                "destinationRanges": list(self.destination_ranges),
                "sourceTags": list(self.source_tags),
                "targetTags": list(self.target_tags),
                "targetServiceAccounts": list(self.target_service_accounts),
                "allowed": [rule.resource() for rule in self.allowed],
                "denied": [rule.resource() for rule in self.denied],
                "disabled": self.disabled,
                "logConfig": {"enable": self.logging},
                "selfLink": f"{project.compute_url}/global/firewalls/{self.name}",
            }
        )


@dataclass
class Interface:
    """A network interface; ``nat_ip`` set means an external (ONE_TO_ONE_NAT) address."""

    network: str = "default"
    network_ip: str = "10.128.0.2"
    nat_ip: str | None = None
    external_ipv6: str | None = None


@dataclass
class Instance:
    """A VM instance in a zone."""

    name: str
    zone: str
    interfaces: list[Interface] = field(default_factory=lambda: [Interface()])
    tags: list[str] = field(default_factory=list)
    service_accounts: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    status: str = "RUNNING"

    @property
    def region(self) -> str:
        """The zone's region (``us-central1-a`` -> ``us-central1``)."""
        return self.zone.rsplit("-", 1)[0]

    def _interface(self, project: FakeProject, index: int, nic: Interface) -> JSON:
        body: JSON = {
            "kind": "compute#networkInterface",
            "name": f"nic{index}",
            "network": project.network_url(nic.network),
            "subnetwork": f"{project.compute_url}/regions/{self.region}/subnetworks/{nic.network}",
            "networkIP": nic.network_ip,
            "stackType": "IPV4_IPV6" if nic.external_ipv6 else "IPV4_ONLY",
            "fingerprint": "abcdefghijk=",
        }
        if nic.nat_ip:
            body["accessConfigs"] = [
                {
                    "kind": "compute#accessConfig",
                    "type": "ONE_TO_ONE_NAT",
                    "name": "External NAT",
                    "natIP": nic.nat_ip,
                    "networkTier": "PREMIUM",
                }
            ]
        if nic.external_ipv6:
            body["ipv6AccessConfigs"] = [
                {
                    "kind": "compute#accessConfig",
                    "type": "DIRECT_IPV6",
                    "name": "external-ipv6",
                    "externalIpv6": nic.external_ipv6,
                    "externalIpv6PrefixLength": 96,
                    "networkTier": "PREMIUM",
                }
            ]
        return body

    def resource(self, project: FakeProject) -> JSON:
        """``Instance``."""
        zone_url = f"{project.compute_url}/zones/{self.zone}"
        return _compact(
            {
                "kind": "compute#instance",
                "id": numeric_id(project.id, "instances", self.zone, self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "tags": {"items": list(self.tags), "fingerprint": "42WmSpB8rSM="},
                "machineType": f"{zone_url}/machineTypes/e2-medium",
                "status": self.status,
                "zone": zone_url,
                "canIpForward": False,
                "networkInterfaces": [
                    self._interface(project, i, nic) for i, nic in enumerate(self.interfaces)
                ],
                "serviceAccounts": [
                    {"email": email, "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}
                    for email in self.service_accounts
                ],
                "labels": dict(self.labels),
                "selfLink": f"{zone_url}/instances/{self.name}",
                "deletionProtection": False,
            }
        )


@dataclass
class ForwardingRule:
    """A regional forwarding rule (load balancer front end or protocol forwarding)."""

    name: str
    region: str
    ip_address: str
    protocol: str = "TCP"
    port_range: str | None = "80-80"
    ports: list[str] = field(default_factory=list)
    scheme: str = "EXTERNAL"
    target: str = "targetPools/web-pool"

    def resource(self, project: FakeProject) -> JSON:
        """``ForwardingRule``."""
        region_url = f"{project.compute_url}/regions/{self.region}"
        return _compact(
            {
                "kind": "compute#forwardingRule",
                "id": numeric_id(project.id, "forwardingRules", self.region, self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "region": region_url,
                "IPAddress": self.ip_address,
                "IPProtocol": self.protocol,
                "portRange": self.port_range,
                "ports": list(self.ports),
                "target": f"{region_url}/{self.target}",
                "loadBalancingScheme": self.scheme,
                "networkTier": "PREMIUM",
                "selfLink": f"{region_url}/forwardingRules/{self.name}",
                "fingerprint": "abcdefghijk=",
            }
        )


@dataclass
class Address:
    """A reserved regional address; ``users`` are the self links of the resources using it."""

    name: str
    region: str
    address: str
    address_type: str = "EXTERNAL"
    users: list[str] = field(default_factory=list)

    def resource(self, project: FakeProject) -> JSON:
        """``Address``."""
        region_url = f"{project.compute_url}/regions/{self.region}"
        return _compact(
            {
                "kind": "compute#address",
                "id": numeric_id(project.id, "addresses", self.region, self.name),
                "creationTimestamp": CREATED,
                "name": self.name,
                "address": self.address,
                "addressType": self.address_type,
                "status": "IN_USE" if self.users else "RESERVED",
                "users": list(self.users),
                "region": region_url,
                "networkTier": "PREMIUM" if self.address_type == "EXTERNAL" else None,
                "selfLink": f"{region_url}/addresses/{self.name}",
            }
        )


# ---------------------------------------------------------------- Cloud SQL


@dataclass
class SqlUser:
    """A Cloud SQL user (``host`` is MySQL's; ``%`` means any host)."""

    name: str
    host: str | None = None


@dataclass
class SqlInstance:
    """A Cloud SQL instance."""

    name: str
    database_version: str = "POSTGRES_15"
    region: str = "us-central1"
    public_ip: str | None = None
    private_ip: str | None = None
    authorized_networks: dict[str, str] = field(default_factory=dict)  # name -> CIDR
    ssl_mode: str = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"
    require_ssl: bool = False
    flags: dict[str, str] = field(default_factory=dict)
    backups: bool = True
    users: list[SqlUser] = field(default_factory=list)

    def resource(self, project: FakeProject) -> JSON:
        """``DatabaseInstance``."""
        addresses = [
            {"type": kind, "ipAddress": ip}
            for kind, ip in (("PRIMARY", self.public_ip), ("PRIVATE", self.private_ip))
            if ip
        ]
        ip_configuration = _compact(
            {
                "ipv4Enabled": self.public_ip is not None,
                "requireSsl": self.require_ssl,
                "sslMode": self.ssl_mode,
                "authorizedNetworks": [
                    {"kind": "sql#aclEntry", "name": name, "value": cidr}
                    for name, cidr in self.authorized_networks.items()
                ],
                "privateNetwork": project.network_url("default") if self.private_ip else None,
            }
        )
        backup: JSON = {"kind": "sql#backupConfiguration", "enabled": self.backups}
        if self.backups:
            backup |= {
                "startTime": "03:00",
                "pointInTimeRecoveryEnabled": True,
                "transactionLogRetentionDays": 7,
            }
        settings = _compact(
            {
                "kind": "sql#settings",
                "tier": "db-custom-2-7680",
                "settingsVersion": "3",
                "activationPolicy": "ALWAYS",
                "availabilityType": "ZONAL",
                "pricingPlan": "PER_USE",
                "dataDiskType": "PD_SSD",
                "dataDiskSizeGb": "10",
                "ipConfiguration": ip_configuration,
                "databaseFlags": [{"name": name, "value": value} for name, value in self.flags.items()],
                "backupConfiguration": backup,
                "locationPreference": {"kind": "sql#locationPreference", "zone": f"{self.region}-a"},
            }
        )
        return _compact(
            {
                "kind": "sql#instance",
                "name": self.name,
                "project": project.id,
                "connectionName": f"{project.id}:{self.region}:{self.name}",
                "databaseVersion": self.database_version,
                "region": self.region,
                "gceZone": f"{self.region}-a",
                "state": "RUNNABLE",
                "backendType": "SECOND_GEN",
                "instanceType": "CLOUD_SQL_INSTANCE",
                "ipAddresses": addresses,
                "settings": settings,
                "createTime": CREATED_UTC,
                "etag": "d7b6a1f0",
                "selfLink": f"https://sqladmin.googleapis.com/v1/projects/{project.id}/instances/{self.name}",
            }
        )

    def user_resource(self, project: FakeProject, user: SqlUser) -> JSON:
        """``User``."""
        return _compact(
            {
                "kind": "sql#user",
                "name": user.name,
                "host": user.host,
                "instance": self.name,
                "project": project.id,
                "etag": "",
                "type": "BUILT_IN",
            }
        )


# ---------------------------------------------------------------- API Gateway


@dataclass
class ApiConfig:
    """An API config; ``documents`` maps a file path to its OpenAPI text (JSON or YAML)."""

    name: str
    documents: dict[str, str] = field(default_factory=dict)


@dataclass
class Api:
    """An API (global) and its configs."""

    name: str
    configs: list[ApiConfig] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Gateway:
    """A gateway in a region serving one API config (``api``/``config`` names)."""

    name: str
    region: str
    api: str
    config: str
    labels: dict[str, str] = field(default_factory=dict)


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
    sql_instances: list[SqlInstance] = field(default_factory=list)
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
        return _compact(
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
        return _compact(
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
