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
    result = dbtRunner().invoke(full)
    if result.exception is not None:
        raise LifecycleError(f"dbt {args[0]} could not run: {result.exception}")
    if not result.success:
        raise LifecycleError(f"dbt {args[0]} failed on target {target}: see the errors above")


def dbt_build(target: str, select: str | None = None, full_refresh: bool = False) -> None:
    args = ["build"]
    if select:
        args += ["--select", select]
    if full_refresh:
        args.append("--full-refresh")
    dbt_invoke(args, target)


def duckdb_path_env(path: Path) -> None:
    """Point dbt's duckdb target at `path` (absolute, so dbt and the loader agree)."""
    os.environ["LIFECYCLE_DUCKDB_PATH"] = str(path.resolve())
