"""Tests for the self-contained HTML report: content, summary counts, and resistance to injection."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jinja2 import StrictUndefined

from cloudaudit.exposure.model import Exposure, ExposureEvidence, ExposureLevel
from cloudaudit.model import CollectionGap, Finding, FindingsDocument, RunInfo, Severity, Status
from cloudaudit.model.surface import OpenPort, ProbeView, SeenPort, SourceView, SurfaceEntry, SurfaceOwner
from cloudaudit.report import html as report_html
from cloudaudit.report.html import render_html

EXPECTED_SCRIPTS = 4
"""The template defines exactly four <script> elements: the checks, findings and surface JSON islands,
the app."""

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attr": '"><img src=x onerror=alert(1)>',
    "close": "</script><script>alert(2)</script>",
    "jinja": "{{ 7*7 }}",
    "comment": "<!--<script>alert(3)//",
    "proto": "__proto__",
}
XSS = PAYLOADS["script"]
IMG = PAYLOADS["attr"]
CLOSE = PAYLOADS["close"]
JINJA = PAYLOADS["jinja"]

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


# --------------------------------------------------------------------------- a tiny DOM from html.parser


@dataclass(eq=False)
class Node:
    """One parsed element."""

    tag: str
    attrs: dict[str, str | None]
    attr_list: list[tuple[str, str | None]]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        """All descendant text, concatenated."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self) -> Iterator[Node]:
        """This node and every descendant element, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        """Descendants (and self) with this tag and these exact attribute values (``_`` for ``-``)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag) and all(n.attrs.get(k) == v for k, v in wanted.items())
        ]

    def one(self, tag: str | None = None, **attrs: str) -> Node:
        """The single matching descendant."""
        found = self.find_all(tag, **attrs)
        assert len(found) == 1, f"expected one {tag} {attrs}, found {len(found)}"
        return found[0]

    def by_id(self, element_id: str) -> Node:
        """The single element with this id."""
        return self.one(id=element_id)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, [])
        self.cur = self.root
        self.elements: list[Node] = []
        self.stray_end_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), list(attrs), self.cur)
        self.cur.children.append(node)
        self.elements.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), list(attrs), self.cur)
        self.cur.children.append(node)
        self.elements.append(node)

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.cur
        while node is not None and node.tag != tag:
            node = node.parent
        if node is None or node.parent is None:
            self.stray_end_tags.append(tag)
            return
        self.cur = node.parent

    def handle_data(self, data: str) -> None:
        self.cur.children.append(data)


@dataclass
class Parsed:
    """A parsed report."""

    root: Node
    elements: list[Node]
    stray_end_tags: list[str]

    def tags(self) -> Counter[str]:
        """How many elements of each tag name."""
        return Counter(e.tag for e in self.elements)


