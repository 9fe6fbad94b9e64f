"""``cloudaudit demo --provider azure``: the sample subscription served by the local HTTPS fake of Azure
Resource Manager, with a Shodan-shaped snapshot of its public endpoints and, with ``--probe``, local
misconfigured services standing in for some of them.

Every setting is local to the run: the fake's URL, its CA and a token travel in the target's settings, the
snapshot is a temporary file, and nothing in ``os.environ`` changes. The sample's hostnames are Azure's
public suffixes (``*.database.windows.net``...): the demo never resolves or contacts them; only mapped
endpoints are probed, and every mapping leads to 127.0.0.1.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from cloudaudit.exposure.demo_services import DemoServices, demo_services
from cloudaudit.exposure.snapshot import fill_template
from cloudaudit.exposure.sources import ConnectTo, ExposureOptions, SourceSpec
from cloudaudit.plugins import CollectOptions, DemoAccount, Target
from cloudaudit_azure.fake import FakeArm
from cloudaudit_azure.fake.sample import DEMO_SUBSCRIPTION, sample_subscription

DEMO_TOKEN = "demo-token"  # the fake accepts any bearer token

PROBED: tuple[tuple[str, int, str], ...] = (
    ("192.0.2.151", 6379, "redis"),  # vm-db's public IP: both NSG levels allow Redis from the Internet
    ("192.0.2.152", 80, "http"),  # vm-legacy: a Basic public IP and no NSG at all
    ("pg-open.postgres.database.azure.com", 5432, "postgres"),  # PostgreSQL open to 0.0.0.0-255.255.255.255
)
"""(public endpoint, port, demo service) of the sample the probe reaches with ``--probe`` (documentation
addresses of fake/sample_network.py, RFC 5737). TLS front ends are not mapped: the demo services offer
no TLS."""


@contextmanager
def demo_subscription(probe: bool = False) -> Iterator[DemoAccount]:
    """Serve the sample subscription on 127.0.0.1 and yield how to audit it (with its exposure snapshot).

    With ``probe``, the misconfigured services of :mod:`cloudaudit.exposure.demo_services` start too and
    :data:`PROBED` maps the sample's endpoints onto them; only mapped endpoints are probed.
    """
    with (
        FakeArm([sample_subscription()]) as arm,
        tempfile.TemporaryDirectory(prefix="cloudaudit-azure-demo-") as tmp,
        ExitStack() as stack,
    ):
        settings = (("endpoint_url", arm.url), ("access_token", DEMO_TOKEN), ("ca_bundle", str(arm.ca_path)))
        snapshot = fill_template(
            "cloudaudit_azure", "data/demo_exposure.json", {}, Path(tmp) / "demo-exposure-azure.json"
        )
        exposure = ExposureOptions(sources=(SourceSpec("file", str(snapshot)),))
        if probe:
            services = stack.enter_context(demo_services())
            exposure = replace(
                exposure, probe=True, probe_only_mapped=True, connect_to=probe_mappings(services)
            )
        target = Target("subscription", DEMO_SUBSCRIPTION, settings)
        yield DemoAccount(options=CollectOptions(target=target), exposure=exposure)


def probe_mappings(services: DemoServices) -> tuple[ConnectTo, ...]:
    """:data:`PROBED` as connect-to mappings onto the running demo services."""
    ports = {"http": services.http_port, "redis": services.redis_port, "postgres": services.postgres_port}
    return tuple(ConnectTo(host, port, services.host, ports[kind]) for host, port, kind in PROBED)
