"""What ``run``, ``demo`` and ``evaluate`` do with the run store (``--store``, ``--fail-on-new``).

1. before the reports are written, :meth:`HistoryRecorder.compare` opens the store and compares the
   run with the previous run of the same scope (the HTML report's "Since the last run");
2. after they are written, :meth:`HistoryRecorder.record` stores the run;
3. :meth:`HistoryRecorder.exit_code` folds the store into the exit code.

A store that cannot be opened or written never costs the reports: the error is one line on stderr,
the reports stand, and the run exits 3. An interrupted run is neither compared nor recorded (it covers
only part of its scope: the next run would see everything else as new).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from cloudaudit.errors import CloudauditError, ExitCode, UsageError
from cloudaudit.history.diff import Changes
from cloudaudit.history.location import StoreLocation, parse_store
from cloudaudit.history.model import StoredRun
from cloudaudit.logs import redact
from cloudaudit.model.enums import Severity
from cloudaudit.model.finding import FindingsDocument


class HistoryRecorder:
    """The store's part in one run. ``warn`` shows one line (stderr)."""

    def __init__(
        self,
        location: StoreLocation,
        fail_on_new: Severity | None,
        check_filter: dict[str, list[str]],
        warn: Callable[[str], None],
        regions: Sequence[str] | None = None,
    ) -> None:
        self.location = location
        self.regions = regions
        """The regions asked (None: all): part of the run's scope."""
        self.fail_on_new = fail_on_new
        self.check_filter = check_filter
        self._warn = warn
        self.failed = False
        self.changes: Changes | None = None
        """What changed since the previous run of the scope (set by :meth:`compare`): ``before`` is
        None on the first run of a scope (nothing is new then)."""
        self.recorded: StoredRun | None = None

    def _fail(self, exc: CloudauditError) -> None:
        self.failed = True
        message = redact(exc.message, self.location.secrets)
        self._warn(f"error: {message}; the reports are written, the run is not recorded")

    def compare(self, doc: FindingsDocument, checks: Iterable[str]) -> Changes | None:
        """Compare ``doc`` with the previous run of its scope in the store."""
        from cloudaudit.history.store import Store

        if doc.run.interrupted:
            return None
        try:
            with Store.open(self.location) as store:
                self.changes = store.changes_since_last(doc, checks, self.regions)
        except CloudauditError as exc:
            self._fail(exc)
            return None
        return self.changes

    def record(self, doc: FindingsDocument, checks: Iterable[str]) -> StoredRun | None:
        """Store the run (after its reports are written)."""
        from cloudaudit.history.store import Store

        if self.failed:
            return None
        if doc.run.interrupted:
            self._warn(f"note: the run was interrupted: not recorded in store {self.location.shown}")
            return None
        try:
            with Store.open(self.location) as store:
                self.recorded = store.record(doc, checks, self.check_filter, regions=self.regions)
        except CloudauditError as exc:
            self._fail(exc)
        return self.recorded

    def lines(self) -> list[str]:
        """What the terminal summary says about the store (already printable)."""
        out: list[str] = []
        changes = self.changes
        if changes is not None:
            before = changes.before
            if before is None:
                out.append("since the last run: first run of this scope in the store, nothing to compare")
            else:
                when = before.started.strftime("%Y-%m-%d %H:%M UTC")
                out.append(f"since run {before.id} ({when}): {changes.summary()}")
                if self.fail_on_new is not None:
                    worst = changes.new_at_least(self.fail_on_new)
                    out.append(f"new failing findings at or above {self.fail_on_new.value}: {len(worst)}")
        if self.recorded is not None:
            out.append(f"recorded run {self.recorded.id} in store {self.location.shown}")
        return out

    def exit_code(self, code: ExitCode) -> ExitCode:
        """``code`` with the store folded in: 130, then 3 (including a store failure), then 1 (also
        for a new failing finding at or above ``--fail-on-new``), then 0."""
        if code is ExitCode.INTERRUPTED:
            return code
        if self.failed:
            return ExitCode.RUNTIME
        if code is not ExitCode.OK or self.fail_on_new is None or self.changes is None:
            return code
        return ExitCode.FINDINGS if self.changes.new_at_least(self.fail_on_new) else code


def history_recorder(
    store: str | None,
    fail_on_new: Severity | None,
    check_filter: dict[str, list[str]],
    warn: Callable[[str], None],
    regions: Sequence[str] | None = None,
) -> HistoryRecorder | None:
    """The recorder of ``--store`` (None without one); ``--fail-on-new`` without a store is a usage error."""
    if store is None or not store.strip():
        if fail_on_new is not None:
            raise UsageError(
                "--fail-on-new compares with the previous run in a store: give --store URL "
                "(or set CLOUDAUDIT_STORE), e.g. --store default"
            )
        return None
    return HistoryRecorder(parse_store(store), fail_on_new, check_filter, warn, regions)
