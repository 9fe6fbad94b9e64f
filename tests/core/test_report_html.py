"""Tests for the self-contained HTML report: content, summary counts, and resistance to injection."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined

from cloudaudit.compliance.catalog import catalog
from cloudaudit.compliance.evaluate import evaluate
from cloudaudit.exposure.model import Exposure, ExposureLevel
from cloudaudit.model import CollectionGap, Finding, FindingsDocument, RunInfo, Severity, Status
from cloudaudit.model.surface import OpenPort, ProbeView, SeenPort, SourceView, SurfaceEntry, SurfaceOwner
from cloudaudit.report import html as report_html
from cloudaudit.report.html import render_html

EXPECTED_SCRIPTS = 3
"""The template defines exactly three <script> elements: the surface and findings JSON islands, the app."""

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


PLACEHOLDERS = ("\x01", "\x02", "\x03")


def _unpack(value: Any, strings: list[str], shapes: list[list[str]], fill: tuple[str, ...] = ()) -> Any:
    """A packed value (report/packed.py), unpacked as the page's script does, written independently."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value < 0:
            return strings[-value - 1]
        text = strings[value]
        for placeholder, filled in zip(PLACEHOLDERS, fill, strict=False):
            text = text.replace(placeholder, filled)
        return text
    if isinstance(value, str):
        return json.loads(value)  # a number, as text
    assert isinstance(value, list)
    items = [_unpack(v, strings, shapes, fill) for v in value[1:]]
    if value[0] == 0:
        return items
    return dict(zip(shapes[value[0] - 1], items, strict=True))


def packed_data(parsed: Parsed) -> dict[str, Any]:
    """The findings island, as written."""
    data = json.loads(parsed.root.one("script", id="findings-data").text())
    assert isinstance(data, dict)
    return data


def embedded_data(parsed: Parsed) -> list[dict[str, Any]]:
    """Every finding of the page, unpacked from its columns and tables (as findings.json has it)."""
    data = packed_data(parsed)
    strings, shapes, groups, resources = data["strings"], data["shapes"], data["groups"], data["resources"]
    odd = {o[0]: o[1:] for o in data["odd"]}
    out = []
    for i in range(data["count"]):
        k, r = 9 * data["g"][i], 3 * data["r"][i]
        segment = strings[resources[r + 1]]
        rid = strings[resources[r]] + segment
        name = segment if resources[r + 2] < 0 else strings[resources[r + 2]]
        fill = (rid, segment, name)
        finding = _unpack(data["details"][data["d"][i]], strings, shapes, fill)
        check_id, title, remediation, compliance, _steps = data["checks"][groups[k]]
        title, remediation, compliance = odd.get(i, (title, remediation, compliance))
        finding.update(
            check_id=check_id,
            title=title,
            remediation=remediation,
            compliance=compliance,
            status=data["statuses"][groups[k + 1]],
            severity=data["severities"][groups[k + 2]],
            provider=strings[groups[k + 4]],
            account=strings[groups[k + 5]],
            region=strings[groups[k + 6]],
            service=strings[groups[k + 7]],
            resource_type=strings[groups[k + 8]],
            resource_id=rid,
            resource_name=name,
            message=_unpack(data["m"][i], strings, shapes, fill),
        )
        assert finding["exposure"]["level"] == data["levels"][groups[k + 3]]
        out.append(finding)
    return out


def surface_entries(parsed: Parsed) -> list[dict[str, Any]]:
    """The attack surface island, unpacked."""
    data = json.loads(parsed.root.one("script", id="surface-data").text())
    return [_unpack(item, data["strings"], data["shapes"]) for item in data["items"]]


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
    assert not [e for e in parsed.elements if e.tag in ("img", "iframe", "object", "embed", "base")]
    assert [e.attrs.get("aria-labelledby") for e in parsed.elements if e.tag == "svg"] == [
        "severity-chart-title",
        "service-chart-title",
    ]  # the template's two charts, and no other
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
    assert [e["owner"]["name"] for e in surface_entries(parsed)] == [IMG]
    # The raw islands' text has no markup-significant characters at all.
    for island in ("findings-data", "surface-data"):
        assert not set("<>&'") & set(parsed.root.one("script", id=island).text())


