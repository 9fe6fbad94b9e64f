"""Reading untrusted OpenAPI documents: typed operations, or a bounded, explained refusal."""

from __future__ import annotations

import base64
import time

import pytest

from cloudaudit_gcp.openapi import MAX_CONFIG_BYTES, MAX_DOCUMENT_BYTES, OpenApiError, parse_config
from gcp_build_apigateway import ALIAS_BOMB, document, swagger

OK = {"responses": {"200": {"description": "ok"}}}


def _raw(path: str, contents: str) -> dict[str, object]:
    return {"document": {"path": path, "contents": contents}}


def test_operations_carry_path_method_document_coverage_and_backend() -> None:
    spec = swagger(
        {
            "/orders/{id}": {
                "parameters": [{"name": "id", "in": "path"}],
                "get": OK,
                "PUT": {**OK, "security": [{"jwt": [], "api_key": []}]},
                "x-extension": {"ignored": True},
            }
        },
        security=[{"api_key": []}],
        securityDefinitions={
            "api_key": {"type": "apiKey", "name": "key", "in": "query"},
            "jwt": {"type": "oauth2", "x-google-issuer": "https://issuer.example"},
        },
        **{"x-google-backend": {"address": "HTTPS://Backend.Example:8443/base?secret=1#frag"}},
    )
    parsed = parse_config([document("orders.json", spec)])
    assert parsed.documents == ("orders.json",)
    assert [(o.method, o.path, o.requirements, o.query_api_keys) for o in parsed.operations] == [
        ("GET", "/orders/{id}", ("api_key",), ("key",)),
        ("PUT", "/orders/{id}", ("jwt + api_key",), ("key",)),
    ]
    assert all(o.secured and o.document == "orders.json" for o in parsed.operations)
    (backend,) = parsed.backends
    assert (backend.address, backend.scheme, backend.plaintext) == (
        "https://backend.example:8443/base",
        "https",
        False,
    )
    assert backend.operations == ("GET /orders/{id}", "PUT /orders/{id}")
    assert parsed.methods == ("GET", "PUT")


@pytest.mark.parametrize(
    ("operation", "top", "problem"),
    [
        (OK, None, "no security requirement"),
        (
            {**OK, "security": []},
            [{"k": []}],
            "security: [] on the operation removes the API-wide requirement",
        ),
        (OK, [], "security: [] (no requirement)"),
        ({**OK, "security": [{"nope": []}]}, None, "names undefined security definition nope"),
        ({**OK, "security": [{"k": [], "nope": []}]}, None, "names undefined security definition nope"),
        (
            {**OK, "security": [{}, {"k": []}]},
            None,
            "an empty requirement {} lets callers in without credentials",
        ),
        (
            {**OK, "security": [{"o": []}]},
            None,
            "o is of type oauth2 without an issuer: API Gateway ignores it",
        ),
        ({**OK, "security": {"k": []}}, None, "security is not a list of requirements"),
    ],
)
def test_uncovered_operations_say_why(operation: dict[str, object], top: object, problem: str) -> None:
    definitions = {"k": {"type": "apiKey", "name": "x-api-key", "in": "header"}, "o": {"type": "oauth2"}}
    extra = {} if top is None else {"security": top}
    spec = swagger({"/x": {"post": operation}}, securityDefinitions=definitions, **extra)
    (op,) = parse_config([document("s.json", spec)]).operations
    assert (op.secured, op.problem) == (False, problem)


