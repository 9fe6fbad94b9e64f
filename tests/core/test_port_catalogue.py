"""The core port catalogue: complete for the services the issue names, consistent with the probe."""

from __future__ import annotations

import pytest

from cloudaudit.exposure.model import TargetPort
from cloudaudit.exposure.probe.dispatch import HANDLERS, protocol_for
from cloudaudit.ports import Category, catalogue, in_range, lookup, service_name

REQUIRED = {
    # (port, protocol): (category, unauthenticated by default)
    (21, "tcp"): (Category.FILE_SHARING, False),  # FTP
    (23, "tcp"): (Category.REMOTE_ADMIN, False),  # Telnet
    (445, "tcp"): (Category.FILE_SHARING, False),  # SMB
    (139, "tcp"): (Category.FILE_SHARING, False),  # NetBIOS session
    (135, "tcp"): (Category.FILE_SHARING, True),  # MS RPC
    (2049, "tcp"): (Category.FILE_SHARING, True),  # NFS
    (873, "tcp"): (Category.FILE_SHARING, True),  # rsync
    (389, "tcp"): (Category.DIRECTORY, True),  # LDAP
    (5900, "tcp"): (Category.REMOTE_ADMIN, False),  # VNC
    (6000, "tcp"): (Category.REMOTE_ADMIN, False),  # X11
    (2375, "tcp"): (Category.CONTAINER, True),  # Docker API
    (6443, "tcp"): (Category.CONTAINER, False),  # Kubernetes API server
    (10250, "tcp"): (Category.CONTAINER, True),  # kubelet
    (2379, "tcp"): (Category.CONTAINER, True),  # etcd
    (9092, "tcp"): (Category.MESSAGE_QUEUE, True),  # Kafka
    (2181, "tcp"): (Category.MESSAGE_QUEUE, True),  # ZooKeeper
    (5672, "tcp"): (Category.MESSAGE_QUEUE, False),  # RabbitMQ
    (4222, "tcp"): (Category.MESSAGE_QUEUE, True),  # NATS
    (8888, "tcp"): (Category.MONITORING, False),  # Jupyter
    (5601, "tcp"): (Category.MONITORING, True),  # Kibana
    (3000, "tcp"): (Category.MONITORING, False),  # Grafana
    (9090, "tcp"): (Category.MONITORING, True),  # Prometheus
    (9100, "tcp"): (Category.MONITORING, True),  # node exporter
    (8500, "tcp"): (Category.MONITORING, True),  # Consul
    (8200, "tcp"): (Category.MONITORING, False),  # Vault
    (8088, "tcp"): (Category.MONITORING, True),  # Hadoop YARN
    (7077, "tcp"): (Category.MONITORING, True),  # Spark master
    (9042, "tcp"): (Category.DATABASE, True),  # Cassandra
    (5984, "tcp"): (Category.DATABASE, True),  # CouchDB
    (8086, "tcp"): (Category.DATABASE, True),  # InfluxDB
    (7687, "tcp"): (Category.DATABASE, False),  # Neo4j
    (8123, "tcp"): (Category.DATABASE, True),  # ClickHouse
    (8983, "tcp"): (Category.SEARCH, True),  # Solr
    (6379, "tcp"): (Category.CACHE, True),  # Redis
    (11211, "tcp"): (Category.CACHE, True),  # Memcached
    (27017, "tcp"): (Category.DATABASE, True),  # MongoDB
    (9200, "tcp"): (Category.SEARCH, True),  # Elasticsearch
    (22, "tcp"): (Category.REMOTE_ADMIN, False),  # SSH
    (3389, "tcp"): (Category.REMOTE_ADMIN, False),  # RDP
}


@pytest.mark.parametrize(("key", "expected"), sorted(REQUIRED.items()))
def test_the_catalogue_knows_the_services_that_matter(
    key: tuple[int, str], expected: tuple[Category, bool]
) -> None:
    found = lookup(*key)
    assert found is not None, f"{key} missing"
    assert (found.category, found.unauthenticated) == expected
    assert found.sensitive


def test_every_probe_handler_named_by_the_catalogue_exists() -> None:
    named = {s.probe for s in catalogue().values() if s.probe}
    assert named <= set(HANDLERS), named - set(HANDLERS)


def test_web_and_infrastructure_ports_are_not_sensitive() -> None:
    for port, protocol in ((443, "tcp"), (80, "tcp"), (53, "udp"), (123, "udp"), (25, "tcp")):
        found = lookup(port, protocol)
        assert found is not None and not found.sensitive, (port, protocol)


def test_lookups_are_protocol_aware_and_named() -> None:
    assert lookup(623, "udp") is not None and lookup(623, "tcp") is None  # IPMI is UDP
    assert service_name(5900) == "VNC"
    assert service_name(4711) == "port 4711"
    assert [s.port for s in in_range(9200, 9300)] == [9200, 9300]
    assert {s.protocol for s in in_range(1, 65535, ("udp",))} == {"udp"}


@pytest.mark.parametrize(
    ("port", "application", "handler"),
    [
        (443, "", "https"),
        (6379, "", "redis"),
        (5601, "", "http"),  # Kibana: a catalogue port the old hand-written table did not know
        (2376, "", "tls"),  # Docker API over TLS
        (10250, "", "https"),  # kubelet
        (1521, "", "database"),  # Oracle: the TCP connection is the observation
        (4711, "", "sniff"),  # not in the catalogue
        (22, "", "sniff"),  # in the catalogue, without a probe handler
        (8080, "redis", "redis"),  # the configuration's application wins over the port
    ],
)
def test_the_probe_picks_its_handler_from_the_catalogue(port: int, application: str, handler: str) -> None:
    assert protocol_for(TargetPort(port=port, application=application)) == handler