def test_check_fields_are_written_once_per_check_unless_a_finding_differs() -> None:
    same = [make_finding("c1", resource_id=f"arn:aws:s3:::b{i}") for i in range(3)]
    odd = make_finding("c1", resource_id="arn:aws:s3:::odd", title="Older title", compliance={"X": ["1"]})
    doc = make_doc([*same, odd])
    parsed = parse(render_html(doc))
    packed = packed_data(parsed)
    assert packed["checks"] == [["c1", same[0].title, same[0].remediation, same[0].compliance, None]]
    assert [o[1:] for o in packed["odd"]] == [["Older title", odd.remediation, {"X": ["1"]}]]
    assert "Older title" not in packed["strings"] and same[0].title not in packed["strings"]
    expected = {f.resource_id: f.model_dump(mode="json") for f in doc.findings}
    assert {d["resource_id"]: d for d in embedded_data(parsed)} == expected


def test_repeated_strings_are_written_once_and_names_fill_their_messages() -> None:
    findings = [
        make_finding(
            resource_id=f"arn:aws:s3:::bucket-{i}",
            resource_name=f"bucket-{i}",
            message=f"Bucket bucket-{i} grants s3:GetObject to *",
            evidence={"bucket": f"bucket-{i}", "arn": f"arn:aws:s3:::bucket-{i}", "public": True, "n": 7},
        )
        for i in range(50)
    ]
    doc = make_doc(findings)
    html = render_html(doc)
    parsed = parse(html)
    packed = packed_data(parsed)
    # One message and one detail for the 50 findings: the names are filled in from each resource.
    assert len(set(packed["m"])) == 1 and len(packed["details"]) == 1
    assert packed["strings"][packed["m"][0]] == "Bucket \x02 grants s3:GetObject to *"  # the id's segment
    assert html.count("GetObject to *") == 1
    assert sorted(embedded_data(parsed), key=lambda d: d["resource_id"]) == sorted(
        (f.model_dump(mode="json") for f in findings), key=lambda d: d["resource_id"]
    )


def test_strings_holding_the_placeholders_are_written_as_they_are() -> None:
    raw = "odd \x01\x02\x03 text about my-bucket"
    doc = make_doc([make_finding(message=raw, evidence={"k": raw, "\x03": "my-bucket"})])
    (finding,) = embedded_data(parse(render_html(doc)))
    assert finding == doc.findings[0].model_dump(mode="json")


def test_findings_repeating_a_detail_share_it_and_its_near_twins_do_not() -> None:
    evidences: list[dict[str, Any]] = [
        {"x": None},
        {"x": float("nan")},
        {"x": float("inf")},
        {"x": 1},
        {"x": 1.0},
        {"x": True},
        {"x": "my-bucket"},
        {"x": "my-bucket", "y": ["my-bucket"]},
        {"x": 'q"b'},
    ]
    resources = [("arn:aws:s3:::my-bucket", "my-bucket"), ("arn:aws:s3:::my-bucket2", "my-bucket2")]
    resources += [('arn:aws:s3:::q"b', 'q"b'), ("arn:aws:s3:::a\\b", "a\\b")]
    findings = [
        make_finding(resource_id=rid, resource_name=name, evidence=evidence)
        for rid, name in resources
        for evidence in evidences
        for _ in range(2)
    ]
    parsed = parse(render_html(make_doc(findings)))
    packed = packed_data(parsed)
    assert len(packed["details"]) < len(findings) // 2  # a repeated detail is written once
    ordered = sorted(findings, key=lambda f: f.resource_id)  # the report's order here
    expected = [json.dumps(f.model_dump(mode="json"), sort_keys=True) for f in ordered]
    assert [json.dumps(d, sort_keys=True) for d in embedded_data(parsed)] == expected


