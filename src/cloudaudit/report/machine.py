"""What the machine formats (OCSF, ASFF, JUnit) share: stable finding ids, finding types, text limits,
and a JSON array written one item at a time."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from cloudaudit.exposure.model import ExposureLevel
from cloudaudit.model.finding import Finding
from cloudaudit.report.stream import Chunks

PRODUCT = "cloudaudit"
INFORMATION_URI = "https://github.com/cloudaudit/cloudaudit"

SEEN_FROM_OUTSIDE = frozenset({ExposureLevel.OBSERVED, ExposureLevel.CONFIRMED, ExposureLevel.EXPLOITABLE})
"""Exposure levels where the Internet itself showed the weakness (not only the configuration)."""

_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate (json.loads accepts ``"\\ud800"``) cannot be written as UTF-8: replaced."""

_ARN_PARTITION = re.compile(r"arn:(aws(?:-[a-z]+)*):")
_ID_PART = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")


def _digest(text: str, size: int = 32) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:size]


def _part(text: str) -> str:
    """``text`` as one part of an id: kept when plain, else a digest (an id stays one clean line)."""
    return text if _ID_PART.fullmatch(text) else "sha256-" + _digest(text, 16)


def finding_uids(findings: Iterable[Finding]) -> Iterator[str]:
    """A stable id per finding: ``cloudaudit/PROVIDER/ACCOUNT/CHECK/<sha256 of the resource id>``.

    The same check on the same resource gets the same id run after run, so Security Hub and data lakes
    update a finding instead of adding one (a provider, account or check id with characters outside
    ``A-Z a-z 0-9 _ . : @ -`` is replaced by its digest too). A check that reports one resource
    several times (one port each, say) keeps the plain id for the first and adds a digest of the
    message to the others.
    """
    seen: set[str] = set()
    for f in findings:
        uid = f"{PRODUCT}/{_part(f.provider)}/{_part(f.account)}/{_part(f.check_id)}/{_digest(f.resource_id)}"
        if uid in seen:
            base = uid = f"{uid}/{_digest(f.message, 12)}"
            extra = 1
            while uid in seen:
                extra += 1
                uid = f"{base}#{extra}"
        seen.add(uid)
        yield uid


def aws_partition(resource_id: str) -> str:
    """``aws``, ``aws-cn``, ``aws-us-gov``... from an ARN; ``aws`` for anything else."""
    match = _ARN_PARTITION.match(resource_id)
    return match.group(1) if match else "aws"


def finding_types(f: Finding) -> list[str]:
    """ASFF-style ``namespace/category[/classifier]`` types of a finding (OCSF uses them too)."""
    if f.check_id == "exposure.known_vulnerability":
        types = ["Software and Configuration Checks/Vulnerabilities/CVE"]
    else:
        types = ["Software and Configuration Checks/Industry and Regulatory Standards"]
    if f.exposure.level in SEEN_FROM_OUTSIDE:
        types.append("Effects/Data Exposure")
    return types


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (whitespace runs collapsed) and at most ``limit`` characters (cut with …)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def requirements(f: Finding) -> list[str]:
    """``FRAMEWORK CONTROL`` for every control the finding's check maps to, sorted."""
    return [f"{framework} {control}" for framework, ids in sorted(f.compliance.items()) for control in ids]


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive time is taken as UTC)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch."""
    return int(utc(moment).timestamp() * 1000)


def iso_ms(moment: datetime) -> str:
    """``2026-11-28T15:00:09.123Z``."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities (which ``json.loads`` accepts but JSON has not) as null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _json_line(item: Any) -> str:
    try:
        return json.dumps(item, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a NaN or infinity somewhere in the evidence
        return json.dumps(_finite(item), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def iter_json_array(items: Iterable[Any]) -> Chunks:
    """A JSON array of ``items``, one compact item per line, written one item at a time.

    Strings keep their characters (UTF-8); a lone surrogate, which UTF-8 cannot carry, becomes U+FFFD;
    NaN and infinities, which JSON cannot carry, become null.
    """
    separator = "[\n"
    for item in items:
        yield separator + _SURROGATE.sub("\ufffd", _json_line(item))
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"
