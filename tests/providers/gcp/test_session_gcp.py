"""The GCP session's clients: built once, and freed as soon as the project has been read."""

from __future__ import annotations

import threading
import weakref

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


def test_closing_the_session_frees_its_discovery_clients_at_once() -> None:
    session = _session()
    resource = session.collection("apigateway", "v1", "projects", "locations", "gateways")
    freed = threading.Event()
    weakref.finalize(resource, freed.set)
    del resource
    session.close()  # a discovery client is a web of reference cycles around its parsed document
    assert freed.is_set()
