"""API Management policy documents (XML) -> :class:`~cloudaudit_azure.assets_apimanagement.ApimPolicy`
(pure, no I/O).

Policies are untrusted input: they are parsed by defusedxml with DTDs, entity declarations and external
references refused (no entity expansion, no fetch), after a size check. A document that cannot be read
is kept as an ``ApimPolicy`` whose ``problem`` says why, so the checks that need it say UNKNOWN; its text
is never searched for keywords.

Only ``<inbound>`` is read (authentication and CORS run there); the statements that count are listed in
:mod:`cloudaudit_azure.assets_apimanagement`. ``<include-fragment>`` is replaced by the fragment's
statements (fragments are read with the service); a fragment that is missing or unreadable makes the
document unanalysable. A ``<choose>`` authenticates every request only when it has an ``<otherwise>``
and each branch authenticates; otherwise the authentication inside it is conditional. A ``<when>``
answering 401/403 with ``return-response`` counts as a credential check when its condition tests the
client certificate (``context.Request.Certificate``) or a credential header named in quotes (the
documented client-certificate pattern); other conditions cannot be evaluated, so it stays conditional.
``<cors>`` counts wherever it is in ``<inbound>``, ``<base />`` too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from cloudaudit_azure.assets_apimanagement import ApimPolicy, AuthStatement, CorsRule, IpFilter

MAX_POLICY_BYTES = 2**20
"""Largest document parsed (API Management limits a policy to 256 KiB of XML)."""
MAX_FRAGMENT_DEPTH = 4
"""Fragments included through fragments (API Management allows none; this bounds a hostile cycle)."""
TEXT_LIMIT = 200
"""Longest header name, tenant, condition or origin kept from a document."""

VALIDATING = frozenset({"validate-jwt", "validate-azure-ad-token", "validate-client-certificate"})
"""Statements that reject a request without a valid token or client certificate."""
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "api-key",
        "x-functions-key",
        "ocp-apim-subscription-key",
    }
)
"""Headers whose ``check-header`` checks a credential."""
REJECTING = frozenset({"401", "403"})
BACKEND_AUTHENTICATION = frozenset(
    {"authentication-basic", "authentication-certificate", "authentication-managed-identity"}
)
"""Credentials the gateway presents to the backend (they authenticate the gateway, not the caller)."""


class PolicyError(ValueError):
    """A policy document that cannot be analysed; the text says why."""


@dataclass
class _Found:
    """What a walk over statements found."""

    inherits: bool = False
    authentication: list[AuthStatement] = field(default_factory=list)
    conditional: list[AuthStatement] = field(default_factory=list)
    cors: list[CorsRule] = field(default_factory=list)
    ip_filters: list[IpFilter] = field(default_factory=list)
    backend: list[str] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)


def parse_policy(
    text: str, fragments: Mapping[str, str | None] | None = None, fmt: str = "xml"
) -> ApimPolicy:
    """The access facts of a ``<policies>`` document; ``fragments`` maps fragment ids to their XML (None:
    not readable). Never raises: a problem is reported in the result's ``problem``."""
    try:
        root = _parse(text, "policies")
        inbound = _section(root, "inbound")
        found = _Found()
        _walk(inbound, found, fragments or {}, depth=0, conditional=False)
    except PolicyError as exc:
        note = " (format rawxml: not an XML document)" if fmt.lower().startswith("rawxml") else ""
        return ApimPolicy(format=fmt, problem=f"{exc}{note}")
    return ApimPolicy(
        inherits=found.inherits,
        authentication=tuple(found.authentication),
        conditional=tuple(found.conditional),
        cors=tuple(found.cors),
        ip_filters=tuple(found.ip_filters),
        backend_credentials=tuple(dict.fromkeys(found.backend)),
        fragments=tuple(dict.fromkeys(found.fragments)),
        format=fmt,
    )


def _parse(text: str, root_tag: str) -> Element:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise PolicyError(f"the document is larger than {MAX_POLICY_BYTES // 1024} KiB")
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise PolicyError(
            f"the document declares a DTD, entities or external references, refused ({type(exc).__name__})"
        ) from exc
    except ParseError as exc:
        raise PolicyError(f"malformed XML ({exc})") from exc
    if _tag(root) != root_tag:
        raise PolicyError(f"the root element is <{_clip(_tag(root))}>, not <{root_tag}>")
    return root


def _tag(element: Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _clip(value: str | None) -> str:
    text = " ".join((value or "").split())
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 3] + "..."


def _section(root: Element, name: str) -> list[Element]:
    """The statements of a section (none when the section is absent: nothing of the parent runs)."""
    for child in root:
        if _tag(child) == name:
            return list(child)
    return []


