"""`lifecycle validate`: a Great Expectations checkpoint over every public metric mart.

Reads each mart of `models/marts/lifecycle/` through the target into a DataFrame, builds its
suite (`lifecycle.expectations`) from what its YAML declares (columns, data types, grain: read from
dbt's manifest) and from facts read off the staging layer,
validates all of them in one checkpoint over a pandas datasource (one batch definition per
mart) and writes GE's HTML data docs. Great Expectations is imported only here, lazily: it
takes a few seconds to import.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any


from .datadocs import make_offline
from .errors import LifecycleError
from .expectations import MART_SPECS, Facts, Mart, MartSpec, build_suite
from .manifest import load_manifest
from .project import project_vars
from .targets import fetch, fetch_frame, tables_in

if TYPE_CHECKING:
    import pandas as pd
    from rich.table import Table

MARTS_DIR = "models/marts/lifecycle/"  # the public metric marts, relative to the project
DOCS_SITE = "lifecycle"

# (staging model, column, is_date): the event dates whose months make up the month spine. Mirrors the
# list in models/intermediate/int_months.sql on purpose: the spine is recomputed here from staging,
# so a mart built on a wrong int_months fails validation.
SPINE_EVENT_DATES: tuple[tuple[str, str, bool], ...] = (
    ("stg_crm__leads", "created_at", False),
    ("stg_crm__contacts", "created_at", False),
    ("stg_crm__stage_history", "entered_at", False),
    ("stg_map__email_events", "occurred_at", False),
    ("stg_map__web_activities", "occurred_at", False),
    ("stg_finance__marketing_spend", "spend_date", True),
    ("stg_crm__opportunities", "created_at", False),
    ("stg_crm__opportunities", "closed_at", False),
    ("stg_billing__subscriptions", "started_on", True),
    ("stg_survey__nps_responses", "responded_at", False),
)


@dataclass(frozen=True)
class Outcome:
    """One expectation's result on one mart."""

    mart: str
    expectation: str
    column: str
    success: bool
    observed: str
    rule: str

    def describe(self) -> str:
        where = f"{self.mart} (table)" if self.column == "(table)" else f"{self.mart}.{self.column}"
        return f"{where}: {self.expectation} ({self.rule}) - observed {self.observed}"


@dataclass
class ValidationResult:
    outcomes: list[Outcome]
    docs_index: Path
    seconds: float
    marts: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success]

    def message(self) -> str:
        if self.success:
            return f"{len(self.outcomes)} expectations on {_marts(self.marts)} passed"
        lines = [f"validation failed: {len(self.failures)} of {len(self.outcomes)} expectations on "
                 + _marts(self.marts)]
        lines += [f"  {o.describe()}" for o in self.failures]
        lines.append(f"data docs: {self.docs_index}")
        return "\n".join(lines)


def _marts(marts: list[str]) -> str:
    return f"{len(marts)} mart{'' if len(marts) == 1 else 's'}"


class ValidationFailed(LifecycleError):
    """Some expectation failed; `result` holds every outcome."""

    def __init__(self, result: ValidationResult) -> None:
        self.result = result
        super().__init__(result.message())


def default_docs_dir(settings: dict[str, Any]) -> Path:
    """`data_docs/` next to the DuckDB file; `warehouse/data_docs/` for other targets."""
    if settings["type"] == "duckdb" and settings.get("path") not in (None, ":memory:"):
        return Path(settings["path"]).resolve().parent / "data_docs"
    return Path.cwd() / "warehouse" / "data_docs"


# ---------------------------------------------------------------------------------------------
# reading the target


def _reporting_timezone() -> str:
    return str(project_vars().get("reporting_timezone", "UTC"))


def _is_utc(tz: str) -> bool:
    return tz.upper() in ("UTC", "ETC/UTC", "Z")


def _month_sql(settings: dict[str, Any], column: str, tz: str) -> str:
    """Month (first day) of a UTC timestamp column in the reporting time zone, as SQL for the target."""
    if _is_utc(tz):
        local = column
    elif settings["type"] == "duckdb":
        local = f"timezone('{tz}', timezone('UTC', {column}))"
    else:
        local = f"(({column}) at time zone 'UTC') at time zone '{tz}'"
    return f"date_trunc('month', {local})"


def _month_of(value: Any, is_date: bool, tz: str) -> date:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and not is_date and not _is_utc(tz):
        from zoneinfo import ZoneInfo

        if value.tzinfo is None:  # staging timestamps are UTC without a time zone
            value = value.replace(tzinfo=timezone.utc)
        value = value.astimezone(ZoneInfo(tz))
    return date(value.year, value.month, 1)


