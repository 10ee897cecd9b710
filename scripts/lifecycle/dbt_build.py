"""Run dbt through its programmatic API (dbtRunner), never a shell."""

from __future__ import annotations

import os
from pathlib import Path

from .contract import PROJECT_DIR
from .errors import LifecycleError
from .targets import profiles_dir


def dbt_invoke(args: list[str], target: str) -> None:
    """Run one dbt command against `target`; raise when anything in it fails."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    full = [
        *args,
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(profiles_dir()),
        "--target", target,
        "--target-path", str(PROJECT_DIR / "target" / target),
        "--log-path", str(PROJECT_DIR / "logs"),
    ]
    try:
        result = dbtRunner().invoke(full)
    finally:
        _release_duckdb()
    if result.exception is not None:
        raise LifecycleError(f"dbt {args[0]} could not run: {result.exception}")
    if not result.success:
        raise LifecycleError(f"dbt {args[0]} failed on target {target}: see the errors above")


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


def dbt_build(target: str, select: str | None = None, full_refresh: bool = False) -> None:
    args = ["build"]
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
    """Point dbt's duckdb target at `path` (absolute, so dbt and the loader agree)."""
    os.environ["LIFECYCLE_DUCKDB_PATH"] = str(path.resolve())
