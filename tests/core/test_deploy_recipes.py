"""The scheduling recipes (cron, systemd, Kubernetes, Cloud Run, Container Apps) run a real `cloudaudit run`
command line with least-privilege identities and no secret written in them; each file passes its platform's
validator where one runs offline."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import googleapiclient
import kubernetes_validate
import pytest
import typer
import yaml
from azure.mgmt.appcontainers._utils.model_base import Model as AzureModel
from azure.mgmt.appcontainers.models import Job as ContainerAppsJob

from cloudaudit.cli.app import app
from cloudaudit.cli.scope import parse_scope
from cloudaudit.plugins import load_plugin

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SERVICE = DEPLOY / "systemd" / "cloudaudit.service"
TIMER = DEPLOY / "systemd" / "cloudaudit.timer"
CRON = DEPLOY / "cron" / "cloudaudit"
CRONJOB = DEPLOY / "kubernetes" / "cronjob.yaml"
CLOUD_RUN = DEPLOY / "gcp-cloud-run" / "job.yaml"
CONTAINER_APPS = DEPLOY / "azure-container-apps" / "job.yaml"
IMAGE_UID = 10001
PENDING = {"--store", "--upload", "--notify", "--fail-on-new"}
"""Options of issue 14 added beside this work: a build without them skips the option check (named)."""
FROM_SECRETS = {"CLOUDAUDIT_STORE": "--store", "CLOUDAUDIT_NOTIFY": "--notify"}
"""Options a recipe may give through their environment variable, filled from the platform's secret store."""
UPLOADS = {
    "aws": r"s3://[a-z0-9.-]+/\S*",
    "gcp": r"gs://[a-z0-9._-]+/\S*",
    "azure": r"https://[a-z0-9]+\.blob\.core\.windows\.net/[a-z0-9-]+\S*",
}


def _after(tokens: list[str], program: str) -> list[str]:
    """The arguments after the cloudaudit program in a command line."""
    (at,) = [i for i, t in enumerate(tokens) if t == program or t.endswith("/bin/" + program)]
    return tokens[at + 1 :]