def _spine(settings: dict[str, Any], tz: str) -> tuple[str, ...]:
    """Every month (ISO first day) from the first to the last staged event date: the month spine."""
    sql = " union all ".join(
        f"select cast(min({column}) as timestamp) as first_value, cast(max({column}) as timestamp) "
        f"as last_value, {int(is_date)} as is_date from {schema(settings, 'staging')}.{model}"
        for model, column, is_date in SPINE_EVENT_DATES
    )
    firsts, lasts = [], []
    for first, last, is_date in fetch(settings, sql):
        if first is not None:
            firsts.append(_month_of(first, bool(is_date), tz))
            lasts.append(_month_of(last, bool(is_date), tz))
    if not firsts:
        return ()
    month, last = min(firsts), max(lasts)
    months = []
    while month <= last:
        months.append(month.isoformat())
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(months)


def schema(settings: dict[str, Any], name: str) -> str:
    """A schema's name on the target: a build in progress on PostgreSQL (publish.py) uses shadow schemas."""
    return name + settings.get("schema_suffix", "")


def _count(settings: dict[str, Any], sql: str) -> int:
    return int(fetch(settings, sql)[0][0] or 0)


def read_facts(settings: dict[str, Any]) -> Facts:
    """What the staging layer says about the marts' size and months."""
    tz = _reporting_timezone()
    bands = project_vars().get("score_bands", [0, 25, 50, 75, 100])
    month = _month_sql(settings, "occurred_at", tz)
    staging = schema(settings, "staging")
    return Facts(
        months=_spine(settings, tz),
        channels=_count(settings, f"select count(*) from (select channel from {staging}.channel_mapping "
                                  "union select 'other' as channel) as channels where channel is not null"),
        score_bands=max(len(bands) - 1, 0),
        email_send_groups=_count(
            settings, f"select count(*) from (select distinct campaign_id, email_id, {month} as send_month "
                      f"from {staging}.stg_map__email_events where email_send_id is not null) as send_groups"),
        campaigns=_count(
            settings, f"select count(*) from (select campaign_id from {staging}.stg_crm__campaigns "
                      f"union select campaign_id from {staging}.stg_finance__marketing_spend "
                      f"union select campaign_id from {staging}.stg_crm__opportunities) as ids "
                      "where campaign_id is not null"),
        content_asset_months=_count(
            settings, f"select count(*) from (select distinct asset_id, {month} as activity_month "
                      f"from {staging}.stg_map__web_activities) as asset_months"),
        score_reasons=_count(
            settings, f"select count(distinct coalesce(reason, 'unknown')) from {staging}.stg_map__score_changes"),
        nps_responses=_count(settings, f"select count(*) from {staging}.stg_survey__nps_responses"),
    )


def _kind(data_type: str) -> str:
    data_type = data_type.lower()
    if data_type == "date" or data_type.startswith("timestamp"):
        return "date"
    if data_type.split("(")[0].strip() in {
        "tinyint", "smallint", "integer", "int", "bigint", "hugeint", "utinyint", "usmallint", "uinteger",
        "ubigint", "uhugeint", "decimal", "numeric", "double", "double precision", "real", "float",
    }:
        return "numeric"
    return "other"


def read_marts(manifest: dict[str, Any]) -> tuple[Mart, ...]:
    """Every mart of MARTS_DIR (by name) as its YAML declares it, from dbt's manifest."""
    tests: dict[str, dict[str, list[str]]] = {}  # model id -> test name -> the tests' column expressions
    for node in manifest["nodes"].values():
        test = node.get("test_metadata") or {}
        if node["resource_type"] == "test" and node.get("attached_node") and "column_name" in test.get("kwargs", {}):
            tests.setdefault(node["attached_node"], {}).setdefault(test["name"], []).append(
                test["kwargs"]["column_name"])
    marts = []
    for node in sorted(manifest["nodes"].values(), key=lambda n: n["name"]):
        if node["resource_type"] != "model" or not node["original_file_path"].startswith(MARTS_DIR):
            continue
        name, columns = node["name"], node["columns"]
        untyped = [column for column, spec in columns.items() if not spec.get("data_type")]
        if untyped:
            raise LifecycleError(f"{name}: column(s) {', '.join(untyped)} declare no data_type in the YAML "
                                 "(validate takes each column's type from it)")
        model_tests = tests.get(node["unique_id"], {})
        keys = model_tests.get("unique", [])
        if len(keys) != 1:
            raise LifecycleError(f"{name}: {len(keys)} unique tests in the YAML; validate takes the grain from "
                                 "exactly one (a column's, or the model's over e.g. concat(a, '|', b))")
        grain = _columns_of(keys[0], columns)
        marts.append(Mart(name=name, columns={column: _kind(spec["data_type"]) for column, spec in columns.items()},
                          grain=grain, nullable=frozenset(set(grain) - set(model_tests.get("not_null", [])))))
    return tuple(marts)


