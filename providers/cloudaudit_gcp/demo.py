"""``cloudaudit demo --provider gcp``: the sample project served by the local fake of the Google APIs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from cloudaudit.plugins import CollectOptions, DemoAccount, Target
from cloudaudit_gcp.fake import FakeGoogleApis, sample_project

DEMO_PROJECT = "demo-project"
DEMO_TOKEN = "demo-token"  # the fake accepts any bearer token


@contextmanager
def demo_project(probe: bool = False) -> Iterator[DemoAccount]:
    """Serve the sample project on 127.0.0.1 and yield how to audit it."""
    with FakeGoogleApis([sample_project(DEMO_PROJECT)]) as fake:
        settings = (("endpoint_url", fake.url), ("access_token", DEMO_TOKEN))
        yield DemoAccount(options=CollectOptions(target=Target("project", DEMO_PROJECT, settings)))
