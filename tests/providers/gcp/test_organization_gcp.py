"""``cloudaudit run --provider gcp --organization/--folder``: the projects beneath, listed by Resource
Manager v3 on the local fake (paged), each audited; deleted ones skipped, exclusions honoured, a denied
project a coverage gap."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_process import assert_one_line_error, run_cli
from cloudaudit.cli.app import main
from cloudaudit.errors import ExitCode
from cloudaudit_gcp.fake import FakeFolder, FakeGoogleApis, FakeProject, Fault
from cloudaudit_gcp.fake.state import Binding, Bucket
from gcp_run import TOKEN, findings

ORG = "100000000001"
PROD, PROD_EU, GONE = "200000000002", "300000000003", "400000000004"
STORAGE = ("--checks", "gcp.storage.*")


def _project(project_id: str, number: str, parent: str, state: str = "ACTIVE") -> FakeProject:
    public = Bucket(f"{project_id}-assets", iam=[Binding("roles/storage.objectViewer", ["allUsers"])])
    return FakeProject(project_id, number=number, parent=parent, state=state, buckets=[public])


def _estate() -> tuple[list[FakeProject], list[FakeFolder]]:
    """organizations/ORG: two projects at the root, one being deleted, and a folder tree
    (prod > prod-eu) holding three more; a deleted folder."""
    org, prod, eu = f"organizations/{ORG}", f"folders/{PROD}", f"folders/{PROD_EU}"
    projects = [
        _project("org-root", "111111111101", org),
        _project("org-tools", "111111111102", org),
        _project("going-away", "111111111103", org, state="DELETE_REQUESTED"),
        _project("prod-app", "111111111104", prod),
        _project("prod-db", "111111111105", prod),
        _project("prod-eu-app", "111111111106", eu),
        _project("elsewhere", "111111111107", "organizations/999999999999"),
    ]
    folders = [
        FakeFolder(PROD, org, "prod"),
        FakeFolder(PROD_EU, prod, "prod-eu"),
        FakeFolder(GONE, org, "retired", state="DELETE_REQUESTED"),
    ]
    return projects, folders


ACTIVE_IN_ORG = {"org-root", "org-tools", "prod-app", "prod-db", "prod-eu-app"}


@pytest.fixture
def fake() -> Iterator[FakeGoogleApis]:
    projects, folders = _estate()
    with FakeGoogleApis(projects, folders, listing_page=1) as served:  # one project or folder a page
        yield served


def _run(fake: FakeGoogleApis, out: Path, *scope: str) -> int:
    base = ["run", "--provider", "gcp", "--endpoint-url", fake.url, "--access-token", TOKEN, *STORAGE]
    return main([*base, *scope, "-f", "json", "-o", str(out)])


def _audited(fake: FakeGoogleApis) -> set[str]:
    """The projects whose buckets were listed."""
    return {r.query["project"] for r in fake.requests if r.route == "storage.buckets.list"}


def test_an_organization_audits_every_active_project_beneath_it_folders_included(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    assert _run(fake, tmp_path, "--organization", ORG) == ExitCode.OK
    doc = findings(tmp_path)
    assert set(doc["run"]["accounts"]) == ACTIVE_IN_ORG
    failing = {f["account"] for f in doc["findings"] if f["status"] == "FAIL"}
    assert failing == ACTIVE_IN_ORG  # every project's public bucket, under its own project
    assert _audited(fake) == ACTIVE_IN_ORG  # neither the deleted project nor one of another org
    # One item a page: the second active project of the organization and of prod are on a second page.
    listings = [r for r in fake.requests if r.route and r.route.startswith("cloudresourcemanager.")]
    assert [r.query["parent"] for r in listings if r.query.get("pageToken")] == [
        f"organizations/{ORG}",
        f"folders/{PROD}",
    ]
    walked = {f"organizations/{ORG}", f"folders/{PROD}", f"folders/{PROD_EU}"}  # not the deleted folder
    assert {r.query["parent"] for r in listings} == walked
    assert all(r.method == "GET" and r.status == 200 for r in listings)


def test_a_folder_audits_its_subtree_only(fake: FakeGoogleApis, tmp_path: Path) -> None:
    assert _run(fake, tmp_path, "--folder", f"folders/{PROD}") == ExitCode.OK
    assert set(findings(tmp_path)["run"]["accounts"]) == {"prod-app", "prod-db", "prod-eu-app"}


def test_projects_given_are_added_and_excluded_ones_left_out_by_id_or_number(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    scope = ["--folder", PROD, "--project", "org-root", "--exclude-projects", "prod-db,111111111106"]
    assert _run(fake, tmp_path, *scope) == ExitCode.OK
    assert set(findings(tmp_path)["run"]["accounts"]) == {"org-root", "prod-app"}
    assert _audited(fake) == {"org-root", "prod-app"}


def test_a_project_that_denies_the_audit_is_a_gap_and_the_others_are_audited(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    fake.inject("*", Fault.permission_denied("storage.buckets.list"), project="prod-db")
    assert _run(fake, tmp_path, "--organization", ORG) == ExitCode.OK
    doc = findings(tmp_path)
    assert set(doc["run"]["accounts"]) == ACTIVE_IN_ORG
    assert {f["account"] for f in doc["findings"]} == ACTIVE_IN_ORG - {"prod-db"}
    denied = [g for g in doc["coverage"] if g["account"] == "prod-db"]
    assert denied and {g["kind"] for g in denied} == {"denied"}
    assert not doc["run"]["incomplete"]
    assert _run(fake, tmp_path / "strict", "--organization", ORG, "--fail-on-gaps") == ExitCode.RUNTIME


def test_an_organization_the_credentials_cannot_list_is_exit_3_saying_what_to_grant(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    proc = run_cli(
        "run", "-p", "gcp", "--organization", "555555555555", "--endpoint-url", fake.url,
        "--access-token", TOKEN, "-o", str(tmp_path),
    )  # fmt: skip
    assert_one_line_error(
        proc, ExitCode.RUNTIME, "organizations/555555555555 could not be listed", "gcp-org-role.yaml"
    )
    assert not list(tmp_path.iterdir())


def test_an_organization_without_active_projects_is_exit_3(tmp_path: Path) -> None:
    gone = _project("only-one", "111111111199", "folders/777", state="DELETE_REQUESTED")
    with FakeGoogleApis([gone]) as served:
        proc = run_cli(
            "run", "-p", "gcp", "--folder", "777", "--endpoint-url", served.url, "--access-token", TOKEN,
            "-o", str(tmp_path),
        )  # fmt: skip
    assert_one_line_error(proc, ExitCode.RUNTIME, "no active project beneath folders/777")


@pytest.mark.parametrize(
    ("scope", "text"),
    [
        (["--organization", "example.com"], "--organization takes a number"),
        (["--folder", "organizations/1"], "--folder takes a number"),
        (["--exclude-projects", "a"], "--exclude-projects applies to --project, --organization or --folder"),
        (["--project", "a", "--exclude-projects", "a"], "excludes every project"),
    ],
)
def test_bad_scope_values_are_usage_errors_before_any_call(
    fake: FakeGoogleApis, tmp_path: Path, scope: list[str], text: str
) -> None:
    proc = run_cli("run", "-p", "gcp", *scope, "--endpoint-url", fake.url, "--access-token", TOKEN)
    assert_one_line_error(proc, ExitCode.USAGE, text)
    assert fake.requests == []


SHIPPED_ORG_ROLE = Path(__file__).resolve().parents[3] / "deploy" / "gcp-org-role.yaml"


def test_the_org_role_file_grants_exactly_what_the_listing_calls_need(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    """deploy/gcp-org-role.yaml is the role the code declares, and every Resource Manager call a real
    listing made (the fake's log) is one it grants; the project role needs none of them."""
    import yaml

    from cloudaudit_gcp.collect.hierarchy import LISTING_PERMISSIONS, organization_role
    from gcp_contract import SHIPPED_PERMISSIONS

    role = organization_role()
    assert yaml.safe_load(SHIPPED_ORG_ROLE.read_text()) == role
    assert _run(fake, tmp_path, "--organization", ORG) == ExitCode.OK
    called = {
        r.route.removeprefix("cloudresourcemanager.")
        for r in fake.requests
        if r.route and "resourcemanager" in r.route
    }
    assert called == set(LISTING_PERMISSIONS)
    assert sorted(LISTING_PERMISSIONS[c] for c in called) == role["includedPermissions"]
    project_role = yaml.safe_load(SHIPPED_PERMISSIONS.read_text())["includedPermissions"]
    assert not set(project_role) & set(role["includedPermissions"])


def test_a_folder_that_cannot_be_listed_is_a_gap_and_the_rest_is_audited(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    eu = f"folders/{PROD_EU}"
    fake.inject(
        "cloudresourcemanager.*", Fault.permission_denied("resourcemanager.projects.list"), project=eu
    )
    assert _run(fake, tmp_path, "--organization", ORG) == ExitCode.OK  # a denial is a known blind spot
    doc = findings(tmp_path)
    assert set(doc["run"]["accounts"]) == ACTIVE_IN_ORG - {"prod-eu-app"}
    assert _audited(fake) == ACTIVE_IN_ORG - {"prod-eu-app"}
    (gap,) = [g for g in doc["coverage"] if g["account"] == eu]
    assert (gap["kind"], gap["error_code"], gap["operation"]) == (
        "denied",
        "IAM_PERMISSION_DENIED",
        "projects.list",
    )
    assert f"the projects of {eu} could not be listed" in gap["message"]


def test_every_project_gets_its_own_report_set_beside_the_combined_one(
    fake: FakeGoogleApis, tmp_path: Path
) -> None:
    fake.inject("*", Fault.permission_denied("storage.buckets.list"), project="prod-db")
    assert _run(fake, tmp_path, "--organization", ORG) == ExitCode.OK
    combined = findings(tmp_path)
    folders = {p.name for p in (tmp_path / "accounts").iterdir()}
    assert folders == ACTIVE_IN_ORG
    for project in ACTIVE_IN_ORG:
        own = findings(tmp_path / "accounts" / project)
        assert own["run"]["accounts"] == [project]
        assert own["findings"] == [f for f in combined["findings"] if f["account"] == project]
        assert {g["account"] for g in own["coverage"]} <= {project}
    assert findings(tmp_path / "accounts" / "prod-db")["coverage"]
