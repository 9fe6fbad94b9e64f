"""Pure translation helpers shared by the database collectors (SQL, PostgreSQL, MySQL, Cosmos DB)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cloudaudit.collect.guard import Failed
from cloudaudit_azure.assets import PROVIDER, normal_location, parse_id, text
from cloudaudit_azure.assets_databases import TLS_VERSIONS
from cloudaudit_azure.collect.sdk_json import JSON
from cloudaudit_azure.db_firewall import FirewallRule

GLOBAL = "global"


def props(raw: JSON) -> JSON:
    """The ``properties`` object of a resource (empty when absent)."""
    found = raw.get("properties")
    return found if isinstance(found, dict) else {}


def identity(subscription: str, raw: JSON) -> dict[str, Any]:
    """The fields every asset takes from its ARM resource: account, region, id, name, tags."""
    rid = str(raw.get("id", ""))
    return {
        "provider": PROVIDER,
        "account": parse_id(rid).subscription or subscription,
        "region": normal_location(str(raw.get("location") or "")) or GLOBAL,
        "id": rid,
        "name": str(raw.get("name") or parse_id(rid).name),
        "tags": {str(k): str(v) for k, v in (raw.get("tags") or {}).items()},
    }


def firewall_rules(listed: Iterable[JSON]) -> tuple[FirewallRule, ...]:
    """Firewall rule resources (``properties.startIpAddress``/``endIpAddress``) as rules."""
    return tuple(
        FirewallRule(
            name=str(r.get("name", "")),
            start=text(props(r).get("startIpAddress")),
            end=text(props(r).get("endIpAddress")),
        )
        for r in listed
    )


def read_rules(
    listed: list[JSON] | Failed, operation: str, unread: dict[str, str]
) -> tuple[FirewallRule, ...]:
    """The rules of a listing, or none with ``unread["firewall_rules"]`` set when it failed."""
    if isinstance(listed, Failed):
        unread["firewall_rules"] = listed.reason(operation)
        return ()
    return firewall_rules(listed)


def tls_version(token: str) -> str | None:
    """``TLSv1.2``, ``TLSv1``, ``Tls11``, ``1.2``... as ``1.2``, ``1.0``, ``1.1``; None if unknown."""
    value = token.strip().lower().removeprefix("tlsv").removeprefix("tls").strip()
    known = {"": "1.0", "1": "1.0", "10": "1.0", "11": "1.1", "12": "1.2", "13": "1.3"}
    version = known.get(value.replace(".", ""))
    return version if version in TLS_VERSIONS else None


def lowest_tls(setting: str) -> str | None:
    """The oldest version of a comma-separated list (MySQL's ``tls_version``); None if none known."""
    found = [v for v in (tls_version(t) for t in setting.split(",") if t.strip()) if v]
    return min(found, key=TLS_VERSIONS.index) if found else None
