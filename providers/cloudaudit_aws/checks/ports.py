"""Well-known ports whose exposure to the Internet matters."""

from __future__ import annotations

ADMIN_PORTS: dict[int, str] = {22: "SSH", 23: "Telnet", 3389: "RDP", 5985: "WinRM", 5986: "WinRM over HTTPS"}

DATA_PORTS: dict[int, str] = {
    1433: "SQL Server",
    1521: "Oracle",
    2375: "Docker API (plaintext)",
    2376: "Docker API (TLS)",
    3306: "MySQL/MariaDB",
    5432: "PostgreSQL",
    5601: "Kibana",
    6379: "Redis",
    7000: "Cassandra inter-node",
    7001: "Cassandra inter-node (TLS)",
    9042: "Cassandra CQL",
    9092: "Kafka",
    9200: "Elasticsearch/OpenSearch HTTP",
    9300: "Elasticsearch transport",
    11211: "Memcached",
    27017: "MongoDB",
}

NO_AUTH_BY_DEFAULT: frozenset[int] = frozenset({2375, 5601, 6379, 9042, 9092, 9200, 9300, 11211, 27017})
"""Services that answer without authentication in their default configuration (API7 scenario 2)."""

WEB_PORTS: frozenset[int] = frozenset({80, 443})
