"""The HTML report in a real headless Chromium, driven over the DevTools protocol (bench/headless.py):
filters, search, sort, grouping, the resource view, deep links, the keyboard, a 390 px screen, print;
hostile data stays text and no request leaves the page.

Chromium comes from the distribution's packages (.ci/run installs it and sets
CLOUDAUDIT_REQUIRE_BROWSER=1 so a missing browser fails instead of skipping).
"""

from __future__ import annotations

import json
import os
import shlex
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from cloudaudit.compliance import catalog as compliance_catalog
from cloudaudit.compliance.evaluate import evaluate as evaluate_compliance
from cloudaudit.exposure.model import Exposure, ExposureEvidence, ExposureLevel
from cloudaudit.model import FindingsDocument, Severity, Status
from cloudaudit.model.network import Hop, NetworkExposure, PortRange
from cloudaudit.model.surface import OpenPort, SurfaceEntry, SurfaceOwner
from cloudaudit.remediation import catalog as remediation_catalog
from cloudaudit.remediation import fill_command, fill_text, values_of
from cloudaudit.report.html import render_html
from headless import CHROMIUM, Chromium, page_url
from test_report_html import CLOSE, IMG, JINJA, XSS, hostile_doc, make_doc, make_entry, make_finding

if CHROMIUM is None:
    if os.environ.get("CLOUDAUDIT_REQUIRE_BROWSER"):
        raise RuntimeError("chromium is required (CLOUDAUDIT_REQUIRE_BROWSER is set) but not installed")
    pytestmark = pytest.mark.skip(reason="chromium not installed")

READY = "document.documentElement.dataset.ready"

_HELPERS = r"""
window.__t = {
  rows: (scope) => Array.from(document.querySelectorAll((scope || "#finding-list") + " > li.finding"))
    .map((li) => ({
      check: li.querySelector(".check-id").textContent,
      title: li.querySelector(".title").textContent,
      name: li.querySelector(".res-name").textContent,
      id: li.querySelector(".res-id").textContent,
      message: li.querySelector(".f-msg").textContent,
      meta: li.querySelector(".f-meta").textContent,
      badges: Array.from(li.querySelectorAll(".f-head .badge")).map((b) => b.textContent),
    })),
  groups: () => Array.from(document.querySelectorAll("#finding-list > li.group"))
    .map((li) => li.querySelector("summary").textContent),
  info: () => Array.from(document.querySelectorAll("#findings .page-info")).map((s) => s.textContent),
  inputs: (facet) => Array.from(document.querySelectorAll("#filters input[data-facet='" + facet + "']")),
  counts: (facet) => Object.fromEntries(
    Array.from(document.querySelectorAll("#filters span.count[data-facet='" + facet + "']"))
      .map((s) => [s.dataset.value, Number(s.textContent.replace(/,/g, ""))])),
  checked: (facet) => window.__t.inputs(facet).filter((i) => i.checked).map((i) => i.value),
  tick: (facet, value, on) => {
    const box = window.__t.inputs(facet).find((i) => i.value === value);
    if (box.checked !== on) { box.click(); }
  },
  choose: (id, value) => {
    const s = document.getElementById(id);
    s.value = value;
    s.dispatchEvent(new Event("change"));
  },
  search: (id, text) => {
    const s = document.getElementById(id);
    s.value = text;
    s.dispatchEvent(new Event("input"));
  },
  text: (id) => { const e = document.getElementById(id); return e.hidden ? null : e.textContent; },
  click: (selector) => {
    const e = document.querySelector(selector);
    if (!e) { throw new Error("no " + selector); }
    e.click();
  },
};
"""


class Page:
    """The report opened in a Chromium, with the test's helpers installed in the page."""

    def __init__(self, browser: Chromium, url: str) -> None:
        self.browser = browser
        self.url = url

    def open(self, fragment: str = "") -> None:
        """Load the report (anew), wait until its script is done, install the helpers."""
        self.browser.navigate("about:blank")
        self.browser.wait_for("location.href === 'about:blank' && document.readyState === 'complete'")
        self.browser.navigate(self.url + fragment)
        self.browser.wait_for(READY)
        self.browser.evaluate(_HELPERS)

    def js(self, expression: str) -> Any:
        return self.browser.evaluate(expression)

    def t(self, call: str) -> Any:
        """A call of one of the helpers: ``t("rows()")``."""
        return self.browser.evaluate(f"window.__t.{call}")

    def search(self, text: str, box: str = "search") -> None:
        """Type a search (as the input event does) and wait for the debounced filter to have run."""
        self.t(f"search({box!r}, {json.dumps(text)})")
        if box != "search":
            self.browser.wait_for("new Promise((done) => setTimeout(() => done(true), 400))")
            return
        words = " ".join(text.lower().split())
        shown = "document.getElementById('view-summary').textContent"
        if words:
            self.browser.wait_for(f"{shown}.includes({json.dumps('search: ' + words)})")
        else:
            self.browser.wait_for(f"!{shown}.includes('search:')")

    def problems(self) -> list[str]:
        return self.browser.problems()


@contextmanager
def opened(
    doc: FindingsDocument | str, tmp_path: Path, fragment: str = "", width: int = 1280, height: int = 900
) -> Iterator[Page]:
    """The report of ``doc`` in a new Chromium with the network off (the page must need none)."""
    path = tmp_path / "report.html"
    path.write_text(doc if isinstance(doc, str) else render_html(doc), encoding="utf-8")
    with Chromium("about:blank", width=width, height=height) as browser:
        offline = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        browser.call("Network.emulateNetworkConditions", offline)
        if width < 600:
            browser.viewport(width, height, mobile=True)
        page = Page(browser, page_url(path))
        page.open(fragment)
        yield page
        assert page.problems() == []  # no exception, no console error, no CSP violation