def _columns_of(expression: str, columns: Sequence[str]) -> tuple[str, ...]:
    """The columns an SQL expression names, in order: `concat(coalesce(a, '_null_'), '|', b)` -> (a, b)."""
    words = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"'(?:[^']|'')*'", "", expression))
    return tuple(dict.fromkeys(word for word in words if word in columns))


def _check_built(settings: dict[str, Any], marts: Sequence[str]) -> None:
    """One line naming the marts the YAML declares but the target lacks (not built yet)."""
    built = tables_in(settings, schema(settings, "marts"))
    missing = [mart for mart in marts if mart not in built]
    if missing:
        raise LifecycleError(f"mart(s) {', '.join(missing)} not found in schema "
                             f"{schema(settings, 'marts')} on target {settings['name']}: "
                             "run `lifecycle build` first")


def read_mart(settings: dict[str, Any], mart: str, kinds: dict[str, str]) -> pd.DataFrame:
    """The mart as a DataFrame: numbers as float64, dates as ISO strings (the same on every target)."""
    import pandas as pd

    frame = fetch_frame(settings, f"select * from {schema(settings, 'marts')}.{mart}")
    for column, kind in kinds.items():
        if column not in frame:  # the suite's column set expectation names it
            continue
        if kind == "numeric":
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        elif kind == "date":
            frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    return frame


# ---------------------------------------------------------------------------------------------
# the checkpoint


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence import-time and deprecation noise of GE and its optional dependencies (pyspark). GE imports
    pyspark.sql.connect when it can; that module takes a main module without a file (`python -c`, pytest-xdist's
    workers) for its own doctests and ends the process: the main module gets a stand-in name meanwhile."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    main = sys.modules["__main__"]
    nameless = getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    if nameless:
        main.__file__ = "<lifecycle>"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        if nameless:
            del main.__file__


def _context(docs_dir: Path) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(docs_dir)},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                # the validation pages show every expectation: skip the separate suite pages (faster)
                "site_section_builders": {"expectations": "None", "profiling": "None"},
            }
        },
    )
    return gx.get_context(project_config=config, mode="ephemeral")


def _observed(result: Any) -> str:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return f"error: {info.get('exception_message')}"
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return f"error: {value.get('exception_message')}"
    details = result.result or {}
    mismatched = (details.get("details") or {}).get("mismatched")
    if isinstance(mismatched, dict):  # table columns vs the documented set
        return "; ".join(f"{kind}: {', '.join(map(str, names))}" for kind, names in mismatched.items() if names)
    if details.get("observed_value") is not None:
        return _short(details["observed_value"])
    if "unexpected_count" in details:  # column map expectations: missing_count there is the null count
        count = details["unexpected_count"] or 0
        sample = details.get("partial_unexpected_list") or []
        return f"{count} unexpected" + (f": {_short(sample)}" if count else "")
    if "missing_count" in details:  # contain-set expectations: expected values absent from the column
        missing = details.get("partial_missing_list") or []
        return f"{details['missing_count']} missing" + (f": {_short(missing)}" if missing else "")
    return ""


def _short(value: Any, limit: int = 60) -> str:
    if isinstance(value, (list, tuple)):
        head = ", ".join(str(v) for v in value[:3])
        text = f"[{head}{', ...' if len(value) > 3 else ''}]"
    elif isinstance(value, float):
        text = f"{value:g}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _column(kwargs: dict[str, Any]) -> str:
    if kwargs.get("column"):
        column = str(kwargs["column"])
    elif kwargs.get("column_list"):
        column = ", ".join(kwargs["column_list"])
    else:
        column = "(table)"
    condition = kwargs.get("row_condition")
    return f"{column} where {_condition(condition)}" if condition else column


def _condition(condition: Any) -> str:
    """A GE row condition (object or its dict form) as text: `mqls == 0 or marketing_cost is null`."""
    if hasattr(condition, "dict"):
        condition = condition.dict()
    if not isinstance(condition, dict):
        return str(condition)
    kind = condition.get("type")
    if kind in ("and", "or"):
        return f" {kind} ".join(_condition(c) for c in condition.get("conditions", []))
    column = (condition.get("column") or {}).get("name", "?")
    if kind == "nullity":
        return f"{column} is {'null' if condition.get('is_null') else 'not null'}"
    if kind == "comparison":
        return f"{column} {condition.get('operator')} {condition.get('parameter')!r}"
    return str(condition)