def _walk(
    statements: Iterable[Element],
    found: _Found,
    fragments: Mapping[str, str | None],
    depth: int,
    conditional: bool,
) -> None:
    for element in statements:
        tag = _tag(element)
        if tag == "base":
            found.inherits = True
        elif tag == "include-fragment":
            _include(element, found, fragments, depth, conditional)
        elif tag == "choose":
            _choose(element, found, fragments, depth, conditional)
        elif tag == "cors":
            found.cors.append(_cors(element))
        elif tag in BACKEND_AUTHENTICATION:
            found.backend.append(tag)
        elif (statement := _authentication(element)) is not None:
            (found.conditional if conditional else found.authentication).append(statement)
        elif tag == "ip-filter" and not conditional and (element.get("action") or "").lower() == "allow":
            found.ip_filters.append(IpFilter(addresses=_addresses(element)))


def _authentication(element: Element) -> AuthStatement | None:
    tag = _tag(element)
    if tag == "validate-jwt":
        where = (
            element.get("header-name") or element.get("query-parameter-name") or element.get("token-value")
        )
        return AuthStatement(
            policy=tag, detail=_clip(f"header {where}" if element.get("header-name") else where)
        )
    if tag == "validate-azure-ad-token":
        return AuthStatement(policy=tag, detail=_clip(f"tenant {element.get('tenant-id') or '?'}"))
    if tag in VALIDATING:
        return AuthStatement(policy=tag)
    if tag == "check-header":
        name = (element.get("name") or "").strip()
        code = (element.get("failed-check-httpcode") or "").strip()
        if name.lower() in CREDENTIAL_HEADERS or code in REJECTING:
            values = any(_tag(v) == "value" for v in element)
            presence = "" if values else ", presence only: the backend must validate it"
            return AuthStatement(policy=tag, detail=_clip(f"header {name}{presence}"))
    return None


def _include(
    element: Element, found: _Found, fragments: Mapping[str, str | None], depth: int, conditional: bool
) -> None:
    name = (element.get("fragment-id") or "").strip()
    found.fragments.append(name)
    text = fragments.get(name)
    if text is None:
        raise PolicyError(f"it includes policy fragment {_clip(name)!r}, which was not read")
    if depth >= MAX_FRAGMENT_DEPTH:
        raise PolicyError(f"policy fragments nest deeper than {MAX_FRAGMENT_DEPTH} levels")
    try:
        root = _parse(text, "fragment")
    except PolicyError as exc:
        raise PolicyError(f"its policy fragment {_clip(name)!r} cannot be analysed: {exc}") from exc
    _walk(list(root), found, fragments, depth + 1, conditional)


def _choose(
    element: Element, found: _Found, fragments: Mapping[str, str | None], depth: int, conditional: bool
) -> None:
    """A ``<choose>``: unconditional authentication when every branch (``<otherwise>`` included)
    authenticates; a branch answering 401/403 is a hand-written credential check."""
    branches = [b for b in element if _tag(b) in ("when", "otherwise")]
    complete = any(_tag(b) == "otherwise" for b in branches)
    every: list[list[AuthStatement]] = []
    gates: list[AuthStatement] = []
    for branch in branches:
        inner = _Found()
        _walk(list(branch), inner, fragments, depth, conditional=False)
        found.inherits = found.inherits or inner.inherits
        found.cors += inner.cors
        found.backend += inner.backend
        found.fragments += inner.fragments
        found.conditional += inner.conditional
        every.append(inner.authentication)
        if _tag(branch) == "when" and (code := _rejects(branch)):
            condition = branch.get("condition") or ""
            gate = AuthStatement(policy="choose", detail=_clip(f"return-response {code} when {condition}"))
            (gates if _credential_condition(condition) else found.conditional).append(gate)
    if gates and not conditional:
        found.authentication += gates
    elif gates:
        found.conditional += gates
    if complete and every and all(every) and not conditional:
        found.authentication += [a for branch in every for a in branch]
    else:
        found.conditional += [a for branch in every for a in branch]


def _credential_condition(condition: str) -> bool:
    """A condition about the caller's credentials: its client certificate, or a credential header
    (other conditions cannot be evaluated here: their 401/403 is counted as conditional)."""
    lowered = condition.lower()
    return "context.request.certificate" in lowered or any(
        f'"{header}"' in lowered for header in CREDENTIAL_HEADERS
    )


def _rejects(branch: Element) -> str:
    """The 401/403 status a branch answers with ``return-response`` (empty when it does not)."""
    for statement in branch:
        if _tag(statement) != "return-response":
            continue
        for part in statement:
            if _tag(part) == "set-status" and (part.get("code") or "").strip() in REJECTING:
                return (part.get("code") or "").strip()
    return ""


def _cors(element: Element) -> CorsRule:
    origins: list[str] = []
    for part in element:
        if _tag(part) == "allowed-origins":
            origins += [_clip(o.text) for o in part if _tag(o) == "origin"]
    return CorsRule(
        origins=tuple(origins), allow_credentials=_clip(element.get("allow-credentials") or "false")
    )


def _addresses(element: Element) -> tuple[str, ...]:
    out: list[str] = []
    for part in element:
        if _tag(part) == "address":
            out.append(_clip(part.text))
        elif _tag(part) == "address-range":
            out.append(_clip(f"{part.get('from')}-{part.get('to')}"))
    return tuple(out)
