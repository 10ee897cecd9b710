"""The dbt project this package works on: where it is, and its variables (dbt_project.yml `vars:`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import LifecycleError

# scripts/lifecycle/project.py -> the repository root, where dbt_project.yml is
PROJECT_DIR = Path(__file__).resolve().parents[2]


@lru_cache(maxsize=None)
def project_vars(project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The defaults of the project variables, as dbt_project.yml declares them."""
    return yaml.safe_load((project_dir / "dbt_project.yml").read_text()).get("vars") or {}


def project_var(name: str, default: Any = None) -> Any:
    """One project variable's default (`default` when the project does not declare it)."""
    return project_vars().get(name, default)


def connector_vars(connectors, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The vars dbt gets: `lifecycle__using_<connector>: true` for each of `connectors` (the connectors
    loaded so far), then `overrides` (the user's --vars), whose keys win."""
    return {**{f"lifecycle__using_{c}": True for c in sorted(connectors)}, **(overrides or {})}


def providers(connectors, overrides: dict[str, Any] | None = None) -> dict[str, str]:
    """The provider of each contract file a connector can provide ('contract' or a connector), as
    macros/connectors.sql `lifecycle_provider` decides it with the vars of `connector_vars` (the same
    rule, here for the loader and the CLI): var lifecycle__providers[file] if set, else the first enabled
    connector of lifecycle__connector_files[file], else 'contract'. Files listed nowhere are 'contract'."""
    found = {**project_vars(), **connector_vars(connectors, overrides)}

    def var(name: str) -> Any:
        return found.get(name) or {}

    chosen = {}
    for file in {*var("lifecycle__connector_files"), *var("lifecycle__connector_files_on_request"),
                 *var("lifecycle__providers")}:
        candidates = list(var("lifecycle__connector_files").get(file) or [])
        on_request = list(var("lifecycle__connector_files_on_request").get(file) or [])
        provider = var("lifecycle__providers").get(file)
        if provider is None:
            provider = next((c for c in candidates if found.get(f"lifecycle__using_{c}")), "contract")
        elif provider != "contract" and provider not in candidates + on_request:
            raise LifecycleError(f"var lifecycle__providers: {provider} cannot provide {file} (connectors that "
                                 f"can: {', '.join(candidates + on_request) or 'none'})")
        elif provider != "contract" and not found.get(f"lifecycle__using_{provider}"):
            raise LifecycleError(f"var lifecycle__providers names {provider} for {file} but var "
                                 f"lifecycle__using_{provider} is not true (no batch holds a {provider}/ folder)")
        chosen[file] = provider
    return dict(sorted(chosen.items()))
