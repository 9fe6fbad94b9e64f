"""Upload to ``s3://BUCKET/PREFIX`` with boto3: private objects, encrypted at rest (SSE-S3, or SSE-KMS with
``--upload-kms-key``), with their content type. Credentials, region and endpoint are boto3's own
(``AWS_PROFILE``, ``AWS_ENDPOINT_URL``...)."""

from __future__ import annotations

from pathlib import Path

import boto3

from cloudaudit.deliver.content import content_type
from cloudaudit.deliver.destination import Destination
from cloudaudit.deliver.upload import Send


def sender(destination: Destination) -> Send:
    """Each file put with ``upload_file`` (multipart when large); no ACL is set: objects stay private."""
    s3 = boto3.client("s3")
    encryption = {"ServerSideEncryption": "AES256"}
    if destination.kms_key:
        encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": destination.kms_key}

    def send(path: Path, name: str) -> None:
        extra = {"ContentType": content_type(path), **encryption}
        s3.upload_file(str(path), destination.bucket, name, ExtraArgs=extra)

    return send
