"""One run over several providers: the merged scope, id lookups per provider, checks per provider,
old files still read, and what the summary, the HTML report and the exposure stage say."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest

from cloudaudit import interrupt
from cloudaudit.collect.targets import ProviderRun, collect_providers
from cloudaudit.engine.outcome import Outcome, fail
from cloudaudit.engine.registry import CheckRegistry, check
from cloudaudit.errors import RunInterrupted, UsageError
from cloudaudit.exposure.model import ExposureDocument, ExposureGap, SourceResult
from cloudaudit.exposure.sources import ExposureOptions
from cloudaudit.exposure.stage import apply_exposure
from cloudaudit.model.asset import Asset, Endpoint
from cloudaudit.model.enums import Severity
from cloudaudit.model.finding import FindingsDocument
from cloudaudit.model.inventory import (
    CollectionGap,
    GapKind,
    Inventory,
    ScanScope,
    merge,
    register_id_key,
)
from cloudaudit.plugins import CollectOptions, Progress, Target, load_plugin
from cloudaudit.progress import PlainProgress
from cloudaudit.report.html import render_html
from cloudaudit.runflow import Selection, findings_document
from cloudaudit.summary import summarize
from test_report_html import make_doc, make_finding, make_gap, parse

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ARN = "arn:aws:s3:::Bucket"
AZURE_ID = "/subscriptions/S1/resourceGroups/RG/providers/X/y"
register_id_key("casefolded", str.casefold)


class AwsThing(Asset):
    """An unregistered AWS-like asset model (ids compared exactly)."""

    kind: ClassVar[str] = "aws.test.thing"
    service: ClassVar[str] = "test"


class CaseThing(Asset):
    """An unregistered asset of a provider whose ids compare case-insensitively."""

    kind: ClassVar[str] = "casefolded.test.thing"
    service: ClassVar[str] = "test"


def _inventory(asset: Asset, minutes: int = 0, gap: CollectionGap | None = None) -> Inventory:
    when = T0 + timedelta(minutes=minutes)
    scope = ScanScope(
        provider=asset.provider,
        accounts=(asset.account,),
        regions=(asset.region,),
        started=when,
        finished=when + timedelta(minutes=1),
    )
    return Inventory(scope=scope, assets=(asset,), gaps=(gap,) if gap else ())


def _aws(**extra: Any) -> AwsThing:
    return AwsThing(provider="aws", account="111122223333", region="us-east-1", id=ARN, name="b", **extra)


def _case(**extra: Any) -> CaseThing:
    return CaseThing(provider="casefolded", account="S1", region="westeurope", id=AZURE_ID, name="y", **extra)


def _gap(provider: str) -> CollectionGap:
    return CollectionGap(
        provider=provider, account="a", region="r", service="s", operation="o", error_code="E", message="m"
    )


# --------------------------------------------------------------------------- the merged inventory


def test_merge_across_providers_lists_every_provider() -> None:
    merged = merge([_inventory(_aws(), 5, _gap("aws")), _inventory(_case(), 0, _gap("casefolded"))])
    assert merged.scope.providers == ("aws", "casefolded")
    assert merged.scope.provider == "aws,casefolded"
    assert merged.scope.accounts == ("111122223333", "S1")
    assert merged.scope.regions == ("us-east-1", "westeurope")
    assert (merged.scope.started, merged.scope.finished) == (T0, T0 + timedelta(minutes=6))
    assert [a.provider for a in merged.assets] == ["aws", "casefolded"]
    assert [g.provider for g in merged.gaps] == ["aws", "casefolded"]


def test_merge_of_one_provider_keeps_its_name() -> None:
    other = _aws().model_copy(update={"account": "444455556666", "id": "arn:aws:s3:::other"})
    merged = merge([_inventory(_aws()), _inventory(other)])
    assert (merged.scope.provider, merged.scope.providers) == ("aws", ("aws",))
    assert merged.scope.accounts == ("111122223333", "444455556666")


@pytest.mark.parametrize("order", ["aws first", "case-insensitive first"])
def test_get_compares_each_id_as_its_own_provider_declares(order: str) -> None:
    """An exact provider next to a case-insensitive one: each asset's id is compared with its own
    provider's key, whichever provider the merged scope names first."""
    parts = [_inventory(_aws()), _inventory(_case())]
    merged = merge(parts if order == "aws first" else parts[::-1])

    assert merged.get(ARN) is not None
    assert merged.get(ARN.lower()) is None  # AWS ids are exact
    found = merged.get(AZURE_ID.lower())
    assert found is not None and found.id == AZURE_ID
    assert merged.get("/subscriptions/S2/whatever") is None


