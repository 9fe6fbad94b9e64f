"""Every Azure service the provider collects. Adding a service: one module, one line here."""

from __future__ import annotations

from typing import Any

from cloudaudit_azure.collect import apimanagement, cosmosdb, mysql, network, postgresql, sql, storage
from cloudaudit_azure.collect.context import ServiceCollector

COLLECTORS: tuple[ServiceCollector, ...] = (
    storage.COLLECTOR,
    sql.COLLECTOR,
    postgresql.COLLECTOR,
    mysql.COLLECTOR,
    cosmosdb.COLLECTOR,
    apimanagement.COLLECTOR,
    network.COLLECTOR,
)

IDENTITY_ACTIONS = ("Microsoft.Resources/subscriptions/read",)
"""Reading the audited subscriptions themselves (listing them, or checking the one asked for)."""
LISTING_ACTIONS = ("Microsoft.Management/managementGroups/descendants/read",)
"""Listing the subscriptions beneath a management group (``--management-group``; effective where the
role is assigned at the group)."""
ROLE_NAME = "cloudaudit reader"


def required_actions() -> list[str]:
    """Sorted RBAC actions used by the collection (all ``*/read``)."""
    return sorted({*IDENTITY_ACTIONS, *LISTING_ACTIONS, *(a for c in COLLECTORS for a in c.actions)})


def audit_role() -> dict[str, Any]:
    """The custom role definition the audit needs (``cloudaudit permissions --provider azure``).

    ``az role definition create --role-definition deploy/azure-audit-role.json`` after setting
    ``assignableScopes``; the documented alternative is the built-in Reader role.
    """
    return {
        "Name": ROLE_NAME,
        "IsCustom": True,
        "Description": "Read-only access cloudaudit needs to audit a subscription (GET requests only).",
        "Actions": required_actions(),
        "NotActions": [],
        "DataActions": [],
        "NotDataActions": [],
        "AssignableScopes": ["/subscriptions/00000000-0000-0000-0000-000000000000"],
    }
