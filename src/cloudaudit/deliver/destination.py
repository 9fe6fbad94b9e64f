"""``--upload URI``: parsed and checked before any API call.

Accepted forms (see the README):

- ``s3://BUCKET/PREFIX``
- ``gs://BUCKET/PREFIX``
- ``https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX`` (and the sovereign clouds' blob hosts), or
  ``azure+https://HOST/ACCOUNT/CONTAINER/PREFIX`` for an emulator or a private endpoint
  (``azure+http://`` only to a loopback address)
- ``file:///PATH`` (a local directory)
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import SplitResult, urlsplit, urlunsplit

from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.install import install_hint
from cloudaudit.terminal import printable

FORMS = (
    "s3://BUCKET/PREFIX, gs://BUCKET/PREFIX, https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX "
    "or file:///DIRECTORY"
)
_BLOB_HOST = re.compile(
    r"^([a-z0-9]{3,24})\.blob\.core\.(?:windows\.net|usgovcloudapi\.net|chinacloudapi\.cn)$", re.IGNORECASE
)
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$")
_SDK = {
    "s3": ("boto3", "aws"),
    "gs": ("google.cloud.storage", "gcp"),
    "azure": ("azure.storage.blob", "azure"),
}
"""The SDK module each scheme needs, and the extra that installs it."""


@dataclass(frozen=True)
class Destination:
    """Where the report files are copied: ``scheme`` s3, gs, azure or file."""

    scheme: str
    bucket: str
    """The S3 / Cloud Storage bucket or Azure container ('' for a local directory)."""
    prefix: str
    """Prepended to each file's name: empty, or ending with ``/``."""
    account_url: str = ""
    """Azure: the storage account's blob endpoint (``https://ACCOUNT.blob.core.windows.net``)."""
    account: str = ""
    """Azure: the storage account's name."""
    directory: Path | None = None
    """file: the local directory."""
    kms_key: str | None = None
    """S3: the KMS key objects are encrypted with (SSE-KMS); None: SSE-S3 (AES256)."""

    def key(self, name: str) -> str:
        """The object name of the file called ``name``."""
        return self.prefix + name

    @property
    def uri(self) -> str:
        """The destination as users write it (no credentials: none are ever part of it)."""
        if self.scheme == "file":
            return f"file://{self.directory}/"
        if self.scheme == "azure":
            host = urlsplit(self.account_url).hostname or ""
            marker = "" if _BLOB_HOST.match(host) else "azure+"  # an emulator or private endpoint
            return f"{marker}{self.account_url}/{self.bucket}/{self.prefix}"
        return f"{self.scheme}://{self.bucket}/{self.prefix}"


def parse_destination(uri: str, kms_key: str | None = None) -> Destination:
    """The destination ``uri`` names; a UsageError (exit 2) naming the accepted forms otherwise, and a
    MissingDependencyError when the SDK it needs is not installed."""
    parts = urlsplit(uri.strip())
    host = parts.hostname or "" if parts.username or parts.password else parts.netloc
    # shown without its query or user info: they may hold a secret
    shown = printable(urlunsplit((parts.scheme, host, parts.path, "", "")), limit=120)
    if parts.query or parts.fragment or parts.username or parts.password:
        raise UsageError(
            f"--upload {shown}: no query, fragment or credentials in the URI "
            "(credentials come from the SDK's own configuration)"
        )
    scheme = parts.scheme.lower()
    if scheme in ("s3", "gs"):
        destination = _bucket(scheme, parts, shown)
    elif scheme == "file":
        destination = _directory(parts, shown)
    elif scheme in ("https", "azure+https", "azure+http"):
        destination = _azure(scheme, parts, shown)
    else:
        raise UsageError(f"--upload {shown}: not a destination cloudaudit knows; use {FORMS}")
    if kms_key and destination.scheme != "s3":
        raise UsageError("--upload-kms-key applies to s3:// destinations only")
    _require_sdk(destination.scheme)
    return replace(destination, kms_key=kms_key or None)


def _prefix(path: str, shown: str) -> str:
    segments = [s for s in path.split("/") if s]
    if any(s in (".", "..") for s in segments):
        raise UsageError(f"--upload {shown}: '.' and '..' are not allowed in the prefix")
    return "".join(f"{s}/" for s in segments)


def _bucket(scheme: str, parts: SplitResult, shown: str) -> Destination:
    if not _BUCKET.match(parts.netloc):
        raise UsageError(f"--upload {shown}: {parts.netloc!r} is not a bucket name")
    return Destination(scheme, parts.netloc, _prefix(parts.path, shown))


def _directory(parts: SplitResult, shown: str) -> Destination:
    if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise UsageError(f"--upload {shown}: a local directory is file:///ABSOLUTE/PATH")
    return Destination("file", "", "", directory=Path(parts.path))


def _azure(scheme: str, parts: SplitResult, shown: str) -> Destination:
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    matched = _BLOB_HOST.match(host)
    if scheme == "https" and not matched:
        raise UsageError(
            f"--upload {shown}: an https:// destination is an Azure blob container "
            f"(https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX); use {FORMS}"
        )
    if scheme == "azure+http" and not is_loopback(host):
        raise UsageError(f"--upload {shown}: azure+http:// is for a local emulator only; use https")
    real = "http" if scheme == "azure+http" else "https"
    if matched:  # ACCOUNT.blob.core...: the account is the host's first label
        account, account_url = matched.group(1), f"{real}://{parts.netloc}"
    elif segments:  # an emulator or private endpoint, path-style: HOST/ACCOUNT/CONTAINER/PREFIX
        account = segments.pop(0)
        account_url = f"{real}://{parts.netloc}/{account}"
    else:
        raise UsageError(f"--upload {shown}: name the storage account: {scheme}://HOST/ACCOUNT/CONTAINER")
    if not segments:
        raise UsageError(f"--upload {shown}: name the blob container: .../CONTAINER/PREFIX")
    container = segments.pop(0)
    prefix = _prefix("/".join(segments), shown)
    return Destination("azure", container, prefix, account_url=account_url, account=account)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (where plain http is acceptable)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_sdk(scheme: str) -> None:
    if scheme not in _SDK:
        return
    module, extra = _SDK[scheme]
    try:
        found = find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package (google.cloud) is missing
        found = False
    if not found:
        raise MissingDependencyError(
            f"uploading to {scheme}:// needs {module}; install it with: {install_hint(extra)}"
        )