def test_scope_must_not_contradict_itself() -> None:
    with pytest.raises(ValueError, match="does not name providers"):
        ScanScope(provider="aws", providers=("aws", "gcp"), started=T0, finished=T0)
    with pytest.raises(ValueError, match="no provider named"):
        ScanScope(started=T0, finished=T0)


# --------------------------------------------------------------------------- files


def test_inventory_json_keeps_every_provider() -> None:
    merged = merge([_inventory(_aws()), _inventory(_case())])
    document = merged.model_copy(update={"assets": ()}).to_json()  # the test kinds are not registered
    assert document["schema_version"] == "1.2"
    assert document["scope"]["provider"] == "aws,casefolded"
    assert document["scope"]["providers"] == ["aws", "casefolded"]
    assert Inventory.from_json(document).scope.providers == ("aws", "casefolded")


def test_files_before_1_2_name_their_one_provider() -> None:
    scope = {"provider": "aws", "accounts": ["1"], "started": T0.isoformat(), "finished": T0.isoformat()}
    inventory = Inventory.from_json({"schema_version": "1.1", "scope": scope, "assets": [], "gaps": []})
    assert inventory.scope.providers == ("aws",)

    findings = make_doc([make_finding()]).model_dump(mode="json")
    del findings["run"]["providers"]
    findings["schema_version"] = "1.1"
    assert FindingsDocument.model_validate(findings, extra="ignore").run.providers == ["aws"]


def test_an_inventory_whose_provider_and_providers_disagree_is_refused() -> None:
    scope = {
        "provider": "aws",
        "providers": ["aws", "gcp"],
        "started": T0.isoformat(),
        "finished": T0.isoformat(),
    }
    with pytest.raises(ValueError, match=r"scope: .*does not name providers"):
        Inventory.from_json({"schema_version": "1.2", "scope": scope})


# --------------------------------------------------------------------------- checks and reports


def test_each_providers_checks_run_on_its_own_assets() -> None:
    registry = CheckRegistry()
    for thing in (AwsThing, CaseThing):

        @check(
            id=f"{thing.kind.split('.')[0]}.test.open",
            title="Thing is open",
            severity=Severity.HIGH,
            asset=thing,
            rationale="r",
            remediation="m",
            registry=registry,
        )
        def is_open(asset: Asset, inventory: Inventory) -> Outcome:
            return fail(f"{asset.provider} thing {asset.name} is open")

    merged = merge([_inventory(_aws()), _inventory(_case())])
    doc = findings_document(merged, list(registry), None)

    assert [(f.check_id, f.provider, f.resource_id) for f in doc.findings] == [
        ("aws.test.open", "aws", ARN),
        ("casefolded.test.open", "casefolded", AZURE_ID),
    ]
    assert (doc.run.provider, doc.run.providers) == ("aws,casefolded", ["aws", "casefolded"])
    assert doc.run.accounts == ["111122223333", "S1"]


def test_selection_takes_the_checks_of_every_provider_asked() -> None:
    load_plugin("aws")
    chosen = Selection(include=("aws.s3.*",)).checks("aws", "casefolded")
    assert chosen and {c.provider for c in chosen} == {"aws"}
    with pytest.raises(UsageError, match="no casefolded or other check selected"):
        Selection().checks("casefolded", "other")