def run_checkpoint(
    frames: dict[str, pd.DataFrame], suites: dict[str, Any], docs_dir: Path,
    timings: dict[str, float] | None = None,
) -> list[Outcome]:
    """Validate each frame against its suite in one checkpoint; write the data docs to docs_dir.

    timings, when given, receives the seconds spent per phase (checkpoint, data docs).
    """
    timings = {} if timings is None else timings
    with _quiet():
        import great_expectations as gx

        started = time.monotonic()
        docs_dir.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(docs_dir / "validations", ignore_errors=True)  # results of earlier runs
        context = _context(docs_dir)
        datasource = context.data_sources.add_pandas("marts")
        definitions = []
        with tempfile.TemporaryDirectory(prefix="lifecycle-validate-") as tmp:
            for mart, frame in frames.items():
                path = Path(tmp) / f"{mart}.parquet"
                frame.to_parquet(path, index=False)
                batch = datasource.add_parquet_asset(mart, path=path).add_batch_definition_whole_dataframe(
                    "whole mart")
                suite = context.suites.add(suites[mart])
                definitions.append(context.validation_definitions.add(
                    gx.ValidationDefinition(name=mart, data=batch, suite=suite)))
            checkpoint = context.checkpoints.add(gx.Checkpoint(
                name="lifecycle_marts",
                validation_definitions=definitions,
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            ))
            result = checkpoint.run()
        timings["checkpoint"] = time.monotonic() - started
        # once for all results (an UpdateDataDocsAction would rebuild the site after each mart)
        started = time.monotonic()
        context.build_data_docs(site_names=[DOCS_SITE])
        make_offline(docs_dir)  # GE's pages load their styles and scripts from CDNs
        timings["data docs"] = time.monotonic() - started
    outcomes = []
    for suite_result in result.run_results.values():
        for item in suite_result.results:
            config = item.expectation_config
            outcomes.append(Outcome(
                mart=suite_result.suite_name,
                expectation=config.type,
                column=_column(config.kwargs),
                success=bool(item.success),
                observed=_observed(item),
                rule=str((config.meta or {}).get("rule", "")),
            ))
    return outcomes


def validate_marts(
    settings: dict[str, Any], docs_dir: Path | None = None, marts: Sequence[str] | None = None,
    on_step: Callable[[int, int, str], None] | None = None,
) -> ValidationResult:
    """Run the checkpoint over every public metric mart on the target (or only `marts`); `on_step(done,
    total, note)` hears of each step (reading each mart, importing Great Expectations, the checkpoint).

    Returns the result when every expectation passes; raises ValidationFailed (a LifecycleError
    naming each failing mart, column and expectation; `.result` holds all outcomes) otherwise.
    """
    started = time.monotonic()
    timings: dict[str, float] = {}
    known = read_marts(load_manifest(settings["name"]))
    unknown = sorted(set(marts or ()) - {mart.name for mart in known})
    if unknown:
        raise LifecycleError(f"unknown mart(s) {', '.join(unknown)}; choose from "
                             f"{', '.join(mart.name for mart in known)}")
    chosen = [mart for mart in known if not marts or mart.name in marts]
    docs_dir = (docs_dir or default_docs_dir(settings)).resolve()
    _check_built(settings, [mart.name for mart in chosen])
    facts = read_facts(settings)
    steps = len(chosen) + 2
    step = on_step or (lambda done, total, note: None)
    frames: dict[str, pd.DataFrame] = {}
    for done, mart in enumerate(chosen):
        step(done, steps, f"reading {mart.name}")
        frames[mart.name] = read_mart(settings, mart.name, mart.columns)
    step(len(chosen), steps, "importing Great Expectations")
    timings["read"] = time.monotonic() - started
    with _quiet():
        mark = time.monotonic()
        import great_expectations  # noqa: F401  (timed on its own: a few seconds, once per process)

        timings["import"] = time.monotonic() - mark
        suites = {mart.name: build_suite(mart, MART_SPECS.get(mart.name, MartSpec()), facts) for mart in chosen}
    step(len(chosen) + 1, steps, "running the checkpoint")
    outcomes = run_checkpoint(frames, suites, docs_dir, timings)
    step(steps, steps, "")
    result = ValidationResult(outcomes=outcomes, docs_index=docs_dir / "index.html",
                              seconds=time.monotonic() - started, marts=[mart.name for mart in chosen],
                              timings=timings)
    if not result.success:
        raise ValidationFailed(result)
    return result


def results_table(result: ValidationResult, failures_only: bool = False) -> Table:
    from rich.table import Table

    table = Table(title=f"Great Expectations checkpoint: {len(result.outcomes)} expectations on "
                        f"{_marts(result.marts)} ({result.seconds:.1f} s)", title_justify="left")
    for name in ("mart", "expectation", "column", "status", "observed"):
        table.add_column(name, overflow="fold", no_wrap=name == "status")
    previous = None
    for outcome in result.outcomes:
        if failures_only and outcome.success:
            continue
        status = "[green]pass[/]" if outcome.success else "[bold red]FAIL[/]"
        table.add_row(outcome.mart if outcome.mart != previous else "", outcome.expectation,
                      outcome.column, status, outcome.observed)
        previous = outcome.mart
    return table