# ------------------------------------------------------------------------------------ hostile data


def test_hostile_strings_render_as_text_everywhere_and_run_nothing(tmp_path: Path) -> None:
    canary = "<img src=x onerror=\"document.title='pwned';window.pwned=1\">"
    script = "<script>window.pwned=2</script>"
    doc = make_doc(
        [
            make_finding(
                resource_name=canary,
                resource_id=f"arn:aws:s3:::{canary}",
                message=script,
                status=Status.FAIL,
                severity=Severity.CRITICAL,
                evidence={canary: [script]},
                remediation=canary,
            ),
            make_finding(resource_name="plain-bucket", status=Status.FAIL, severity=Severity.LOW),
        ]
    )
    with opened(doc, tmp_path) as page:
        rows = page.t("rows()")
        assert [r["name"] for r in rows] == [canary, "plain-bucket"]
        assert rows[0]["message"] == script and rows[0]["id"] == f"arn:aws:s3:::{canary}"
        page.t("click('#expand-all')")
        assert json.loads(page.js("document.querySelector('#finding-list pre').textContent")) == {
            canary: [script]
        }
        page.t("choose('group', 'resource')")
        page.t("click('#expand-all')")
        page.t("click('#finding-list a.res-view')")  # the resource view of the hostile resource
        page.browser.wait_for("!document.getElementById('resource-view').hidden")
        assert page.js("document.getElementById('resource-title').textContent") == f"Resource: {canary}"
        assert page.js("document.querySelector('#resource-findings .f-msg').textContent") == script
        assert page.js("document.title") != "pwned" and page.js("window.pwned") is None
        assert page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.js("document.scripts.length") == 3  # the two islands and the app


