"""Cloud SQL database flags that matter (CIS GCP Foundations 2.0, 6.1-6.3), as one table of rules.

A flag absent from ``settings.databaseFlags`` is at its default, so each rule knows the default of
its engine; every rule becomes one declared check (:func:`~cloudaudit.engine.declarative.expect`)
that reads the instance's flags and applies only to instances of its engine.

Defaults: Cloud SQL for MySQL turns ``local_infile`` on unless set (as CIS 6.1.3 states; MySQL 8.0
upstream defaults it off, Cloud SQL's own flag table is what counts) and ``skip_show_database`` off;
Cloud SQL for PostgreSQL keeps PostgreSQL's defaults (``log_connections`` / ``log_disconnections``
off, ``log_error_verbosity`` default, ``log_statement`` none, ``log_min_messages`` warning,
``log_min_error_statement`` error, ``log_min_duration_statement`` -1, pgAudit off); SQL Server's are
``remote access`` on, ``3625`` off, ``user connections`` 0 (unlimited), the others off or unset.
The log levels are judged as CIS words them: "at minimum WARNING" and "ERROR or stricter" pass the
level and the stricter ones (ERROR, LOG, FATAL, PANIC).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cloudaudit.engine.declarative import expect
from cloudaudit.engine.predicates import Predicate
from cloudaudit.model.enums import Severity
from cloudaudit_gcp.assets_sql import ENGINE_NAMES, CloudSqlInstance

ON = frozenset({"on", "true", "1", ""})
"""Values of a boolean flag that mean on (a boolean flag set without a value is on)."""
OFF = frozenset({"off", "false", "0"})


def _in(*values: str) -> Callable[[str], bool]:
    allowed = frozenset(values)
    return lambda value: value in allowed


@dataclass(frozen=True)
class FlagRule:
    """One flag requirement: which engine, the flag, its default and the values that pass."""

    check: str
    """The check id after ``gcp.sql.``."""
    engine: str
    flag: str
    default: str
    ok: Callable[[str], bool]
    """Test of the (lower-cased) effective value."""
    requirement: str
    """What the value must be, as it reads in messages: ``off``, ``WARNING or stricter``."""
    setting: str
    """The value the remediation sets."""
    severity: Severity
    title: str
    risk: str

    def effective(self, flags: Mapping[str, str]) -> str:
        """The flag's value on an instance: the value set, else the default."""
        return flags.get(self.flag, self.default).strip().lower()


