"""The dbt project this package works on: where it is, and its variables (dbt_project.yml `vars:`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# scripts/lifecycle/project.py -> the repository root, where dbt_project.yml is
PROJECT_DIR = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def project_vars(project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The defaults of the project variables, as dbt_project.yml declares them."""
    return yaml.safe_load((project_dir / "dbt_project.yml").read_text()).get("vars") or {}


def project_var(name: str, default: Any = None) -> Any:
    """One project variable's default (`default` when the project does not declare it)."""
    return project_vars().get(name, default)
