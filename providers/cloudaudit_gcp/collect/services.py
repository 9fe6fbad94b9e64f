"""Every GCP service the provider collects. Adding a service: one module, one line here."""

from __future__ import annotations

from typing import Any

from cloudaudit_gcp.collect import apigateway, compute, sql, storage
from cloudaudit_gcp.collect.context import ServiceCollector

COLLECTORS: tuple[ServiceCollector, ...] = (
    storage.COLLECTOR,
    compute.COLLECTOR,
    sql.COLLECTOR,
    apigateway.COLLECTOR,
)

ROLE_ID = "cloudauditReader"


def required_permissions() -> list[str]:
    """Sorted IAM permissions used by the collection (all read-only: get, list, getIamPolicy)."""
    return sorted({p for c in COLLECTORS for p in c.permissions})


def audit_role() -> dict[str, Any]:
    """The custom role the audit needs (``cloudaudit permissions --provider gcp``).

    ``gcloud iam roles create cloudauditReader --project PROJECT --file deploy/gcp-audit-role.yaml``;
    the documented alternative is roles/viewer plus roles/iam.securityReviewer.
    """
    return {
        "title": "cloudaudit reader",
        "description": "Read-only access cloudaudit needs to audit a project (get, list, getIamPolicy).",
        "stage": "GA",
        "includedPermissions": required_permissions(),
    }