FLAG_RULES: tuple[FlagRule, ...] = (
    FlagRule(
        check="mysql_local_infile",
        engine="mysql",
        flag="local_infile",
        default="on",
        ok=_in(*OFF),
        requirement="off",
        setting="off",
        severity=Severity.MEDIUM,
        title="Cloud SQL MySQL instance allows LOAD DATA LOCAL (local_infile)",
        risk="LOAD DATA LOCAL lets the server make a client send any file it can read; combined with SQL "
        "injection an attacker reads files from the application's hosts.",
    ),
    FlagRule(
        check="mysql_skip_show_database",
        engine="mysql",
        flag="skip_show_database",
        default="off",
        ok=_in(*ON),
        requirement="on",
        setting="on",
        severity=Severity.LOW,
        title="Cloud SQL MySQL instance lets every user list all databases (skip_show_database off)",
        risk="Without it SHOW DATABASES lists every database to any user, mapping the data for an intruder.",
    ),
    FlagRule(
        check="postgres_log_error_verbosity",
        engine="postgres",
        flag="log_error_verbosity",
        default="default",
        ok=_in("terse", "default"),
        requirement="DEFAULT or TERSE",
        setting="default",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance logs errors verbosely (log_error_verbosity)",
        risk="VERBOSE adds source file names, functions and line numbers to every error logged: noise that "
        "hides the errors that matter.",
    ),
    FlagRule(
        check="postgres_log_connections",
        engine="postgres",
        flag="log_connections",
        default="off",
        ok=_in(*ON),
        requirement="on",
        setting="on",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance does not log connections (log_connections)",
        risk="Without connection logs, brute-force attempts and unexpected clients leave no trace.",
    ),
    FlagRule(
        check="postgres_log_disconnections",
        engine="postgres",
        flag="log_disconnections",
        default="off",
        ok=_in(*ON),
        requirement="on",
        setting="on",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance does not log disconnections (log_disconnections)",
        risk="Without disconnection logs, session durations cannot be reconstructed in an investigation.",
    ),
    FlagRule(
        check="postgres_log_statement",
        engine="postgres",
        flag="log_statement",
        default="none",
        ok=_in("ddl", "mod", "all"),
        requirement="DDL, MOD or ALL",
        setting="ddl",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance does not log schema changes (log_statement)",
        risk="With log_statement none, CREATE, ALTER and DROP statements leave no audit trail.",
    ),
    FlagRule(
        check="postgres_log_min_messages",
        engine="postgres",
        flag="log_min_messages",
        default="warning",
        ok=_in("warning", "error", "log", "fatal", "panic"),
        requirement="WARNING or stricter",
        setting="warning",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance logs messages below WARNING (log_min_messages)",
        risk="DEBUG, INFO and NOTICE messages flood the log, so that warnings and errors are missed.",
    ),
    FlagRule(
        check="postgres_log_min_error_statement",
        engine="postgres",
        flag="log_min_error_statement",
        default="error",
        ok=_in("error", "log", "fatal", "panic"),
        requirement="ERROR or stricter",
        setting="error",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance logs the statements of non-errors (log_min_error_statement)",
        risk="Below ERROR, statements that only raised warnings or notices are logged as errors, burying the "
        "real ones.",
    ),
    FlagRule(
        check="postgres_log_min_duration_statement",
        engine="postgres",
        flag="log_min_duration_statement",
        default="-1",
        ok=_in("-1"),
        requirement="-1 (disabled)",
        setting="-1",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance logs the text of slow statements (log_min_duration_statement)",
        risk="Statements slower than the threshold are logged in full, with their literal values: passwords "
        "and personal data end up in the logs.",
    ),
    FlagRule(
        check="postgres_pgaudit",
        engine="postgres",
        flag="cloudsql.enable_pgaudit",
        default="off",
        ok=_in(*ON),
        requirement="on",
        setting="on",
        severity=Severity.LOW,
        title="Cloud SQL PostgreSQL instance does not enable pgAudit (cloudsql.enable_pgaudit)",
        risk="Without pgAudit, reads and writes of sensitive tables are not in the audit logs.",
    ),
    FlagRule(
        check="sqlserver_external_scripts",
        engine="sqlserver",
        flag="external scripts enabled",
        default="off",
        ok=_in(*OFF),
        requirement="off",
        setting="off",
        severity=Severity.MEDIUM,
        title="Cloud SQL SQL Server instance runs external scripts (external scripts enabled)",
        risk="External scripts run R or Python code on the server, outside the database's security model.",
    ),
    FlagRule(
        check="sqlserver_cross_db_ownership_chaining",
        engine="sqlserver",
        flag="cross db ownership chaining",
        default="off",
        ok=_in(*OFF),
        requirement="off",
        setting="off",
        severity=Severity.MEDIUM,
        title="Cloud SQL SQL Server instance allows cross-database ownership chaining",
        risk="Ownership chains across databases let a user of one database reach objects of another without "
        "a permission check.",
    ),
    FlagRule(
        check="sqlserver_user_connections",
        engine="sqlserver",
        flag="user connections",
        default="0",
        ok=_in("0"),
        requirement="0 (unlimited)",
        setting="0",
        severity=Severity.LOW,
        title="Cloud SQL SQL Server instance caps user connections (user connections)",
        risk="A connection cap lets a burst of connections, or an attacker holding them, lock clients out.",
    ),
    FlagRule(
        check="sqlserver_user_options",
        engine="sqlserver",
        flag="user options",
        default="0",
        ok=_in("0"),
        requirement="0 (not configured)",
        setting="0",
        severity=Severity.LOW,
        title="Cloud SQL SQL Server instance sets global user options (user options)",
        risk="Global user options change every session's defaults, silently altering how queries behave.",
    ),
    FlagRule(
        check="sqlserver_remote_access",
        engine="sqlserver",
        flag="remote access",
        default="on",
        ok=_in(*OFF),
        requirement="off",
        setting="off",
        severity=Severity.LOW,
        title="Cloud SQL SQL Server instance allows remote access (remote access)",
        risk="Remote access lets stored procedures be run from and on other servers, a path for lateral "
        "movement and denial of service.",
    ),
    FlagRule(
        check="sqlserver_trace_flag_3625",
        engine="sqlserver",
        flag="3625",
        default="off",
        ok=_in(*ON),
        requirement="on",
        setting="on",
        severity=Severity.LOW,
        title="Cloud SQL SQL Server instance shows full error details to every user (trace flag 3625 off)",
        risk="Without trace flag 3625, error messages show non-administrators details of schema and data.",
    ),
    FlagRule(
        check="sqlserver_contained_database_authentication",
        engine="sqlserver",
        flag="contained database authentication",
        default="off",
        ok=_in(*OFF),
        requirement="off",
        setting="off",
        severity=Severity.MEDIUM,
        title="Cloud SQL SQL Server instance allows contained database authentication",
        risk="Users of a contained database authenticate inside it, out of the server's view, and its owner "
        "can create logins that bypass server-level controls.",
    ),
)


def _declare(rule: FlagRule) -> None:
    """Register the check of one rule."""
    engine = ENGINE_NAMES[rule.engine]
    default_note = f"unset means {rule.default}"
    ok = Predicate[Mapping[str, str]](
        f"sets {rule.flag} to {rule.requirement} (default {rule.default})",
        lambda flags: rule.ok(rule.effective(flags)),
    )
    runs = Predicate[CloudSqlInstance](f"runs {engine}", lambda db: db.engine == rule.engine)
    expect(
        id=f"gcp.sql.{rule.check}",
        title=rule.title,
        severity=rule.severity,
        asset=CloudSqlInstance,
        attr="database_flags",
        ok=ok,
        when=runs,
        pass_msg=f"{engine} instance {{name}}: {rule.flag} is {rule.requirement}.",
        fail_msg=f"{engine} instance {{name}}: {rule.flag} is not {rule.requirement} ({default_note}). "
        + rule.risk,
        rationale=f"{rule.risk} A flag that is not set is at its default ({rule.default}).",
        remediation=f"""gcloud sql instances patch INSTANCE --database-flags="{rule.flag}={rule.setting}"
            (the list replaces every flag set on the instance: repeat the others in it).""",
    )


for _rule in FLAG_RULES:
    _declare(_rule)
