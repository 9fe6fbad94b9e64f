"""AWS compliance framework identifiers used in check declarations."""

from __future__ import annotations

CIS_AWS = "CIS-AWS-Foundations-3.0.0"
AWS_FSBP = "AWS-Foundational-Security-Best-Practices"