def test_every_untrusted_field_of_the_hostile_document_stays_text(tmp_path: Path) -> None:
    doc = hostile_doc()
    with opened(doc, tmp_path) as page:
        page.t("tick('status', 'MUTED', true)")
        page.t("click('#expand-all')")
        rows = {r["check"]: r for r in page.t("rows()")}
        assert set(rows) == {"hostile_check", "muted_check", "unknown_check"}
        hostile = rows["hostile_check"]
        assert hostile["title"] == f"{XSS} {JINJA}"
        assert hostile["name"] == IMG and hostile["id"] == f"arn:aws:s3:::{CLOSE}"
        assert f"Region: {XSS}" in hostile["meta"] and f"Account: {CLOSE}" in hostile["meta"]
        assert page.t("counts('service')")[IMG] == 1 and page.t("counts('service')")["__proto__"] == 1
        body = page.js("document.querySelector('#finding-list li.finding').textContent")
        assert f"{XSS}{IMG, JINJA}" not in body and f"{IMG}, {JINJA}" in body  # compliance, as text
        assert f"{XSS}{IMG}" in page.js("document.getElementById('finding-list').textContent")  # muted reason
        cells = page.js(
            "Array.from(document.querySelectorAll('#surface-rows td')).map((td) => td.textContent)"
        )
        assert cells[0].startswith(CLOSE) and cells[1] == f"{IMG} {JINJA}"
        assert page.js("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.js("document.scripts.length") == 3


# ------------------------------------------------------------------------------------ network


def test_no_request_leaves_the_page(tmp_path: Path) -> None:
    doc = hostile_doc()
    with opened(doc, tmp_path) as page:
        page.t("click('#expand-all')")
        page.search("alert")
        page.t("choose('group', 'check')")
        page.t("click('#expand-all')")
        page.js("location.hash = document.querySelector('#finding-list a.res-name').getAttribute('href')")
        page.browser.wait_for("!document.getElementById('resource-view').hidden")
        page.js("document.querySelectorAll('#surface details').forEach((d) => { d.open = true; })")
        page.browser.wait_for("document.querySelectorAll('#surface details li').length")
        assert page.browser.requests() == [page.url]  # the page itself, and nothing else
    # The check sees a request when a page makes one (the same browser, a page without the CSP).
    control = tmp_path / "control.html"
    control.write_text('<!doctype html><img src="http://127.0.0.1:9/pixel.png"><p>control</p>')
    with Chromium("about:blank") as browser:
        browser.navigate(page_url(control))
        browser.wait_for("document.readyState === 'complete'")
        assert "http://127.0.0.1:9/pixel.png" in browser.requests()


# ------------------------------------------------------------------------------------ counts


def _doc_for_counts() -> FindingsDocument:
    statuses = [Status.FAIL, Status.FAIL, Status.UNKNOWN, Status.PASS, Status.MUTED, Status.ERROR]
    services = [f"service-{k:02d}" for k in range(30)]
    findings = [
        make_finding(
            f"check_{i % 12:02d}",
            list(Severity)[i % 5],
            statuses[i % len(statuses)],
            service=services[i % len(services)],
            account=f"1111222233{i % 4:02d}",
            region=("us-east-1", "eu-west-1", "ap-south-1")[i % 3],
            provider="gcp" if i % 7 == 0 else "aws",
            resource_id=f"arn:aws:s3:::bucket-{i}",
            resource_name=f"bucket-{i}",
        )
        for i in range(400)
    ]
    return make_doc(findings)


def test_filter_counts_agree_with_the_overview(tmp_path: Path) -> None:
    doc = _doc_for_counts()
    with opened(doc, tmp_path) as page:
        cards = page.js(
            "Object.fromEntries(Array.from(document.querySelectorAll('#severity-summary li')).map("
            "(li) => [li.dataset.severity, Number(li.querySelector('.count').textContent)]))"
        )
        assert page.t("counts('severity')") == cards
        assert sum(cards.values()) > 0
        statuses = page.js(
            "Object.fromEntries(Array.from(document.querySelectorAll('#status-summary span[data-status]'))"
            ".map((s) => [s.dataset.status, Number(s.textContent)]))"
        )
        assert page.t("counts('status')") == statuses  # each status counted whatever the status filter
        for facet in ("service", "account", "region", "provider"):
            column = page.js(
                f"Object.fromEntries(Array.from(document.querySelectorAll('#{facet}-table tr[data-{facet}]'))"
                f".map((tr) => [tr.dataset.{facet}, Number(tr.querySelector('td[data-open]').textContent)]))"
            )
            assert page.t(f"counts('{facet}')") == column, facet
        open_ = Counter(
            f.severity.value for f in doc.findings if f.status in (Status.FAIL, Status.UNKNOWN, Status.ERROR)
        )
        assert cards == {s.value: open_[s.value] for s in Severity}


def test_every_value_of_a_long_filter_is_visible(tmp_path: Path) -> None:
    with opened(_doc_for_counts(), tmp_path) as page:
        for facet in ("service", "check", "account"):
            page.js(f"document.getElementById('facet-{facet}').open = true")
            hidden = page.js(
                f"(() => {{ const box = document.getElementById('facet-{facet}');"
                " const r = box.getBoundingClientRect(); const out = [];"
                " box.querySelectorAll('label').forEach((l) => { const b = l.getBoundingClientRect();"
                " if (b.height === 0 || b.top < r.top || b.bottom > r.bottom + 0.5) {"
                " out.push(l.textContent); } });"
                " return [out, box.scrollHeight - box.clientHeight]; })()"
            )
            assert hidden == [[], 0], facet
        assert len(page.js("Array.from(document.querySelectorAll('#facet-service label'))")) == 30


# ------------------------------------------------------------------------------------ filter, search, page


def test_filters_search_pages_and_counts(tmp_path: Path) -> None:
    findings = [make_finding(f"fail_{i:03d}", Severity.HIGH, resource_name=f"res-{i}") for i in range(250)]
    findings += [make_finding(f"pass_{i:03d}", Severity.LOW, Status.PASS, service="ec2") for i in range(30)]
    findings.append(make_finding("needle_check", Severity.CRITICAL, message="Find the NeedleWord here"))
    findings.append(
        make_finding("other_account", Severity.MEDIUM, account="999988887777", region="eu-west-1")
    )
    with opened(make_doc(findings), tmp_path) as page:
        rows = page.t("rows()")
        assert len(rows) == 100 and rows[0]["check"] == "needle_check"
        first = page.t("info()")[0]
        assert first == "Findings 1\u2013100 of 252 matching (282 in total) \u00b7 page 1 of 3"
        page.t("click('#findings .next')")
        page.t("click('#findings .next')")
        assert len(page.t("rows()")) == 52
        assert page.js("document.querySelector('#findings .next').disabled") is True
        counts = page.t("counts('status')")
        assert counts["FAIL"] == 252 and counts["PASS"] == 30
        assert page.t("counts('severity')")["high"] == 250 and page.t("counts('service')")["ec2"] == 0
        assert "30 PASS" in page.t("text('hidden-note')")

        page.t("tick('status', 'PASS', true)")  # a filter change goes back to the first page
        assert page.t("info()")[0] == "Findings 1\u2013100 of 282 matching (282 in total) \u00b7 page 1 of 3"
        assert page.t("text('hidden-note')") is None and page.t("counts('service')")["ec2"] == 30

        page.search("needleword")
        assert [r["check"] for r in page.t("rows()")] == ["needle_check"]
        assert page.t("counts('severity')") == {"critical": 1, "high": 0, "medium": 0, "low": 0, "info": 0}
        page.search("")
        assert len(page.t("rows()")) == 100

        page.t("tick('account', '999988887777', false)")
        assert "other_account" not in {r["check"] for r in page.t("rows()")}
        assert page.t("counts('account')")["999988887777"] == 1  # what ticking it back would add
        page.t("tick('account', '999988887777', true)")
        page.t("click('#facet-region button.facet-none')")
        assert page.t("rows()") == [] and page.t("text('no-match')") is not None
        assert page.t("counts('region')") == {"eu-west-1": 1, "us-east-1": 281}
        page.t("tick('region', 'eu-west-1', true)")
        assert [r["check"] for r in page.t("rows()")] == ["other_account"]
        page.t("tick('check', 'other_account', false)")
        assert page.t("rows()") == []
        page.t("click('#reset-filters')")
        assert page.t("info()")[0] == first


def test_sort_by_each_key_and_reverse(tmp_path: Path) -> None:
    findings = [
        make_finding(
            f"check_{(i * 7) % 10}",
            list(Severity)[i % 5],
            resource_name=f"name-{(i * 3) % 20:02d}",
            resource_id=f"arn:aws:s3:::b-{i}",
            service=("s3", "ec2", "rds")[i % 3],
            exposure=Exposure(level=list(ExposureLevel)[i % 6]),
        )
        for i in range(60)
    ]
    with opened(make_doc(findings), tmp_path) as page:
        report_order = [r["id"] for r in page.t("rows()")]
        page.t("choose('sort', 'check')")
        checks = [r["check"] for r in page.t("rows()")]
        assert checks == sorted(checks) and len(set(checks)) == 10
        page.t("click('#sort-dir')")
        assert [r["check"] for r in page.t("rows()")] == sorted(checks, reverse=True)
        assert page.js("document.getElementById('sort-dir').getAttribute('aria-pressed')") == "true"
        page.t("click('#sort-dir')")
        page.t("choose('sort', 'resource')")
        names = [r["name"] for r in page.t("rows()")]
        assert names == sorted(names)
        page.t("choose('sort', 'service')")
        services = [r["meta"].split("Service: ")[1].split("Provider")[0] for r in page.t("rows()")]
        assert services == sorted(services)
        page.t("choose('sort', 'severity')")
        ranks = [[s.value for s in Severity].index(r["badges"][0]) for r in page.t("rows()")]
        assert ranks == sorted(ranks)
        page.t("choose('sort', 'exposure')")
        levels = [next((b for b in r["badges"][2:]), "none") for r in page.t("rows()")]
        strength = [ExposureLevel(level).rank for level in levels]
        assert strength == sorted(strength, reverse=True)
        page.t("choose('sort', 'report')")
        assert [r["id"] for r in page.t("rows()")] == report_order


def test_grouping_by_check_and_by_resource(tmp_path: Path) -> None:
    findings = [
        make_finding("big_check", Severity.HIGH, resource_id=f"arn:aws:s3:::b-{i}", resource_name=f"b-{i}")
        for i in range(120)
    ]
    findings += [
        make_finding(c, Severity.CRITICAL, status, resource_id="arn:aws:s3:::shared", resource_name="shared")
        for c, status in (("a_check", Status.FAIL), ("b_check", Status.UNKNOWN), ("c_check", Status.PASS))
    ]
    with opened(make_doc(findings), tmp_path) as page:
        page.t("choose('group', 'check')")
        groups = page.t("groups()")
        assert len(groups) == 3  # c_check only passes: hidden by the status filter
        assert groups[0].startswith("critical FAIL a_check") and "1 finding: 1 FAIL" in groups[0]
        assert "big_check" in groups[1] and "120 findings: 120 FAIL" in groups[1]  # FAIL before UNKNOWN
        assert "b_check" in groups[2]
        assert page.t("info()")[0] == "Checks 1\u20133 of 3 matching (122 findings) \u00b7 page 1 of 1"
        page.t("click('#expand-all')")  # opens the groups (their rows stay folded)
        big = "#finding-list > li.group:nth-child(2) ol.finding-list"
        assert len(page.t(f"rows({json.dumps(big)})")) == 50
        page.t("click('#finding-list button.show-more')")
        page.t("click('#finding-list button.show-more')")
        assert len(page.t(f"rows({json.dumps(big)})")) == 120
        assert page.js("document.querySelectorAll('#finding-list button.show-more').length") == 0

        page.t("choose('group', 'resource')")
        groups = page.t("groups()")
        assert len(groups) == 50  # 121 resources have an open finding: 50 to a page
        assert page.t("info()")[0] == "Resources 1\u201350 of 121 matching (122 findings) \u00b7 page 1 of 3"
        shared = groups[0]  # its critical FAIL comes first
        assert "2 findings: 1 FAIL \u00b7 1 UNKNOWN" in shared
        page.t("choose('group', 'none')")
        assert len(page.t("rows()")) == 100


def test_the_resource_view_shows_every_finding_of_the_resource_with_its_evidence(tmp_path: Path) -> None:
    network = NetworkExposure(
        addresses=("203.0.113.9",),
        ports=(PortRange.single(5432),),
        reachability="reachable",
        path=(Hop(hop="subnet", id="subnet-1", detail="subnet-1 routes 0.0.0.0/0 -> igw-1"),),
    )
    rid = "arn:aws:rds:us-east-1:111122223333:db:orders"
    findings = [
        make_finding(
            "rds_public", Severity.CRITICAL, resource_id=rid, resource_name="orders", network=network
        ),
        make_finding(
            "rds_encrypted",
            Severity.MEDIUM,
            Status.PASS,
            resource_id=rid,
            resource_name="orders",
            evidence={"storage_encrypted": True},
        ),
        make_finding("other", Severity.LOW, resource_id="arn:aws:s3:::x", resource_name="x"),
    ]
    with opened(make_doc(findings), tmp_path) as page:
        before = page.js("location.href")
        page.t("tick('severity', 'low', false)")
        list_hash = page.js("location.hash")
        page.t("click('#finding-list a.res-name')")
        page.browser.wait_for("!document.getElementById('resource-view').hidden")
        assert page.js("location.hash") == "#resource?id=" + quote(rid, safe="")
        assert page.js("document.getElementById('findings').hidden") is True
        assert page.js("document.activeElement.id") == "resource-title"
        assert page.js("document.getElementById('resource-title').textContent") == "Resource: orders"
        assert "1 FAIL \u00b7 1 PASS" in page.js("document.getElementById('resource-counts').textContent")
        info = page.js("document.getElementById('resource-info').textContent")
        assert rid in info and "s3_bucket" in info
        rows = page.t("rows('#resource-findings')")
        assert [r["check"] for r in rows] == [
            "rds_public",
            "rds_encrypted",
        ]  # the PASS too, whatever the filters
        text = page.js("document.getElementById('resource-findings').textContent")
        assert "subnet-1 routes 0.0.0.0/0 -> igw-1" in text and "tcp/5432" in text and "203.0.113.9" in text
        assert '"storage_encrypted": true' in text and "Remove the public statement." in text
        page.t("click('#resource-back')")
        page.browser.wait_for("document.getElementById('resource-view').hidden")
        assert page.js("location.hash") == list_hash and page.t("checked('severity')") == [
            "critical",
            "high",
            "medium",
            "info",
        ]
        assert before.startswith(page.url)


def test_deep_links_open_the_same_view(tmp_path: Path) -> None:
    findings = [
        make_finding(
            f"check_{i % 9}",
            list(Severity)[i % 5],
            (Status.FAIL, Status.PASS, Status.UNKNOWN)[i % 3],
            resource_id=f"arn:aws:s3:::bucket-{i}",
            resource_name=f"bucket-{i}",
            message=f"Bucket bucket-{i} {'has the needle' if i % 2 else 'has nothing'}",
            account=f"1111222233{i % 3:02d}",
        )
        for i in range(900)
    ]
    doc = make_doc(findings)

    def view(page: Page) -> dict[str, Any]:
        return {
            "info": page.t("info()"),
            "rows": page.t("rows()"),
            "groups": page.t("groups()"),
            "status": page.t("checked('status')"),
            "severity": page.t("checked('severity')"),
            "account": page.t("checked('account')"),
            "search": page.js("document.getElementById('search').value"),
            "sort": page.js("document.getElementById('sort').value"),
            "group": page.js("document.getElementById('group').value"),
            "summary": page.js("document.getElementById('view-summary').textContent"),
        }

    with opened(doc, tmp_path) as page:
        assert page.js("location.hash") == ""  # the default view adds nothing to the address
        page.t("tick('status', 'PASS', true)")
        page.t("tick('severity', 'low', false)")
        page.t("tick('account', '111122223301', false)")
        page.search("needle")
        page.t("choose('sort', 'resource')")
        page.t("click('#sort-dir')")
        page.t("click('#findings .next')")
        flat = view(page)
        flat_hash = page.js("location.hash")
        page.t("choose('group', 'check')")
        grouped = view(page)
        grouped_hash = page.js("location.hash")
    assert flat_hash.startswith("#findings?") and "page=2" in flat_hash and "q=needle" in flat_hash
    assert flat["info"][0].startswith("Findings 101\u2013")
    assert "group=check" in grouped_hash
    with opened(doc, tmp_path, flat_hash) as again:
        assert view(again) == flat
    with opened(doc, tmp_path, grouped_hash) as again:
        assert view(again) == grouped
    # A resource link opens that resource, in a new browser too.
    rid = "arn:aws:s3:::bucket-7"
    with opened(doc, tmp_path, "#resource?id=" + quote(rid, safe="")) as page:
        assert page.js("document.getElementById('resource-view').hidden") is False
        assert page.js("document.getElementById('resource-title').textContent") == "Resource: bucket-7"
        page.browser.key("Escape")
        page.browser.wait_for("document.getElementById('resource-view').hidden")
        assert len(page.t("rows()")) == 100
    # A link with values the report does not have (an older report, a typo) opens what it can.
    with opened(doc, tmp_path, "#findings?status=NOPE&severity=critical&sort=nope&page=99") as page:
        assert page.t("checked('status')") == [] and page.t("checked('severity')") == ["critical"]
        assert page.js("document.getElementById('sort').value") == "report"
        assert page.t("text('no-match')") is not None


# ------------------------------------------------------------------------------------ frameworks


def _framework_doc() -> FindingsDocument:
    """Checks listed by CIS and PCI controls (one by both, one by two PCI controls) and one by none."""
    both = {"CIS-AWS-Foundations-3.0.0": ["5.2"], "PCI-DSS-4.0": ["1.3.1"]}
    pci = {"PCI-DSS-4.0": ["1.3.1", "1.4.2"]}
    findings = [
        make_finding(
            check,
            Severity.HIGH,
            resource_name=f"{check}-{i}",
            resource_id=f"arn:aws:s3:::{check}-{i}",
            compliance=mapping,
        )
        for check, mapping, n in (("both_check", both, 3), ("pci_check", pci, 2), ("free_check", {}, 4))
        for i in range(n)
    ]
    return make_doc(findings)


def test_framework_and_control_filters_select_the_checks_they_list(tmp_path: Path) -> None:
    with opened(_framework_doc(), tmp_path) as page:
        assert page.t("counts('framework')") == {
            "CIS-AWS-Foundations-3.0.0": 3,
            "PCI-DSS-4.0": 5,
            "(none)": 4,
        }
        assert page.t("counts('control')") == {
            "CIS-AWS-Foundations-3.0.0 5.2": 3,
            "PCI-DSS-4.0 1.3.1": 5,
            "PCI-DSS-4.0 1.4.2": 2,
            "(none)": 4,
        }
        labels = page.js(
            "Array.from(document.querySelectorAll('#facet-framework label')).map((l) => l.textContent)"
        )
        assert any(
            "PCI-DSS-4.0 Payment Card Industry Data Security Standard 4.0" in " ".join(x.split())
            for x in labels
        )
        page.t("click('#facet-framework button.facet-none')")
        page.t("tick('framework', 'CIS-AWS-Foundations-3.0.0', true)")
        assert {r["check"] for r in page.t("rows()")} == {"both_check"}
        page.t("tick('framework', 'PCI-DSS-4.0', true)")
        assert {r["check"] for r in page.t("rows()")} == {"both_check", "pci_check"}
        assert "framework: CIS-AWS-Foundations-3.0.0, PCI-DSS-4.0" in page.js(
            "document.getElementById('view-summary').textContent"
        )
        page.t("click('#facet-framework button.facet-all')")
        page.t("click('#facet-control button.facet-none')")
        page.t("tick('control', 'PCI-DSS-4.0 1.4.2', true)")
        assert {r["check"] for r in page.t("rows()")} == {"pci_check"}
        link = page.js("location.hash")
    with opened(_framework_doc(), tmp_path, link) as again:
        assert again.t("checked('control')") == ["PCI-DSS-4.0 1.4.2"]
        assert {r["check"] for r in again.t("rows()")} == {"pci_check"}


def test_the_compliance_overview_links_to_its_frameworks_findings(tmp_path: Path) -> None:
    doc = _framework_doc()
    framework = compliance_catalog().require("CIS-AWS-Foundations-3.0.0")
    result = evaluate_compliance(framework, [doc])
    with opened(render_html(doc, [result]), tmp_path) as page:
        row = page.js("document.querySelector('#compliance-table tr[data-framework]').textContent")
        assert row.startswith("CIS Amazon Web Services Foundations Benchmark 3.0.0")
        assert result.score.text in row
        page.t("click('#compliance-table a')")
        page.browser.wait_for("document.getElementById('view-summary').textContent.includes('framework:')")
        assert page.t("checked('framework')") == ["CIS-AWS-Foundations-3.0.0"]
        assert {r["check"] for r in page.t("rows()")} == {"both_check"}


# ------------------------------------------------------------------------------------ remediation


def test_remediation_steps_are_filled_with_the_finding_and_a_hostile_name_stays_one_shell_word(
    tmp_path: Path,
) -> None:
    check_id, steps = next(
        (cid, s) for cid, s in sorted(remediation_catalog().items()) if any("{{name}}" in c for c in s.cli)
    )
    hostile = "x'; touch /tmp/pwned #$(id)<img src=x>"
    finding = make_finding(
        check_id,
        Severity.HIGH,
        provider=check_id.split(".")[0],
        resource_id=f"projects/p1/things/{hostile}",
        resource_name=hostile,
        region="europe-west1",
        account="p1",
    )
    values = values_of(finding.resource_id, finding.resource_name, finding.region, finding.account)
    with opened(make_doc([finding]), tmp_path) as page:
        page.t("click('#expand-all')")
        console = page.js(
            "Array.from(document.querySelectorAll('#finding-list ol.console-steps li'))"
            ".map((li) => li.textContent)"
        )
        commands = page.js(
            "Array.from(document.querySelectorAll('#finding-list pre.cli code')).map((c) => c.textContent)"
        )
        links = page.js("Array.from(document.querySelectorAll('#finding-list ul.docs a')).map((a) => a.href)")
        assert page.js("document.querySelectorAll('img').length") == 0
    assert console == [fill_text(step, values) for step in steps.console]
    assert commands == [fill_command(command, values) for command in steps.cli]
    assert links == list(steps.docs)
    named = next(c for c in commands if hostile.replace("'", "'\"'\"'") in c)
    assert [w for w in shlex.split(named) if "pwned" in w] == [hostile]


# ------------------------------------------------------------------------------------ keyboard


def _focus(page: Page) -> dict[str, Any]:
    return page.js(  # type: ignore[no-any-return]
        "(() => { const a = document.activeElement; return {tag: a.tagName, id: a.id, cls: a.className,"
        " text: a.textContent.slice(0, 60), inList: !!a.closest('#finding-list')}; })()"
    )


def _tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], limit: int = 400) -> dict[str, Any]:
    """Press Tab until the focused element is ``wanted``."""
    for _ in range(limit):
        page.browser.key("Tab")
        focus = _focus(page)
        if wanted(focus):
            return focus
    raise AssertionError("never reached with Tab")


