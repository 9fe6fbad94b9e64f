"""The control-by-control compliance report: the verdicts, the score, and the three files.

The golden files (tests/data/compliance/golden) are the report of a fixed findings set judged against a
test framework with one control per case of the verdict; ``UPDATE_GOLDEN=1`` rewrites them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cloudaudit.compliance import Framework, load_framework_file
from cloudaudit.compliance.evaluate import evaluate, judge
from cloudaudit.compliance.output import HTML_ITEMS, iter_csv, iter_html, iter_json, write_compliance
from cloudaudit.model.enums import Severity, Status
from cloudaudit.model.finding import Finding, FindingsDocument, RunInfo

DATA = Path(__file__).resolve().parents[1] / "data" / "compliance"
GOLDEN = DATA / "golden"
HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"
FORMULA = '=HYPERLINK("http://evil.example/","click")'


def framework() -> Framework:
    return load_framework_file(DATA / "framework.yaml")


def finding(check_id: str, status: Status, resource: str, **extra: str) -> Finding:
    provider = check_id.split(".")[0]
    values: dict[str, str] = {
        "title": f"Title of {check_id}",
        "message": f"{resource}: {status.value}",
        "provider": "aws" if provider == "exposure" else provider,
        "account": "123456789012",
        "region": "us-east-1",
        "service": check_id.split(".")[1],
        "resource_type": "aws.s3.bucket",
        "resource_id": f"arn:aws:s3:::{resource}",
        "resource_name": resource,
        **extra,
    }
    return Finding(check_id=check_id, severity=Severity.HIGH, status=status, **values)  # type: ignore[arg-type]


def document(findings: list[Finding], providers: tuple[str, ...] = ("aws",)) -> FindingsDocument:
    when = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    run = RunInfo(
        tool_version="0.1.0",
        provider=",".join(providers),
        providers=list(providers),
        accounts=["123456789012"],
        regions=["us-east-1"],
        started=when,
        finished=when,
    )
    return FindingsDocument(run=run, findings=findings, coverage=[])


def fixed_findings() -> list[Finding]:
    return [
        finding("aws.s3.a", Status.PASS, "bucket-1"),
        finding("aws.s3.a", Status.PASS, "bucket-2"),
        finding("aws.s3.b", Status.PASS, "bucket-1"),
        finding("aws.ec2.c", Status.FAIL, HOSTILE, message=FORMULA),
        finding("aws.ec2.c", Status.PASS, "sg-ok"),
        finding("aws.ec2.d", Status.UNKNOWN, "sg-x", message="Could not be checked: rules: AccessDenied"),
        finding("aws.ec2.d", Status.PASS, "sg-ok"),
        finding("aws.s3.m", Status.MUTED, "bucket-3", muted_reason="approved <b>public</b> (SEC-1)"),
        finding("aws.s3.err", Status.ERROR, "bucket-1", message="Check failed to run: KeyError: 'x'"),
        finding("exposure.probe.redis.no_auth", Status.FAIL, "cache-1", message="Redis answers without AUTH"),
        finding("aws.s3.unrelated", Status.FAIL, "bucket-9"),
    ]


def fixed_result():  # type: ignore[no-untyped-def]
    return evaluate(framework(), [document(fixed_findings())])


def statuses(result) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {r.control.id: r.status for r in result.controls}


# ------------------------------------------------------------------------------------ the verdicts


def test_each_control_gets_the_verdict_its_findings_give() -> None:
    result = fixed_result()
    assert statuses(result) == {
        "C1": "pass",
        "C2": "fail",
        "C3": "not_evaluated",
        "C4": "not_evaluated",
        "C5": "manual",
        "C6": "not_evaluated",
        "C7": "fail",
        "C8": "manual",
        "C9": "fail",
        "C10": "pass",
        "C11": "not_evaluated",
        "C12": "fail",
    }
    by_id = {r.control.id: r for r in result.controls}
    assert [f.resource_name for f in by_id["C2"].failing] == [HOSTILE]
    assert [(g.check_id, g.reason) for g in by_id["C3"].gaps] == [("aws.ec2.d", "unknown")]
    assert [(g.check_id, g.reason) for g in by_id["C4"].gaps] == [("aws.rds.e", "no_result")]
    assert [(g.check_id, g.reason) for g in by_id["C6"].gaps] == [("", "no_check")]
    assert [f.status for f in by_id["C9"].failing] == [Status.MUTED]
    assert by_id["C10"].gaps == []  # gcp was not audited: its check is out of scope, not a gap
    assert [(g.check_id, g.reason) for g in by_id["C11"].gaps] == [("aws.s3.err", "error")]
    assert by_id["C1"].counts["PASS"] == 3


def test_the_score_is_passed_over_evaluated() -> None:
    score = fixed_result().score
    assert (score.passed, score.failed, score.not_evaluated, score.manual) == (2, 4, 4, 2)
    assert (score.evaluated, score.total, score.percent) == (6, 12, 33.3)
    assert score.text == "33.3% (2 of 6 evaluated controls pass)"


def test_nothing_evaluated_has_no_score() -> None:
    result = evaluate(framework(), [document([])])
    assert result.score.percent is None and result.score.text == "no control evaluated"
    assert set(statuses(result).values()) <= {"not_evaluated", "manual"}


OUTCOMES = st.lists(st.sampled_from([Status.PASS, Status.UNKNOWN, Status.ERROR]), min_size=0, max_size=6)


@given(OUTCOMES, OUTCOMES)
def test_unknown_never_counts_as_pass(first: list[Status], second: list[Status]) -> None:
    """Whatever else is there, a control with an UNKNOWN (or ERROR, or no result) under it is not a pass."""
    control = framework().controls[0]  # C1: aws.s3.a and aws.s3.b
    by_check = {
        "aws.s3.a": [finding("aws.s3.a", s, f"a-{i}") for i, s in enumerate(first)],
        "aws.s3.b": [finding("aws.s3.b", s, f"b-{i}") for i, s in enumerate(second)],
    }
    verdict = judge(control, {k: v for k, v in by_check.items() if v}, {"aws"}).status
    everything = first + second
    if not everything or Status.UNKNOWN in everything or Status.ERROR in everything:
        assert verdict == "not_evaluated"
    else:
        assert verdict == "pass"


def test_a_check_the_run_did_not_select_leaves_its_controls_unevaluated() -> None:
    control = framework().controls[0]  # C1
    by_check = {"aws.s3.a": [finding("aws.s3.a", Status.PASS, "bucket-1")]}
    not_run = judge(control, by_check, {"aws"}, ran={"aws.s3.a"})
    assert not_run.status == "not_evaluated"
    assert [(g.check_id, g.reason) for g in not_run.gaps] == [("aws.s3.b", "not_run")]
    no_resource = judge(control, by_check, {"aws"}, ran={"aws.s3.a", "aws.s3.b"})
    assert no_resource.status == "pass"  # it ran and found nothing of its kind: noted, not blocking
    assert [(g.check_id, g.reason) for g in no_resource.gaps] == [("aws.s3.b", "no_resource")]


def test_several_findings_files_merge_and_a_finding_counts_once() -> None:
    aws = document(fixed_findings())
    gcp = document([finding("gcp.sql.x", Status.FAIL, "db-1", provider="gcp")], ("gcp",))
    result = evaluate(framework(), [aws, gcp, aws])
    assert statuses(result)["C10"] == "fail"  # gcp is audited now: its failure counts
    by_id = {r.control.id: r for r in result.controls}
    assert by_id["C1"].counts["PASS"] == 3  # the same file twice is not twice the findings
    assert [s.providers for s in result.sources] == [("aws",), ("gcp",), ("aws",)]


# ------------------------------------------------------------------------------------ the files


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"missing golden file {path} (UPDATE_GOLDEN=1 writes it)"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from its golden file"


def test_json_matches_its_golden_file() -> None:
    text = "".join(iter_json(fixed_result()))
    _golden("compliance-TEST-1.0.json", text)
    data = json.loads(text)
    assert data["schema_version"] == "1.0" and data["score"]["percent"] == 33.3
    c2 = next(c for c in data["controls"] if c["id"] == "C2")
    assert c2["failing"][0]["resource_name"] == HOSTILE and c2["failing"][0]["message"] == FORMULA


def test_csv_matches_its_golden_file_and_defuses_formulas() -> None:
    text = "".join(iter_csv(fixed_result()))
    _golden("compliance-TEST-1.0.csv", text)
    rows = list(csv.DictReader(io.StringIO(text)))
    failing = [r for r in rows if r["control_id"] == "C2" and r["item"] == "failing"]
    assert failing[0]["detail"] == "'" + FORMULA
    assert {r["control_id"] for r in rows} == {f"C{i}" for i in range(1, 13)}


class _Page(HTMLParser):
    """Every tag with its attributes, and the text of the page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(html)
        self.text = "".join(self.chunks)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def test_html_matches_its_golden_file_and_untrusted_markup_stays_text() -> None:
    html = "".join(iter_html(fixed_result()))
    _golden("compliance-TEST-1.0.html", html)
    page = _Page(html)
    names = [tag for tag, _ in page.tags]
    assert "img" not in names and "script" not in names and "b" not in names
    text = page.text
    assert HOSTILE in text and "approved <b>public</b> (SEC-1)" in text
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv"))
    assert csp is not None and csp.startswith("default-src 'none';") and "script-src" not in csp
    loads = [a for t, a in page.tags for k in ("src", "srcset", "data") if k in a] + [
        a for t, a in page.tags if t == "link"
    ]
    assert loads == []  # nothing the browser would fetch
    links = {a["href"] for t, a in page.tags if t == "a"}
    assert links <= {
        "https://example.org/test-framework",
        "#control-C2",
        "#control-C7",
        "#control-C9",
        "#control-C12",
    }


def test_html_lists_a_bounded_number_of_items_per_control() -> None:
    many = [finding("aws.ec2.c", Status.FAIL, f"sg-{i:04d}") for i in range(HTML_ITEMS + 5)]
    html = "".join(iter_html(evaluate(framework(), [document(many)])))
    assert "sg-0099" in html and f"sg-{HTML_ITEMS:04d}" not in html
    assert "and 5 more failing resources" in html


def test_files_are_written_private_with_their_conventional_names(tmp_path: Path) -> None:
    paths = write_compliance(fixed_result(), tmp_path / "out", ("html", "csv", "json"))
    assert [p.name for p in paths] == [f"compliance-TEST-1.0.{ext}" for ext in ("html", "csv", "json")]
    for path in paths:
        assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_a_bundled_framework_renders(fmt: str) -> None:
    from cloudaudit.compliance import catalog

    result = evaluate(catalog().require("CIS-AWS-Foundations-3.0.0"), [document(fixed_findings())])
    renderer = {"json": iter_json, "csv": iter_csv, "html": iter_html}[fmt]
    text = "".join(renderer(result))
    assert "2.1.4" in text and "Ensure that S3 Buckets are configured with" in text