def test_an_operation_requirement_replaces_an_uncovered_top_level_one() -> None:
    spec = swagger(
        {"/x": {"get": {**OK, "security": [{"k": []}]}}},
        security=[{"undefined": []}],
        securityDefinitions={"k": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
    )
    (op,) = parse_config([document("s.json", spec)]).operations
    assert op.secured and op.problem == ""


def test_yaml_1_1_quirks_and_a_flow_mapping_document_are_read() -> None:
    text = '{swagger: 2.0, paths: {/x: {get: {responses: {200: {description: ok}}}}}, "x-google-allow": ALL}'
    parsed = parse_config([document("flow.yaml", text)])
    assert [o.label for o in parsed.operations] == ["GET /x", "ANY *"]


def test_several_documents_keep_their_own_definitions() -> None:
    secured = swagger(
        {"/a": {"get": OK}},
        security=[{"k": []}],
        securityDefinitions={"k": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
    )
    relying = swagger({"/b": {"get": {**OK, "security": [{"k": []}]}}})  # k is defined in the other file
    parsed = parse_config([document("a.json", secured), document("b.yaml", relying)])
    assert {o.label: (o.document, o.secured) for o in parsed.operations} == {
        "GET /a": ("a.json", True),
        "GET /b": ("b.yaml", False),
    }


def test_openapi_3_named_backends_and_x_google_auth() -> None:
    spec = {
        "openapi": "3.1.0",
        "x-google-api-management": {"backends": {"plain": {"address": "http://10.1.2.3"}}},
        "components": {
            "securitySchemes": {"id": {"type": "oauth2", "x-google-auth": {"issuer": "https://i"}}}
        },
        "paths": {"/r": {"get": {**OK, "security": [{"id": []}], "x-google-backend": "plain"}}},
    }
    parsed = parse_config([document("v3.json", spec)])
    assert parsed.operations[0].secured
    assert [(b.address, b.plaintext) for b in parsed.backends] == [("http://10.1.2.3", True)]


@pytest.mark.parametrize(
    ("address", "kept"),
    [
        ("http://u:p4ss@h.example/p?key=s3cr3t#x", "http://h.example/p"),
        ("http://u:p@ss@h.example:99999/p?key=s3cr3t", "http://h.example:99999/p"),  # invalid port
        ("HTTP://[2001:db8::1]:8080/v1", "http://[2001:db8::1]:8080/v1"),
    ],
)
def test_backend_credentials_never_reach_the_asset(address: str, kept: str) -> None:
    spec = swagger({"/x": {"get": OK}}, **{"x-google-backend": {"address": address}})
    (backend,) = parse_config([document("s.json", spec)]).backends
    assert (backend.address, backend.plaintext) == (kept, True)


# ---------------------------------------------------------------- untrusted input, bounded


def test_a_yaml_alias_bomb_is_refused_quickly() -> None:
    started = time.monotonic()
    with pytest.raises(OpenApiError, match="expands to more than 1000000 values"):
        parse_config([document("bomb.yaml", ALIAS_BOMB)])
    assert time.monotonic() - started < 5


def test_deep_nesting_is_refused_in_json_and_yaml() -> None:
    deep_json = '{"swagger": "2.0", "paths": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(OpenApiError, match="nested deeper than 64 levels"):
        parse_config([document("deep.json", deep_json)])
    deep_yaml = 'swagger: "2.0"\npaths: ' + "[" * 5000 + "]" * 5000
    with pytest.raises(OpenApiError, match="nested deeper than 64 levels"):
        parse_config([document("deep.yaml", deep_yaml)])


def test_oversized_documents_are_refused_before_decoding() -> None:
    huge = "A" * (MAX_DOCUMENT_BYTES * 4 // 3 + 100)
    with pytest.raises(OpenApiError, match=r"big\.yaml is larger than 1 MB"):
        parse_config([_raw("big.yaml", huge)])
    under = "A" * (MAX_DOCUMENT_BYTES * 4 // 3 - 100)
    many = [_raw(f"{i}.yaml", under) for i in range(MAX_CONFIG_BYTES // MAX_DOCUMENT_BYTES + 1)]
    with pytest.raises(OpenApiError, match="the OpenAPI documents total more than 4 MB"):
        parse_config(many)
    with pytest.raises(OpenApiError, match="more than 50 OpenAPI documents"):
        parse_config([document(f"{i}.json", swagger({})) for i in range(51)])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (_raw("x.yaml", "%%%not base64%%%"), "contents are not base64"),
        (_raw("x.yaml", base64.b64encode(b"\xff\xfe swagger").decode()), "not UTF-8 text"),
        (_raw("x.yaml", ""), "has no contents"),
        (document("x.json", '{"swagger": "2.0", "paths": {},}'), "not valid JSON"),
        (document("x.yaml", "- just\n- a list\n"), "is not an object"),
        (document("x.yaml", "title: no version\npaths: {}\n"), "not OpenAPI 2.0 or 3.x"),
        (document("x.yaml", "!!python/object/apply:os.system ['true']"), "not valid YAML/JSON"),
    ],
)
def test_unreadable_documents_are_explained(entry: dict[str, object], message: str) -> None:
    with pytest.raises(OpenApiError, match=message):
        parse_config([entry])


def test_document_names_are_shown_as_text() -> None:
    with pytest.raises(OpenApiError) as error:
        parse_config([_raw("evil\x1b[31m.yaml", "")])
    assert "\x1b" not in str(error.value) and "\\x1b" in str(error.value)
