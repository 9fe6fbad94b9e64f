"""Typer application: parses options, then hands over to :mod:`cloudaudit.runflow`."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from cloudaudit import __version__, interrupt, spool
from cloudaudit.cli.choices import choices_metavar, enum_parser
from cloudaudit.cli.history import FailOnNewOpt, StoreOpt, diff_cmd, recorder, runs_app
from cloudaudit.cli.permissions import render_permissions
from cloudaudit.cli.scope import EXTRA_ARGS, parse_scope, scope_help
from cloudaudit.collect.executor import dask_address, open_executor
from cloudaudit.collect.targets import DEFAULT_MAX_TARGETS, ProviderRun, collect_providers
from cloudaudit.compliance.commands import formats_for_run, frameworks_of, judge_all, write_results
from cloudaudit.deliver.delivery import delivery_options
from cloudaudit.engine.registry import REGISTRY, CheckSpec, RegistryError
from cloudaudit.errors import CloudauditError, ExitCode, UsageError
from cloudaudit.exposure.probe_options import probe_limits, with_probe_limits
from cloudaudit.exposure.sources import ExposureOptions, parse_connect_to, parse_sources
from cloudaudit.exposure.stage import apply_exposure
from cloudaudit.logs import configure, redact, register_secret
from cloudaudit.model.enums import Severity
from cloudaudit.per_account import write_account_reports
from cloudaudit.plugins import (
    CollectOptions,
    Progress,
    ProviderPlugin,
    available,
    default_provider,
    load_all,
    load_plugin,
)
from cloudaudit.progress import BarProgress, PlainProgress
from cloudaudit.report.files import prepare_dir
from cloudaudit.report.html import compile_template
from cloudaudit.report.page_ahead import page_ahead
from cloudaudit.runflow import (
    Result,
    Selection,
    collecting,
    findings_document,
    parse_formats,
    parse_regions,
    write_reports,
)
from cloudaudit.summary import summarize
from cloudaudit.terminal import printable

if TYPE_CHECKING:  # the modules only some commands use are imported by those commands
    from cloudaudit.compliance.model import Framework
    from cloudaudit.deliver.delivery import Delivery
    from cloudaudit.deliver.notice import Change
    from cloudaudit.exposure.model import ExposureDocument
    from cloudaudit.history.recorder import HistoryRecorder
    from cloudaudit.model.finding import FindingsDocument
    from cloudaudit.model.inventory import Inventory
    from cloudaudit.remediation import Steps

log = logging.getLogger("cloudaudit")

app = typer.Typer(
    name="cloudaudit",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: flags shown as flags, help text never read as markup
    help="Audit cloud accounts for public permissions and default-config services.",
)
checks_app = typer.Typer(
    help="List checks, or show one check's rationale and remediation.", invoke_without_command=True
)
app.add_typer(checks_app, name="checks")
app.add_typer(runs_app, name="runs")
app.command("diff")(diff_cmd)

DEFAULT_OUTPUT = Path("reports")

OutputDir = Annotated[Path, typer.Option("--output-dir", "-o", help="Where reports are written.")]
Formats = Annotated[
    str, typer.Option("--format", "-f", help="Comma-separated: html,json,csv,sarif,ocsf,asff,junit.")
]
FailOn = Annotated[
    Severity | None,
    typer.Option(
        "--fail-on",
        parser=enum_parser(Severity),
        metavar=choices_metavar(Severity),
        help="Exit 1 when a failing finding is at or above this severity (default: never).",
    ),
]
FailOnGaps = Annotated[
    bool,
    typer.Option("--fail-on-gaps", help="Exit 3 when anything could not be read, even an access denial."),
]
Checks = Annotated[str, typer.Option("--checks", help="Only these check ids or globs (comma-separated).")]
Exclude = Annotated[str, typer.Option("--exclude-checks", help="Skip these check ids or globs.")]
MutelistOpt = Annotated[Path | None, typer.Option("--mutelist", help="YAML/JSON file of accepted risks.")]
Debug = Annotated[bool, typer.Option("--debug", help="Verbose logs and tracebacks.")]
ExposureOpt = Annotated[
    str,
    typer.Option(
        "--exposure",
        help="Internet exposure sources, comma-separated: shodan, internetdb, file:PATH (default: none).",
    ),
]
ShodanKey = Annotated[
    str | None,
    typer.Option("--shodan-key", envvar="SHODAN_API_KEY", show_envvar=True, help="Shodan API key."),
]
ProbeOpt = Annotated[
    bool,
    typer.Option(
        "--probe",
        help="Actively probe the account's own public endpoints (TCP, TLS, HTTP, no-auth services).",
    ),
]
ConnectToOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--connect-to",
        help="HOST:PORT:TARGET_HOST:TARGET_PORT (curl's syntax, repeatable): where the probe connects.",
    ),
]

ProbePrivateOpt = Annotated[
    bool,
    typer.Option(
        "--probe-private",
        help="Also probe loopback, link-local, private (RFC 1918, fc00::/7), CGNAT and reserved addresses.",
    ),
]
ProbeTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--probe-timeout",
        min=1,
        metavar="SECONDS",
        help="Time budget of the whole probe (default 900); each target gets at most 60 s.",
    ),
]
ProbePortsOpt = Annotated[
    str | None,
    typer.Option(
        "--probe-ports",
        metavar="LIST",
        help="Ports probed inside wide open ranges (e.g. 80,443,8000-8010) instead of the port catalogue's.",
    ),
]
CaBundleOpt = Annotated[
    Path | None,
    typer.Option(
        "--ca-bundle",
        metavar="FILE",
        help="PEM certificates the probe trusts besides the system store (private CAs; see SSL_CERT_FILE).",
    ),
]

ComplianceOpt = Annotated[
    str,
    typer.Option(
        "--compliance",
        metavar="IDS",
        help="Also write these frameworks' control-by-control reports (comma-separated ids; "
        "see 'cloudaudit compliance --list').",
    ),
]

UploadOpt = Annotated[
    str | None,
    typer.Option(
        "--upload",
        metavar="URI",
        help="Then copy the reports to s3://BUCKET/PREFIX, gs://BUCKET/PREFIX, "
        "https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX or file:///DIRECTORY.",
    ),
]
UploadKmsOpt = Annotated[
    str | None,
    typer.Option(
        "--upload-kms-key",
        envvar="CLOUDAUDIT_UPLOAD_KMS_KEY",
        metavar="KEY",
        help="S3 uploads: encrypt with this KMS key (SSE-KMS) instead of SSE-S3 (AES256).",
    ),
]
NotifyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--notify",
        envvar="CLOUDAUDIT_NOTIFY",
        metavar="TARGET",
        help="Send the run's summary to sns:TOPIC_ARN, slack+https://HOOK_URL or https://WEBHOOK_URL "
        "(repeatable; the variable keeps webhook URLs out of the process list).",
    ),
]
NotifyMinOpt = Annotated[
    Severity,
    typer.Option(
        "--notify-min-severity",
        parser=enum_parser(Severity),
        metavar=choices_metavar(Severity),
        help="Notifications list the findings at or above this severity.",
    ),
]

CacheHours = Annotated[
    float,
    typer.Option(
        "--exposure-cache-hours",
        min=0,
        help="Reuse Shodan/InternetDB answers younger than this (0: always ask again).",
    ),
]


def _csv(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split(",") if x.strip())


def _selection(checks: str, exclude: str, mutelist: Path | None, fail_on: Severity | None) -> Selection:
    from cloudaudit.engine.mutelist import MutelistError, known_check_ids, load_mutelist

    try:
        REGISTRY.select(_csv(checks), _csv(exclude))  # before other providers' checks are loaded
        if mutelist:
            list(load_all())  # a mutelist shared across providers names their checks too
        mutes = load_mutelist(mutelist, known_check_ids()) if mutelist else None
        selection = Selection(_csv(checks), _csv(exclude), mutes, fail_on)
    except (MutelistError, RegistryError) as exc:
        raise UsageError(str(exc)) from exc
    for note in mutes.notes() if mutes else []:
        typer.echo(f"warning: {note}", err=True)
    return selection


def _exposure(
    exposure: str, shodan_key: str | None, probe: bool, connect_to: list[str] | None, cache_hours: float
) -> ExposureOptions:
    register_secret(shodan_key)
    mappings = tuple(parse_connect_to(c) for c in connect_to or [])
    if mappings and not probe:
        raise UsageError("--connect-to only applies to --probe")
    return ExposureOptions(
        sources=parse_sources(exposure),
        shodan_key=shodan_key,
        probe=probe,
        connect_to=mappings,
        cache_ttl_seconds=cache_hours * 3600,
    )


def _with_exposure(
    doc: FindingsDocument,
    inventory: Inventory,
    exposure: ExposureOptions,
    selection: Selection,
    recorded: ExposureDocument | None = None,
) -> tuple[FindingsDocument, ExposureDocument | None]:
    context, progress = _progress("Exposure", verb="exposure: checked")
    with context:
        return apply_exposure(
            doc,
            inventory,
            exposure,
            progress,
            lambda line: typer.echo(printable(line, limit=0), err=True),
            selection.mutelist,
            recorded,
        )


def _progress(label: str, verb: str = "collected") -> tuple[AbstractContextManager[object], Progress]:
    if sys.stderr.isatty():
        bar = BarProgress(label)
        return bar, bar
    plain = PlainProgress(verb=verb)
    return nullcontext(), plain


def _audit(
    runs: Sequence[ProviderRun],
    selection: Selection,
    output_dir: Path,
    formats: tuple[str, ...],
    exposure: ExposureOptions,
    frameworks: Sequence[Framework] = (),
    history: HistoryRecorder | None = None,
) -> Result:
    """Collect every provider's targets into one inventory, evaluate it, write one report set (and the
    compliance reports of ``frameworks``); with ``history``, compare with the previous run, then record."""
    checks = selection.checks(*(r.plugin.name for r in runs))
    runs = [replace(r, options=replace(r.options, services=_services(checks, r.plugin))) for r in runs]
    with collecting(runs, checks, selection.mutelist) as early:
        inventory = collect_providers(runs, lambda plugin: _progress(f"Collecting {plugin.name}"))
    warm = compile_template if "html" in formats else None  # for the page's writer, forked later
    doc = findings_document(inventory, checks, selection.mutelist, early, warm)
    ran = {c.id for c in checks}
    # with no exposure source, the steps up to the reports keep the findings: the page is packed meanwhile
    with page_ahead(doc, "html" in formats and not exposure.enabled) as ahead:
        doc, seen = _with_exposure(doc, inventory, exposure, selection)
        judged = judge_all(frameworks, [doc], ran)
        since = history.compare(doc, [c.id for c in checks]) if history else None
        files = write_reports(doc, inventory, output_dir, formats, seen, judged, since, ahead)
    result = Result(doc, files)
    lines, paths = write_results(judged, output_dir, formats_for_run(formats))
    result.files.extend(paths)
    result.account_files = write_account_reports(
        doc, inventory, output_dir, formats, lambda part: judge_all(frameworks, [part], ran)
    )
    _report(result, lines)
    _record(history, doc, [c.id for c in checks])
    if _KEEPING:
        _KEPT.append((inventory, result))
    return result


def _record(history: HistoryRecorder | None, doc: FindingsDocument, checks: Sequence[str]) -> None:
    """Record the run in the store (after its reports are written) and say what changed."""
    if history is None:
        return
    history.record(doc, checks)
    for line in history.lines():
        typer.echo(line)


def _exit(
    result: Result,
    fail_on: Severity | None,
    gaps: bool,
    history: HistoryRecorder | None,
    delivery: Delivery,
) -> NoReturn:
    """End the command: the audit's exit code (new findings with ``--fail-on-new``), after the
    uploads and notifications (a failed upload exits 3)."""
    code = result.exit_code(fail_on, gaps)
    changes = None
    if history is not None:
        from cloudaudit.deliver.notice import changes_from_history

        code = history.exit_code(code)
        changes = changes_from_history(history.changes)
    raise typer.Exit(_deliver(delivery, result, code, changes))


def _services(checks: Sequence[CheckSpec], plugin: ProviderPlugin) -> frozenset[str]:
    """The services ``plugin`` must collect for its selected checks."""
    return frozenset(s for c in checks if c.provider == plugin.name for s in c.services)


def _report(result: Result, notes: Sequence[str] = ()) -> None:
    typer.echo(summarize(result.document))
    for line in notes:
        typer.echo(line)
    for path in result.files:
        typer.echo(f"wrote {path}")
    if result.account_files:
        folders = len({p.parent for p in result.account_files})
        typer.echo(f"wrote one report set per account ({folders}) under {result.account_files[0].parents[1]}")
    if interrupt.requested():
        partial = "partial reports" if result.document.run.interrupted else "reports"
        typer.echo(f"interrupted: {partial} written to {result.files[0].parent}", err=True)


def _deliver(delivery: Delivery, result: Result, code: int, changes: Sequence[Change] | None = None) -> int:
    """Upload the reports and send the notifications (:mod:`cloudaudit.deliver`; ``changes``: what is
    new since the last run, when a store knows); ``code`` with the upload's outcome (a failed upload
    exits 3)."""
    if delivery.destination is None and not delivery.notifiers:
        return code
    from cloudaudit.deliver.delivery import deliver

    done = deliver(delivery, result.document, result.files, changes)
    for line in done.lines:
        typer.echo(line)
    for line in done.problems:
        typer.echo(line, err=True)
    return done.exit_code(code)


ProviderOpt = Annotated[
    str | None,
    typer.Option("--provider", "-p", help="Cloud provider plugin (default: the only one installed)."),
]


def _provider(name: str | None) -> str:
    """The ``--provider`` asked for, else the only installed one."""
    return name or default_provider()


@app.command(context_settings=EXTRA_ARGS, epilog=scope_help())
def run(
    ctx: typer.Context,
    provider: ProviderOpt = None,
    regions: Annotated[
        str, typer.Option("--regions", help="Comma-separated regions, or 'all' enabled.")
    ] = "all",
    formats: Formats = "html,json",
    output_dir: OutputDir = DEFAULT_OUTPUT,
    fail_on: FailOn = None,
    fail_on_gaps: FailOnGaps = False,
    checks: Checks = "",
    exclude_checks: Exclude = "",
    mutelist: MutelistOpt = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=128, help="Concurrent API calls.")] = 16,
    executor: Annotated[
        str,
        typer.Option(
            "--executor",
            help="Where collection runs: 'local' threads, or dask://HOST:PORT (an existing Dask "
            "scheduler; its workers read the accounts, reports are written here).",
        ),
    ] = "local",
    max_accounts: Annotated[
        int,
        typer.Option(
            "--max-accounts",
            min=1,
            max=64,
            help="Accounts (projects, subscriptions) collected at once, each with its own --workers.",
        ),
    ] = DEFAULT_MAX_TARGETS,
    exposure: ExposureOpt = "",
    shodan_key: ShodanKey = None,
    probe: ProbeOpt = False,
    connect_to: ConnectToOpt = None,
    probe_private: ProbePrivateOpt = False,
    probe_timeout: ProbeTimeoutOpt = None,
    probe_ports: ProbePortsOpt = None,
    ca_bundle: CaBundleOpt = None,
    cache_hours: CacheHours = 24.0,
    compliance: ComplianceOpt = "",
    store: StoreOpt = None,
    fail_on_new: FailOnNewOpt = None,
    upload: UploadOpt = None,
    upload_kms_key: UploadKmsOpt = None,
    notify: NotifyOpt = None,
    notify_min_severity: NotifyMinOpt = Severity.HIGH,
    debug: Debug = False,
) -> None:
    """Audit a cloud account (read-only) and write reports."""
    configure(debug)
    delivery = delivery_options(upload, upload_kms_key, notify, notify_min_severity)
    plugin = load_plugin(_provider(provider))  # registers its checks: load before selecting them
    scope = parse_scope(plugin, ctx.args)
    plugin.check_scope(scope)
    fmts = parse_formats(formats)
    dask_address(executor)  # a bad --executor is a usage error before anything is contacted
    frameworks = frameworks_of(compliance)
    prepare_dir(output_dir)  # before any API call: a bad output location fails fast
    exposure_options = with_probe_limits(
        _exposure(exposure, shodan_key, probe, connect_to, cache_hours),
        probe_limits(probe, probe_private, probe_timeout, probe_ports, ca_bundle),
    )
    selection = _selection(checks, exclude_checks, mutelist, fail_on)
    wanted = parse_regions(regions)
    history = recorder(store, fail_on_new, checks, exclude_checks, wanted)
    targets = plugin.targets(scope)  # may list an organization: after every local check
    with open_executor(executor) as units:
        options = CollectOptions(regions=wanted, max_workers=workers, executor=units)
        part = ProviderRun(plugin, options, targets, max_targets=max_accounts)
        result = _audit([part], selection, output_dir, fmts, exposure_options, frameworks, history)
    _exit(result, fail_on, fail_on_gaps, history, delivery)


@app.command()
def demo(
    provider: Annotated[
        str,
        typer.Option("--provider", "-p", help="Whose sample account: a provider, or 'all' (default)."),
    ] = "all",
    output_dir: OutputDir = DEFAULT_OUTPUT,
    formats: Formats = "html,json",
    fail_on: FailOn = None,
    fail_on_gaps: FailOnGaps = False,
    probe: Annotated[
        bool,
        typer.Option("--probe", help="Also probe local misconfigured demo services mapped to the account."),
    ] = False,
    probe_private: ProbePrivateOpt = False,
    probe_timeout: ProbeTimeoutOpt = None,
    probe_ports: ProbePortsOpt = None,
    ca_bundle: CaBundleOpt = None,
    compliance: ComplianceOpt = "",
    mutelist: MutelistOpt = None,
    store: StoreOpt = None,
    fail_on_new: FailOnNewOpt = None,
    upload: UploadOpt = None,
    upload_kms_key: UploadKmsOpt = None,
    notify: NotifyOpt = None,
    notify_min_severity: NotifyMinOpt = Severity.HIGH,
    debug: Debug = False,
) -> None:
    """Audit a provider's built-in sample account (or every provider's, with 'all') served by local
    emulators (no cloud access): one report set."""
    from cloudaudit.exposure.combine import combine

    configure(debug)
    delivery = delivery_options(upload, upload_kms_key, notify, notify_min_severity)
    fmts = parse_formats(formats)
    frameworks = frameworks_of(compliance)
    prepare_dir(output_dir)  # before any API call: a bad output location fails fast
    limits = probe_limits(probe, probe_private, probe_timeout, probe_ports, ca_bundle)
    plugins = [load_plugin(name) for name in _demo_providers(provider)]
    selection = _selection("", "", mutelist, fail_on)
    history = recorder(store, fail_on_new)
    with ExitStack() as stack:  # every emulator (and probe service) lives until the reports are written
        runs: list[ProviderRun] = []
        exposures: list[ExposureOptions] = []
        for plugin in plugins:
            typer.echo(
                f"Starting the local {plugin.name.upper()} emulator (127.0.0.1) with a sample account...",
                err=True,
            )
            account = stack.enter_context(plugin.demo(probe))
            runs.append(ProviderRun(plugin, account.options, [account.options.target]))
            exposures.append(account.exposure)
        exposure = with_probe_limits(combine(exposures), limits)
        result = _audit(runs, selection, output_dir, fmts, exposure, frameworks, history)
    html = next((p for p in result.files if p.suffix == ".html"), None)
    if html is not None:
        typer.echo(f"Open the report: {html.resolve()}")
    _exit(result, fail_on, fail_on_gaps, history, delivery)


def _demo_providers(name: str) -> list[str]:
    """``--provider`` of ``demo``: one provider, or 'all' installed ones (their sample accounts
    audited together, into one report)."""
    if name != "all":
        return [_provider(name)]
    installed = sorted(available())
    if not installed:
        raise UsageError("no provider is installed (entry-point group cloudaudit.providers)")
    return installed


@app.command("evaluate")
def evaluate_cmd(
    inventory: Annotated[Path, typer.Option("--inventory", "-i", help="inventory.json from a previous run.")],
    formats: Formats = "html,json",
    output_dir: OutputDir = DEFAULT_OUTPUT,
    fail_on: FailOn = None,
    fail_on_gaps: FailOnGaps = False,
    checks: Checks = "",
    exclude_checks: Exclude = "",
    mutelist: MutelistOpt = None,
    exposure: ExposureOpt = "",
    shodan_key: ShodanKey = None,
    probe: ProbeOpt = False,
    connect_to: ConnectToOpt = None,
    probe_private: ProbePrivateOpt = False,
    probe_timeout: ProbeTimeoutOpt = None,
    probe_ports: ProbePortsOpt = None,
    ca_bundle: CaBundleOpt = None,
    cache_hours: CacheHours = 24.0,
    observations: Annotated[
        Path | None,
        typer.Option(
            "--observations", help="exposure.json of an earlier run: grade with it, contact nobody."
        ),
    ] = None,
    store: StoreOpt = None,
    fail_on_new: FailOnNewOpt = None,
    upload: UploadOpt = None,
    upload_kms_key: UploadKmsOpt = None,
    debug: Debug = False,
) -> None:
    """Re-run the checks on a saved inventory, with no cloud access (unless an exposure source is asked)."""
    from cloudaudit.report.json_report import load_inventory, load_observations

    configure(debug)
    delivery = delivery_options(upload, upload_kms_key)
    fmts = parse_formats(formats)
    prepare_dir(output_dir)  # before any API call: a bad output location fails fast
    exposure_options = with_probe_limits(
        _exposure(exposure, shodan_key, probe, connect_to, cache_hours),
        probe_limits(probe, probe_private, probe_timeout, probe_ports, ca_bundle),
    )
    list(load_all())  # asset kinds and checks of every installed provider
    selection = _selection(checks, exclude_checks, mutelist, fail_on)
    history = recorder(store, fail_on_new, checks, exclude_checks)
    inv = load_inventory(inventory)
    chosen = selection.checks(*inv.scope.providers)
    doc = findings_document(inv, chosen, selection.mutelist)
    recorded = load_observations(observations) if observations else None
    if recorded is not None and exposure_options.enabled:
        raise UsageError("use either --observations (a saved exposure.json) or --exposure/--probe, not both")
    doc, seen = _with_exposure(doc, inv, exposure_options, selection, recorded)
    ids = [c.id for c in chosen]
    since = history.compare(doc, ids) if history else None
    observed = seen if recorded is None else None
    result = Result(doc, write_reports(doc, None, output_dir, fmts, observed, since=since))
    _report(result)
    _record(history, doc, ids)
    _exit(result, fail_on, fail_on_gaps, history, delivery)


@app.command("report")
def report_cmd(
    findings: Annotated[
        list[Path],
        typer.Argument(
            metavar="FINDINGS.json",
            help="findings.json of previous runs: several are merged into one report.",
        ),
    ],
    formats: Formats = "html",
    output_dir: OutputDir = DEFAULT_OUTPUT,
    compliance: ComplianceOpt = "",
    upload: UploadOpt = None,
    upload_kms_key: UploadKmsOpt = None,
    debug: Debug = False,
) -> None:
    """Re-render reports from one findings.json, or merge several (providers, accounts, runs) into one."""
    from cloudaudit.report.merge import load_merged

    configure(debug)
    delivery = delivery_options(upload, upload_kms_key)
    fmts = parse_formats(formats)
    frameworks = frameworks_of(compliance)
    prepare_dir(output_dir)  # before any API call: a bad output location fails fast
    merged = load_merged(findings)
    for note in merged.notes:
        typer.echo(f"note: {note}", err=True)
    doc = merged.document
    judged = judge_all(frameworks, [doc])
    lines, paths = write_results(judged, output_dir, formats_for_run(fmts))
    for line in lines:
        typer.echo(line)
    result = Result(doc, [*write_reports(doc, None, output_dir, fmts, compliance=judged), *paths])
    for path in result.files:
        typer.echo(f"wrote {path}")
    raise typer.Exit(_deliver(delivery, result, ExitCode.OK))


@app.command("compliance")
def compliance_cmd(
    list_frameworks: Annotated[
        bool, typer.Option("--list", help="List the frameworks: id, version, controls, automated, name.")
    ] = False,
    framework: Annotated[
        str | None,
        typer.Option("--framework", metavar="ID", help="Write this framework's control-by-control report."),
    ] = None,
    sources: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            metavar="FINDINGS.json",
            help="Findings to judge; repeat for several files (providers, accounts, runs). "
            "Default: OUTPUT_DIR/findings.json.",
        ),
    ] = None,
    output_dir: OutputDir = DEFAULT_OUTPUT,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Comma-separated: html,csv,json.")
    ] = "html,json",
    debug: Debug = False,
) -> None:
    """List the compliance frameworks, or judge findings control by control against one."""
    from cloudaudit.compliance.commands import list_text, load_sources
    from cloudaudit.compliance.output import parse_formats as parse_compliance_formats

    configure(debug)
    if list_frameworks == (framework is not None):
        raise UsageError("give either --list or --framework ID (see 'cloudaudit compliance --list')")
    if list_frameworks:
        typer.echo(list_text())
        return
    chosen = frameworks_of(framework or "")
    if not chosen:
        raise UsageError("--framework is empty: give a framework id (see 'cloudaudit compliance --list')")
    fmts = parse_compliance_formats(formats)
    docs = load_sources(sources, output_dir)  # a bad input fails before the output directory is made
    lines, paths = write_results(judge_all(chosen, docs), output_dir, fmts)
    for line in lines:
        typer.echo(line)
    for path in paths:
        typer.echo(f"wrote {path}")


@app.command("permissions")
def permissions_cmd(
    provider: ProviderOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="json or yaml: the policy or role document; text: one permission a line."
        ),
    ] = "json",
    organization: Annotated[
        bool,
        typer.Option(
            "--organization",
            help="The policy of the identity that lists the organization's accounts and assumes the "
            "audit role in each (AWS), instead of the audit role's.",
        ),
    ] = False,
) -> None:
    """Print the read-only policy (AWS) or custom role (GCP) the audit needs."""
    configure(False)
    plugin = load_plugin(_provider(provider))
    if not organization:
        typer.echo(render_permissions(plugin.permissions(), plugin.permission_names(), fmt))
        return
    caller_policy = getattr(plugin, "organization_permissions", None)
    if caller_policy is None:
        raise UsageError(f"--organization: provider {plugin.name} has no separate organization policy")
    document = caller_policy()
    actions = [
        a
        for s in document["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    typer.echo(render_permissions(document, actions, fmt))


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


@checks_app.callback()
def checks_list(
    ctx: typer.Context,
    provider: Annotated[
        str | None, typer.Option("--provider", "-p", help="Only this provider's checks.")
    ] = None,
) -> None:
    """List every check: id, severity, resource kind, title."""
    if ctx.invoked_subcommand:
        return
    from cloudaudit.cli.checks_table import print_checks
    from cloudaudit.exposure.rules import all_rules

    configure(False)
    plugins = [load_plugin(provider)] if provider else list(load_all())
    names = {p.name for p in plugins}
    print_checks(
        [(c.id, c.severity.value, c.asset.kind, c.title) for c in REGISTRY if c.provider in names],
        [(r.id, r.severity.value, "(any)", r.title) for r in all_rules()],
    )


@checks_app.command("show")
def checks_show(check_id: Annotated[str, typer.Argument(help="A check id.")]) -> None:
    """Show a check's rationale, remediation (console and CLI steps) and compliance mapping."""
    from cloudaudit.exposure.rules import rule_by_id
    from cloudaudit.remediation import steps_for

    configure(False)
    list(load_all())
    spec = REGISTRY.get(check_id)
    rule = rule_by_id(check_id)
    if spec is None and rule is not None:
        typer.echo(f"{rule.id}\n  {rule.title}\n")
        typer.echo(f"severity:      {rule.severity.value} (a finding of the exposure stage)\n")
        typer.echo(f"remediation:\n  {' '.join(rule.remediation.split())}\n")
        _show_compliance(rule.compliance)
        return
    if spec is None:
        raise UsageError(f"no check {check_id!r} (see 'cloudaudit checks')")
    typer.echo(f"{spec.id}\n  {spec.title}\n")
    typer.echo(f"severity:      {spec.severity.value} (may be graded by exposure)")
    typer.echo(f"resource kind: {spec.asset.kind}\n")
    typer.echo(f"rationale:\n  {spec.rationale}\n")
    typer.echo(f"remediation:\n  {spec.remediation}\n")
    _show_steps(steps_for(spec.id))
    _show_compliance(spec.compliance)