def test_keyboard_alone_reaches_every_control(tmp_path: Path) -> None:
    findings = [make_finding(f"check_{i}", Severity.HIGH, resource_name=f"res-{i}") for i in range(5)]
    findings.append(make_finding("needle_check", Severity.LOW, message="a needle here"))
    with opened(make_doc(findings), tmp_path) as page:
        page.browser.key("Tab")
        assert _focus(page)["text"] == "Skip to the findings"
        page.browser.key("/", text="/")
        assert _focus(page)["id"] == "search"
        page.browser.call("Input.insertText", {"text": "needle"})
        page.browser.wait_for(
            "document.getElementById('view-summary').textContent.includes('search: needle')"
        )
        assert [r["check"] for r in page.t("rows()")] == ["needle_check"]
        page.search("")
        # A facet's checkbox, toggled with the space bar.
        _tab_to(page, lambda f: f["tag"] == "INPUT" and f["id"] == "")
        assert page.js("document.activeElement.type") == "checkbox"
        before = page.js("document.activeElement.checked")
        page.browser.key(" ", "Space", text=" ")
        assert page.js("document.activeElement.checked") is (not before)
        page.t("click('#reset-filters')")
        page.js("document.getElementById('search').focus()")
        # A finding's details open with Enter, its resource opens with Enter, Escape comes back.
        _tab_to(page, lambda f: f["tag"] == "SUMMARY" and f["inList"])
        page.browser.key("Enter", text="\r")
        assert page.js("document.activeElement.parentElement.open") is True
        # The details are filled on the toggle event, which the browser fires as a task of its own.
        page.browser.wait_for("document.activeElement.parentElement.textContent.includes('Remediation')")
        page.js("document.getElementById('search').focus()")
        _tab_to(page, lambda f: f["tag"] == "A" and "res-name" in f["cls"])
        page.browser.key("Enter", text="\r")
        page.browser.wait_for("!document.getElementById('resource-view').hidden")
        assert _focus(page)["id"] == "resource-title"
        page.browser.key("Escape")
        page.browser.wait_for("document.getElementById('resource-view').hidden")
        # Every control of the findings list is reachable with Tab.
        page.js("document.querySelector('a.skip').focus()")
        seen = set()
        for _ in range(120):
            page.browser.key("Tab")
            seen.add(_focus(page)["id"])
        assert {"search", "sort", "sort-dir", "group", "show-all-statuses", "reset-filters"} <= seen


