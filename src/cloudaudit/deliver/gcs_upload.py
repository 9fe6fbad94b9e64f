"""Upload to ``gs://BUCKET/PREFIX`` with google-cloud-storage and application-default credentials
(``STORAGE_EMULATOR_HOST`` reaches an emulator). No predefined ACL is sent: objects get the bucket's
access control, never a public one from cloudaudit."""

from __future__ import annotations

from pathlib import Path

from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from cloudaudit.collect.retry import retry_seconds
from cloudaudit.deliver.content import content_type
from cloudaudit.deliver.destination import Destination
from cloudaudit.deliver.upload import Send


def sender(destination: Destination) -> Send:
    """Each file uploaded with its content type."""
    client = storage.Client(project=None)  # an upload needs no project: none is looked up
    bucket = client.bucket(destination.bucket)
    retry = DEFAULT_RETRY.with_timeout(retry_seconds())  # 429, 5xx: retried within the run's budget

    def send(path: Path, name: str) -> None:
        bucket.blob(name).upload_from_filename(str(path), content_type=content_type(path), retry=retry)

    return send
