"""Connection settings of a dbt target, read from profiles/profiles.yml (the one place they live)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .contract import PROJECT_DIR
from .errors import LifecycleError

PROFILE_NAME = "lifecycle"


def profiles_dir() -> Path:
    return Path(os.environ.get("DBT_PROFILES_DIR", PROJECT_DIR / "profiles"))


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise LifecycleError(f"environment variable {name} is required by profiles.yml")
    return default


def target_settings(target: str | None = None) -> dict[str, Any]:
    """The rendered output of `target` (default: the profile's default target), with `name` added."""
    env = jinja2.Environment()
    env.filters["as_number"] = lambda v: int(v) if str(v).isdigit() else float(v)
    text = (profiles_dir() / "profiles.yml").read_text()
    rendered = env.from_string(text).render(env_var=_env_var)
    profile = yaml.safe_load(rendered)[PROFILE_NAME]
    name = target or profile["target"]
    if name not in profile["outputs"]:
        known = ", ".join(profile["outputs"])
        raise LifecycleError(f"unknown target {name!r}; profiles.yml defines {known}")
    settings = dict(profile["outputs"][name])
    settings["name"] = name
    if settings["type"] == "duckdb":
        path = Path(settings["path"])
        settings["path"] = str(path if path.is_absolute() else Path.cwd() / path)
    return settings
