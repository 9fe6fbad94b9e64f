"""``findings.ocsf.json``: every finding as an OCSF 1.6.0 Detection Finding (class 2004, cloud profile).

OCSF 1.6 is the version AWS Security Hub ingests; security data lakes read the same events. The
mapping:

- ``severity_id`` from our severity (info 1, low 2, medium 3, high 4, critical 5);
- a FAIL is a new alert (``activity_id`` 1 Create, ``status_id`` 1 New, ``is_alert``); a MUTED failure is
  ``status_id`` 3 Suppressed; a PASS closes the finding (``activity_id`` 3 Close, ``status_id`` 4
  Resolved), so a consumer that keys on ``finding_info.uid`` closes what a fix resolved; UNKNOWN is
  ``status_id`` 0 and ERROR 99 (Other). ``status_code`` keeps our status word, ``message`` and
  ``finding_info.desc`` the finding's message;
- ``finding_info.uid`` is stable across runs (see :func:`~cloudaudit.report.machine.finding_uids`); the
  check is the ``analytic`` (a rule);
- ``cloud`` names the provider, account (AWS account, GCP project, Azure subscription) and region;
  ``resources`` the resource with our ``resource_type``;
- ``evidences`` carry the configuration evidence and each exposure observation as ``data``;
- class 2004 has no compliance attribute: the framework controls, the exposure level, the mute reason
  and the network facts go in ``unmapped`` (OCSF's place for a source's own attributes).
"""

from __future__ import annotations

from typing import Any

from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument, RunInfo
from cloudaudit.remediation import steps_for
from cloudaudit.report.machine import (
    INFORMATION_URI,
    PRODUCT,
    aws_partition,
    epoch_ms,
    finding_types,
    finding_uids,
    iter_json_array,
)
from cloudaudit.report.stream import Chunks, joined

OCSF_VERSION = "1.6.0"
CLASS_UID = 2004
CATEGORY_UID = 2

SEVERITY_IDS = {
    Severity.INFO: (1, "Informational"),
    Severity.LOW: (2, "Low"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.HIGH: (4, "High"),
    Severity.CRITICAL: (5, "Critical"),
}
ACTIVITIES = {"create": (1, "Create"), "close": (3, "Close")}
STATUS_IDS = {
    Status.FAIL: (1, "New"),
    Status.MUTED: (3, "Suppressed"),
    Status.PASS: (4, "Resolved"),
    Status.UNKNOWN: (0, "Unknown"),
    Status.ERROR: (99, "Error"),
}
CLOUDS = {
    "aws": ("AWS", 10, "AWS Account"),
    "gcp": ("GCP", 11, "GCP Project"),
    "azure": ("Azure", 13, "Azure Subscription"),
}
"""Our provider -> OCSF cloud provider name, account ``type_id`` and its caption."""


def _cloud(f: Finding) -> dict[str, Any]:
    name, type_id, caption = CLOUDS.get(f.provider, (f.provider, 99, "Other"))
    cloud: dict[str, Any] = {
        "provider": name,
        "account": {"uid": f.account, "type_id": type_id, "type": caption},
        "region": f.region,
    }
    if f.provider == "aws":
        cloud["cloud_partition"] = aws_partition(f.resource_id)
    return cloud


def _resource(f: Finding) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "uid": f.resource_id,
        "name": f.resource_name or f.resource_id,
        "type": f.resource_type,
        "region": f.region,
        "role_id": 3,
        "role": "Affected",
    }
    if f.provider == "aws":
        resource["cloud_partition"] = aws_partition(f.resource_id)
    return resource


def _evidences(f: Finding) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if f.evidence:
        items.append({"name": "configuration", "data": f.evidence})
    items.extend(
        {"name": f"exposure:{seen.source}", "data": seen.model_dump(mode="json", exclude_defaults=True)}
        for seen in f.exposure.evidence
    )
    return items


def _unmapped(f: Finding) -> dict[str, Any]:
    unmapped: dict[str, Any] = {
        "check_id": f.check_id,
        "service": f.service,
        "compliance": f.compliance,
        "exposure_level": f.exposure.level.value,
    }
    if f.muted_reason:
        unmapped["muted_reason"] = f.muted_reason
    if f.network is not None:
        unmapped["network"] = f.network.model_dump(mode="json")
    return unmapped


def ocsf_finding(f: Finding, uid: str, run: RunInfo) -> dict[str, Any]:
    """One finding as an OCSF Detection Finding (a JSON-ready dict)."""
    activity_id, activity = ACTIVITIES["close" if f.status is Status.PASS else "create"]
    severity_id, severity = SEVERITY_IDS[f.severity]
    status_id, status = STATUS_IDS[f.status]
    event: dict[str, Any] = {
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "activity_id": activity_id,
        "activity_name": activity,
        "type_uid": CLASS_UID * 100 + activity_id,
        "type_name": f"Detection Finding: {activity}",
        "time": epoch_ms(run.finished),
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": f.status.value,
        "is_alert": f.status is Status.FAIL,
        "message": f.message,
        "finding_info": {
            "uid": uid,
            "title": f.title,
            "desc": f.message,
            "types": finding_types(f),
            "analytic": {"uid": f.check_id, "name": f.title, "type_id": 1, "type": "Rule"},
            "first_seen_time": epoch_ms(run.started),
            "last_seen_time": epoch_ms(run.finished),
        },
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "uid": PRODUCT,
                "name": PRODUCT,
                "vendor_name": PRODUCT,
                "version": run.tool_version,
                "url_string": INFORMATION_URI,
            },
            "profiles": ["cloud"],
            "event_code": f.check_id,
        },
        "cloud": _cloud(f),
        "resources": [_resource(f)],
        "unmapped": _unmapped(f),
    }
    if f.remediation.strip():
        event["remediation"] = {"desc": f.remediation}
        steps = steps_for(f.check_id)
        if steps is not None and steps.docs:
            event["remediation"]["references"] = list(steps.docs)
    if evidences := _evidences(f):
        event["evidences"] = evidences
    return event


def iter_ocsf(doc: FindingsDocument) -> Chunks:
    """Every finding of ``doc`` as OCSF Detection Findings: a JSON array, one event at a time."""
    uids = finding_uids(doc.findings)
    events = (ocsf_finding(f, uid, doc.run) for f, uid in zip(doc.findings, uids, strict=True))
    yield from iter_json_array(events)


def render_ocsf(doc: FindingsDocument) -> str:
    """``findings.ocsf.json`` text."""
    return joined(iter_ocsf(doc))
