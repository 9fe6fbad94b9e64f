"""``cloudaudit demo --provider gcp``: the sample project served by the local fake of the Google APIs,
with a Shodan-shaped snapshot of its public addresses and, with ``--probe``, local misconfigured
services standing in for its public endpoints.

Every setting is local to the run: the fake's URL and a token travel in the target's settings, the
snapshot is a temporary file, and nothing in ``os.environ`` changes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from cloudaudit.exposure.demo_services import DemoServices, demo_services
from cloudaudit.exposure.snapshot import fill_template
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions, SourceSpec
from cloudaudit.plugins import CollectOptions, DemoAccount, Target
from cloudaudit_gcp.fake import FakeGoogleApis, FakeProject, sample_project

DEMO_PROJECT = "demo-project"
DEMO_TOKEN = "demo-token"  # the fake accepts any bearer token

PROBED: tuple[tuple[str, int, str], ...] = (
    ("192.0.2.10", 80, "http"),  # web-1's NAT IP: the firewall rule default-allow-http
    ("192.0.2.11", 6379, "redis"),  # db-1's NAT IP: db-open-to-world
    ("192.0.2.11", 5432, "postgres"),  # db-1's NAT IP: db-open-to-world
    ("192.0.2.20", 80, "http"),  # web-lb, the regional load balancer in front of the web servers
    ("192.0.2.30", 5432, "postgres"),  # pg-public, Cloud SQL open to 0.0.0.0/0 without SSL required
)
"""(public address, port, demo service) of the sample's endpoints the probe reaches with ``--probe``
(documentation addresses of fake/sample.py, RFC 5737). The HTTPS front ends (the global load balancer
192.0.2.40, the gateways' hostnames) are not mapped: the demo services offer no TLS."""


@contextmanager
def demo_project(probe: bool = False) -> Iterator[DemoAccount]:
    """Serve the sample project on 127.0.0.1 and yield how to audit it (with its exposure snapshot).

    With ``probe``, the misconfigured services of :mod:`cloudaudit.exposure.demo_services` start
    too and :data:`PROBED` maps the sample's endpoints onto them; only mapped endpoints are probed,
    so the probe contacts nothing but 127.0.0.1.
    """
    project = sample_project(DEMO_PROJECT)
    with (
        FakeGoogleApis([project]) as fake,
        tempfile.TemporaryDirectory(prefix="cloudaudit-gcp-demo-") as tmp,
        ExitStack() as stack,
    ):
        settings = (("endpoint_url", fake.url), ("access_token", DEMO_TOKEN))
        snapshot = write_snapshot(Path(tmp), gateway_hostnames(project))
        exposure = ExposureOptions(sources=(SourceSpec("file", str(snapshot)),))
        if probe:
            services = stack.enter_context(demo_services())
            exposure = replace(
                exposure, probe=True, probe_only_mapped=True, connect_to=probe_mappings(services)
            )
        target = Target("project", DEMO_PROJECT, settings)
        yield DemoAccount(options=CollectOptions(target=target), exposure=exposure)


def gateway_hostnames(project: FakeProject) -> dict[str, str]:
    """Gateway name -> the default hostname the fake gives it."""
    return {g.name: str(project.gateway_resource(g)["defaultHostname"]) for g in project.gateways}


def write_snapshot(directory: Path, names: Mapping[str, str]) -> Path:
    """The bundled snapshot with each ``{{name}}`` replaced by ``names[name]`` (the gateways' hostnames)."""
    return fill_template(
        "cloudaudit_gcp", "data/demo_exposure.json", names, directory / "demo-exposure-gcp.json"
    )


def probe_mappings(services: DemoServices) -> tuple[ConnectTo, ...]:
    """:data:`PROBED` as connect-to mappings onto the running demo services."""
    ports = {"http": services.http_port, "redis": services.redis_port, "postgres": services.postgres_port}
    return tuple(ConnectTo(host, port, services.host, ports[kind]) for host, port, kind in PROBED)