# ------------------------------------------------------------------------------------ small screen, print


_MID_WORD = r"""
(() => {
  const broken = [];
  const headers = "h1, h2:not(#resource-title), h3, h4, th, legend, summary, figcaption, button";
  document.querySelectorAll(headers).forEach((el) => {
    if (!el.getClientRects().length) { return; }
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /[A-Za-z]{2,}/g;
      let m;
      while ((m = re.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
        if (tops.size > 1) { broken.push(el.tagName + ":" + m[0]); }
      }
    }
  });
  return broken;
})()
"""


def _wide_doc() -> FindingsDocument:
    long = "arn:aws:iam::111122223333:role/" + "very-long-role-name-without-spaces-" * 4
    findings = [
        make_finding(
            f"aws.iam.a_rather_long_check_identifier_number_{i}",
            list(Severity)[i % 5],
            (Status.FAIL, Status.UNKNOWN, Status.PASS, Status.MUTED, Status.ERROR)[i % 5],
            resource_id=f"{long}{i}",
            resource_name=f"{long}{i}",
            service=f"service-with-a-long-name-{i % 12}",
            evidence={"policy": {"Statement": [{"Resource": long * 2, "Action": ["iam:*"] * 5}]}},
        )
        for i in range(60)
    ]
    surface = [
        make_entry(
            f"host-{i}.a-very-long-subdomain-name.example.com",
            ExposureLevel.OBSERVED,
            kind="hostname",
            owner=SurfaceOwner(id=long, name=long, kind="aws.apigateway.rest_api"),
        )
        for i in range(3)
    ]
    return make_doc(
        findings, surface=surface, regions=["us-east-1", "eu-west-1"] * 10, exposure_sources=["probe"]
    )


