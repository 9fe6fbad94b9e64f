"""OpenAPI documents of an API Gateway config -> typed operations and backends (pure, no I/O).

The documents are untrusted input: their base64 contents are size-checked before decoding, decoded as
strict UTF-8, and parsed by the core's bounded loaders (:mod:`cloudaudit.inputs`: JSON depth-checked,
YAML safe-loaded with nesting and alias expansion bounded). Anything unreadable raises
:class:`OpenApiError`, whose text is the reason the operations are unread.

Security, as API Gateway applies it (OpenAPI 2.0 and 3.x):

* an operation's own ``security`` replaces the top-level one; ``security: []`` removes it;
* a requirement (one object of the list) counts when every definition it names exists and is one
  API Gateway enforces: ``type: apiKey``, or a JWT with an issuer (``x-google-issuer`` in 2.0,
  ``x-google-auth.issuer`` in 3.x: Firebase, Auth0, Google ID tokens...); a name without a definition
  does not count, nor does a definition of another kind (``basic``, OAuth2 without an issuer);
* an empty requirement ``{}`` makes credentials optional, so the operation is not covered;
* ``x-google-allow: all`` passes calls to unlisted paths to the backend without any check: it is
  reported as the operation ``ANY *``.

Backends: ``x-google-backend`` at the top level or per operation (2.0: an object with ``address``;
3.x: the name of a backend of ``x-google-api-management.backends``); the operation's own wins.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cloudaudit.errors import UsageError
from cloudaudit.inputs import Limits, parse_json, parse_yaml
from cloudaudit.terminal import printable
from cloudaudit_gcp.assets_apigateway import ApiBackend, ApiOperation

MAX_DOCUMENT_BYTES = 2**20
"""Decoded size of one document. Safe-loading YAML in Python takes about 10 s per MB: real configs
are tens of KB, and these bounds keep a hostile one to a bounded cost."""
MAX_CONFIG_BYTES = 4 * 2**20
"""Decoded size of all the documents of one config."""
MAX_DOCUMENTS = 50
LIMITS = Limits(max_bytes=MAX_DOCUMENT_BYTES, max_depth=64, max_nodes=1_000_000)
"""Nesting depth, and values once YAML aliases are expanded (a 1 MB document holds a few hundred thousand)."""
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TEXT_LIMIT = 300
"""Longest path, name or address kept from a document."""
_USER_INFO = re.compile(r"^([a-zA-Z][\w+.-]*://)[^/]*@")
ALLOW_ALL = ApiOperation(
    path="*",
    method="ANY",
    problem="x-google-allow: all passes calls to paths the document does not list to the backend "
    "without checking any credential",
)


class OpenApiError(ValueError):
    """A document that cannot be read as OpenAPI; the text says which and why."""


@dataclass(frozen=True)
class ParsedConfig:
    """What the documents of one API config declare."""

    documents: tuple[str, ...]
    operations: tuple[ApiOperation, ...]
    backends: tuple[ApiBackend, ...]

    @property
    def methods(self) -> tuple[str, ...]:
        """The HTTP methods the config serves (``ANY`` with ``x-google-allow: all``)."""
        return tuple(sorted({op.method for op in self.operations}))


@dataclass(frozen=True)
class Scheme:
    """A security definition: an API key, a JWT issuer, or something API Gateway does not enforce."""

    name: str
    problem: str = ""
    query_key: str = ""
    """The query parameter of an API key sent in the query string."""


@dataclass(frozen=True)
class Coverage:
    """How the security requirements in force treat one operation."""

    requirements: tuple[str, ...] = ()
    problem: str = ""
    query_keys: tuple[str, ...] = ()

    @property
    def secured(self) -> bool:
        return bool(self.requirements) and not self.problem


# ---------------------------------------------------------------- reading


def parse_config(documents: object) -> ParsedConfig:
    """The operations and backends of a config's ``openapiDocuments`` ([{"document": {path, contents}}])."""
    if not isinstance(documents, list):
        raise OpenApiError("openapiDocuments is not a list")
    if len(documents) > MAX_DOCUMENTS:
        raise OpenApiError(f"more than {MAX_DOCUMENTS} OpenAPI documents")
    if sum(_encoded_size(entry) for entry in documents) > _base64_size(MAX_CONFIG_BYTES):
        raise OpenApiError(f"the OpenAPI documents total more than {MAX_CONFIG_BYTES // 2**20} MB")
    names: list[str] = []
    operations: list[ApiOperation] = []
    for index, entry in enumerate(documents):
        file = _mapping(entry.get("document")) if isinstance(entry, Mapping) else {}
        name = _text(file.get("path") or f"document {index + 1}")
        names.append(name)
        operations.extend(document_operations(name, load_document(name, file.get("contents"))))
    return ParsedConfig(tuple(names), tuple(operations), _backends(operations))


