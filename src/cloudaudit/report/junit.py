"""``junit.xml``: the audit as JUnit test results, so any CI system shows it as tests.

One ``<testsuite>`` per check (its ``classname``), one ``<testcase>`` per check x resource, named by
the resource id (stable from run to run, so CI keeps each test's history). A check is the natural
suite: its cases share a title, a severity and a remediation, and CI dashboards then count failures
per check, as they count them per test class. A FAIL is a ``<failure>`` (message: the finding's
message; type: the severity), an ERROR an ``<error>``, UNKNOWN and MUTED a ``<skipped>`` with the
reason; PASS is a passing case. What could not be collected gets a last suite, ``cloudaudit.coverage``:
an ``<error>`` per gap that made the audit incomplete (throttling, server, connection...), a
``<skipped>`` per known blind spot (access denied, unsupported). Counts sit in the suite attributes.

XML 1.0 cannot carry most control characters, lone surrogates, U+FFFE or U+FFFF, even escaped:
they are written as visible escapes (``\\x1b``), never dropped silently. Everything else is escaped
as character data or attribute values (``&``, ``<``, ``>``, ``"``; newlines and tabs in attributes as
character references, so they survive attribute normalisation).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from cloudaudit.model.enums import Status
from cloudaudit.model.finding import Finding, FindingsDocument
from cloudaudit.model.inventory import CollectionGap
from cloudaudit.report.machine import utc
from cloudaudit.report.stream import Chunks, joined
from cloudaudit.spool import sort_findings

COVERAGE_SUITE = "cloudaudit.coverage"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def xml_text(value: str) -> str:
    """``value`` as XML 1.0 character data."""
    return _NOT_XML.sub(_visible, value).translate(_TEXT)


def xml_attr(value: str) -> str:
    """``value`` as a double-quoted XML 1.0 attribute value (without the quotes)."""
    return _NOT_XML.sub(_visible, value).translate(_ATTR)


def _attrs(**values: str | int) -> str:
    return "".join(f' {name}="{xml_attr(str(value))}"' for name, value in values.items())


@dataclass
class _Suite:
    """One check's first finding and its findings' counts."""

    name: str
    first: Finding
    counts: Counter[Status]

    @property
    def attrs(self) -> str:
        skipped = self.counts[Status.UNKNOWN] + self.counts[Status.MUTED]
        return _attrs(
            name=self.name,
            tests=self.counts.total(),
            failures=self.counts[Status.FAIL],
            errors=self.counts[Status.ERROR],
            skipped=skipped,
        )


def _suites(findings: Iterable[Finding]) -> list[_Suite]:
    """One suite per check, in the order of the checks' first findings."""
    suites: dict[str, _Suite] = {}
    for f in findings:
        suite = suites.get(f.check_id)
        if suite is None:
            suite = suites[f.check_id] = _Suite(f.check_id, f, Counter())
        suite.counts[f.status] += 1
    return list(suites.values())


def _details(f: Finding) -> str:
    lines = [
        f"severity: {f.severity.value}    exposure: {f.exposure.level.value}",
        f"resource: {f.resource_name} ({f.resource_type}) {f.resource_id}",
        f"provider: {f.provider}    account: {f.account}    region: {f.region}    service: {f.service}",
    ]
    if f.evidence:
        lines.append("evidence: " + json.dumps(f.evidence, ensure_ascii=False, sort_keys=True))
    lines.extend(f"seen: {e.source} {e.endpoint}: {e.seen}" for e in f.exposure.evidence)
    if f.compliance:
        mapped = (f"{framework}: {', '.join(ids)}" for framework, ids in sorted(f.compliance.items()))
        lines.append("compliance: " + "; ".join(mapped))
    if f.remediation.strip():
        lines.append("remediation: " + " ".join(f.remediation.split()))
    return "\n".join(lines)


def _testcase(f: Finding) -> str:
    head = f"    <testcase{_attrs(classname=f.check_id, name=f.resource_id)}"
    if f.status is Status.PASS:
        return head + "/>\n"
    if f.status in (Status.FAIL, Status.ERROR):
        tag, kind = ("failure", f.severity.value) if f.status is Status.FAIL else ("error", "ERROR")
        outcome = f"<{tag}{_attrs(message=f.message, type=kind)}>{xml_text(_details(f))}</{tag}>"
    elif f.status is Status.MUTED:
        outcome = f"<skipped{_attrs(message=f'muted: {f.muted_reason or f.message}')}/>"
    else:
        outcome = f"<skipped{_attrs(message=f'unknown: {f.message}')}/>"
    return f"{head}>\n      {outcome}\n    </testcase>\n"


def _gap_case(gap: CollectionGap) -> str:
    where = gap.resource_id or gap.region
    name = f"{gap.operation} {where}".strip()
    message = f"{gap.kind.value}: {gap.error_code}: {gap.message}"
    tag = "error" if gap.kind.incomplete else "skipped"
    kind = _attrs(type=gap.kind.value) if tag == "error" else ""
    return (
        f"    <testcase{_attrs(classname=f'coverage.{gap.provider}.{gap.service}', name=name)}>\n"
        f"      <{tag}{_attrs(message=message)}{kind}/>\n    </testcase>\n"
    )


def iter_junit(doc: FindingsDocument) -> Chunks:
    """``junit.xml`` text, one test case at a time."""
    run = doc.run
    findings = doc.findings
    suites = _suites(findings)
    errors = sum(s.counts[Status.ERROR] for s in suites) + sum(g.kind.incomplete for g in doc.coverage)
    duration = max(0.0, (run.finished - run.started).total_seconds())
    totals = _attrs(
        name=f"cloudaudit {run.provider}",
        tests=len(findings) + len(doc.coverage),
        failures=sum(s.counts[Status.FAIL] for s in suites),
        errors=errors,
        time=f"{duration:.3f}",
    )
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites{totals}>\n'
    stamp = _attrs(timestamp=utc(run.started).strftime("%Y-%m-%dT%H:%M:%S"))
    rank = {suite.name: i for i, suite in enumerate(suites)}
    by_check = sort_findings(findings, lambda f: rank[f.check_id])  # stable: each check's in run order
    for suite in suites:
        first = suite.first
        yield f"  <testsuite{suite.attrs}{stamp}>\n"
        yield "    <properties>\n"
        for name, value in (("title", first.title), ("service", first.service), ("provider", first.provider)):
            yield f"      <property{_attrs(name=name, value=value)}/>\n"
        yield "    </properties>\n"
        yield from (_testcase(f) for f in islice(by_check, suite.counts.total()))
        yield "  </testsuite>\n"
    if doc.coverage:
        incomplete = sum(g.kind.incomplete for g in doc.coverage)
        attrs = _attrs(
            name=COVERAGE_SUITE,
            tests=len(doc.coverage),
            failures=0,
            errors=incomplete,
            skipped=len(doc.coverage) - incomplete,
        )
        yield f"  <testsuite{attrs}{stamp}>\n"
        yield from (_gap_case(g) for g in doc.coverage)
        yield "  </testsuite>\n"
    yield "</testsuites>\n"


def render_junit(doc: FindingsDocument) -> str:
    """``junit.xml`` text."""
    return joined(iter_junit(doc))
