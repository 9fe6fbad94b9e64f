"""``cloudaudit runs``, ``cloudaudit runs prune`` and ``cloudaudit diff``, and the ``--store`` and
``--fail-on-new`` options of the audit commands (see :mod:`cloudaudit.history`)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from cloudaudit.cli.choices import choices_metavar, enum_parser
from cloudaudit.errors import UsageError
from cloudaudit.history.location import STORE_ENV, StoreLocation, parse_store
from cloudaudit.logs import configure
from cloudaudit.model.enums import Severity

if TYPE_CHECKING:
    from cloudaudit.history.recorder import HistoryRecorder

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar=STORE_ENV,
        show_envvar=True,
        metavar="URL",
        help="Run store: sqlite:///PATH, postgresql://USER@HOST/DB, or 'default' (a file in the user's "
        "data directory).",
    ),
]
FailOnNewOpt = Annotated[
    Severity | None,
    typer.Option(
        "--fail-on-new",
        parser=enum_parser(Severity),
        metavar=choices_metavar(Severity),
        help="Exit 1 when a failing finding at or above this severity is new since the previous run of "
        "the same scope in --store.",
    ),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", metavar="[text|json]", help="text or json.")]
FORMATS = ("text", "json")

runs_app = typer.Typer(
    help="List the runs recorded in a store, or prune old ones.", invoke_without_command=True
)


def recorder(
    store: str | None,
    fail_on_new: Severity | None,
    checks: str = "",
    exclude: str = "",
    regions: tuple[str, ...] | None = None,
) -> HistoryRecorder | None:
    """The run's :class:`HistoryRecorder` (None without ``--store``): its store errors go to stderr.
    ``regions``: the regions asked (None: all), part of the run's scope."""
    from cloudaudit.history.recorder import history_recorder

    selection = {"include": _csv(checks), "exclude": _csv(exclude)}
    return history_recorder(store, fail_on_new, selection, lambda line: typer.echo(line, err=True), regions)


def _csv(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def _format(value: str) -> str:
    fmt = value.strip().lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format: {value!r} is not one of text, json")
    return fmt


def _location(store: str | None) -> StoreLocation:
    if store is None or not store.strip():
        raise UsageError(f"no store: give --store URL or set {STORE_ENV} (e.g. --store default)")
    return parse_store(store)


@runs_app.callback()
def runs_list(ctx: typer.Context, store: StoreOpt = None, fmt: FormatOpt = "text") -> None:
    """List the store's runs, newest first: id, start time, findings, failing by severity, gaps, scope."""
    from cloudaudit.history.render import runs_json, runs_text
    from cloudaudit.history.store import Store

    ctx.obj = store
    if ctx.invoked_subcommand:
        return
    configure(False)
    output = _format(fmt)
    location = _location(store)
    with Store.open(location, create=False) as opened:
        runs = opened.runs()
    typer.echo(runs_json(runs) if output == "json" else runs_text(runs, location.shown))


@runs_app.command("prune")
def runs_prune(
    ctx: typer.Context,
    store: StoreOpt = None,
    keep: Annotated[
        int | None, typer.Option("--keep", min=1, metavar="N", help="Keep the N newest runs of each scope.")
    ] = None,
    older_than: Annotated[
        float | None,
        typer.Option("--older-than", min=0, metavar="DAYS", help="Delete runs started more than DAYS ago."),
    ] = None,
) -> None:
    """Delete old runs and their findings: beyond the N newest of each scope (--keep), started more
    than DAYS ago (--older-than), or, with both, runs beyond the N newest that are also that old."""
    from cloudaudit.history.store import Store

    configure(False)
    if keep is None and older_than is None:
        raise UsageError("runs prune: give --keep N and/or --older-than DAYS")
    location = _location(store or ctx.obj)
    age = timedelta(days=older_than) if older_than is not None else None
    with Store.open(location, create=False) as opened:
        deleted = opened.prune(keep, age)
        left = opened.count()
    ids = ", ".join(str(i) for i in sorted(deleted)) if deleted else "none"
    typer.echo(f"pruned {len(deleted)} run(s) ({ids}); {left} left in store {location.shown}")


def diff_cmd(
    run_a: Annotated[
        int | None, typer.Argument(metavar="RUN_A", help="The earlier run's id (see 'cloudaudit runs').")
    ] = None,
    run_b: Annotated[int | None, typer.Argument(metavar="RUN_B", help="The later run's id.")] = None,
    store: StoreOpt = None,
    fmt: FormatOpt = "text",
) -> None:
    """What changed between two runs: new, resolved, changed (status, severity or exposure level moved)
    and unchanged findings. Without ids: the newest run and the previous run of its scope; with one id:
    that run and the previous run of its scope."""
    from cloudaudit.history.render import diff_json, diff_text
    from cloudaudit.history.store import Store

    configure(False)
    output = _format(fmt)
    location = _location(store)
    with Store.open(location, create=False) as opened:
        if run_b is not None and run_a is not None:
            before, after = opened.run(run_a), opened.run(run_b)
        else:
            last = opened.run(run_a) if run_a is not None else opened.latest()
            if last is None:
                raise UsageError(f"no run recorded in store {location.shown}: nothing to compare")
            after = last
            found = opened.previous(after)
            if found is None:
                raise UsageError(
                    f"run {after.id} is the first run of its scope in store {location.shown}: nothing to "
                    "compare it with (give two run ids, see 'cloudaudit runs')"
                )
            before = found
        changes = opened.diff(before, after)
    typer.echo(diff_json(changes) if output == "json" else diff_text(changes))