def test_any_string_of_the_data_is_written_even_one_utf_8_cannot_encode(tmp_path: Path) -> None:
    odd = "lone \ud800 surrogate, é, \u2028 and \U0001f600"
    doc = make_doc([make_finding(message=odd, evidence={odd: [odd]}, resource_name=odd)])
    html = render_html(doc)
    (tmp_path / "report.html").write_text(html, encoding="utf-8", errors="strict")
    (finding,) = embedded_data(parse(html))
    assert finding == doc.findings[0].model_dump(mode="json")


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
    for facet, values in (("account", [CLOSE, "111122223333"]), ("region", [XSS, "us-east-1"])):
        assert [i.attrs["value"] for i in root.find_all("input", data_facet=facet)] == sorted(values)
    chart = root.by_id("service-chart")
    assert sorted(g.attrs["data-label"] for g in chart.find_all("g")) == sorted(
        [IMG, PAYLOADS["proto"], "s3"]
    )
    assert {t.text() for t in chart.find_all("text", **{"class": "bar-label"})} >= {"s3", PAYLOADS["proto"]}

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
        make_finding("c2", Severity.CRITICAL, service="ec2", region="eu-west-1"),
        make_finding("c3", Severity.CRITICAL, service="iam", account="444455556666"),
        make_finding("h1", Severity.HIGH),
        make_finding("p1", Severity.CRITICAL, Status.PASS),
        make_finding("p2", Severity.HIGH, Status.PASS, service="ec2"),
        make_finding("m1", Severity.MEDIUM, Status.MUTED, muted_reason="accepted risk"),
        make_finding("u1", Severity.HIGH, Status.UNKNOWN, service="ec2"),
        make_finding("g1", Severity.LOW, provider="gcp", account="demo-project", service="storage"),
    ]
    return make_doc(findings)


def _table(root: Node, table_id: str, key: str) -> dict[str, dict[str, int]]:
    """value -> {"open": n, status: n..., "total": n} of one overview table."""
    out = {}
    for row in root.by_id(table_id).find_all("tr"):
        if f"data-{key}" not in row.attrs:
            continue
        cells = row.find_all("td")
        counts = {td.attrs["data-status"]: int(td.text()) for td in cells if "data-status" in td.attrs}
        counts["open"] = int(row.one("td", data_open="").text())
        counts["total"] = int(cells[-1].text())
        out[str(row.attrs[f"data-{key}"])] = counts
    return out


def test_summary_counts() -> None:
    root = parse(render_html(summary_doc())).root
    cards = root.by_id("severity-summary")
    shown = {
        li.attrs["data-severity"]: (
            int(li.one("span", **{"class": "count"}).text()),
            li.one("span", **{"class": "parts"}).text(),
        )
        for li in cards.find_all("li")
    }
    # Open findings: FAIL, UNKNOWN and ERROR, as the findings list shows them by default.
    assert shown == {
        "critical": (3, "3 FAIL · 0 UNKNOWN · 0 ERROR"),
        "high": (2, "1 FAIL · 1 UNKNOWN · 0 ERROR"),
        "medium": (0, "0 FAIL · 0 UNKNOWN · 0 ERROR"),
        "low": (1, "1 FAIL · 0 UNKNOWN · 0 ERROR"),
        "info": (0, "0 FAIL · 0 UNKNOWN · 0 ERROR"),
    }
    assert "6 in total" in " ".join(root.by_id("open-summary").text().split())

    status = root.by_id("status-summary")
    by_status = {
        s.attrs["data-status"]: int(s.text()) for s in status.find_all("span") if "data-status" in s.attrs
    }
    assert by_status == {"FAIL": 5, "PASS": 2, "MUTED": 1, "UNKNOWN": 1, "ERROR": 0}

    zero = dict.fromkeys(["FAIL", "UNKNOWN", "ERROR", "MUTED", "PASS"], 0)
    assert _table(root, "service-table", "service") == {
        "ec2": {**zero, "FAIL": 1, "PASS": 1, "UNKNOWN": 1, "open": 2, "total": 3},
        "iam": {**zero, "FAIL": 1, "open": 1, "total": 1},
        "s3": {**zero, "FAIL": 2, "PASS": 1, "MUTED": 1, "open": 2, "total": 4},
        "storage": {**zero, "FAIL": 1, "open": 1, "total": 1},
    }
    assert _table(root, "provider-table", "provider") == {
        "aws": {**zero, "FAIL": 4, "PASS": 2, "MUTED": 1, "UNKNOWN": 1, "open": 5, "total": 8},
        "gcp": {**zero, "FAIL": 1, "open": 1, "total": 1},
    }
    accounts = _table(root, "account-table", "account")
    assert {a: c["total"] for a, c in accounts.items()} == {
        "111122223333": 7,
        "444455556666": 1,
        "demo-project": 1,
    }
    regions = _table(root, "region-table", "region")
    assert {r: c["open"] for r, c in regions.items()} == {"eu-west-1": 1, "us-east-1": 5}
    header = [th.text() for th in root.by_id("service-table").find_all("th")]
    assert header == ["Service", "Open", "FAIL", "UNKNOWN", "ERROR", "MUTED", "PASS", "Total"]


