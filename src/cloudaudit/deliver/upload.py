"""Copy a run's report files to a :class:`~cloudaudit.deliver.destination.Destination`, each scheme with
its provider's SDK (imported only when used).

The files are the user's reports going to the user's own storage: they are written private (no public
ACL, no anonymous access is ever asked for), with their content type, and on S3 encrypted at rest.
A failure is one line naming the file and the cause; the local reports stay where they were written.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from cloudaudit.deliver.destination import Destination
from cloudaudit.errors import CloudauditError
from cloudaudit.logs import redact
from cloudaudit.terminal import printable

Send = Callable[[Path, str], None]
"""Store one local file under one object name."""

SENDERS = {
    "s3": "cloudaudit.deliver.s3_upload",
    "gs": "cloudaudit.deliver.gcs_upload",
    "azure": "cloudaudit.deliver.azure_upload",
    "file": "cloudaudit.deliver.local_upload",
}
"""Scheme -> module whose ``sender(destination)`` returns the :data:`Send` of that destination."""


class UploadError(CloudauditError):
    """The reports could not all be uploaded (exit 3 once everything else is done)."""


def upload(destination: Destination, files: Sequence[Path]) -> list[str]:
    """Copy ``files`` to ``destination`` under its prefix; the object names written, in order."""
    module = importlib.import_module(SENDERS[destination.scheme])
    try:
        send: Send = module.sender(destination)
    except CloudauditError as exc:  # e.g. an unsafe local directory
        raise UploadError(f"upload to {destination.uri} failed: {exc.message}") from exc
    except Exception as exc:  # the SDK's client could not be made: credentials, configuration
        raise UploadError(f"upload to {destination.uri} failed: {describe(exc)}") from exc
    written = []
    for path in files:
        name = destination.key(path.name)
        try:
            send(path, name)
        except CloudauditError as exc:
            raise UploadError(f"upload of {path.name} to {destination.uri} failed: {exc.message}") from exc
        except Exception as exc:  # whatever the SDK raises becomes one line
            raise UploadError(f"upload of {path.name} to {destination.uri} failed: {describe(exc)}") from exc
        written.append(name)
    return written


def describe(exc: BaseException) -> str:
    """The cause of an SDK error in a few words: its service error code and message where it has them."""
    for cause in _chain(exc):
        response: Any = getattr(cause, "response", None)
        if isinstance(response, dict) and isinstance(response.get("Error"), dict):  # botocore ClientError
            error = response["Error"]
            return _short(f"{error.get('Code', 'Error')}: {error.get('Message', '')}")
        google = _google_error(cause)
        if google:
            return _short(google)
        code = getattr(cause, "error_code", None)  # azure-core HttpResponseError (a str enum)
        if isinstance(code, str) and code:
            message = str(getattr(cause, "message", "") or getattr(cause, "reason", "") or "")
            return _short(f"{getattr(code, 'value', code)}: {message}")
    return _short(f"{type(exc).__name__}: {exc}")


def _google_error(exc: BaseException) -> str | None:
    """google-api-core's error for an HTTP answer: its status and the JSON API's error message."""
    status, response = getattr(exc, "code", None), getattr(exc, "response", None)
    if not isinstance(status, int) or response is None or not hasattr(response, "json"):
        return None
    try:
        message = response.json()["error"]["message"]
    except Exception:  # not the JSON API's error document
        return None
    return f"{type(exc).__name__} ({status}): {message}"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _short(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else text
    return printable(redact(first), limit=240)
