"""Upload to an Azure blob container with azure-storage-blob.

Credentials, first found wins: ``AZURE_STORAGE_SAS_TOKEN`` (a SAS with create/write permission on the
container), ``AZURE_STORAGE_KEY`` (the account key), else ``azure.identity.DefaultAzureCredential`` (a
managed identity, workload identity, ``az login``... with the Storage Blob Data Contributor role).
The container's public access level is never touched.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from azure.storage.blob import ContainerClient, ContentSettings

from cloudaudit.deliver.content import content_type
from cloudaudit.deliver.destination import Destination
from cloudaudit.deliver.upload import Send
from cloudaudit.logs import Redaction, SecretRules, register_rules

SAS_ENV = "AZURE_STORAGE_SAS_TOKEN"
KEY_ENV = "AZURE_STORAGE_KEY"
SECRETS = SecretRules(
    env_vars=(SAS_ENV, KEY_ENV),
    patterns=(Redaction(re.compile(r"([?&]sig=)[^&\s\"']+"), r"\1****"),),  # a SAS signature in a URL
)


def _credential(destination: Destination) -> Any:
    sas = os.environ.get(SAS_ENV, "").strip().lstrip("?")
    if sas:
        return sas
    key = os.environ.get(KEY_ENV, "").strip()
    if key:
        return {"account_name": destination.account, "account_key": key}
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def sender(destination: Destination) -> Send:
    """Each file uploaded as a block blob with its content type (overwriting a blob of the same name)."""
    register_rules(SECRETS)
    client = ContainerClient(
        account_url=destination.account_url,
        container_name=destination.bucket,
        credential=_credential(destination),
    )

    def send(path: Path, name: str) -> None:
        with path.open("rb") as data:
            client.upload_blob(
                name, data, overwrite=True, content_settings=ContentSettings(content_type=content_type(path))
            )

    return send
