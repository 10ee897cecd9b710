"""The MetricFlow semantic layer (models/semantic/): `mf query` on DuckDB gives the marts' values.

One xs warehouse is built per module; `mf` (the dbt-metricflow CLI, run as a user runs it) reads the
semantic manifest that `dbt parse` writes to the project's target/ and queries the build file, which
the profile's duckdb target names.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lifecycle.contract import PROJECT_DIR
from lifecycle.generate import generate
from lifecycle.targets import profiles_dir

from conftest import connect_build, warehouse_made_by

BIN = Path(sys.executable).parent  # dbt and mf of the environment running the tests
HALF_A_MILLIONTH = Decimal("0.0000005")

# metric: (mart, column) that holds its value per month
MONTHLY = {
    "unique_visitors": ("capture_monthly", "unique_visitors"),
    "content_consumers": ("capture_monthly", "content_consumers"),
    "new_known_persons": ("capture_monthly", "new_known_persons"),
    "known_visitor_rate": ("capture_monthly", "known_visitor_rate"),
    "new_leads": ("nurture_monthly", "new_leads"),
    "mqls": ("nurture_monthly", "mqls"),
    "open_rate": ("nurture_monthly", "open_rate"),
    "click_rate": ("nurture_monthly", "click_rate"),
    "marketing_cost": ("nurture_monthly", "marketing_cost"),
    "cost_per_mql": ("nurture_monthly", "cost_per_mql"),
    "sqls": ("convert_monthly", "sqls"),
    "new_customers": ("convert_monthly", "new_customers"),
    "cost_per_sql": ("convert_monthly", "cost_per_sql"),
    "cost_per_new_customer": ("convert_monthly", "cost_per_new_customer"),
    "win_rate": ("convert_monthly", "win_rate"),
    "bookings": ("convert_monthly", "bookings"),
    "churn_rate": ("expand_monthly", "churn_rate"),
    "upsell_share": ("expand_monthly", "upsell_share"),
    "nps": ("expand_monthly", "nps"),
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An xs warehouse built by `lifecycle run`, and the semantic manifest `mf` reads."""
    exports = tmp_path_factory.mktemp("xs")
    generate("xs", 7, exports)
    path, result = warehouse_made_by(tmp_path_factory, "warehouse",
                                     "run", "--exports", str(exports), "--target", "duckdb")
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)
    run(path, [str(BIN / "dbt"), "parse", "--no-use-colors"])
    return path


def run(warehouse: Path, args: list[str]) -> str:
    """Run a command in the project folder against the duckdb target of `warehouse`; its output."""
    env = {**os.environ, "LIFECYCLE_DUCKDB_PATH": str(warehouse), "LIFECYCLE_TARGET": "duckdb",
           "DBT_PROFILES_DIR": str(profiles_dir()), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    done = subprocess.run(args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


def mf_query(warehouse: Path, tmp_path: Path, *args: str) -> list[dict]:
    """The rows of `mf query ARGS`, values as text ('' for null)."""
    out = tmp_path / "query.csv"
    run(warehouse, [str(BIN / "mf"), "query", *args, "--csv", str(out)])
    with out.open(newline="") as f:
        return list(csv.DictReader(f))


def month_of(text: str) -> date:
    return date.fromisoformat(text[:10])


def assert_equal_to_6_places(found: str, expected, where: str) -> None:
    """`mf`'s text value equals the mart's value: both null, or the mart's value is `mf`'s rounded
    to 6 decimal places (the marts' rates are numeric(28, 6); `mf` computes in double precision)."""
    if expected is None:
        assert found == "", where
    else:
        assert found != "", where
        difference = abs(Decimal(found) - Decimal(expected))
        assert difference <= HALF_A_MILLIONTH, f"{where}: mf {found}, mart {expected}"


def test_semantic_configs_validate_against_the_warehouse(warehouse: Path):
    output = run(warehouse, [str(BIN / "mf"), "validate-configs"])
    assert "ERRORS: 0" in output


def test_headline_metrics_by_month_equal_the_marts(warehouse: Path, tmp_path: Path):
    rows = mf_query(warehouse, tmp_path, "--metrics", ",".join(MONTHLY),
                    "--group-by", "metric_time__month")
    found = {month_of(row["metric_time__month"]): row for row in rows}
    with connect_build(warehouse) as con:
        for metric, (mart, column) in MONTHLY.items():
            expected = dict(con.execute(
                f"select report_month, {column} from marts.{mart}").fetchall())
            assert set(found) == set(expected), metric  # every month, quiet ones too
            assert sum(value is not None and value != 0 for value in expected.values()) >= 3, metric
            for month, value in expected.items():
                assert_equal_to_6_places(found[month][metric], value, f"{metric} {month}")


@pytest.mark.parametrize("metric, entity, mart, key", [
    ("campaign_roi", "campaign", "campaign_roi", "campaign_id"),
    ("channel_roi", "channel", "channel_performance", "channel"),
])
def test_roi_by_month_and_entity_equals_the_marts(warehouse: Path, tmp_path: Path,
                                                  metric: str, entity: str, mart: str, key: str):
    rows = mf_query(warehouse, tmp_path, "--metrics", metric,
                    "--group-by", f"metric_time__month,{entity}")
    found = {(row[entity], month_of(row["metric_time__month"])): row[metric] for row in rows}
    with connect_build(warehouse) as con:
        expected = {(k, m): v for k, m, v in con.execute(
            f"select {key}, report_month, {metric} from marts.{mart}").fetchall()}
    assert set(found) == set(expected)
    assert sum(value is not None for value in expected.values()) >= 3
    for where, value in expected.items():
        assert_equal_to_6_places(found[where], value, f"{metric} {where}")


def test_saved_query_gives_the_monthly_kpi_table(warehouse: Path, tmp_path: Path):
    rows = mf_query(warehouse, tmp_path, "--saved-query", "monthly_kpis")
    with connect_build(warehouse) as con:
        months = [m for (m,) in con.execute(
            "select report_month from marts.lifecycle_kpis_monthly order by 1").fetchall()]
    assert [month_of(row["metric_time__month"]) for row in rows] == months
    assert set(MONTHLY) <= set(rows[0])
