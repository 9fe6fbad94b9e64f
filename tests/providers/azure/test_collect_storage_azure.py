"""The Storage collector's pure half: SDK models as ARM JSON, and ARM JSON as assets."""

from __future__ import annotations

from typing import Any

from azure.mgmt.storage.models import StorageAccount as SdkAccount
from msrest.serialization import Model

from azure_run import SUBSCRIPTION
from cloudaudit.collect.guard import Failed
from cloudaudit_azure.collect.sdk_json import rest_json
from cloudaudit_azure.collect.storage import to_account
from cloudaudit_azure.fake.model_storage import (
    UNSET,
    account_id,
    blob_service,
    container,
    storage_account,
)

RID = account_id(SUBSCRIPTION, "rg", "stold")


class Endpoints(Model):  # type: ignore[misc]
    """The msrest shape of azure-mgmt-storage before 25 (read-only endpoints)."""

    _validation = {"blob": {"readonly": True}}
    _attribute_map = {"blob": {"key": "blob", "type": "str"}}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.blob: str | None = None


class MsrestAccount(Model):  # type: ignore[misc]
    """A storage account as an msrest model: flattened ``properties.*`` keys, read-only fields."""

    _validation = {"id": {"readonly": True}, "primary_endpoints": {"readonly": True}}
    _attribute_map = {
        "id": {"key": "id", "type": "str"},
        "allow_blob_public_access": {"key": "properties.allowBlobPublicAccess", "type": "bool"},
        "primary_endpoints": {"key": "properties.primaryEndpoints", "type": "Endpoints"},
    }

    def __init__(self, *, allow_blob_public_access: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.id: str | None = None
        self.allow_blob_public_access = allow_blob_public_access
        self.primary_endpoints: Endpoints | None = None


def test_models_of_either_sdk_generation_become_the_arm_json_they_came_from() -> None:
    raw = {
        "id": RID,
        "properties": {"allowBlobPublicAccess": False, "primaryEndpoints": {"blob": "https://stold.blob/"}},
    }
    assert rest_json(MsrestAccount.deserialize(raw)) == raw  # read-only fields kept, REST names
    typed = SdkAccount(storage_account(SUBSCRIPTION, "rg", "stnew"))
    assert rest_json(typed)["properties"]["supportsHttpsTrafficOnly"] is True


def test_unset_settings_keep_their_documented_meaning() -> None:
    raw = storage_account(
        SUBSCRIPTION, "rg", "stold",
        allow_blob_public_access=UNSET, minimum_tls_version=UNSET, https_only=UNSET,
        allow_shared_key_access=UNSET, public_network_access=UNSET, default_action="Allow",
    )  # fmt: skip
    del raw["properties"]["networkAcls"]
    found = to_account(SUBSCRIPTION, raw, {"containers": [], "blob": blob_service(RID)})
    assert (found.allow_blob_public_access, found.blob_public_access_allowed) == (None, True)
    assert (found.allow_shared_key_access, found.shared_key_allowed) == (None, True)
    assert (found.minimum_tls_version, found.modern_tls) == ("", False)
    assert found.https_only is True  # the service default since 2019-04-01
    assert (found.public_network_access, found.network_default_action) == ("", "Allow")
    assert found.open_to_all_networks and found.resource_group == "rg"
    assert {e.host for e in found.endpoints} == {
        "stold.blob.core.windows.net",
        "stold.z13.web.core.windows.net",
    }


def test_details_become_containers_settings_or_unread_fields() -> None:
    raw = storage_account(SUBSCRIPTION, "rg", "stold", default_action="Deny")
    read = {
        "containers": [container(RID, "site", "Container"), container(RID, "logs")],
        "blob": blob_service(RID, soft_delete_days=30, container_soft_delete_days=None, versioning=None),
    }
    found = to_account(SUBSCRIPTION, raw, read)
    assert [(c.name, c.public_access) for c in found.containers] == [("site", "Container"), ("logs", "None")]
    assert (found.blob_soft_delete_days, found.container_soft_delete_days, found.versioning) == (
        30,
        None,
        False,
    )
    assert found.endpoints == () and found.unread == {}  # firewall Deny without IP rules: not reachable
    denied = Failed("AuthorizationFailed", "no")
    failed = to_account(SUBSCRIPTION, raw, {"containers": denied, "blob": denied})
    assert failed.unread == {
        "containers": "AuthorizationFailed on blobContainers.list",
        "blob_soft_delete_days": "AuthorizationFailed on blobServices.getServiceProperties",
        "container_soft_delete_days": "AuthorizationFailed on blobServices.getServiceProperties",
        "versioning": "AuthorizationFailed on blobServices.getServiceProperties",
    }