def test_charts_are_inline_svg_with_the_figures_in_words() -> None:
    root = parse(render_html(summary_doc())).root
    severity = root.by_id("severity-chart")
    bars = {g.attrs["data-label"]: g for g in severity.find_all("g")}
    assert list(bars) == ["critical", "high", "medium", "low", "info"]
    assert bars["high"].one("text", **{"class": "bar-text"}).text() == "2 open (1 FAIL · 1 UNKNOWN)"
    assert bars["medium"].one("text", **{"class": "bar-text"}).text() == "0 open (0)"
    # Widths are proportional to the counts (3 critical is the longest bar); every part is named.
    widths = {g: sum(float(str(r.attrs["width"])) for r in bars[g].find_all("rect")) for g in bars}
    assert widths["critical"] == max(widths.values()) and widths["high"] == widths["critical"] * 2 / 3
    assert [r.attrs["class"] for r in bars["high"].find_all("rect")] == ["seg st-FAIL", "seg st-UNKNOWN"]
    services = root.by_id("service-chart")
    order = [g.attrs["data-label"] for g in services.find_all("g")]
    assert order == ["s3", "ec2", "iam", "storage"]  # most open first, then most findings
    ec2 = services.find_all("g")[1]
    assert ec2.one("text", **{"class": "bar-text"}).text() == "1 FAIL · 1 UNKNOWN · 1 PASS"
    assert [r.attrs["class"] for r in ec2.find_all("rect")] == [
        "seg st-FAIL",
        "seg st-UNKNOWN",
        "seg st-PASS",
    ]


def test_compliance_scores_have_a_place_and_no_invented_figures() -> None:
    html = render_html(summary_doc())
    assert 'id="compliance"' not in html  # no framework asked: no section, no made-up score
    context = report_html.build_context(summary_doc())
    assert context["compliance"] == []
    # The place takes the compliance report's results as they are.
    framework = catalog().require("owasp-api-top10-2023")
    result = evaluate(framework, [summary_doc()])
    row = (
        parse(render_html(summary_doc(), [result]))
        .root.by_id("compliance-table")
        .one("tr", data_framework=framework.id)
    )
    cells = [td.text() for td in row.find_all("td")]
    assert cells[1] == result.score.text and cells[2:6] == [
        str(n)
        for n in (result.score.passed, result.score.failed, result.score.not_evaluated, result.score.manual)
    ]
    assert row.one("a").attrs["href"] == "#findings?framework=OWASP-API-Top10-2023"


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
    assert values["Findings"] == "9"


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
    fails = Counter(f.severity.value for f in findings if f.status in report_html.OPEN_STATUSES)
    cards = parsed.root.by_id("severity-summary")
    shown = {
        li.attrs["data-severity"]: int(li.one("span", **{"class": "count"}).text().replace(",", ""))
        for li in cards.find_all("li")
    }
    assert shown == {s.value: fails[s.value] for s in Severity}
    assert len([e for e in parsed.elements if e.tag == "script"]) == EXPECTED_SCRIPTS


# --------------------------------------------------------------------------- the attack surface


def test_a_page_prepared_before_the_writer_forks_is_the_same_page() -> None:
    """prepared_html does the ordering, template and surface in the forking process: same bytes."""
    surface = [
        make_entry("198.51.100.1", ExposureLevel.EXPLOITABLE),
        make_entry("198.51.100.2", ExposureLevel.NONE),
    ]
    doc = make_doc(many_findings(300), [make_gap()], surface=surface, exposure_sources=["probe"])
    page = "".join(report_html.prepared_html(doc)())
    assert page == render_html(doc)
    assert len(embedded_data(parse(page))) == 300 and "198.51.100.2" in page


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