def test_at_390_pixels_nothing_overflows(tmp_path: Path) -> None:
    with opened(_wide_doc(), tmp_path, width=390, height=844) as page:
        width = "document.documentElement.scrollWidth"
        assert page.js("window.innerWidth") == 390
        assert page.js(width) <= 390
        assert page.js(_MID_WORD) == []
        search = page.js(
            "(() => { const s = document.getElementById('search').getBoundingClientRect();"
            " const p = document.getElementById('filters').getBoundingClientRect();"
            " return [s.left >= p.left, s.right <= p.right, s.width > 100]; })()"
        )
        assert search == [True, True, True]
        page.js("document.querySelectorAll('details.facet').forEach((d) => { d.open = true; })")
        assert page.js(width) <= 390 and page.js(_MID_WORD) == []
        page.t("click('#expand-all')")
        page.js("document.querySelectorAll('#surface details').forEach((d) => { d.open = true; })")
        page.browser.wait_for("document.querySelectorAll('#surface details li').length")
        assert page.js(width) <= 390
        page.t("choose('group', 'resource')")
        page.t("click('#expand-all')")
        assert page.js(width) <= 390 and page.js(_MID_WORD) == []
        page.t("click('#finding-list a.res-view')")
        page.browser.wait_for("!document.getElementById('resource-view').hidden")
        assert page.js(width) <= 390 and page.js(_MID_WORD) == []


