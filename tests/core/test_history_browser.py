"""The HTML report's "Since the last run" in a real headless Chromium: the counts and the new
findings are shown, a hostile name stays text, and a new finding's link opens its resource."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cloudaudit.history.diff import Side, compare
from cloudaudit.history.model import Counts, FindingRef, Scope, StoredRun
from cloudaudit.model import Severity
from cloudaudit.report.html import render_html
from headless import CHROMIUM
from test_report_browser import opened
from test_report_html import IMG, XSS, make_doc, make_finding

if CHROMIUM is None:
    if os.environ.get("CLOUDAUDIT_REQUIRE_BROWSER"):
        raise RuntimeError("chromium is required (CLOUDAUDIT_REQUIRE_BROWSER is set) but not installed")
    pytestmark = pytest.mark.skip(reason="chromium not installed")

COUNTS = "Array.from(document.querySelectorAll('#since-counts li')).map((li) => li.innerText.split(/\\s+/))"
CELLS = "Array.from(document.querySelectorAll('#since-new tbody td')).map((td) => td.textContent)"


def _previous_run() -> StoredRun:
    started = datetime(2026, 5, 19, 2, 0, tzinfo=UTC)
    return StoredRun(
        id=14,
        started=started,
        finished=started,
        recorded=started,
        tool_version="0.1.0",
        scope=Scope(("aws",), ("111122223333",)),
        regions=("us-east-1",),
        checks=frozenset({"s3_bucket_public"}),
        check_filter={"include": [], "exclude": []},
        exposure_sources=(),
        incomplete=False,
        interrupted=False,
        counts=Counts(),
        coverage=(),
    )


def test_since_the_last_run_lists_the_new_findings_and_links_their_resources(tmp_path: Path) -> None:
    rid = f"arn:aws:s3:::{IMG}"
    kept = make_finding(resource_id="arn:aws:s3:::kept", resource_name="kept")
    fixed = make_finding(resource_id="arn:aws:s3:::fixed", resource_name="fixed")
    new = make_finding(
        severity=Severity.CRITICAL,
        resource_id=rid,
        resource_name=IMG,
        title=f"{XSS} public",
    )
    doc = make_doc([kept, new])
    checks = frozenset({"s3_bucket_public"})
    since = compare(
        Side([FindingRef.of(kept), FindingRef.of(fixed)], checks),
        Side([FindingRef.of(f) for f in doc.findings], checks),
        _previous_run(),
    )
    with opened(render_html(doc, (), since), tmp_path) as page:
        text = page.js("document.getElementById('since').innerText")
        assert "Since the last run" in text and "Compared with run 14 of 2026-05-19T02:00:00+00:00" in text
        counts = [c[:2] for c in page.js(COUNTS)]
        assert counts == [["1", "New"], ["1", "Resolved"], ["0", "Changed"], ["1", "Unchanged"]]  # as shown
        cells = page.js(CELLS)
        assert cells == ["critical", "s3_bucket_public", f"{XSS} public", IMG, "111122223333", "us-east-1"]
        assert page.js("window.pwned") is None and page.js("document.querySelectorAll('img').length") == 0
        page.t("click('#since-new a')")
        page.browser.wait_for("!document.getElementById('resource-view').hidden")
        assert page.js("new URLSearchParams(location.hash.split('?')[1]).get('id')") == rid
        assert page.js("document.getElementById('resource-title').textContent") == f"Resource: {IMG}"
