""" "Unexpected methods": an ``Allow`` header compared with the methods the API declares, when known."""

from __future__ import annotations

import pytest

from cloudaudit.exposure.model import Target, TargetPort
from cloudaudit.exposure.probe.http_checks import unexpected_methods
from probe_servers import BadApi, Server, checks, observation, probe, running

ALLOW = "GET, POST, PUT, DELETE, PATCH, OPTIONS"


@pytest.mark.parametrize(
    ("allow", "declared", "expected"),
    [
        (ALLOW, None, ["DELETE", "PATCH", "PUT"]),  # unknown declaration: write methods, as before
        ("GET, HEAD, OPTIONS", None, []),
        (ALLOW, ("GET", "POST", "PUT"), ["DELETE", "PATCH"]),
        (ALLOW, ("GET",), ["DELETE", "PATCH", "POST", "PUT"]),  # POST is undeclared here
        (ALLOW, ("ANY",), []),  # a catch-all method declares every verb
        (ALLOW, ("DELETE", "GET", "PATCH", "POST", "PUT"), []),
        ("get, put ,", ("get",), ["PUT"]),  # case and spacing do not matter
        (ALLOW, (), ["DELETE", "PATCH", "POST", "PUT"]),  # declares no method at all
    ],
)
def test_unexpected_methods(allow: str, declared: tuple[str, ...] | None, expected: list[str]) -> None:
    assert unexpected_methods(allow, declared) == expected


def _api(port: int, methods: tuple[str, ...] | None) -> Target:
    declared = TargetPort(port=port, application="http", methods=methods)
    return Target(
        host="127.0.0.1", asset_ids=("arn:aws:apigateway:us-east-1::/restapis/a1",), ports=(declared,)
    )


@pytest.mark.parametrize(
    ("declared", "reported", "summary"),
    [
        (None, ["DELETE", "PATCH", "PUT"], "OPTIONS / advertises DELETE, PATCH, PUT"),
        (
            ("GET", "POST", "PUT"),
            ["DELETE", "PATCH"],
            "OPTIONS / advertises DELETE, PATCH (the API declares GET, POST, PUT)",
        ),
        (("ANY",), None, ""),
    ],
)
def test_probe_reports_only_methods_the_api_does_not_declare(
    declared: tuple[str, ...] | None, reported: list[str] | None, summary: str
) -> None:
    with running(Server(BadApi)) as server:  # Allow: GET, POST, PUT, DELETE, PATCH, OPTIONS
        result = probe(_api(server.port, declared))

    if reported is None:
        assert "probe.http.unexpected_methods" not in checks(result)
        assert "probe.http.trace_enabled" in checks(result)  # the other HTTP checks still ran
        return
    found = observation(result, "probe.http.unexpected_methods")
    assert found.details["methods"] == reported
    assert found.summary.endswith(summary)
    assert ("declared" in found.details) is (declared is not None)
