"""Cloud SQL resources of the fake: instances and their users."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cloudaudit_gcp.fake.faults import Fault
from cloudaudit_gcp.fake.shapes import CREATED_UTC, JSON, compact

if TYPE_CHECKING:
    from cloudaudit_gcp.fake.state import FakeProject


@dataclass
class SqlUser:
    """A Cloud SQL user (``host`` is MySQL's; ``%`` means any host)."""

    name: str
    host: str | None = None
    type: str = "BUILT_IN"
    """BUILT_IN (password), CLOUD_IAM_USER, CLOUD_IAM_SERVICE_ACCOUNT..."""


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
    state: str = "RUNNABLE"
    activation_policy: str = "ALWAYS"
    """ALWAYS, or NEVER for a stopped instance."""
    instance_type: str = "CLOUD_SQL_INSTANCE"
    labels: dict[str, str] = field(default_factory=dict)
    users_fault: Fault | None = None
    """An error ``users.list`` answers for this instance only (e.g. a 403), every time."""

    def resource(self, project: FakeProject) -> JSON:
        """``DatabaseInstance``."""
        addresses = [
            {"type": kind, "ipAddress": ip}
            for kind, ip in (("PRIMARY", self.public_ip), ("PRIVATE", self.private_ip))
            if ip
        ]
        ip_configuration = compact(
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
        settings = compact(
            {
                "kind": "sql#settings",
                "tier": "db-custom-2-7680",
                "settingsVersion": "3",
                "activationPolicy": self.activation_policy,
                "availabilityType": "ZONAL",
                "pricingPlan": "PER_USE",
                "dataDiskType": "PD_SSD",
                "dataDiskSizeGb": "10",
                "ipConfiguration": ip_configuration,
                "databaseFlags": [{"name": name, "value": value} for name, value in self.flags.items()],
                "backupConfiguration": backup,
                "locationPreference": {"kind": "sql#locationPreference", "zone": f"{self.region}-a"},
                "userLabels": self.labels,
            }
        )
        return compact(
            {
                "kind": "sql#instance",
                "name": self.name,
                "project": project.id,
                "connectionName": f"{project.id}:{self.region}:{self.name}",
                "databaseVersion": self.database_version,
                "region": self.region,
                "gceZone": f"{self.region}-a",
                "state": self.state,
                "backendType": "SECOND_GEN",
                "instanceType": self.instance_type,
                "ipAddresses": addresses,
                "settings": settings,
                "createTime": CREATED_UTC,
                "etag": "d7b6a1f0",
                "selfLink": f"https://sqladmin.googleapis.com/v1/projects/{project.id}/instances/{self.name}",
            }
        )

    def user_resource(self, project: FakeProject, user: SqlUser) -> JSON:
        """``User``."""
        return compact(
            {
                "kind": "sql#user",
                "name": user.name,
                "host": user.host,
                "instance": self.name,
                "project": project.id,
                "etag": "",
                "type": user.type,
            }
        )
