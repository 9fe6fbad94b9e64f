"""Default-config services without authentication, and databases' TLS support, on local responders."""

from __future__ import annotations

import pytest

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.exposure.probe.mongodb import decode, encode
from cloudaudit.exposure.sources import ConnectTo
from probe_servers import (
    CertFiles,
    MemcachedLike,
    MongoLike,
    RedisLike,
    Server,
    Silent,
    bson,
    checks,
    issue,
    mysql_starttls,
    observation,
    opened,
    postgres_starttls,
    probe,
    running,
    server_context,
    target,
)


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> CertFiles:
    return issue(tmp_path_factory.mktemp("dbcert"), "db", "db.internal", ("db.internal",))[0]


def test_redis_without_auth() -> None:
    with running(Server(RedisLike)) as server:
        result = probe(target("127.0.0.1", (server.port, "redis")))

    assert checks(result) == {"probe.redis.no_auth"}
    finding = observation(result, "probe.redis.no_auth")
    assert finding.level is ExposureLevel.EXPLOITABLE
    assert finding.details == {"version": "7.2.4", "mode": "standalone"}  # not the executable path
    assert finding.service == "redis"
    assert server.commands == ["PING", "INFO server"]  # read-only commands, nothing else


def test_redis_with_auth_passes_and_says_so() -> None:
    with running(Server(RedisLike, password="s3cret")) as server:
        result = probe(target("127.0.0.1", 6379), connect_to=(_local(6379, server),))

    assert checks(result) == set()
    head = opened(result, 6379)
    assert (head.service, head.details["auth"]) == ("redis", "required")
    assert server.commands == ["PING"]  # no login attempt, no password guessing


def test_memcached_without_auth() -> None:
    with running(Server(MemcachedLike)) as server:
        result = probe(target("127.0.0.1", (server.port, "memcached")))

    assert checks(result) == {"probe.memcached.no_auth"}
    assert observation(result, "probe.memcached.no_auth").details == {"version": "1.6.21"}
    assert server.commands == ["stats"]


@pytest.mark.parametrize(("auth", "expected"), [(False, {"probe.mongodb.no_auth"}), (True, set())])
def test_mongodb(auth: bool, expected: set[str]) -> None:
    with running(Server(MongoLike, auth=auth)) as server:
        result = probe(target("127.0.0.1", (server.port, "mongodb")))

    assert checks(result) == expected
    head = opened(result, server.port)
    assert head.service == "mongodb"
    assert head.details["auth"] == ("required" if auth else "none")
    assert server.commands == ["hello", "listDatabases"]
    if not auth:
        assert observation(result, "probe.mongodb.no_auth").details == {"databases": 2, "handshake": "hello"}


def test_mongodb_before_op_msg_is_asked_with_op_query() -> None:
    with running(Server(MongoLike, legacy=True)) as server:
        result = probe(target("127.0.0.1", (server.port, "mongodb")))

    assert checks(result) == {"probe.mongodb.no_auth"}
    assert observation(result, "probe.mongodb.no_auth").details == {"databases": 2, "handshake": "isMaster"}
    assert server.commands == ["OP_QUERY isMaster", "OP_QUERY listDatabases"]


def test_bson_codec_round_trip() -> None:
    document, _ = decode(
        bson({"ok": 1.0, "n": 3, "s": "x", "b": True, "a": [{"name": "admin"}], "d": {"k": 1}})
    )
    assert document == {"ok": 1.0, "n": 3, "s": "x", "b": True, "a": [{"name": "admin"}], "d": {"k": 1}}
    assert decode(encode({"hello": 1, "$db": "admin", "nameOnly": True}))[0] == {
        "hello": 1,
        "$db": "admin",
        "nameOnly": True,
    }
    with pytest.raises(ValueError):
        decode(b"\x05\x00\x00")


def test_postgres_without_tls() -> None:
    with running(Server(Silent, starttls=postgres_starttls(offer=False))) as server:
        result = probe(target("127.0.0.1", (server.port, "postgres")))

    assert checks(result) == {"probe.tls.not_offered"}
    assert opened(result, server.port).details["tls"] is False


def test_postgres_with_tls_gets_certificate_checks(cert: CertFiles) -> None:
    context = server_context(cert)
    with running(Server(Silent, tls=context, starttls=postgres_starttls(offer=True))) as server:
        result = probe(target("db.internal", 5432), connect_to=(_local(5432, server, "db.internal"),))

    assert checks(result) == {"probe.tls.self_signed"}
    head = opened(result, 5432)
    assert (head.service, head.details["tls"]) == ("postgres", True)
    assert head.details["certificate"]["names"] == ["db.internal"]
    assert set(server.sni) == {"db.internal"}


def test_mysql_tls_support(cert: CertFiles) -> None:
    with (
        running(Server(Silent, starttls=mysql_starttls(offer=False))) as plain,
        running(Server(Silent, tls=server_context(cert), starttls=mysql_starttls(offer=True))) as secure,
    ):
        result = probe(
            target("127.0.0.1", (plain.port, "mysql")),
            target("db.internal", (3306, "aurora-mysql")),
            connect_to=(_local(3306, secure, "db.internal"),),
        )

    by_port = {(o.port, o.check) for o in result.observations if o.check}
    assert by_port == {(plain.port, "probe.tls.not_offered"), (3306, "probe.tls.self_signed")}
    assert opened(result, plain.port).details["version"] == "8.0.36"
    assert opened(result, 3306).details["tls"] is True
    assert set(secure.sni) == {"db.internal"}


def _local(port: int, server: Server, host: str = "127.0.0.1") -> ConnectTo:
    return ConnectTo(host, port, "127.0.0.1", server.port)


def test_redis_over_tls_only(cert: CertFiles) -> None:
    with running(Server(RedisLike, tls=server_context(cert))) as server:
        result = probe(target("127.0.0.1", (server.port, "redis")))

    assert checks(result) == {"probe.redis.no_auth", "probe.tls.self_signed"}
    head = opened(result, server.port)
    assert head.details["tls_version"] in ("TLSv1.2", "TLSv1.3")
    assert head.details["hostname_checked"] is False  # a DNS-name certificate reached by address
    assert server.commands == ["PING", "INFO server"]
