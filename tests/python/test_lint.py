"""SQL style: sqlfluff (dbt templater) over models and macros must report no violations."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lifecycle.contract import PROJECT_DIR


def test_sqlfluff_lint_is_clean(tmp_path: Path) -> None:
    env = {**os.environ, "LIFECYCLE_DUCKDB_PATH": ":memory:",
           "DBT_PROFILES_DIR": str(PROJECT_DIR / "profiles")}
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    result = subprocess.run(
        [str(sqlfluff), "lint", "models", "tests", "--format", "human"],
        cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
