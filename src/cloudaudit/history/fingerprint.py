"""Stable finding fingerprints: the same problem on the same resource is recognised from run to run.

A finding's fingerprint is the SHA-256 (hex) of the UTF-8 JSON array, written without spaces
(``json.dumps(..., separators=(",", ":"), ensure_ascii=False)``)::

    [provider, account, region, check_id, resource_id, item]

``item`` tells apart the findings one check reports about one resource:

- a provider's check reports at most one finding per resource: the ports, rules, stages or routes
  it found are listed in that finding's message and evidence, so ``item`` is ``""``;
- the exposure stage (``exposure.*`` checks) reports one finding per thing seen at an address of the
  resource: ``item`` is the finding's ``evidence.endpoint`` (``host:port``, or the host), else its
  ``evidence.host``, followed by a space and ``evidence.path`` when the finding names a path (the
  probe's exposed files).

Nothing else enters it: not the severity, status, exposure level, message or title (they may change
while the problem stays the same one), nor the tool version. Two findings that share a fingerprint
(two exposure sources reporting the same endpoint) are paired by message when runs are compared.
"""

from __future__ import annotations

import hashlib
import json

from cloudaudit.model.finding import Finding

EXPOSURE_PREFIX = "exposure."
"""Check ids of the exposure stage's findings (several per resource, one per endpoint)."""


def item_of(finding: Finding) -> str:
    """What tells this finding apart from the check's other findings on the same resource."""
    if not finding.check_id.startswith(EXPOSURE_PREFIX):
        return ""
    evidence = finding.evidence
    where = str(evidence.get("endpoint") or evidence.get("host") or "")
    path = evidence.get("path")
    return f"{where} {path}" if isinstance(path, str) and path else where


def fingerprint(finding: Finding) -> str:
    """The finding's fingerprint (64 hex digits), see the module's documentation."""
    key = [
        finding.provider,
        finding.account,
        finding.region,
        finding.check_id,
        finding.resource_id,
        item_of(finding),
    ]
    text = json.dumps(key, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
