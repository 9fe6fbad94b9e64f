"""Reports written piecewise are exactly the documents written whole (same bytes, any size)."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cloudaudit.exposure.model import Exposure, ExposureEvidence, ExposureLevel
from cloudaudit.model import Severity, Status
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.finding import Finding, FindingsDocument
from cloudaudit.model.inventory import Inventory, ScanScope
from cloudaudit.report import csv_report, html, json_report, sarif
from cloudaudit.report.files import write_atomic
from cloudaudit.report.stream import splice_lists
from cloudaudit.runflow import write_reports
from test_report_html import (
    embedded_data,
    make_doc,
    make_entry,
    make_finding,
    make_gap,
    parse,
    surface_entries,
)


class Box(Asset):
    """An asset of a kind no registry knows (this test only writes it)."""

    kind = "fake.store.box"


HOSTILE = "</script><script>alert('x')</script> & \"quotes\"\nnew line \u2028 é"


def _findings(n: int) -> list[Finding]:
    """``n`` findings of every status, with nested evidence, exposure and hostile text."""
    statuses = (Status.FAIL, Status.PASS, Status.UNKNOWN, Status.MUTED, Status.ERROR)
    return [
        make_finding(
            check_id=f"check_{i % 7}",
            status=statuses[i % len(statuses)],
            severity=tuple(Severity)[i % 5],
            resource_id=f"arn:aws:s3:::bucket-{i:05d}",
            resource_name=f"bucket-{i} {HOSTILE}" if i % 3 == 0 else f"bucket-{i}",
            evidence={"nested": {"list": [i, {"deep": HOSTILE}], "empty": {}, "none": None}, "n": i},
            exposure=Exposure(
                level=ExposureLevel.REACHABLE,
                evidence=(ExposureEvidence(source="config", endpoint="192.0.2.1:443", seen=HOSTILE),),
            )
            if i % 4 == 0
            else Exposure(),
            muted_reason="accepted" if i % 5 == 3 else "",
        )
        for i in range(n)
    ]


def _doc(n: int, entries: int = 2) -> FindingsDocument:
    surface = [make_entry(f"198.51.100.{i}") for i in range(entries)]
    return make_doc(_findings(n), [make_gap(message=HOSTILE)], surface)


SIZES = [(0, 0), (0, 2), (1, 0), (3, 1), (700, 2)]
"""(findings, surface entries)"""


@pytest.mark.parametrize(("n", "entries"), SIZES)
def test_findings_json_is_the_whole_document_as_pydantic_writes_it(n: int, entries: int) -> None:
    doc = _doc(n, entries)
    assert json_report.render_findings(doc) == doc.model_dump_json(indent=2) + "\n"


@pytest.mark.parametrize("n", [json_report.BATCH - 1, json_report.BATCH, 25 * json_report.BATCH + 1])
def test_findings_json_serialised_in_batches_is_the_whole_document(n: int) -> None:
    doc = _doc(n, 1)
    assert json_report.render_findings(doc) == doc.model_dump_json(indent=2) + "\n"


@pytest.mark.parametrize(("n", "entries"), SIZES)
def test_html_report_embeds_the_findings_and_surface_in_the_rendered_page(n: int, entries: int) -> None:
    doc = _doc(n, entries)
    context = html.build_context(doc)
    whole = [f.model_dump(mode="json") for f in html.order_findings(doc.findings)]
    surface = [e.model_dump(mode="json") for e in doc.surface]
    template = html._environment().get_template(html.TEMPLATE_NAME)
    page = html.render_html(doc)
    parsed = parse(page)
    assert embedded_data(parsed) == whole
    assert surface_entries(parsed) == surface
    # Around the streamed islands, the page is the template's own rendering.
    assert _islands_emptied(page) == template.render({**context, "data": [], "surface": []})


def _islands_emptied(page: str) -> str:
    for island in ("findings-data", "surface-data"):
        page = re.sub(f'(<script type="application/json" id="{island}">)[^<]*(</script>)', r"\1[]\2", page)
    return page


def test_a_finding_cannot_forge_the_place_of_the_findings_data() -> None:
    forged = make_finding(resource_name="streamed-" + "0" * 32, message="streamed-")
    page = html.render_html(make_doc([forged]))
    assert [d["resource_name"] for d in embedded_data(parse(page))] == ["streamed-" + "0" * 32]


def test_inventory_json_is_the_whole_document_as_json_dumps_writes_it() -> None:
    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    boxes = tuple(
        Box(
            provider="fake",
            account="p",
            region="r1",
            id=f"fake://p/box-{i}",
            name=f"box {HOSTILE}",
            tags={"k": HOSTILE},
            endpoints=(Endpoint(host="192.0.2.1", from_port=i, to_port=i, via="open"),),
        )
        for i in range(50)
    )
    scope = ScanScope(provider="fake", accounts=("p",), regions=("r1",), started=t0, finished=t0)
    for assets in ((), boxes):
        inventory = Inventory(scope=scope, assets=assets, gaps=(make_gap(provider="fake"),))
        whole = json.dumps(inventory.to_json(), indent=2, default=str) + "\n"
        assert json_report.render_inventory(inventory) == whole


def test_csv_and_sarif_in_pieces_are_the_whole_files() -> None:
    doc = _doc(700)  # CSV rows handed on in several batches
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_report.COLUMNS)
    writer.writerows(csv_report._row(f) for f in doc.findings)
    assert len(list(csv_report.iter_csv(doc))) > 2
    assert csv_report.render_csv(doc) == out.getvalue()
    assert json.loads(sarif.render_sarif(doc))["runs"][0]["results"]
    assert sarif.render_sarif(doc) == "".join(sarif.iter_sarif(doc))


def test_every_written_report_is_its_rendering(tmp_path: Path) -> None:
    doc = _doc(50)
    out = tmp_path / "out"
    files = write_reports(doc, None, out, ("json", "html", "csv", "sarif"))
    written = {p.name: p.read_bytes().decode("utf-8") for p in files}
    assert written == {
        "findings.json": json_report.render_findings(doc),
        "report.html": html.render_html(doc),
        "findings.csv": csv_report.render_csv(doc),
        "findings.sarif": sarif.render_sarif(doc),
    }


def test_a_failure_while_writing_pieces_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "findings.json"
    write_atomic(path, "previous\n")

    def pieces() -> Iterator[str]:
        yield "x" * (3 << 20)  # more than one write
        raise RuntimeError("renderer bug")

    with pytest.raises(RuntimeError, match="renderer bug"):
        write_atomic(path, pieces())
    assert path.read_text() == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["findings.json"]  # no temporary file left


def test_pieces_of_text_and_of_utf8_bytes_are_written_in_their_order(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    big = 1 << 17  # past the gathering size: written as it comes
    write_atomic(path, ["\u00e9", "\u00e9".encode(), "x" * big, b"y" * big, HOSTILE, HOSTILE.encode()])
    assert path.read_bytes().decode("utf-8") == "\u00e9\u00e9" + "x" * big + "y" * big + HOSTILE * 2


def test_splice_needs_empty_top_level_lists_in_order() -> None:
    nested = '{\n  "a": {\n    "findings": []\n  }\n}'
    with pytest.raises(ValueError, match="not a top-level empty list"):
        list(splice_lists(nested, (("findings", ["1"]),)))
    both = json.dumps({"findings": [], "surface": []}, indent=2)
    with pytest.raises(ValueError, match="'findings' is not"):
        list(splice_lists(both, (("surface", ["1"]), ("findings", ["2"]))))
    spliced = "".join(splice_lists(both, (("findings", ["1"]), ("surface", ['{\n  "b": 2\n}']))))
    assert spliced == json.dumps({"findings": [1], "surface": [{"b": 2}]}, indent=2)


def test_rendering_leaves_no_reference_cycle_holding_the_findings() -> None:
    """Jinja's render context is a reference cycle: the findings must not hang from it (they would stay
    in memory until the collector runs, and cost a quarter of a second at exit for a large audit)."""
    gc.collect()
    gc.disable()
    try:
        doc = make_doc([make_finding("leak_probe_check")])
        html.render_html(doc)
        del doc
        left = [o for o in gc.get_objects() if isinstance(o, Finding) and o.check_id == "leak_probe_check"]
        assert left == []
    finally:
        gc.enable()