def test_the_print_stylesheet_keeps_the_content_and_drops_the_controls(tmp_path: Path) -> None:
    with opened(_doc_for_counts(), tmp_path) as page:
        page.t("tick('severity', 'info', false)")
        page.browser.call("Emulation.setEmulatedMedia", {"media": "print"})
        shown = page.js(
            "Object.fromEntries(['filters', 'view-summary', 'finding-list', 'severity-chart', 'summary']"
            ".map((id) => [id, getComputedStyle(document.getElementById(id)).display !== 'none']))"
        )
        assert shown == {
            "filters": False,
            "view-summary": True,
            "finding-list": True,
            "severity-chart": True,
            "summary": True,
        }
        assert (
            page.js("getComputedStyle(document.querySelector('#findings .pager button')).display") == "none"
        )
        assert "severity: critical, high, medium, low" in page.js(
            "document.getElementById('view-summary').textContent"
        )
        pdf = page.browser.call("Page.printToPDF", {"printBackground": True})["data"]
        assert pdf.startswith("JVBERi0")  # "%PDF-"


# ------------------------------------------------------------------------------------ details, badges


def test_exposure_badges_and_evidence_lines(tmp_path: Path) -> None:
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
    doc = make_doc(
        [
            make_finding(
                resource_name="cache-host",
                severity=Severity.CRITICAL,
                exposure=Exposure(level=ExposureLevel.EXPLOITABLE, evidence=evidence),
            ),
            make_finding(resource_name="plain-bucket", severity=Severity.LOW),
        ],
        exposure_sources=["probe"],
    )
    with opened(doc, tmp_path) as page:
        first, second = page.t("rows()")
        assert first["badges"] == ["critical", "FAIL", "exploitable"] and second["badges"] == ["low", "FAIL"]
        counts = page.t("counts('exposure')")
        assert counts["exploitable"] == 1 and counts["none"] == 1 and counts["observed"] == 0
        page.t("click('#expand-all')")
        lines = page.js(
            "Array.from(document.querySelectorAll('#finding-list ul.exposure-evidence li'))"
            ".map((li) => li.textContent)"
        )
        assert lines == [
            "config · subnet-1 routes 0.0.0.0/0 -> igw-1",
            "file · 203.0.113.10:22 · 22/tcp open: OpenSSH 8.9p1 (seen by Shodan snapshot 2026-11-26)",
            "probe · 203.0.113.10:80 · TRACE enabled (2026-12-01 10:05 UTC) [probe.http.trace_enabled]",
        ]
        # Readable without colour: every badge says what it means in words.
        assert page.js("Array.from(document.querySelectorAll('.badge')).every((b) => b.textContent.trim())")