def load_document(name: str, contents: object) -> Mapping[str, Any]:
    """One document's base64 ``contents`` decoded and parsed (JSON, else YAML) within :data:`LIMITS`."""
    shown = printable(name, 80)
    text = _decode(shown, contents)
    source = Path(shown)  # only named in messages: never opened
    try:
        if text.lstrip().startswith("{"):
            try:
                data = parse_json(text, source, "OpenAPI document", LIMITS)
            except UsageError:
                if shown.lower().endswith(".json"):
                    raise
                data, _ = parse_yaml(text, source, "OpenAPI document", LIMITS)
        else:
            data, _ = parse_yaml(text, source, "OpenAPI document", LIMITS)
    except UsageError as exc:
        raise OpenApiError(str(exc)) from None
    if not isinstance(data, Mapping):
        raise OpenApiError(f"OpenAPI document {shown} is not an object")
    return data


def _base64_size(size: int) -> int:
    """Characters of ``size`` bytes in base64 (padding and a little slack included)."""
    return (size + 2) // 3 * 4 + 4


def _encoded_size(entry: object) -> int:
    file = _mapping(entry.get("document")) if isinstance(entry, Mapping) else {}
    contents = file.get("contents")
    return len(contents) if isinstance(contents, str) else 0


def _decode(shown: str, contents: object) -> str:
    if not isinstance(contents, str) or not contents:
        raise OpenApiError(f"OpenAPI document {shown} has no contents")
    if len(contents) > _base64_size(MAX_DOCUMENT_BYTES):  # refused before decoding
        raise OpenApiError(f"OpenAPI document {shown} is larger than {MAX_DOCUMENT_BYTES // 2**20} MB")
    padded = contents.replace("-", "+").replace("_", "/") + "=" * (-len(contents) % 4)  # URL-safe too
    try:
        data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        raise OpenApiError(f"OpenAPI document {shown}: contents are not base64") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OpenApiError(f"OpenAPI document {shown} is not UTF-8 text (byte offset {exc.start})") from None


# ---------------------------------------------------------------- operations


def document_operations(name: str, doc: Mapping[str, Any]) -> list[ApiOperation]:
    """Every operation of one parsed document, with its coverage and backend."""
    version = str(doc.get("openapi") or doc.get("swagger") or "")
    v3 = version.startswith("3")
    if not v3 and version not in ("2.0", "2"):
        raise OpenApiError(f"OpenAPI document {printable(name, 80)}: not OpenAPI 2.0 or 3.x (no version)")
    schemes = _schemes(doc, v3)
    backends = _named_backends(doc)
    top_backend = _backend_address(doc.get("x-google-backend"), backends)
    top_security = doc.get("security")
    out = []
    for path, item in _mapping(doc.get("paths")).items():
        for method, op in _operations(item):
            coverage = _coverage(op, top_security, schemes)
            out.append(
                ApiOperation(
                    path=_text(path),
                    method=method.upper(),
                    document=name,
                    secured=coverage.secured,
                    requirements=coverage.requirements,
                    problem=coverage.problem,
                    query_api_keys=coverage.query_keys,
                    backend=_backend_address(op.get("x-google-backend"), backends) or top_backend,
                )
            )
    if str(doc.get("x-google-allow", "")).lower() == "all":
        out.append(ALLOW_ALL.model_copy(update={"document": name, "backend": top_backend}))
    return out