def _show_steps(steps: Steps | None) -> None:
    """The check's console steps, CLI commands and documentation (placeholders as written)."""
    if steps is None:
        return
    typer.echo("in the console:")
    for number, step in enumerate(steps.console, 1):
        typer.echo(f"  {number}. {step}")
    typer.echo("\nwith the CLI ({{name}}, {{id}}... are the finding's values; CAPITALS are yours to fill):")
    for command in steps.cli:
        typer.echo(f"  {command}")
    if steps.docs:
        typer.echo("\ndocumentation:")
        for link in steps.docs:
            typer.echo(f"  {link}")
    typer.echo("")


def _show_compliance(mapping: Mapping[str, Sequence[str]]) -> None:
    """The framework controls a check evaluates, with their titles (from the framework files)."""
    if not mapping:
        typer.echo("compliance: no framework control lists this check")
        return
    from cloudaudit.compliance import catalog as compliance_catalog

    typer.echo("compliance:")
    frameworks = compliance_catalog()
    for framework_id, control_ids in mapping.items():
        typer.echo(f"  {framework_id}: {', '.join(control_ids)}")
        framework = frameworks.require(framework_id)
        titles = {c.id: c.title for c in framework.controls}
        for control_id in control_ids:
            typer.echo(f"    {control_id}  {titles[control_id]}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cloudaudit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """cloudaudit: find cloud misconfigurations before attackers do."""


def main(argv: list[str] | None = None) -> int:
    """Console entry point: exit codes per :class:`ExitCode`, no traceback unless --debug."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        with interrupt.sigint_stops_run():
            code = app(args=args, prog_name="cloudaudit", standalone_mode=False)
    except typer.Exit as exc:
        code = exc.exit_code
    except typer.Abort:
        typer.echo("aborted", err=True)
        code = 130
    except typer.TyperException as exc:  # click-style usage errors (bad option, bad value)
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"error: {exc}", err=True)
        code = ExitCode.USAGE
    except CloudauditError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"error: {redact(exc.message)}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        code = 130
    except Exception as exc:
        if debug:
            traceback.print_exc()
        typer.echo(
            f"internal error: {type(exc).__name__}: {redact(str(exc))} (run with --debug for details)",
            err=True,
        )
        code = ExitCode.RUNTIME
    finally:
        spool.close_all()  # findings spilled to disk are the run's, not the machine's
    return int(code or 0)


_KEPT: list[object] = []
_KEEPING = False


def keep_until_exit() -> None:
    """Keep what a run builds (its inventory, findings and reports' data) until the process ends with
    :func:`end_process`, which frees it all at once: freeing it object by object as the command returns
    costs tenths of a second on a large audit. For a process that ends with the command only."""
    global _KEEPING
    _KEEPING = True


def console() -> NoReturn:
    """The ``cloudaudit`` command: :func:`main`, then :func:`end_process`."""
    keep_until_exit()
    end_process(main())


def end_process(code: int) -> NoReturn:
    """End the process with ``code`` without tearing down the interpreter. Every report is closed and
    renamed by then, the streams are flushed and the log handlers closed here; freeing a large audit's
    objects one by one at exit costs a tenth of a second or more and serves nobody."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    console()
