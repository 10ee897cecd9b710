"""Run dbt through its programmatic API (dbtRunner), never a shell."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .contract import PROJECT_DIR
from .errors import LifecycleError, stop_if_interrupted, user_error
from .targets import profiles_dir


def _invoke(args: list[str], target: str):
    """dbtRunner's result of one dbt command against `target`."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    _no_traceback_on_interrupt()
    full = [
        *args,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(profiles_dir()),
        "--target", target,
        "--target-path", str(PROJECT_DIR / "target" / target),
        "--log-path", str(PROJECT_DIR / "logs"),
    ]
    try:
        return dbtRunner().invoke(full)
    finally:
        _release_duckdb()


def dbt_invoke(args: list[str], target: str) -> list:
    """Run one dbt command against `target` and return its node results; raise when anything in it fails:
    Ctrl-C or SIGTERM as errors.Interrupted, a failure of the machine (disk full...) as its one-line
    LifecycleError."""
    result = _invoke(args, target)
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
    from .targets import target_settings, unpublished

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


def query(settings: dict, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of a read-only query on a built target (DuckDB: `path`, raw file attached)."""
    if settings["type"] == "duckdb":
        from .targets import connect_duckdb

        with connect_duckdb(settings) as con:
            cur = con.execute(sql)
            return [d[0] for d in cur.description], cur.fetchall()
    from .publish import pg_connect

    with pg_connect(settings) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return [d.name for d in cur.description], cur.fetchall()


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


def dbt_build(target: str, select: str | None = None, full_refresh: bool = False, unit_tests: bool = False) -> None:
    """`dbt build`: seeds, models and data tests. Unit tests check the project's code, not the data, so a
    production run leaves them out (dbt's advice) unless asked; `make test` runs them on every target."""
    args = ["build"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    dbt_invoke(args, target)


def dbt_var(name: str) -> str:
    """A project variable's default from dbt_project.yml."""
    import yaml

    return str(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"][name])


def duckdb_path_env(path: Path) -> None:
    """Point dbt's duckdb target at the warehouse published at `path` (absolute, so dbt and the loader
    agree); dbt builds its build file (targets.duckdb_files)."""
    from .targets import DUCKDB_PATH_ENV

    os.environ[DUCKDB_PATH_ENV] = str(path.resolve())
