"""dbt's manifest of a target: what the project's YAML declares (models, columns, data types, tests).

Every dbt command of the CLI writes it to `target/<target>/manifest.json` (dbt_build.py); it is parsed
anew (`dbt parse`, a few seconds) when absent or older than a model file or dbt_project.yml, so that
it always says what the YAML says now, and when the vars it was parsed with differ from this command's
(which connectors are used changes which models are enabled).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .contract import PROJECT_DIR
from .errors import LifecycleError
from .project import dbt_target_dir


def manifest_path(target: str) -> Path:
    """Where dbt_build's `--target-path` puts the target's manifest."""
    return dbt_target_dir(target) / "manifest.json"


def load_manifest(target: str) -> dict[str, Any]:
    path = manifest_path(target)
    if _stale(path) or _other_vars(target):
        from .dbt_build import dbt_invoke

        dbt_invoke(["parse", "--quiet"], target)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LifecycleError(f"cannot read dbt's manifest {path}: {exc}") from None


def _other_vars(target: str) -> bool:
    from .dbt_build import dbt_vars, vars_path

    try:
        return json.loads(vars_path(target).read_text()) != dbt_vars()
    except (OSError, ValueError):
        return bool(dbt_vars())


def _stale(path: Path) -> bool:
    if not path.is_file():
        return True
    written = path.stat().st_mtime
    sources = [PROJECT_DIR / "dbt_project.yml", *(PROJECT_DIR / "models").rglob("*")]
    return any(source.is_file() and source.stat().st_mtime > written for source in sources)
