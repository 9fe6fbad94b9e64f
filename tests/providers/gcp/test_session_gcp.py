"""The GCP session's clients: built once, and freed as soon as the project has been read."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from cloudaudit.plugins import Target
from cloudaudit_gcp.collect.session import GcpSession


def _session() -> GcpSession:
    settings = (("access_token", "test-token"), ("endpoint_url", "http://127.0.0.1:9"))
    return GcpSession(Target("project", "demo-project", settings), max_workers=4)


def test_a_discovery_resource_is_built_once_per_session() -> None:
    session = _session()
    users = session.collection("sqladmin", "v1", "users")
    assert session.collection("sqladmin", "v1", "users") is users
    assert session.collection("sqladmin", "v1", "instances") is not users


@pytest.mark.parametrize(
    "path",
    [("compute", "v1", "firewalls"), ("apigateway", "v1", "projects", "locations", "gateways")],
)
def test_closing_the_session_frees_its_discovery_documents_without_a_collection(
    path: tuple[str, ...],
) -> None:
    """Compute's discovery document takes megabytes inside a web of reference cycles: close() must give
    that memory back at once, without a full collection (which costs a quarter of a second over a large
    inventory)."""
    full: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    gc.collect()
    gc.disable()
    gc.callbacks.append(count)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        session = _session()
        resource = session.collection(*path)
        built = tracemalloc.get_traced_memory()[0] - before
        del resource
        session.close()
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        gc.callbacks.remove(count)
        gc.enable()
    assert full == []
    assert built > (5_000_000 if path[0] == "compute" else 200_000)
    assert left < built / 10
