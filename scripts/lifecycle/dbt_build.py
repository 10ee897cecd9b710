"""Run dbt through its programmatic API (dbtRunner), never a shell."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from .errors import LifecycleError, stop_if_interrupted, user_error
from .progress import Steps, console
from .project import PROJECT_DIR, dbt_log_dir, dbt_target_dir
from .targets import profiles_dir, query, target_settings, unpublished

_VARS: dict[str, Any] = {}  # the vars of every dbt command this process runs (use_vars)


def use_vars(found: dict[str, Any]) -> None:
    """Give every dbt command of this process `found` as its --vars (the CLI sets them once per command:
    the connectors loaded and the user's --vars), so that build, ls and the manifest's parse agree."""
    _VARS.clear()
    _VARS.update(found)


def dbt_vars() -> dict[str, Any]:
    return dict(_VARS)


def vars_path(target: str) -> Path:
    """Where the vars of the target's last dbt command are kept (beside its manifest)."""
    return dbt_target_dir(target) / "lifecycle_vars.json"


def _invoke(args: list[str], target: str, callbacks: list | None = None):
    """dbtRunner's result of one dbt command against `target`; `callbacks` receive each of dbt's events."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    _no_traceback_on_interrupt()
    full = [
        *args,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(profiles_dir()),
        "--target", target,
        "--target-path", str(dbt_target_dir(target)),
        "--log-path", str(dbt_log_dir()),
        *(["--vars", json.dumps(_VARS, sort_keys=True)] if _VARS else []),
    ]
    try:
        return dbtRunner(callbacks=callbacks or []).invoke(full)
    finally:
        _release_duckdb()
        if vars_path(target).parent.is_dir():  # (what manifest.json was written with: manifest.py)
            vars_path(target).write_text(json.dumps(_VARS, sort_keys=True))


def dbt_invoke(args: list[str], target: str, callbacks: list | None = None) -> list:
    """Run one dbt command against `target` and return its node results; raise when anything in it fails:
    Ctrl-C or SIGTERM as errors.Interrupted, a failure of the machine (disk full...) as its one-line
    LifecycleError."""
    result = _invoke(args, target, callbacks)
    stop_if_interrupted()  # dbt catches the interrupt, cancels its queries and returns
    if isinstance(result.exception, KeyboardInterrupt):
        raise result.exception
    if result.exception is not None:
        raise user_error(result.exception) or LifecycleError(f"dbt {args[0]} could not run: {result.exception}")
    if not result.success:
        messages = [r.message for r in getattr(result.result, "results", None) or [] if r.message]
        known = user_error(Exception("\n".join(messages)))  # e.g. a model failed on a full disk
        raise known or LifecycleError(f"dbt {args[0]} failed on target {target}: see the errors above"
                                      + "".join(f"\n  {line}" for line in failing_rows(result, target)))
    return list(getattr(result.result, "results", None) or [])


def failing_rows(result, target: str, limit: int = 3) -> list[str]:
    """One line per failed data test: its name, how many rows failed and the first few of them (the
    rows the test's query returns), so that a failure names what is wrong without rerunning anything.
    Best effort: a test whose query cannot be rerun is listed without rows."""
    failed = [r for r in getattr(result.result, "results", None) or []
              if str(r.status) == "fail" and r.node.resource_type == "test"]
    lines = []
    for r in failed:
        line = f"{r.node.name}: {r.failures} failing row{'s' if r.failures != 1 else ''}"
        try:
            columns, rows = query(unpublished(target_settings(target)),
                                  f"select * from ({r.node.compiled_code}) as failures limit {limit}")
            line += "".join(f"\n    {', '.join(f'{c}={v}' for c, v in zip(columns, row))}" for row in rows)
        except Exception:  # noqa: BLE001 (the failure itself is what matters)
            pass
        lines.append(line)
    return lines


def _no_traceback_on_interrupt() -> None:
    """dbt logs a stack trace when a command ends with an exception; for Ctrl-C and SIGTERM that is
    noise (the CLI says what happened), so drop that one event while a KeyboardInterrupt is handled."""
    from dbt_common.events.event_manager_client import get_event_manager

    manager = get_event_manager()
    if getattr(manager, "_lifecycle_quiet", False):
        return
    fire_event = manager.fire_event

    def quiet_fire_event(event, *args, **kwargs):
        if type(event).__name__ == "MainStackTrace" and isinstance(sys.exc_info()[1], KeyboardInterrupt):
            return
        fire_event(event, *args, **kwargs)

    manager.fire_event = quiet_fire_event
    manager._lifecycle_quiet = True


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the process after a run.

    Without this, the loader, the report or a test in this process could not open the
    warehouse file again (DuckDB allows one configuration per file and process).
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:
        return
    env = DuckDBConnectionManager._ENV
    if env is not None and getattr(env, "conn", None) is not None:
        env.conn.close()
        env.conn = None
    DuckDBConnectionManager.close_all_connections()


def incremental_models(target: str) -> list[tuple[str, str]]:
    """(schema, table) of every incremental model, as dbt would name them now (`dbt ls`)."""
    import json

    result = _invoke([
        "ls", "--resource-type", "model", "--select", "config.materialized:incremental",
        "--output", "json", "--output-keys", "schema", "alias", "--log-level", "none",
    ], target)
    if not result.success:
        raise LifecycleError(f"dbt ls failed on target {target}: {result.exception or 'see the errors above'}")
    nodes = [json.loads(line) for line in result.result or []]
    return [(node["schema"], node["alias"]) for node in nodes]


def compiled_sql(target: str, models: list[str]) -> dict[str, str]:
    """The SQL dbt would run now for each of `models` (an incremental model's incremental select
    when its table exists), by model name."""
    result = _invoke(["compile", "--select", *models, "--quiet"], target)
    if not result.success:
        raise LifecycleError(f"dbt compile failed on target {target}: {result.exception or 'see the errors above'}")
    return {r.node.name: r.node.compiled_code for r in result.result.results}


class NodeTally:
    """A dbt callback counting the nodes of a run as they finish (for the progress line) and keeping what
    the summary names: how many nodes passed, warned, failed (or errored) and were skipped, and the
    message of each failed or warned one."""

    KINDS = {"success": "passed", "pass": "passed", "no-op": "passed", "warn": "warned",
             "partial success": "warned", "skipped": "skipped"}  # any other status: failed

    def __init__(self, steps: Steps | None = None) -> None:
        self.steps = steps
        self.counts = dict.fromkeys(("passed", "warned", "failed", "skipped"), 0)
        self.problems: list[tuple[str, str, str]] = []  # (kind, node, message)

    def __call__(self, event) -> None:
        name = event.info.name
        if self.steps is not None and name in ("LogStartLine", "LogModelResult", "LogTestResult"):
            total = event.data.num_models if name == "LogTestResult" else event.data.total
            self.steps.update(total=total or None)
        elif name == "NodeFinished":
            node, result = event.data.node_info, event.data.run_result
            kind = self.KINDS.get(result.status.lower(), "failed")
            self.counts[kind] += 1
            if kind in ("warned", "failed"):
                self.problems.append((kind, f"{node.resource_type} {node.node_name}", result.message or result.status))
            if self.steps is not None:
                self.steps.update(advance=1, note=node.node_name)

    def summary(self, what: str) -> str:
        lines = [f"{what}: {sum(self.counts.values())} nodes: "
                 + ", ".join(f"{n} {kind}" for kind, n in self.counts.items())]
        for kind, node, message in sorted(self.problems, key=lambda p: (p[0] == "failed", p[1])):
            lines.append(f"  {kind} {node}: " + "\n    ".join(message.strip().splitlines()))
        return "\n".join(lines)


def dbt_build(target: str, select: str | None = None, full_refresh: bool = False, unit_tests: bool = False,
              verbose: bool = False) -> None:
    """`dbt build`: seeds, models and data tests. Unit tests check the project's code, not the data, so a
    production run leaves them out (dbt's advice) unless asked; `make test` runs them on every target.
    dbt's line per node shows only when `verbose` (in colour on a terminal); otherwise a count of the nodes
    done shows while it runs (progress.py). Either way a summary follows, naming each failed or warned node."""
    args = ["build"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    # its own log file (logs/dbt.log) keeps every line; dbt colours them unless told not to, also in a log
    args += [] if verbose else ["--log-level", "none"]
    args += ["--use-colors" if sys.stdout.isatty() else "--no-use-colors"]
    tally = NodeTally()
    try:
        if verbose:
            dbt_invoke(args, target, [tally])
        else:
            with Steps("dbt build", unit="nodes") as steps:
                tally.steps = steps
                dbt_invoke(args, target, [tally])
    finally:
        if any(tally.counts.values()):
            console.print(tally.summary("dbt build"), highlight=False, markup=False, soft_wrap=True)


# ---------------------------------------------------------------- what the last build was given

BUILDS_TABLE = "lifecycle_builds"  # in the staging schema of what dbt builds: one row per build, its vars


def _staging(settings: dict[str, Any]) -> str:
    return "staging" + settings.get("schema_suffix", "")  # (shadow schemas while PostgreSQL builds: publish.py)


def last_build(settings: dict[str, Any]) -> dict[str, Any] | None:
    """{"vars": ..., "providers": ...} of the build the target's staging schema holds (DuckDB: the build file,
    which the next build carries on from), as record_build kept them; None before the first."""
    import duckdb

    sql = f"select vars, providers from {_staging(settings)}.{BUILDS_TABLE} order by built_at desc limit 1"
    if settings["type"] == "duckdb":
        build = settings.get("build", settings["path"])
        if build == ":memory:" or not Path(build).is_file():
            return None
        try:
            with duckdb.connect(build, read_only=True) as con:
                if not con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                                   (_staging(settings), BUILDS_TABLE)).fetchone()[0]:
                    return None
                rows = con.execute(sql).fetchall()
        except duckdb.Error:  # (a build file the build refuses, e.g. its WAL: publish.py names why)
            return None
    elif settings["type"] == "spark":
        from .targets import spark_rows, spark_session

        with spark_session(settings) as spark:
            found = spark.catalog.tableExists(f"{_staging(settings)}.{BUILDS_TABLE}")
            rows = spark_rows(spark, sql)[1] if found else []
    else:
        from .targets import pg_connect

        with pg_connect(settings) as conn, conn.cursor() as cur:
            cur.execute("select to_regclass(%s) is not null", (f"{_staging(settings)}.{BUILDS_TABLE}",))
            rows = cur.execute(sql).fetchall() if cur.fetchone()[0] else []
    return {"vars": json.loads(rows[0][0]), "providers": json.loads(rows[0][1])} if rows else None


def _spark_text(value: str) -> str:
    """A Spark SQL string literal (backslashes escape in Spark's literals)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def record_build(work: dict[str, Any], found_vars: dict[str, Any], providers: dict[str, str]) -> None:
    """Keep, beside what dbt just built (`work`: the unpublished target), the vars it was given and the
    providers they chose: the next build compares its providers (a change needs a full refresh) and
    validate parses dbt's manifest with the same vars. Published with the build (PostgreSQL: the shadow
    staging schema is swapped in with it) and lost with a failed one."""
    from datetime import datetime, timezone

    import duckdb

    values = (datetime.now(timezone.utc).replace(tzinfo=None), json.dumps(found_vars, sort_keys=True, default=str),
              json.dumps(providers, sort_keys=True))
    table = f"{_staging(work)}.{BUILDS_TABLE}"
    statements = [f"create schema if not exists {_staging(work)}",
                  f"create table if not exists {table} (built_at timestamp, vars varchar, providers varchar)"]
    if work["type"] == "duckdb":
        with duckdb.connect(work["path"]) as con:
            for statement in statements:
                con.execute(statement)
            con.execute(f"insert into {table} values (?, ?, ?)", values)
        return
    if work["type"] == "spark":  # (a managed Parquet table; Spark's varchar needs a length)
        from .targets import spark_session

        with spark_session(work) as spark:
            spark.sql(statements[0])
            spark.sql(statements[1].replace("varchar", "string") + " using parquet")
            spark.sql(f"insert into {table} values (timestamp '{values[0]:%Y-%m-%d %H:%M:%S.%f}', "
                      f"{_spark_text(values[1])}, {_spark_text(values[2])})")
        return
    from .targets import pg_connect

    with pg_connect(work) as conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        cur.execute(f"insert into {table} values (%s, %s, %s)", values)
