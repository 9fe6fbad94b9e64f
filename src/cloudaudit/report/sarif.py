"""``findings.sarif``: failing findings as SARIF 2.1.0, for code-scanning dashboards and pipelines.

Cloud resources have no file, so each result carries a logical location (the resource id and
name). Levels follow severity (critical/high: error, medium: warning, low/info: note) and the
``security-severity`` property lets dashboards rank them.
"""

from __future__ import annotations

import json
from typing import Any

from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument
from cloudaudit.remediation import Steps, steps_for
from cloudaudit.report.stream import Chunks, joined

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/cloudaudit/cloudaudit"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def _rule(f: Finding) -> dict[str, Any]:
    steps = steps_for(f.check_id)
    rule: dict[str, Any] = {
        "id": f.check_id,
        "name": f.check_id.replace(".", "_"),
        "shortDescription": {"text": f.title},
        "help": _help(" ".join(f.remediation.split()) or f.title, steps),
        "properties": {
            "tags": ["security", f.service, *sorted(f.compliance)],
            "security-severity": SECURITY_SEVERITY[f.severity],
        },
    }
    if steps is not None and steps.docs:
        rule["helpUri"] = steps.docs[0]
    return rule


def _help(summary: str, steps: Steps | None) -> dict[str, str]:
    """The rule's help: the summary, then the console steps and CLI commands (text and Markdown)."""
    if steps is None:
        return {"text": summary}
    console = [f"{n}. {step}" for n, step in enumerate(steps.console, 1)]
    text = "\n".join([summary, "", "In the console:", *console, "", "With the CLI:", *steps.cli])
    fence = "```"
    markdown = "\n".join(
        [
            summary,
            "",
            "**In the console**",
            "",
            *console,
            "",
            "**With the CLI**",
            "",
            fence + "sh",
            *steps.cli,
            fence,
        ]
    )
    return {"text": text, "markdown": markdown}


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    return {
        "ruleId": f.check_id,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [
            {
                "logicalLocations": [
                    {"name": f.resource_name, "fullyQualifiedName": f.resource_id, "kind": "resource"}
                ]
            }
        ],
        "partialFingerprints": {"cloudaudit/v1": f"{f.check_id}|{f.resource_id}"},
        "properties": {
            "severity": f.severity.value,
            "exposure": f.exposure.level.value,
            "provider": f.provider,
            "account": f.account,
            "region": f.region,
            "resource_type": f.resource_type,
            "security-severity": SECURITY_SEVERITY[f.severity],
        },
    }


def iter_sarif(doc: FindingsDocument) -> Chunks:
    """Failing findings of ``doc`` as a SARIF 2.1.0 log (one run), in pieces."""
    failing = [f for f in doc.findings if f.status is Status.FAIL]
    rules: dict[str, int] = {}
    rule_list: list[dict[str, Any]] = []
    results = []
    for f in failing:
        if f.check_id not in rules:
            rules[f.check_id] = len(rule_list)
            rule_list.append(_rule(f))
        results.append(_result(f, rules[f.check_id]))
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": doc.run.tool,
                        "version": doc.run.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": rule_list,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not doc.run.incomplete,
                        "startTimeUtc": doc.run.started.isoformat(),
                        "endTimeUtc": doc.run.finished.isoformat(),
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"not read: {line}"}}
                            for line in doc.run.not_read
                        ],
                    }
                ],
                "results": results,
            }
        ],
    }
    yield from json.JSONEncoder(indent=2).iterencode(log)  # json.dumps(log, indent=2), piecewise
    yield "\n"


def render_sarif(doc: FindingsDocument) -> str:
    """Failing findings of ``doc`` as a SARIF 2.1.0 log (one run)."""
    return joined(iter_sarif(doc))
