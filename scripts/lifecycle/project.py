"""The dbt project this package works on: where it is, and its variables (dbt_project.yml `vars:`)."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .errors import LifecycleError

# scripts/lifecycle/project.py -> the repository root, where dbt_project.yml is
PROJECT_DIR = Path(__file__).resolve().parents[2]
# where dbt writes each target's artifacts and logs, when not <repo>/target and <repo>/logs (the test suite's
# parallel workers each set their own, so that two dbt commands never write one manifest)
DBT_DIR_ENV = "LIFECYCLE_DBT_TARGET_DIR"


def dbt_target_dir(target: str) -> Path:
    """dbt's --target-path for `target` (manifest, run results, compiled SQL): `<repo>/target/<target>`,
    or `$LIFECYCLE_DBT_TARGET_DIR/<target>`."""
    return Path(os.environ.get(DBT_DIR_ENV) or PROJECT_DIR / "target") / target


def dbt_log_dir() -> Path:
    """dbt's --log-path: `<repo>/logs`, or `$LIFECYCLE_DBT_TARGET_DIR/logs`."""
    configured = os.environ.get(DBT_DIR_ENV)
    return Path(configured) / "logs" if configured else PROJECT_DIR / "logs"


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


def passthrough_fields(overrides: dict[str, Any] | None = None) -> dict[tuple[str, str], tuple[str, ...]]:
    """(provider, table) -> the fields its passthrough var names (macros/passthrough.sql: var
    lifecycle__passthrough_vars names the var of each CRM file's providers; the contract's var is keyed by
    file), lower-cased, for the loader to load as text columns. Entries: a name or {name, alias, ...}."""
    found = {**project_vars(), **(overrides or {})}
    fields: dict[tuple[str, str], tuple[str, ...]] = {}
    for file, declarations in (found.get("lifecycle__passthrough_vars") or {}).items():
        for provider, declaration in declarations.items():
            entries = found.get(declaration["var"]) or ([] if provider != "contract" else {})
            if provider == "contract":
                entries = entries.get(file) or []
            where = f"var {declaration['var']}" + (f" ({file})" if provider == "contract" else "")
            if not isinstance(entries, list):
                raise LifecycleError(f"{where}: expected a list of column names or {{name: ..., alias: ...}}")
            names = []
            for entry in entries:
                name = str(entry.get("name") if isinstance(entry, dict) else entry or "").lower()
                if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                    raise LifecycleError(f"{where}: {name or 'an entry without name'!r} is not a column name "
                                         "(letters, digits and _)")
                names.append(name)
            key = (provider, declaration["table"])
            fields[key] = tuple(dict.fromkeys((*fields.get(key, ()), *names)))
    return fields