def _two_provider_doc() -> FindingsDocument:
    return make_doc(
        [make_finding(), make_finding(provider="gcp", account="demo-project", resource_id="//x")],
        gaps=[make_gap(), make_gap(provider="gcp", error_code="Forbidden")],
        provider="aws,gcp",
        providers=["aws", "gcp"],
        accounts=["111122223333", "demo-project"],
    )


def test_summary_names_every_provider_and_where_each_policy_is() -> None:
    text = summarize(_two_provider_doc())
    assert "2 results from 42 checks on aws, gcp account(s) 111122223333, demo-project" in text
    assert "'cloudaudit permissions --provider aws' prints the policy the audit needs" in text
    assert "'cloudaudit permissions --provider gcp' prints the policy the audit needs" in text


def test_html_header_names_every_provider() -> None:
    root = parse(render_html(_two_provider_doc())).root
    run_info = root.by_id("run-info")
    labels = [dt.text() for dt in run_info.find_all("dt")]
    values = dict(zip(labels, [dd.text() for dd in run_info.find_all("dd")], strict=True))
    assert values["Providers"] == "aws, gcp"
    assert values["Accounts"] == "111122223333, demo-project"
    assert root.one("title").text() == "cloudaudit report: aws, gcp 111122223333, demo-project"


def test_exposure_gaps_belong_to_the_provider_owning_the_address() -> None:
    endpoint = (Endpoint(host="192.0.2.9", from_port=443, to_port=443),)
    merged = merge([_inventory(_aws()), _inventory(_case(endpoints=endpoint))])
    doc = findings_document(merged, [], None)
    gap = ExposureGap(source="shodan", host="192.0.2.9", reason="rate limited")
    recorded = ExposureDocument(results=(SourceResult(source="shodan", gaps=(gap,)),))

    graded, _ = apply_exposure(doc, merged, ExposureOptions(), PlainProgress(), print, None, recorded)

    assert [(g.provider, g.account, g.service) for g in graded.coverage] == [
        ("casefolded", "S1", "exposure:shodan")
    ]


# --------------------------------------------------------------------------- collection, interrupted


class _Stub:
    """A provider plugin reduced to what collection uses; ``then`` runs after (or instead of) reading."""

    def __init__(self, name: str, then: str = "") -> None:
        self.name = name
        self.then = then

    def collect(self, options: CollectOptions, progress: Progress) -> Inventory:
        if self.then == "raise":
            raise RunInterrupted("interrupted")
        if self.then == "ctrl-c":
            interrupt.STOP.set()
        scope = ScanScope(provider=self.name, accounts=(options.target.id or "",), started=T0, finished=T0)
        return Inventory(scope=scope)


@pytest.fixture
def stop_cleared() -> Iterator[None]:
    yield
    interrupt.STOP.clear()


def _collect(*plugins: _Stub) -> Inventory:
    runs = [ProviderRun(p, CollectOptions(), [Target("project", f"{p.name}-1")]) for p in plugins]
    return collect_providers(runs, lambda plugin: (nullcontext(), PlainProgress()))


@pytest.mark.usefixtures("stop_cleared")
@pytest.mark.parametrize("how", ["ctrl-c after the first", "the second interrupted"])
def test_providers_left_unread_by_ctrl_c_are_interrupted_gaps(how: str) -> None:
    if how == "ctrl-c after the first":
        merged = _collect(_Stub("one", then="ctrl-c"), _Stub("two"))
    else:
        merged = _collect(_Stub("one"), _Stub("two", then="raise"))
    assert merged.scope.providers == ("one", "two")
    assert merged.scope.accounts == ("one-1",)
    assert [(g.provider, g.account, g.service, g.kind) for g in merged.gaps] == [
        ("two", "two-1", "project two-1", GapKind.INTERRUPTED)
    ]


def test_nothing_read_before_ctrl_c_ends_the_run() -> None:
    with pytest.raises(RunInterrupted):
        _collect(_Stub("one", then="raise"), _Stub("two"))
