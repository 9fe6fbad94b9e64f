"""Local fakes of the storage services uploads write to, on 127.0.0.1: the Cloud Storage JSON API's
multipart upload and Azure Blob Storage's Put Blob, enough for the real SDK clients to upload."""

from __future__ import annotations

import email
import email.policy
import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import unquote

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


@dataclass(frozen=True)
class StoredObject:
    """What an upload stored: the bytes, their content type and the metadata the client sent."""

    data: bytes
    content_type: str
    metadata: dict[str, object]


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class _Server:
    """A werkzeug app served on 127.0.0.1 (port 0) in a thread; a context manager."""

    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}
        self.requests: list[str] = []
        self._server: BaseWSGIServer | None = None

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        self.requests.append(f"{request.method} {request.full_path}")
        return self.handle(request)(environ, start_response)

    def __enter__(self) -> _Server:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_Quiet)
        server = self._server
        threading.Thread(target=lambda: server.serve_forever(poll_interval=0.05), daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_port}"


class GcsUploads(_Server):
    """``POST /upload/storage/v1/b/BUCKET/o?uploadType=multipart`` into existing ``buckets``."""

    def __init__(self, buckets: Iterable[str]) -> None:
        super().__init__()
        self.buckets = set(buckets)

    def handle(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        if request.method != "POST" or parts[:4] != ["upload", "storage", "v1", "b"] or parts[5:] != ["o"]:
            return _json(404, {"error": {"code": 404, "message": f"Not Found: {request.path}"}})
        if request.args.get("uploadType") != "multipart":
            return _json(400, {"error": {"code": 400, "message": "the fake takes multipart uploads only"}})
        bucket = parts[4]
        if bucket not in self.buckets:
            return _json(404, {"error": {"code": 404, "message": "The specified bucket does not exist."}})
        head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
        message = email.message_from_bytes(head + request.get_data(), policy=email.policy.compat32)
        meta_part, data_part = message.get_payload()
        metadata = json.loads(meta_part.get_payload(decode=True))
        data = data_part.get_payload(decode=True)
        name = str(metadata["name"])
        content_type = str(metadata.get("contentType") or data_part["Content-Type"])
        self.objects[f"{bucket}/{name}"] = StoredObject(data, content_type, metadata)
        resource = {
            "kind": "storage#object",
            "bucket": bucket,
            "name": name,
            "id": f"{bucket}/{name}/1",
            "generation": "1",
            "metageneration": "1",
            "size": str(len(data)),
            "contentType": content_type,
        }
        return _json(200, resource)


class BlobUploads(_Server):
    """Azure Blob Storage ``Put Blob`` (path-style, as the Azurite emulator: ``/ACCOUNT/CONTAINER/BLOB``)
    into existing containers; a request must carry the SAS signature ``sas_sig`` or a SharedKey
    authorization of ``account``."""

    def __init__(self, account: str, containers: Iterable[str], sas_sig: str) -> None:
        super().__init__()
        self.account = account
        self.containers = set(containers)
        self.sas_sig = sas_sig

    def handle(self, request: Request) -> Response:
        account, _, rest = request.path.lstrip("/").partition("/")
        container, _, blob = rest.partition("/")
        authorized = request.args.get("sig") == unquote(self.sas_sig) or request.headers.get(
            "Authorization", ""
        ).startswith(f"SharedKey {self.account}:")
        if not authorized:
            return _blob_error(403, "AuthenticationFailed", "Server failed to authenticate the request.")
        if request.method != "PUT" or account != self.account or not blob or request.args.get("comp"):
            return _blob_error(400, "UnsupportedHttpVerb", "The fake takes Put Blob only.")
        if container not in self.containers:
            return _blob_error(404, "ContainerNotFound", "The specified container does not exist.")
        if request.headers.get("x-ms-blob-type") != "BlockBlob":
            return _blob_error(400, "InvalidHeaderValue", "x-ms-blob-type must be BlockBlob.")
        content_type = request.headers.get("x-ms-blob-content-type", "application/octet-stream")
        self.objects[f"{container}/{blob}"] = StoredObject(request.get_data(), content_type, {})
        return Response(
            status=201,
            headers={
                "ETag": f'"0x{uuid.uuid4().hex[:16].upper()}"',
                "Last-Modified": format_datetime(datetime.now(UTC), usegmt=True),
                "x-ms-request-id": str(uuid.uuid4()),
                "x-ms-version": request.headers.get("x-ms-version", "2025-01-05"),
                "x-ms-request-server-encrypted": "true",
            },
        )


def _json(status: int, body: object) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _blob_error(status: int, code: str, message: str) -> Response:
    body = f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code><Message>{message}</Message>'
    body += "</Error>"
    return Response(body, status=status, content_type="application/xml", headers={"x-ms-error-code": code})