def parse(html: str) -> Parsed:
    """Parse with the standard library's HTML parser into a small tree."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return Parsed(builder.root, builder.elements, builder.stray_end_tags)


def embedded_data(parsed: Parsed) -> list[dict[str, Any]]:
    """The findings JSON island, decoded, with the per-check fields filled in as the page's script
    fills them (from the checks island, where a finding leaves them out)."""
    script = parsed.root.one("script", id="findings-data")
    data = json.loads(script.text())
    assert isinstance(data, list)
    checks = dict(json.loads(parsed.root.one("script", id="checks-data").text()))
    for item in data:
        for key, value in checks[item["check_id"]].items():
            item.setdefault(key, value)
    return data


# --------------------------------------------------------------------------- builders

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T1 = datetime(2024, 5, 1, 12, 7, 30, tzinfo=UTC)


def make_run(**overrides: Any) -> RunInfo:
    values: dict[str, Any] = {
        "tool_version": "0.1.0",
        "provider": "aws",
        "accounts": ["111122223333"],
        "regions": ["us-east-1", "eu-west-1"],
        "started": T0,
        "finished": T1,
        "checks_run": 42,
    }
    values.update(overrides)
    return RunInfo(**values)


def make_finding(
    check_id: str = "s3_bucket_public",
    severity: Severity = Severity.HIGH,
    status: Status = Status.FAIL,
    **overrides: Any,
) -> Finding:
    values: dict[str, Any] = {
        "check_id": check_id,
        "title": "S3 bucket is public",
        "severity": severity,
        "status": status,
        "message": "Bucket policy grants s3:GetObject to *",
        "provider": "aws",
        "account": "111122223333",
        "region": "us-east-1",
        "service": "s3",
        "resource_type": "s3_bucket",
        "resource_id": "arn:aws:s3:::my-bucket",
        "resource_name": "my-bucket",
        "evidence": {"Statement": [{"Effect": "Allow", "Principal": "*"}]},
        "remediation": "Remove the public statement.",
        "compliance": {"CIS-AWS-3.0": ["2.1.4"]},
    }
    values.update(overrides)
    return Finding(**values)


def make_gap(**overrides: Any) -> CollectionGap:
    values: dict[str, Any] = {
        "provider": "aws",
        "account": "111122223333",
        "region": "eu-west-1",
        "service": "lambda",
        "operation": "GetPolicy",
        "error_code": "AccessDenied",
        "message": "User is not authorized to perform lambda:GetPolicy",
        "resource_id": "arn:aws:lambda:eu-west-1:111122223333:function:f",
    }
    values.update(overrides)
    return CollectionGap(**values)


def make_doc(
    findings: list[Finding],
    gaps: list[CollectionGap] | None = None,
    surface: list[SurfaceEntry] | None = None,
    **run: Any,
) -> FindingsDocument:
    return FindingsDocument(
        run=make_run(**run), findings=findings, coverage=gaps or [], surface=surface or []
    )


def make_entry(
    endpoint: str = "203.0.113.10", level: ExposureLevel = ExposureLevel.CONFIGURED, **overrides: Any
) -> SurfaceEntry:
    values: dict[str, Any] = {
        "endpoint": endpoint,
        "kind": "address",
        "owner": SurfaceOwner(
            id=f"arn:aws:ec2:us-east-1:111122223333:instance/i-{endpoint}",
            name=f"web-{endpoint}",
            kind="aws.ec2.instance",
        ),
        "resource_ids": (f"arn:aws:ec2:us-east-1:111122223333:instance/i-{endpoint}",),
        "ports": (
            OpenPort(
                protocol="tcp",
                from_port=443,
                to_port=443,
                via="sg-1: tcp/443 from 0.0.0.0/0",
                service="HTTPS",
            ),
        ),
        "level": level,
        "evidence": "config: sg-1: tcp/443 from 0.0.0.0/0",
    }
    values.update(overrides)
    return SurfaceEntry(**values)


def hostile_doc() -> FindingsDocument:
    """Every untrusted field that reaches the page carries a payload."""
    findings = [
        make_finding(
            check_id="hostile_check",
            title=f"{XSS} {JINJA}",
            resource_name=IMG,
            resource_id=f"arn:aws:s3:::{CLOSE}",
            message=f"{CLOSE} {IMG} {PAYLOADS['comment']}",
            region=XSS,
            service=IMG,
            account=CLOSE,
            evidence={XSS: [IMG, CLOSE, JINJA], "nested": {"k": PAYLOADS["comment"]}},
            remediation=f"See {IMG} https://docs.aws.amazon.com/AmazonS3/latest/userguide/x.html",
            compliance={XSS: [IMG, JINJA]},
        ),
        make_finding(
            check_id="muted_check",
            status=Status.MUTED,
            service=PAYLOADS["proto"],
            title=CLOSE,
            muted_reason=f"{XSS}{IMG}",
        ),
        make_finding(
            check_id="unknown_check", status=Status.UNKNOWN, severity=Severity.CRITICAL, message=JINJA
        ),
    ]
    gaps = [
        make_gap(resource_id=XSS, message=f"{IMG} {JINJA}", operation=CLOSE, error_code=IMG, service=XSS),
        make_gap(resource_id="", message=CLOSE, region=IMG),
    ]
    surface = [
        make_entry(
            CLOSE,
            ExposureLevel.EXPLOITABLE,
            kind="hostname",
            owner=SurfaceOwner(id=XSS, name=IMG, kind=JINJA),
            resource_ids=(XSS, CLOSE),
            ports=(OpenPort(protocol="tcp", from_port=80, to_port=80, via=IMG, service=XSS),),
            sources=(
                SourceView(source="shodan", listed=True, ports=(SeenPort(port=8080, service=IMG),), cves=2),
            ),
            probe=ProbeView(answered=(SeenPort(port=80, service=XSS),), checks=(PAYLOADS["comment"],)),
            evidence=f"probe: {XSS}",
            gaps=(f"internetdb: {IMG}",),
        )
    ]
    return make_doc(findings, gaps, surface, regions=[XSS, IMG], accounts=[CLOSE])


def _defang(value: Any) -> Any:
    """Same shape and lengths, harmless characters: a document structurally identical to the hostile one."""
    if isinstance(value, str):
        return re.sub(r"[<>\"'&{}/=!]", "x", value)
    if isinstance(value, list):
        return [_defang(v) for v in value]
    if isinstance(value, dict):
        return {_defang(k): _defang(v) for k, v in value.items()}
    return value


def benign_twin(doc: FindingsDocument) -> FindingsDocument:
    data = doc.model_dump(mode="json")
    for section in ("findings", "coverage", "surface"):
        for item in data[section]:
            for key, value in item.items():
                if key not in ("severity", "status", "level", "kind"):
                    item[key] = _defang(value)
    data["run"]["accounts"] = _defang(data["run"]["accounts"])
    data["run"]["regions"] = _defang(data["run"]["regions"])
    return FindingsDocument.model_validate(data)


# --------------------------------------------------------------------------- injection


def test_hostile_strings_inject_no_elements_or_attributes() -> None:
    doc = hostile_doc()
    parsed = parse(render_html(doc))
    twin = parse(render_html(benign_twin(doc)))

    scripts = [e for e in parsed.elements if e.tag == "script"]
    assert len(scripts) == EXPECTED_SCRIPTS
    assert len([e for e in twin.elements if e.tag == "script"]) == EXPECTED_SCRIPTS
    # The hostile report has exactly the element structure of its harmless twin: nothing was injected.
    assert parsed.tags() == twin.tags()
    assert parsed.stray_end_tags == [] == twin.stray_end_tags
    assert not [e for e in parsed.elements if e.tag in ("img", "iframe", "object", "embed", "svg", "base")]
    event_attrs = [(e.tag, name) for e in parsed.elements for name, _ in e.attr_list if name.startswith("on")]
    assert event_attrs == []
    assert all(e.attrs.get("onerror") is None for e in parsed.elements)
    # The app script is the template's own code, not data.
    app = next(s for s in scripts if "id" not in s.attrs)
    assert "alert(" not in app.text()


def test_embedded_json_round_trips_exact_strings() -> None:
    doc = hostile_doc()
    html = render_html(doc)
    parsed = parse(html)
    data = embedded_data(parsed)
    by_check = {d["check_id"]: d for d in data}
    hostile = by_check["hostile_check"]
    assert hostile["title"] == f"{XSS} {JINJA}"
    assert hostile["resource_name"] == IMG
    assert hostile["resource_id"] == f"arn:aws:s3:::{CLOSE}"
    assert hostile["region"] == XSS
    assert hostile["evidence"] == {XSS: [IMG, CLOSE, JINJA], "nested": {"k": PAYLOADS["comment"]}}
    assert hostile["compliance"] == {XSS: [IMG, JINJA]}
    assert by_check["muted_check"]["muted_reason"] == f"{XSS}{IMG}"
    expected = {f.check_id: f.model_dump(mode="json") for f in doc.findings}
    assert by_check == expected
    # The raw islands' text has no markup-significant characters at all.
    for island in ("findings-data", "checks-data"):
        assert not set("<>&'") & set(parsed.root.one("script", id=island).text())


def test_check_fields_are_written_once_per_check_unless_a_finding_differs() -> None:
    same = [make_finding("c1", resource_id=f"arn:aws:s3:::b{i}") for i in range(3)]
    odd = make_finding("c1", resource_id="arn:aws:s3:::odd", title="Older title", compliance={"X": ["1"]})
    doc = make_doc([*same, odd])
    parsed = parse(render_html(doc))
    raw = json.loads(parsed.root.one("script", id="findings-data").text())
    by_id = {d["resource_id"]: d for d in raw}
    assert all("title" not in by_id[f.resource_id] for f in same)
    assert all("remediation" not in by_id[f.resource_id] for f in same)
    assert by_id["arn:aws:s3:::odd"]["title"] == "Older title"
    assert by_id["arn:aws:s3:::odd"]["compliance"] == {"X": ["1"]}
    checks = json.loads(parsed.root.one("script", id="checks-data").text())
    assert [c for c, _ in checks] == ["c1"]
    expected = {f.resource_id: f.model_dump(mode="json") for f in doc.findings}
    assert {d["resource_id"]: d for d in embedded_data(parsed)} == expected


def test_server_rendered_parts_show_payloads_as_text() -> None:
    doc = hostile_doc()
    html = render_html(doc)
    root = parse(html).root

    rows = root.by_id("coverage-table").find_all("tr")[1:]
    cells = [[td.text() for td in row.find_all("td")] for row in rows]
    assert cells[0] == [XSS, "111122223333", "eu-west-1", CLOSE, XSS, IMG, f"{IMG} {JINJA}"]
    assert cells[1][2] == IMG
    assert cells[1][6] == CLOSE
    assert "49" not in " ".join(cells[0])

    services = root.by_id("service-table")
    assert [r.attrs["data-service"] for r in services.find_all("tr") if "data-service" in r.attrs] == sorted(
        [IMG, PAYLOADS["proto"], "s3"]
    )
    assert services.one("tr", data_service=IMG).find_all("td")[0].text() == IMG
    assert [i.attrs["value"] for i in root.find_all("input", data_facet="service")] == sorted(
        [IMG, PAYLOADS["proto"], "s3"]
    )

    run_info = root.by_id("run-info")
    values = dict(
        zip(
            [dt.text() for dt in run_info.find_all("dt")],
            [dd.text() for dd in run_info.find_all("dd")],
            strict=True,
        )
    )
    assert values["Regions"] == f"{XSS}, {IMG}"
    assert values["Accounts"] == CLOSE
    assert CLOSE in root.one("title").text()
    # Escaped in the source, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


# --------------------------------------------------------------------------- summary and coverage


def summary_doc() -> FindingsDocument:
    findings = [
        make_finding("c1", Severity.CRITICAL),
        make_finding("c2", Severity.CRITICAL, service="ec2"),
        make_finding("c3", Severity.CRITICAL, service="iam"),
        make_finding("h1", Severity.HIGH),
        make_finding("p1", Severity.CRITICAL, Status.PASS),
        make_finding("p2", Severity.HIGH, Status.PASS, service="ec2"),
        make_finding("m1", Severity.MEDIUM, Status.MUTED, muted_reason="accepted risk"),
    ]
    return make_doc(findings)


def test_summary_counts() -> None:
    root = parse(render_html(summary_doc())).root
    cards = root.by_id("severity-summary")
    shown = {
        li.attrs["data-severity"]: int(li.one("span", **{"class": "count"}).text())
        for li in cards.find_all("li")
    }
    assert shown == {"critical": 3, "high": 1, "medium": 0, "low": 0, "info": 0}

    status = root.by_id("status-summary")
    by_status = {
        s.attrs["data-status"]: int(s.text()) for s in status.find_all("span") if "data-status" in s.attrs
    }
    assert by_status == {"FAIL": 4, "PASS": 2, "MUTED": 1, "UNKNOWN": 0, "ERROR": 0}
    assert "4 FAIL in total" in root.by_id("summary").text()

    table = root.by_id("service-table")
    per_service = {
        row.attrs["data-service"]: {
            td.attrs["data-status"]: int(td.text()) for td in row.find_all("td")[1:-1]
        }
        for row in table.find_all("tr")
        if "data-service" in row.attrs
    }
    assert per_service == {
        "ec2": {"FAIL": 1, "PASS": 1, "UNKNOWN": 0, "MUTED": 0, "ERROR": 0},
        "iam": {"FAIL": 1, "PASS": 0, "UNKNOWN": 0, "MUTED": 0, "ERROR": 0},
        "s3": {"FAIL": 2, "PASS": 1, "UNKNOWN": 0, "MUTED": 1, "ERROR": 0},
    }
    header = [th.text() for th in table.find_all("th")]
    assert header == ["Service", "FAIL", "PASS", "UNKNOWN", "MUTED", "ERROR", "Total"]
    totals = {
        row.attrs["data-service"]: int(row.find_all("td")[-1].text()) for row in table.find_all("tr")[1:]
    }
    assert totals == {"ec2": 2, "iam": 1, "s3": 4}


def test_header_shows_run_info() -> None:
    root = parse(render_html(summary_doc())).root
    assert root.one("h1").text() == "cloudaudit 0.1.0: cloud security posture report"
    run_info = root.by_id("run-info")
    values = dict(
        zip(
            [dt.text() for dt in run_info.find_all("dt")],
            [dd.text() for dd in run_info.find_all("dd")],
            strict=True,
        )
    )
    assert values["Provider"] == "aws"
    assert values["Accounts"] == "111122223333"
    assert values["Regions"] == "us-east-1, eu-west-1"
    assert values["Started"] == "2024-05-01T12:00:00+00:00"
    assert values["Finished"] == "2024-05-01T12:07:30+00:00 (450 s)"
    assert values["Checks run"] == "42"
    assert values["Findings"] == "7"


def test_coverage_section_present_with_gaps() -> None:
    findings = [
        make_finding("u1", status=Status.UNKNOWN),
        make_finding("u2", status=Status.UNKNOWN),
        make_finding("u3", status=Status.UNKNOWN),
        make_finding("f1"),
    ]
    gaps = [make_gap(), make_gap(resource_id="", service="ec2", operation="DescribeInstances")]
    root = parse(render_html(make_doc(findings, gaps))).root
    section = root.by_id("coverage")
    assert "2 things could not be checked" in section.one("h2").text()
    rows = root.by_id("coverage-table").find_all("tr")
    assert [th.text() for th in rows[0].find_all("th")] == [
        "Service",
        "Account",
        "Region",
        "Operation",
        "Resource",
        "Error code",
        "Message",
    ]
    assert len(rows) == 3
    assert [td.text() for td in rows[1].find_all("td")] == [
        "lambda",
        "111122223333",
        "eu-west-1",
        "GetPolicy",
        "arn:aws:lambda:eu-west-1:111122223333:function:f",
        "AccessDenied",
        "User is not authorized to perform lambda:GetPolicy",
    ]
    assert rows[2].find_all("td")[4].text() == "(whole service / region)"
    alert = " ".join(root.by_id("gap-alert").text().split())
    assert "2 things could not be checked." in alert
    assert "3 findings are UNKNOWN because their input could not be collected." in alert


def test_single_gap_uses_singular() -> None:
    root = parse(render_html(make_doc([make_finding("u1", status=Status.UNKNOWN)], [make_gap()]))).root
    alert = " ".join(root.by_id("gap-alert").text().split())
    assert "1 thing could not be checked." in alert
    assert "1 finding is UNKNOWN" in alert


def test_coverage_section_absent_without_gaps() -> None:
    html = render_html(summary_doc())
    root = parse(html).root
    assert root.find_all(id="coverage") == []
    assert root.find_all(id="gap-alert") == []
    assert root.find_all(id="coverage-table") == []
    assert "could not be checked" not in html


# --------------------------------------------------------------------------- ordering, filters, noscript


def test_findings_ordered_failing_first_by_severity_then_check_id() -> None:
    findings = [
        make_finding("z_pass", Severity.CRITICAL, Status.PASS),
        make_finding("b_low", Severity.LOW),
        make_finding("a_unknown", Severity.CRITICAL, Status.UNKNOWN),
        make_finding("b_crit", Severity.CRITICAL),
        make_finding("a_crit", Severity.CRITICAL),
        make_finding("a_info", Severity.INFO),
        make_finding("m_high", Severity.HIGH),
        make_finding("err", Severity.HIGH, Status.ERROR),
        make_finding("muted", Severity.CRITICAL, Status.MUTED),
    ]
    order = [d["check_id"] for d in embedded_data(parse(render_html(make_doc(findings))))]
    assert order[:5] == ["a_crit", "b_crit", "m_high", "b_low", "a_info"]
    assert sorted(order[5:]) == sorted(["z_pass", "a_unknown", "err", "muted"])
    assert order == ["a_crit", "b_crit", "m_high", "b_low", "a_info", "a_unknown", "err", "muted", "z_pass"]


def test_within_a_severity_stronger_exposure_evidence_comes_first() -> None:
    def graded(check_id: str, level: ExposureLevel) -> Finding:
        return make_finding(check_id, Severity.CRITICAL, exposure=Exposure(level=level))

    findings = [
        graded("a_configured", ExposureLevel.CONFIGURED),
        graded("b_exploitable", ExposureLevel.EXPLOITABLE),
        graded("c_observed", ExposureLevel.OBSERVED),
    ]
    order = [d["check_id"] for d in embedded_data(parse(render_html(make_doc(findings))))]
    assert order == ["b_exploitable", "c_observed", "a_configured"]


def test_default_status_filter_hides_pass_and_muted_visibly() -> None:
    root = parse(render_html(summary_doc())).root
    boxes = {i.attrs["value"]: "checked" in i.attrs for i in root.find_all("input", data_facet="status")}
    assert boxes == {"FAIL": True, "UNKNOWN": True, "ERROR": True, "PASS": False, "MUTED": False}
    labels = {
        next(i.attrs["value"] for i in label.find_all("input")): " ".join(label.text().split())
        for label in root.by_id("filters").find_all("label")
        if label.find_all("input", data_facet="status")
    }
    assert "hidden by default" in labels["PASS"]
    assert "hidden by default" in labels["MUTED"]
    assert "hidden by default" not in labels["FAIL"]
    assert root.by_id("show-all-statuses").tag == "button"
    severities = {
        i.attrs["value"]: "checked" in i.attrs for i in root.find_all("input", data_facet="severity")
    }
    assert severities == dict.fromkeys(["critical", "high", "medium", "low", "info"], True)
    assert root.by_id("search").attrs["type"] == "search"


def test_noscript_points_to_summary_and_findings_json() -> None:
    root = parse(render_html(summary_doc())).root
    noscript = root.one("noscript")
    text = " ".join(noscript.text().split())
    assert "summary above is complete" in text
    assert "JavaScript" in text
    assert "findings.json" in text
    # The JS-only list starts hidden so a script-less reader sees no empty widgets.
    assert "hidden" in root.by_id("findings").attrs


# --------------------------------------------------------------------------- self-contained, no network


URL_ATTRS = (
    "src",
    "href",
    "action",
    "formaction",
    "srcset",
    "poster",
    "data",
    "background",
    "manifest",
    "ping",
)


def template_source() -> str:
    return (resources.files("cloudaudit") / "report" / "templates" / "report.html.j2").read_text("utf-8")


def test_report_loads_nothing_from_the_network() -> None:
    html = render_html(hostile_doc())
    parsed = parse(html)
    for element in parsed.elements:
        for name, value in element.attr_list:
            if name in URL_ATTRS and value is not None:
                assert value.startswith("#"), (element.tag, name, value)
    assert not [
        e for e in parsed.elements if e.tag in ("link", "iframe", "img", "base", "object", "embed", "audio")
    ]
    for style in parsed.root.find_all("style"):
        assert "url(" not in style.text()
        assert "@import" not in style.text()
    # Only data mentions URLs (the remediation link), never the template.
    assert re.findall(r"https?://", template_source()) == []
    assert "docs.aws.amazon.com" in embedded_data(parsed)[0]["remediation"]
    assert "docs.aws.amazon.com" not in "".join(
        str(v) for e in parsed.elements for n, v in e.attr_list if n in URL_ATTRS
    )


def test_content_security_policy_forbids_network_loads() -> None:
    parsed = parse(render_html(summary_doc()))
    head = parsed.root.one("head")
    csp = head.one("meta", http_equiv="Content-Security-Policy")
    policy = {
        part.split()[0]: part.split()[1:] for part in (csp.attrs["content"] or "").split(";") if part.strip()
    }
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'unsafe-inline'"]
    assert policy["style-src"] == ["'unsafe-inline'"]
    assert policy["img-src"] == ["data:"]
    assert "connect-src" not in policy
    # The policy comes before anything it governs.
    head_tags = [c.tag for c in head.children if isinstance(c, Node)]
    assert head_tags.index("meta") < head_tags.index("style")
    first_meta = [c for c in head.children if isinstance(c, Node)][:2]
    assert any(m.attrs.get("http-equiv") == "Content-Security-Policy" for m in first_meta)


def test_template_builds_dom_without_html_strings() -> None:
    source = template_source()
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert banned not in source, banned
    assert re.search(r"\|\s*safe\b", source) is None
    assert "textContent" in source
    assert "createElement" in source
    assert "|tojson" in source


def test_environment_is_cached_strict_and_autoescaping() -> None:
    env = report_html._environment()
    assert env is report_html._environment()
    assert env.undefined is StrictUndefined
    assert callable(env.autoescape)
    assert env.autoescape("report.html.j2") is True
    assert env.autoescape("anything.html") is True


# --------------------------------------------------------------------------- scale


def many_findings(n: int) -> list[Finding]:
    severities = list(Severity)
    statuses = list(Status)
    services = ["s3", "ec2", "iam", "lambda", "rds", "kms", "sns", "sqs"]
    return [
        make_finding(
            f"check_{i % 250:03d}",
            severities[i % len(severities)],
            statuses[i % len(statuses)],
            service=services[i % len(services)],
            resource_id=f"arn:aws:s3:::bucket-{i}",
            resource_name=f"bucket-{i}",
            evidence={"index": i, "tags": {"Name": f"bucket-{i}"}},
        )
        for i in range(n)
    ]


def test_twenty_thousand_findings_render_to_a_file(tmp_path: Path) -> None:
    findings = many_findings(20_000)
    html = render_html(make_doc(findings, [make_gap()]))
    out = tmp_path / "report.html"
    out.write_text(html, encoding="utf-8")
    assert out.stat().st_size > 1_000_000
    parsed = parse(out.read_text(encoding="utf-8"))
    data = embedded_data(parsed)
    assert len(data) == 20_000
    assert {d["resource_id"] for d in data} == {f.resource_id for f in findings}
    fails = Counter(f.severity.value for f in findings if f.status is Status.FAIL)
    cards = parsed.root.by_id("severity-summary")
    shown = {
        li.attrs["data-severity"]: int(li.one("span", **{"class": "count"}).text().replace(",", ""))
        for li in cards.find_all("li")
    }
    assert shown == {s.value: fails[s.value] for s in Severity}
    assert len([e for e in parsed.elements if e.tag == "script"]) == EXPECTED_SCRIPTS


# --------------------------------------------------------------------- headless: the report's JS in node

NODE = shutil.which("node")

_FAKE_DOM_JS = r"""
"use strict";
const vm = require("vm");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const created = [];
class Text { constructor(t) { this.data = String(t); } get textContent() { return this.data; } }
class Element {
  constructor(tag, attrs) {
    attrs = attrs || {};
    this.tagName = tag.toUpperCase(); this.attrs = attrs; this.childNodes = []; this.listeners = {};
    this.dataset = {};
    for (const k of Object.keys(attrs)) {
      if (k.startsWith("data-")) {
        this.dataset[k.slice(5).replace(/-([a-z])/g, (m, c) => c.toUpperCase())] = attrs[k];
      }
    }
    this.id = attrs.id || ""; this.className = attrs["class"] || ""; this.hidden = "hidden" in attrs;
    this.checked = "checked" in attrs; this.defaultChecked = this.checked; this.value = attrs.value || "";
    this.disabled = false; this._open = false;
  }
  appendChild(c) {
    if (c instanceof Fragment) {
      c.childNodes.forEach((x) => this.appendChild(x)); c.childNodes = []; return c;
    }
    if (!(c instanceof Element) && !(c instanceof Text)) { throw new Error("not a node"); }
    this.childNodes.push(c); return c;
  }
  get textContent() { return this.childNodes.map((c) => c.textContent).join(""); }
  set textContent(v) { this.childNodes = v === "" ? [] : [new Text(v)]; }
  set innerHTML(v) { throw new Error("innerHTML used"); }
  set outerHTML(v) { throw new Error("outerHTML used"); }
  insertAdjacentHTML() { throw new Error("insertAdjacentHTML used"); }
  setAttribute() { throw new Error("setAttribute used"); }
  get open() { return this._open; }
  set open(v) {
    const changed = this._open !== Boolean(v); this._open = Boolean(v);
    if (changed) { this.dispatch("toggle"); }
  }
  get classList() { return { contains: (c) => this.className.split(/\s+/).includes(c) }; }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  dispatch(type) {
    (this.listeners[type] || []).forEach((fn) => fn({ type: type, target: this, preventDefault() {} }));
  }
  scrollIntoView() {}
  walk(fn) { fn(this); this.childNodes.forEach((c) => { if (c instanceof Element) { c.walk(fn); } }); }
  querySelectorAll(sel) {
    const m = /^([a-z]*)((?:\.[\w-]+)*)(?:\[([\w-]+)='([^']*)'\])?$/.exec(sel);
    if (!m) { throw new Error("unsupported selector " + sel); }
    const classes = m[2] ? m[2].slice(1).split(".") : [];
    const out = [];
    this.walk((e) => {
      if (e === this) { return; }
      if (m[1] && e.tagName !== m[1].toUpperCase()) { return; }
      if (!classes.every((c) => e.classList.contains(c))) { return; }
      if (m[3] && e.attrs[m[3]] !== m[4]) { return; }
      out.push(e);
    });
    return out;
  }
  toJSON() {
    return { tag: this.tagName.toLowerCase(), cls: this.className, hidden: this.hidden, open: this._open,
      children: this.childNodes.map((c) => (c instanceof Text ? c.data : c.toJSON())) };
  }
}
class Fragment extends Element { constructor() { super("#fragment"); } }
function build(node) {
  if (typeof node === "string") { return new Text(node); }
  const e = new Element(node[0], node[1]);
  node[2].forEach((c) => e.childNodes.push(build(c)));
  return e;
}
const body = build(input.tree);
const byId = (id) => {
  let found = null;
  body.walk((e) => { if (found === null && e.id === id) { found = e; } });
  return found;
};
const document = {
  getElementById: byId,
  createElement: (tag) => { const e = new Element(tag); created.push(e.tagName); return e; },
  createTextNode: (t) => new Text(t),
  createDocumentFragment: () => new Fragment(),
};
const sandbox = { document: document, setTimeout: setTimeout, clearTimeout: clearTimeout, console: console };
vm.runInNewContext(input.script, sandbox);
const facets = () => {
  const out = {};
  body.querySelectorAll("span.count").forEach((s) => {
    if (s.attrs["data-facet"]) { out[s.attrs["data-facet"] + ":" + s.attrs["data-value"]] = s.textContent; }
  });
  return out;
};
const surfaceApp = byId("surface-app");
const snapshot = () => ({
  list: byId("finding-list").toJSON(),
  pageInfo: byId("findings").querySelectorAll(".page-info").map((e) => e.textContent),
  surface: surfaceApp ? byId("surface-rows").toJSON() : null,
  surfaceInfo: surfaceApp ? surfaceApp.querySelectorAll(".page-info").map((e) => e.textContent) : null,
  surfaceHidden: surfaceApp ? surfaceApp.hidden : null,
  surfaceNoMatch: surfaceApp ? !byId("surface-no-match").hidden : null,
  sortMarks: surfaceApp ? surfaceApp.querySelectorAll("span.sort-mark").map((e) => e.textContent) : null,
  hiddenNote: byId("hidden-note").hidden ? null : byId("hidden-note").textContent,
  noMatch: !byId("no-match").hidden,
  facets: facets(),
  error: byId("js-error").hidden ? null : byId("js-error").textContent,
  findingsHidden: byId("findings").hidden,
});
(async () => {
  const snaps = [snapshot()];
  for (const act of input.actions) {
    if (act.click) {
      const scope = act.within ? byId(act.within) : body;
      const b = act.click.startsWith(".") ? scope.querySelectorAll(act.click)[0] : byId(act.click);
      b.dispatch("click");
    }
    if (act.toggle) {
      const box = body.querySelectorAll("input[data-facet='" + act.toggle[0] + "']")
        .find((i) => i.value === act.toggle[1]);
      box.checked = act.toggle[2]; box.dispatch("change");
    }
    if (act.search !== undefined) {
      const s = byId(act.into || "search"); s.value = act.search; s.dispatch("input");
    }
    await new Promise((r) => setTimeout(r, act.search !== undefined ? 400 : 0));
    snaps.push(snapshot());
  }
  process.stdout.write(JSON.stringify({ snaps: snaps, created: created }));
})();
"""


def _to_tree(node: Node) -> list[Any]:
    return [
        node.tag,
        {k: (v if v is not None else "") for k, v in node.attrs.items()},
        [c if isinstance(c, str) else _to_tree(c) for c in node.children],
    ]


def run_report_js(html: str, actions: list[dict[str, Any]]) -> dict[str, Any]:
    """Run the report's own script against a minimal fake DOM in node; snapshots after each action."""
    assert NODE is not None
    parsed = parse(html)
    app = next(s for s in parsed.root.find_all("script") if "id" not in s.attrs)
    payload = json.dumps(
        {"tree": _to_tree(parsed.root.one("body")), "script": app.text(), "actions": actions}
    )
    proc = subprocess.run(
        [NODE, "-e", _FAKE_DOM_JS], input=payload, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def _items(snap: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in snap["list"]["children"] if isinstance(c, dict)]


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node["children"]:
        if isinstance(child, dict):
            yield from _walk(child)


def _text(node: dict[str, Any]) -> str:
    return "".join(c if isinstance(c, str) else _text(c) for c in node["children"])


def _by_class(node: dict[str, Any], cls: str) -> list[dict[str, Any]]:
    return [n for n in _walk(node) if cls in n["cls"].split()]


needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


@needs_node
def test_js_renders_hostile_findings_as_text() -> None:
    doc = hostile_doc()
    result = run_report_js(render_html(doc), [{"toggle": ["status", "MUTED", True]}, {"click": "expand-all"}])
    first, _, expanded = result["snaps"]
    assert first["error"] is None
    assert first["findingsHidden"] is False
    # Default view: FAIL + UNKNOWN (MUTED hidden, and said so).
    assert [_text(_by_class(i, "check-id")[0]) for i in _items(first)] == ["hostile_check", "unknown_check"]
    assert first["hiddenNote"] is not None
    assert "1 MUTED" in first["hiddenNote"]
    items = {_text(_by_class(i, "check-id")[0]): i for i in _items(expanded)}
    assert set(items) == {"hostile_check", "unknown_check", "muted_check"}
    hostile = items["hostile_check"]
    assert _text(_by_class(hostile, "title")[0]) == f"{XSS} {JINJA}"
    assert _text(_by_class(hostile, "res-name")[0]) == IMG
    assert _text(_by_class(hostile, "res-id")[0]) == f"arn:aws:s3:::{CLOSE}"
    assert _text(_by_class(hostile, "f-msg")[0]) == f"{CLOSE} {IMG} {PAYLOADS['comment']}"
    assert f"Region: {XSS}" in _text(_by_class(hostile, "f-meta")[0])
    pre = [n for n in _walk(hostile) if n["tag"] == "pre"]
    assert len(pre) == 1
    assert json.loads(_text(pre[0])) == {XSS: [IMG, CLOSE, JINJA], "nested": {"k": PAYLOADS["comment"]}}
    dl = next(n for n in _walk(hostile) if n["tag"] == "dl")
    assert [_text(c) for c in dl["children"]] == [XSS, f"{IMG}, {JINJA}"]
    assert f"{XSS}{IMG}" in _text(items["muted_check"])
    # Only the template's own tags were created; nothing came from the data.
    assert not {"IMG", "SCRIPT", "IFRAME"} & set(result["created"])
    assert set(result["created"]) <= {
        "LI",
        "DIV",
        "SPAN",
        "CODE",
        "B",
        "P",
        "DETAILS",
        "SUMMARY",
        "H4",
        "PRE",
        "DL",
        "DT",
        "DD",
        "TR",
        "TD",
    }


@needs_node
def test_js_pages_filters_searches_and_counts() -> None:
    findings = [make_finding(f"fail_{i:03d}", Severity.HIGH, resource_name=f"res-{i}") for i in range(250)]
    findings += [make_finding(f"pass_{i:03d}", Severity.LOW, Status.PASS, service="ec2") for i in range(30)]
    findings.append(make_finding("needle_check", Severity.CRITICAL, message="Find the NeedleWord here"))
    actions: list[dict[str, Any]] = [
        {"click": ".next"},
        {"click": ".next"},
        {"click": ".next"},
        {"toggle": ["status", "PASS", True]},
        {"search": "needleword"},
        {"search": ""},
        {"toggle": ["severity", "high", False]},
        {"click": "services-none"},
        {"click": "reset-filters"},
    ]
    snaps = run_report_js(render_html(make_doc(findings)), actions)["snaps"]
    page1, page2, page3, page3_again, with_pass, search, cleared, no_high, no_services, reset = snaps

    assert len(_items(page1)) == 100
    assert _text(_by_class(_items(page1)[0], "check-id")[0]) == "needle_check"
    assert page1["pageInfo"][0] == "Findings 1\u2013100 of 251 matching (281 in total) \u00b7 page 1 of 3"
    assert len(_items(page2)) == 100
    assert len(_items(page3)) == 51
    assert page3["pageInfo"] == page3_again["pageInfo"]  # "next" on the last page stays there
    assert page1["facets"]["status:FAIL"] == "251"
    assert page1["facets"]["status:PASS"] == "30"
    assert page1["facets"]["severity:high"] == "250"
    assert page1["facets"]["service:ec2"] == "0"
    assert "30 PASS" in page1["hiddenNote"]

    # Changing a filter goes back to the first page.
    assert with_pass["pageInfo"][0] == "Findings 1\u2013100 of 281 matching (281 in total) \u00b7 page 1 of 3"
    assert with_pass["hiddenNote"] is None
    assert with_pass["facets"]["service:ec2"] == "30"

    assert [_text(_by_class(i, "check-id")[0]) for i in _items(search)] == ["needle_check"]
    assert search["facets"]["severity:high"] == "0"
    assert search["facets"]["severity:critical"] == "1"
    assert search["facets"]["status:PASS"] == "0"
    assert len(_items(cleared)) == 100
    assert cleared["pageInfo"] == with_pass["pageInfo"]
    assert no_high["pageInfo"][0] == "Findings 1\u201331 of 31 matching (281 in total) \u00b7 page 1 of 1"
    assert no_high["facets"]["severity:high"] == "250"
    assert _items(no_services) == []
    assert no_services["noMatch"] is True
    assert no_services["facets"]["service:s3"] == "1"
    assert reset["pageInfo"] == page1["pageInfo"]


@needs_node
def test_js_evidence_rows_skip_empty_parts_and_show_each_date_once() -> None:
    evidence = (
        ExposureEvidence(source="config", endpoint="", seen="subnet-1 routes 0.0.0.0/0 -> igw-1"),
        ExposureEvidence(
            source="file",
            endpoint="203.0.113.10:22",
            seen="22/tcp open: OpenSSH 8.9p1 (seen by Shodan snapshot 2026-11-26)",
            seen_at=datetime(2026, 11, 26, 21, 3, 11, tzinfo=UTC),
        ),
        ExposureEvidence(
            source="probe",
            endpoint="203.0.113.10:80",
            seen="TRACE enabled",
            seen_at=datetime(2026, 12, 1, 10, 5, 42, tzinfo=UTC),
            check="probe.http.trace_enabled",
        ),
    )
    finding = make_finding(exposure=Exposure(level=ExposureLevel.OBSERVED, evidence=evidence))
    result = run_report_js(render_html(make_doc([finding])), [{"click": "expand-all"}])
    expanded = result["snaps"][-1]
    (item,) = _items(expanded)
    (ul,) = _by_class(item, "exposure-evidence")
    assert [_text(li) for li in ul["children"] if isinstance(li, dict)] == [
        "config · subnet-1 routes 0.0.0.0/0 -> igw-1",
        "file · 203.0.113.10:22 · 22/tcp open: OpenSSH 8.9p1 (seen by Shodan snapshot 2026-11-26)",
        "probe · 203.0.113.10:80 · TRACE enabled (2026-12-01 10:05 UTC) [probe.http.trace_enabled]",
    ]


# --------------------------------------------------------------------------- the attack surface table


def _rows(snap: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in snap["surface"]["children"] if isinstance(c, dict)]


def _cells(row: dict[str, Any]) -> dict[str, str]:
    """Column class -> text (the endpoint cell without its collapsed details summary)."""
    out = {}
    for cell in row["children"]:
        if isinstance(cell, dict):
            key = cell["cls"].removeprefix("s-")
            out[key] = _text(_by_class(cell, "endpoint")[0]) if key == "endpoint" else _text(cell)
    return out


def test_surface_section_summarises_levels_and_says_when_a_file_predates_it() -> None:
    surface = [
        make_entry("198.51.100.1", ExposureLevel.EXPLOITABLE),
        make_entry("198.51.100.2", ExposureLevel.CONFIRMED),
        make_entry("198.51.100.3", ExposureLevel.CONFIRMED),
    ]
    root = parse(render_html(make_doc([make_finding()], surface=surface, exposure_sources=["probe"]))).root
    section = root.by_id("surface")
    assert section.one("h2").text() == "Internet attack surface"
    summary = root.by_id("surface-summary")
    assert "3 endpoints face the Internet (sources: probe)" in " ".join(summary.text().split())
    counts = {s.attrs["data-level"]: s.text() for s in summary.find_all("span") if "data-level" in s.attrs}
    assert counts == {
        "exploitable": "1",
        "confirmed": "2",
        "observed": "0",
        "reachable": "0",
        "configured": "0",
        "none": "0",
    }
    # The surface comes before the summary of findings: it is what the report opens with.
    order = [n.attrs.get("id") for n in root.iter() if n.tag == "section"]
    assert order[:2] == ["surface", "summary"]

    empty = parse(render_html(make_doc([make_finding()]))).root
    assert (
        empty.by_id("surface-empty").text() == "No endpoint of the audited configuration faces the Internet."
    )
    old = make_doc([make_finding()]).model_copy(update={"schema_version": "1.0"})
    missing = parse(render_html(old)).root.by_id("surface-missing").text()
    assert "findings.json (v1.0) does not record the attack surface" in missing


@needs_node
def test_js_surface_renders_hostile_entries_as_text() -> None:
    doc = hostile_doc()
    result = run_report_js(render_html(doc), [])
    (snap,) = result["snaps"]
    assert snap["error"] is None and snap["surfaceHidden"] is False
    (row,) = _rows(snap)
    cells = _cells(row)
    assert cells["endpoint"] == CLOSE
    assert cells["owner"] == f"{IMG} {JINJA}"
    assert cells["ports"] == f"tcp/80 {XSS} \u00b7 seen open, no rule: tcp/8080 {IMG}"
    assert cells["level"] == "exploitable"
    assert cells["evidence"] == f"probe: {XSS}not checked: internetdb: {IMG}"
    assert snap["surfaceInfo"][0] == "Endpoints 1\u20131 of 1 matching (1 in total) \u00b7 page 1 of 1"
    assert not {"IMG", "SCRIPT", "IFRAME"} & set(result["created"])


@needs_node
def test_js_surface_sorts_filters_searches_and_pages() -> None:
    levels = list(ExposureLevel)
    surface = [
        make_entry(
            f"198.51.100.{i}",
            levels[i % len(levels)],
            owner=SurfaceOwner(id=f"id-{i}", name=f"owner-{i:03d}", kind="aws.ec2.instance"),
            ports=(OpenPort(protocol="tcp", from_port=1000 + (i * 7) % 50, to_port=1000 + (i * 7) % 50),),
        )
        for i in range(130)
    ]
    surface.append(make_entry("needle.example.com", ExposureLevel.OBSERVED, kind="hostname"))
    surface.sort(key=lambda e: (-e.level.rank, e.endpoint))  # as findings.json orders it
    actions: list[dict[str, Any]] = [
        {"click": ".next", "within": "surface-app"},
        {"click": "surface-sort-endpoint"},
        {"click": "surface-sort-endpoint"},
        {"click": "surface-sort-level"},
        {"click": "surface-sort-ports"},
        {"toggle": ["level", "none", False]},
        {"search": "needle", "into": "surface-search"},
        {"search": "", "into": "surface-search"},
        {"click": "surface-reset"},
    ]
    snaps = run_report_js(render_html(make_doc([make_finding()], surface=surface)), actions)["snaps"]
    first, page2, by_endpoint, by_endpoint_desc, by_level, by_port, no_none, needle, cleared, reset = snaps

    def endpoints(snap: dict[str, Any]) -> list[str]:
        return [_cells(r)["endpoint"] for r in _rows(snap)]

    def column(snap: dict[str, Any], key: str) -> list[str]:
        return [_cells(r)[key] for r in _rows(snap)]

    assert len(_rows(first)) == 100 and len(_rows(page2)) == 31
    assert first["surfaceInfo"][0] == "Endpoints 1\u2013100 of 131 matching (131 in total) \u00b7 page 1 of 2"
    assert endpoints(first) == [e.endpoint for e in surface][:100]  # strongest evidence first, as written
    assert first["facets"]["level:exploitable"] == "21" and first["facets"]["level:observed"] == "23"
    assert first["sortMarks"] == ["", "", "", "", ""]

    assert endpoints(by_endpoint)[:3] == ["198.51.100.0", "198.51.100.1", "198.51.100.10"]
    assert by_endpoint["sortMarks"][0] == " \u25b2"
    assert endpoints(by_endpoint_desc)[0] == "needle.example.com"
    assert by_endpoint_desc["sortMarks"][0] == " \u25bc"
    assert column(by_level, "level")[:21] == ["exploitable"] * 21  # level sorts strongest first
    ranks = [ExposureLevel(level).rank for level in column(by_level, "level")]
    assert ranks == sorted(ranks, reverse=True)
    assert by_level["sortMarks"][3] == " \u25bc" and by_level["sortMarks"][0] == ""
    ports = [int(p.split("/")[1].split()[0]) for p in column(by_port, "ports")]
    assert ports == sorted(ports)

    assert "none" not in column(no_none, "level")
    assert no_none["surfaceInfo"][0].startswith("Endpoints 1\u2013100 of 109 matching")
    assert no_none["facets"]["level:none"] == "22"  # what ticking it back would add
    assert endpoints(needle) == ["needle.example.com"]
    assert needle["facets"]["level:exploitable"] == "0"
    assert cleared["surfaceInfo"] == no_none["surfaceInfo"]
    assert reset["surfaceInfo"] == first["surfaceInfo"]
    # The findings list below is untouched by the surface's controls.
    assert {s["pageInfo"][0] for s in snaps} == {first["pageInfo"][0]}


@needs_node
def test_js_surface_with_no_match_says_so() -> None:
    doc = make_doc([make_finding()], surface=[make_entry()])
    snap = run_report_js(render_html(doc), [{"search": "nothing-like-this", "into": "surface-search"}])[
        "snaps"
    ][-1]
    assert _rows(snap) == [] and snap["surfaceNoMatch"] is True
    assert snap["surfaceInfo"][0] == "0 of 1 endpoints"
