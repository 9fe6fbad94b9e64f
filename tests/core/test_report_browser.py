"""The HTML report in a real headless Chromium: rendered by its own script, hostile data stays text.

Chromium comes from the distribution's packages (.ci/run installs it and sets
CLOUDAUDIT_REQUIRE_BROWSER=1 so a missing browser fails instead of skipping).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cloudaudit.exposure.model import Exposure, ExposureEvidence, ExposureLevel
from cloudaudit.model import Severity, Status
from cloudaudit.model.surface import SurfaceOwner
from cloudaudit.report.html import render_html
from test_report_html import make_doc, make_entry, make_finding, parse

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CLOUDAUDIT_REQUIRE_BROWSER"):
        raise RuntimeError("chromium is required (CLOUDAUDIT_REQUIRE_BROWSER is set) but not installed")
    pytestmark = pytest.mark.skip(reason="chromium not installed")

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def rendered_dom(html: str, tmp_path: Path) -> str:
    """The DOM after the report's script ran, serialised by Chromium."""
    page = tmp_path / "report.html"
    page.write_text(html)
    proc = subprocess.run(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    return proc.stdout


def test_hostile_names_render_as_text_and_run_nothing(tmp_path: Path) -> None:
    canary = "<img src=x onerror=\"document.title='pwned'\">"
    script = "<script>document.title='pwned'</script>"
    doc = make_doc(
        [
            make_finding(
                resource_name=canary, message=script, status=Status.FAIL, severity=Severity.CRITICAL
            ),
            make_finding(resource_name="plain-bucket", status=Status.FAIL, severity=Severity.LOW),
        ]
    )
    dom = parse(rendered_dom(render_html(doc), tmp_path)).root

    assert dom.one("title").text() != "pwned"
    items = dom.by_id("finding-list").find_all("li")
    assert len(items) == 2  # the script rendered both failing findings
    first = items[0]
    assert first.one(**{"class": "res-name"}).text() == canary
    assert first.one(**{"class": "f-msg"}).text() == script
    assert dom.by_id("finding-list").find_all("img") == []
    assert dom.by_id("finding-list").find_all("script") == []


def test_twenty_thousand_findings_render_one_page(tmp_path: Path) -> None:
    findings = [
        make_finding(
            resource_name=f"bucket-{i:05d}",
            status=Status.FAIL if i % 2 else Status.PASS,
            severity=Severity.HIGH if i % 3 else Severity.LOW,
        )
        for i in range(20_000)
    ]
    dom = parse(rendered_dom(render_html(make_doc(findings)), tmp_path)).root
    items = dom.by_id("finding-list").find_all("li")
    assert len(items) == 100  # paged: the DOM holds one page, not 20,000 entries
    assert "10000" in dom.by_id("findings").text().replace(",", "")  # 10,000 FAIL shown by default


def test_exposure_level_is_shown_as_a_badge_and_none_shows_nothing(tmp_path: Path) -> None:
    exploitable = Exposure(
        level=ExposureLevel.EXPLOITABLE,
        evidence=(ExposureEvidence(source="probe", endpoint="203.0.113.7:6379", seen="Redis without AUTH"),),
    )
    doc = make_doc(
        [
            make_finding(resource_name="cache-host", severity=Severity.CRITICAL, exposure=exploitable),
            make_finding(resource_name="plain-bucket", severity=Severity.LOW),
        ],
        exposure_sources=["probe"],
    )
    dom = parse(rendered_dom(render_html(doc), tmp_path)).root
    first, second = dom.by_id("finding-list").find_all("li")
    assert [b.text() for b in first.find_all("span") if "exp" in b.attrs.get("class", "")] == ["exploitable"]
    assert [b for b in second.find_all("span") if "exp" in b.attrs.get("class", "")] == []  # level none
    counts = {
        c.attrs.get("data-value"): c.text()
        for c in dom.by_id("filters").find_all("span", **{"class": "count"})
        if c.attrs.get("data-facet") == "exposure"
    }
    assert counts["exploitable"] == "1" and counts["none"] == "1" and counts["observed"] == "0"
    summary = dom.by_id("exposure-summary").text()
    assert "sources: probe" in summary and "exploitable" in summary


def test_attack_surface_table_renders_hostile_names_as_text_strongest_first(tmp_path: Path) -> None:
    canary = "<img src=x onerror=\"document.title='pwned'\">"
    surface = [
        make_entry("198.51.100.7", ExposureLevel.CONFIGURED),
        make_entry(
            "api.example.com",
            ExposureLevel.EXPLOITABLE,
            kind="hostname",
            owner=SurfaceOwner(id="arn:x", name=canary, kind="aws.apigateway.rest_api"),
            evidence=f"probe: {canary}",
        ),
    ]
    surface.sort(key=lambda e: -e.level.rank)
    doc = make_doc([make_finding()], surface=surface, exposure_sources=["probe"])
    dom = parse(rendered_dom(render_html(doc), tmp_path)).root

    assert dom.one("title").text() != "pwned"
    table = dom.by_id("surface-table")
    rows = dom.by_id("surface-rows").find_all("tr")
    assert [r.one("code", **{"class": "endpoint"}).text() for r in rows] == [
        "api.example.com",
        "198.51.100.7",
    ]
    first = rows[0]
    assert first.one("span", **{"class": "owner-name"}).text() == canary
    assert first.one("td", **{"class": "s-evidence"}).text() == f"probe: {canary}"
    assert [b.text() for b in first.find_all("span") if "exp" in b.attrs.get("class", "")] == ["exploitable"]
    assert table.find_all("img") == [] and table.find_all("script") == []
    assert "Endpoints 1\u20132 of 2 matching" in dom.by_id("surface-app").text()