def _operations(item: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for key, op in _mapping(item).items():
        if str(key).lower() in METHODS and isinstance(op, Mapping):
            yield str(key).lower(), op


def _schemes(doc: Mapping[str, Any], v3: bool) -> dict[str, Scheme]:
    raw = (
        _mapping(_mapping(doc.get("components")).get("securitySchemes"))
        if v3
        else doc.get("securityDefinitions")
    )
    return {_text(name): _scheme(_text(name), spec) for name, spec in _mapping(raw).items()}


def _scheme(name: str, spec: object) -> Scheme:
    if not isinstance(spec, Mapping):
        return Scheme(name, "is not an object")
    kind = str(spec.get("type", ""))
    if kind == "apiKey":
        where = str(spec.get("in", "")).lower()
        return Scheme(name, query_key=_text(spec.get("name", "")) if where == "query" else "")
    issuer = spec.get("x-google-issuer") or _mapping(spec.get("x-google-auth")).get("issuer")
    if isinstance(issuer, str) and issuer.strip():
        return Scheme(name)
    return Scheme(
        name, f"is of type {printable(kind or 'unset', 40)} without an issuer: API Gateway ignores it"
    )


def _coverage(op: Mapping[str, Any], top: object, schemes: Mapping[str, Scheme]) -> Coverage:
    """Whether the requirements in force on ``op`` make API Gateway check credentials."""
    own = "security" in op
    requirements = op.get("security") if own else top
    if requirements is None:
        return Coverage(problem="no security requirement")
    if not isinstance(requirements, list):
        return Coverage(problem="security is not a list of requirements")
    if not requirements:
        overridden = own and isinstance(top, list) and bool(top)
        return Coverage(
            problem="security: [] on the operation removes the API-wide requirement"
            if overridden
            else "security: [] (no requirement)"
        )
    counted: list[str] = []
    keys: list[str] = []
    problems: list[str] = []
    for requirement in requirements:
        if not isinstance(requirement, Mapping):
            problems.append("a requirement is not an object")
            continue
        if not requirement:
            return Coverage(problem="an empty requirement {} lets callers in without credentials")
        names = [_text(n) for n in requirement]
        undefined = [n for n in names if n not in schemes]
        ignored = [f"{n} {schemes[n].problem}" for n in names if n in schemes and schemes[n].problem]
        if undefined:
            problems.append(f"names undefined security definition {', '.join(undefined)}")
        elif ignored:
            problems.extend(ignored)
        else:
            counted.append(" + ".join(names))
            keys.extend(schemes[n].query_key for n in names if schemes[n].query_key)
    if counted:
        return Coverage(tuple(counted), query_keys=tuple(dict.fromkeys(keys)))
    return Coverage(problem="; ".join(dict.fromkeys(problems)))


# ---------------------------------------------------------------- backends


def _named_backends(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """OpenAPI 3.x: ``x-google-api-management.backends`` (name -> backend object)."""
    return _mapping(_mapping(doc.get("x-google-api-management")).get("backends"))


def _backend_address(value: object, named: Mapping[str, Any]) -> str:
    """The address of an ``x-google-backend`` (an object, or the name of a 3.x backend); '' if none."""
    if isinstance(value, str):
        value = named.get(value)
    address = _mapping(value).get("address")
    return _safe_address(address) if isinstance(address, str) and address.strip() else ""


def _safe_address(address: str) -> str:
    """The address without user info, query or fragment (they may hold credentials)."""
    try:
        parts = urlsplit(address.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # an invalid port or IPv6 literal: cut by hand
        return _text(_USER_INFO.sub(r"\1", re.split(r"[?#]", address.strip(), maxsplit=1)[0]))
    if ":" in host:
        host = f"[{host}]"
    return _text(urlunsplit((parts.scheme.lower(), host + port, parts.path, "", "")))


def _backends(operations: Sequence[ApiOperation]) -> tuple[ApiBackend, ...]:
    users: dict[str, list[str]] = {}
    for op in operations:
        if op.backend:
            users.setdefault(op.backend, []).append(op.label)
    return tuple(
        ApiBackend(address=a, scheme=urlsplit(a).scheme.lower(), operations=tuple(dict.fromkeys(ops)))
        for a, ops in users.items()
    )


# ---------------------------------------------------------------- helpers


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    """Untrusted text of a document, cut to :data:`TEXT_LIMIT` characters."""
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[:TEXT_LIMIT] + "…"