def _systemd_command() -> list[str]:
    text = SERVICE.read_text().replace("\\\n", " ")
    (line,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    return _after(shlex.split(line.removeprefix("ExecStart=")), "cloudaudit")


def _cron_command() -> list[str]:
    (line,) = [line for line in CRON.read_text().splitlines() if re.match(r"[0-9*]", line)]
    fields = line.split(None, 6)
    assert re.fullmatch(r"(\S+ ){5}", " ".join(fields[:5]) + " ")
    assert fields[5] == "cloudaudit"  # the user: never root
    command = fields[6].split(">>")[0]
    assert "%" not in command  # cron would turn it into a newline
    return _after(shlex.split(command), "cloudaudit")


def _documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _cronjob() -> dict[str, Any]:
    (cronjob,) = [d for d in _documents(CRONJOB) if d["kind"] == "CronJob"]
    return cronjob


def _cronjob_command() -> list[str]:
    (container,) = _cronjob()["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    return [str(a) for a in container["args"]]


def _cloud_run_container() -> dict[str, Any]:
    (job,) = _documents(CLOUD_RUN)
    (container,) = job["spec"]["template"]["spec"]["template"]["spec"]["containers"]
    return dict(container)


def _container_apps_container() -> dict[str, Any]:
    (job,) = _documents(CONTAINER_APPS)
    (container,) = job["properties"]["template"]["containers"]
    return dict(container)


def _secret_options(env: list[dict[str, Any]]) -> dict[str, str]:
    """Options given through their environment variable; each must come from a secret, not a value."""
    given = {}
    for variable in env:
        if variable["name"] in FROM_SECRETS:
            assert "value" not in variable, f"{variable['name']} is a secret: take it from the secret store"
            assert variable.get("valueFrom", {}).get("secretKeyRef") or variable.get("secretRef")
            given[FROM_SECRETS[variable["name"]]] = variable["name"]
    return given


def _container_recipe(container: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    assert "command" not in container  # the image's ENTRYPOINT: cloudaudit
    return [str(a) for a in container["args"]], _secret_options(container.get("env", []))


RECIPES = {
    "cron": ("aws", lambda: (_cron_command(), {})),
    "systemd": ("aws", lambda: (_systemd_command(), {})),
    "kubernetes": ("aws", lambda: (_cronjob_command(), {})),
    "cloud-run": ("gcp", lambda: _container_recipe(_cloud_run_container())),
    "container-apps": ("azure", lambda: _container_recipe(_container_apps_container())),
}


def _options(tokens: list[str]) -> dict[str, str]:
    flags = [i for i, t in enumerate(tokens) if t.startswith("--")]
    return {tokens[i]: tokens[i + 1] if i + 1 < len(tokens) else "" for i in flags}


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_recipe_runs_an_audit_with_store_upload_and_notify(recipe: str) -> None:
    provider, recipe_of = RECIPES[recipe]
    tokens, from_secrets = recipe_of()
    assert tokens[0] == "run"
    options = _options(tokens)
    assert options["--provider"] == provider
    assert not set(options) & set(from_secrets)
    assert {"--store", "--upload", "--notify"} <= set(options) | set(from_secrets)
    assert re.fullmatch(UPLOADS[provider], options["--upload"]), options["--upload"]
    if "--notify" in options:  # on a command line, only a target that is no secret: a topic
        assert options["--notify"].startswith("sns:arn:aws:sns:"), "a webhook URL is a secret"
    if "--store" in options:  # on a command line, only a file (a database URL may hold a password)
        assert options["--store"].startswith("sqlite:////"), options["--store"]


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_recipe_options_are_options_of_run(recipe: str) -> None:
    provider, recipe_of = RECIPES[recipe]
    tokens, from_secrets = recipe_of()
    run = typer.main.get_command(app).commands["run"]  # type: ignore[attr-defined]
    plugin = load_plugin(provider)
    params = {o: p for p in run.params for o in p.opts}
    known = set(params) | {o.flag for o in plugin.scope_options}
    unknown = (set(_options(tokens)) | set(from_secrets)) - known
    if unknown and unknown <= PENDING:
        pytest.skip(f"this build of cloudaudit has no {', '.join(sorted(unknown))} yet")
    assert unknown == set()
    for option, variable in from_secrets.items():
        assert params[option].envvar == variable
    scope_flags = {o.flag for o in plugin.scope_options}
    scope_args = [t for i, t in enumerate(tokens) if t in scope_flags or (i and tokens[i - 1] in scope_flags)]
    parse_scope(plugin, scope_args)


@pytest.fixture
def units(tmp_path: Path) -> Path:
    """The units, with ExecStart pointing at this environment's cloudaudit (not installed in /opt here)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    program = Path(sysconfig.get_path("scripts")) / "cloudaudit"
    text = SERVICE.read_text()
    assert "ExecStart=/opt/cloudaudit/bin/cloudaudit " in text
    (tmp_path / SERVICE.name).write_text(text.replace("/opt/cloudaudit/bin/cloudaudit", str(program)))
    shutil.copy(TIMER, tmp_path / TIMER.name)
    return tmp_path


def test_systemd_analyze_verify_passes_without_warnings(units: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "verify", SERVICE.name, TIMER.name],
        cwd=units,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")


def test_systemd_service_is_sandboxed(units: Path) -> None:
    done = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", "--no-pager", SERVICE.name],
        cwd=units,
        capture_output=True,
        text=True,
        check=False,
    )
    if "--offline" in done.stderr:
        pytest.skip("systemd-analyze security --offline needs systemd 250 or newer")
    level = re.search(r"Overall exposure level for \S+: ([0-9.]+)", done.stdout)
    assert level is not None, done.stdout + done.stderr
    assert float(level.group(1)) <= 4.0, done.stdout
    assert "User=cloudaudit" in SERVICE.read_text()
    assert "OnCalendar=" in TIMER.read_text()


def test_cronjob_validates_against_the_kubernetes_schemas() -> None:
    for version in ("1.30.0", kubernetes_validate.latest_version()):
        for document in _documents(CRONJOB):
            kubernetes_validate.validate(document, version, strict=True)


def test_cronjob_runs_the_image_unprivileged_once_at_a_time() -> None:
    spec = _cronjob()["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsNonRoot"]) == (IMAGE_UID, True)
    (container,) = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert "/data" in {m["mountPath"] for m in container["volumeMounts"]}
    (account,) = [d for d in _documents(CRONJOB) if d["kind"] == "ServiceAccount"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert "eks.amazonaws.com/role-arn" in account["metadata"]["annotations"]
    assert "env" not in container  # nothing secret: the store is a file on the volume, the target a topic


def _discovery_unknown(schemas: dict[str, Any], schema: dict[str, Any], value: Any, path: str) -> list[str]:
    """Paths in ``value`` that the Cloud Run Admin API v1 discovery schema does not define."""
    if "$ref" in schema:
        return _discovery_unknown(schemas, schemas[schema["$ref"]], value, path)
    if schema.get("type") == "array":
        return [
            p
            for i, v in enumerate(value)
            for p in _discovery_unknown(schemas, schema["items"], v, f"{path}[{i}]")
        ]
    if schema.get("type") == "object" and "properties" in schema:
        found = []
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{path}.{key}")
            else:
                found += _discovery_unknown(schemas, schema["properties"][key], item, f"{path}.{key}")
        return found
    return []


def test_cloud_run_job_matches_the_run_v1_api() -> None:
    """Every field of job.yaml is one of the Cloud Run Admin API v1 `Job` (the discovery document
    google-api-python-client ships), as `gcloud run jobs replace` reads it."""
    documents = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    schemas = json.loads((documents / "run.v1.json").read_text())["schemas"]
    (job,) = _documents(CLOUD_RUN)
    assert (job["apiVersion"], job["kind"]) == ("run.googleapis.com/v1", "Job")
    assert _discovery_unknown(schemas, schemas["Job"], job, "$") == []
    task = job["spec"]["template"]["spec"]["template"]["spec"]
    assert task["serviceAccountName"].startswith("cloudaudit@")  # its own identity, not the default one
    assert task["maxRetries"] == 0
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in _cloud_run_container()["env"]}
    assert set(refs) == {"CLOUDAUDIT_STORE", "CLOUDAUDIT_NOTIFY"}


def _azure_unknown(model: AzureModel, path: str) -> list[str]:
    """Keys of ``model`` that its Azure SDK model class does not define, recursively."""
    fields = {rf._rest_name: attr for attr, rf in type(model)._attr_to_rest_field.items()}
    found = []
    for key in model:
        if key not in fields:
            found.append(f"{path}.{key}")
            continue
        value = getattr(model, fields[key])
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, AzureModel):
                where = f"{path}.{key}[{i}]" if isinstance(value, list) else f"{path}.{key}"
                found += _azure_unknown(item, where)
    return found


def test_container_apps_job_matches_the_sdk_model() -> None:
    (document,) = _documents(CONTAINER_APPS)
    job = ContainerAppsJob(document)
    assert _azure_unknown(job, "$") == []
    assert job.properties.configuration.trigger_type == "Schedule"
    assert job.identity.type == "UserAssigned"
    (identity,) = job.identity.user_assigned_identities
    env = {e.name: e for e in job.properties.template.containers[0].env}
    assert env["AZURE_CLIENT_ID"].value  # DefaultAzureCredential picks the user-assigned identity
    secrets = {s.name: s for s in job.properties.configuration.secrets}
    for name in ("CLOUDAUDIT_STORE", "CLOUDAUDIT_NOTIFY"):
        secret = secrets[env[name].secret_ref]
        assert secret.key_vault_url.startswith("https://")
        assert secret.identity == identity
        assert secret.value is None


def test_documented_deploy_files_exist_and_the_cron_line_is_the_shipped_one() -> None:
    docs = (ROOT / "README.md").read_text() + (ROOT / "docs" / "scheduling.md").read_text()
    mentioned = set(re.findall(r"\bdeploy/[\w./-]*\w", docs))
    assert {"deploy/aws-sam/template.yaml", "deploy/kubernetes/cronjob.yaml"} <= mentioned
    assert [m for m in mentioned if not (ROOT / m).exists() and "/.build/" not in m] == []  # .build: built
    (line,) = [line for line in CRON.read_text().splitlines() if re.match(r"[0-9*]", line)]
    assert line in (ROOT / "docs" / "scheduling.md").read_text()
    assert "docs/scheduling.md" in (ROOT / "README.md").read_text()