def test_twenty_thousand_findings_render_one_page(tmp_path: Path) -> None:
    findings = [
        make_finding(
            f"check_{i % 40}",
            Severity.HIGH if i % 3 else Severity.LOW,
            Status.FAIL if i % 2 else Status.PASS,
            resource_id=f"arn:aws:s3:::bucket-{i:05d}",
            resource_name=f"bucket-{i:05d}",
        )
        for i in range(20_000)
    ]
    with opened(make_doc(findings), tmp_path) as page:
        assert len(page.t("rows()")) == 100  # paged: the DOM holds one page, not 20,000 entries
        assert (
            page.t("info()")[0]
            == "Findings 1\u2013100 of 10,000 matching (20,000 in total) \u00b7 page 1 of 100"
        )
        page.search("bucket-00042")
        assert [r["name"] for r in page.t("rows()")] == []  # bucket-00042 passes: hidden
        page.t("click('#show-all-statuses')")
        assert [r["name"] for r in page.t("rows()")] == ["bucket-00042"]


# ------------------------------------------------------------------------------------ attack surface


def _surface_rows(page: Page) -> list[dict[str, str]]:
    return page.js(  # type: ignore[no-any-return]
        "Array.from(document.querySelectorAll('#surface-rows tr')).map((tr) => Object.fromEntries("
        "Array.from(tr.children).map((td) => [td.className.replace('s-', ''),"
        " td.className === 's-endpoint' ? td.querySelector('code').textContent : td.textContent])))"
    )


def _surface_info(page: Page) -> str:
    return page.js("document.querySelector('#surface-app .page-info').textContent")  # type: ignore[no-any-return]


def test_attack_surface_renders_hostile_entries_as_text(tmp_path: Path) -> None:
    doc = hostile_doc()
    with opened(doc, tmp_path) as page:
        (row,) = _surface_rows(page)
        assert row["endpoint"] == CLOSE
        assert row["owner"] == f"{IMG} {JINJA}"
        assert row["ports"] == f"tcp/80 {XSS} \u00b7 seen open, no rule: tcp/8080 {IMG}"
        assert row["level"] == "exploitable"
        assert row["evidence"] == f"probe: {XSS}not checked: internetdb: {IMG}"
        assert _surface_info(page) == "Endpoints 1\u20131 of 1 matching (1 in total) \u00b7 page 1 of 1"


def test_attack_surface_names_each_owners_account_in_a_run_of_several(tmp_path: Path) -> None:
    def entry(endpoint: str, account: str) -> SurfaceEntry:
        name = f"sg-{endpoint}"
        owner = SurfaceOwner(id=name, name=name, kind="aws.ec2.security_group", account=account)
        return make_entry(endpoint, owner=owner)

    surface = [entry("198.51.100.1", "111111111111"), entry("198.51.100.2", "222222222222")]
    for name in ("several", "one"):
        (tmp_path / name).mkdir()
    several = make_doc([make_finding()], surface=surface, accounts=["111111111111", "222222222222"])
    with opened(several, tmp_path / "several") as page:
        owners = [r["owner"] for r in _surface_rows(page)]
        assert owners == [
            "sg-198.51.100.1 aws.ec2.security_groupaccount 111111111111",
            "sg-198.51.100.2 aws.ec2.security_groupaccount 222222222222",
        ]
        page.search("222222222222", box="surface-search")
        assert [r["endpoint"] for r in _surface_rows(page)] == ["198.51.100.2"]
    one = make_doc([make_finding()], surface=surface[:1], accounts=["111111111111"])
    with opened(one, tmp_path / "one") as page:  # one account: the owner cell stays short
        assert [r["owner"] for r in _surface_rows(page)] == ["sg-198.51.100.1 aws.ec2.security_group"]


def test_attack_surface_sorts_filters_searches_and_pages(tmp_path: Path) -> None:
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
    with opened(make_doc([make_finding()], surface=surface), tmp_path) as page:
        findings_info = page.t("info()")
        rows = _surface_rows(page)
        assert len(rows) == 100
        assert [r["endpoint"] for r in rows] == [e.endpoint for e in surface][:100]
        assert _surface_info(page) == "Endpoints 1\u2013100 of 131 matching (131 in total) \u00b7 page 1 of 2"
        page.t("click('#surface-app .next')")
        assert len(_surface_rows(page)) == 31
        page.t("click('#surface-sort-endpoint')")
        assert [r["endpoint"] for r in _surface_rows(page)][:3] == [
            "198.51.100.0",
            "198.51.100.1",
            "198.51.100.10",
        ]
        page.t("click('#surface-sort-endpoint')")
        assert _surface_rows(page)[0]["endpoint"] == "needle.example.com"
        page.t("click('#surface-sort-level')")
        ranks = [ExposureLevel(r["level"]).rank for r in _surface_rows(page)]
        assert ranks == sorted(ranks, reverse=True)
        page.t("click('#surface-sort-ports')")
        ports = [int(r["ports"].split("/")[1].split()[0]) for r in _surface_rows(page)]
        assert ports == sorted(ports)
        page.js(
            "Array.from(document.querySelectorAll('#surface-filters input'))"
            ".find((i) => i.value === 'none').click()"
        )
        assert "none" not in {r["level"] for r in _surface_rows(page)}
        assert _surface_info(page).startswith("Endpoints 1\u2013100 of 109 matching")
        page.search("needle", box="surface-search")
        assert [r["endpoint"] for r in _surface_rows(page)] == ["needle.example.com"]
        page.search("nothing-like-this", box="surface-search")
        assert _surface_rows(page) == [] and _surface_info(page) == "0 of 131 endpoints"
        page.t("click('#surface-reset')")
        assert _surface_info(page) == "Endpoints 1\u2013100 of 131 matching (131 in total) \u00b7 page 1 of 2"
        assert page.t("info()") == findings_info  # the findings list is untouched by the surface's controls
