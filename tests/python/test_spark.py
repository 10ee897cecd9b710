"""The project builds and tests on Spark (dbt-spark, local session) and its marts equal DuckDB's.

Marked `spark` (in `make test`; `pytest -m spark` runs the Spark modules alone; needs Java 17). The generated `xs` exports are loaded into
DuckDB and built there (models only, as test_parity.py does); `lifecycle load --target spark` loads the same
folder into a Spark warehouse, then spark_build.py runs `dbt seed` and `dbt build` (models, data tests, unit
tests) on Spark in its own process, and every mart is compared row by row with DuckDB's (numbers to 6
decimal places).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR
from lifecycle.dbt_build import dbt_invoke
from lifecycle.targets import query, unpublished

pytestmark = pytest.mark.spark

PLACES = 6


def normal(value: object) -> object:
    """A value as both engines should agree on it: numbers rounded to PLACES (whole numbers as int),
    timestamps and dates as they are, missing values as None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        value = value.to_pydatetime()
    if isinstance(value, bool | str | date | datetime):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
        if isinstance(value, bool):
            return value
    if isinstance(value, int | float | Decimal):
        rounded = round(Decimal(str(value)), PLACES)
        return int(rounded) if rounded == rounded.to_integral_value() else rounded
    return value


def differences(mart: str, columns: list[str], duck_rows: list[tuple], spark_rows: list[tuple]) -> str | None:
    duck = Counter(tuple(normal(v) for v in row) for row in duck_rows)
    spark = Counter(tuple(normal(v) for v in row) for row in spark_rows)
    if duck == spark:
        return None
    only_duck, only_spark = list((duck - spark).elements()), list((spark - duck).elements())
    shown = "".join(f"\n    {side}: {dict(zip(columns, row, strict=True))}"
                    for side, rows in (("duckdb", only_duck), ("spark", only_spark)) for row in rows[:3])
    return (f"{mart}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark; {len(only_duck)} only on "
            f"DuckDB, {len(only_spark)} only on Spark" + shown)


@pytest.fixture(scope="module")
def spark_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spark")


def test_marts_agree_on_duckdb_and_spark(xs_exports, duckdb_target, spark_warehouse, tmp_path, monkeypatch):
    result = CliRunner().invoke(app, ["load", "--exports", str(xs_exports), "--target", "duckdb"])
    assert result.exit_code == 0, result.output[-4000:] + repr(result.exception)
    dbt_invoke(["build", "--exclude-resource-type", "test", "unit_test"], "duckdb")
    duck = unpublished(duckdb_target)

    monkeypatch.setenv("LIFECYCLE_SPARK_WAREHOUSE", str(spark_warehouse))
    result = CliRunner().invoke(app, ["load", "--exports", str(xs_exports), "--target", "spark"])
    assert result.exit_code == 0, result.output[-4000:] + repr(result.exception)
    out = tmp_path / "marts"
    out.mkdir()
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR / "scripts"), os.environ.get("PYTHONPATH", "")])}
    built = subprocess.run([sys.executable, str(Path(__file__).with_name("spark_build.py")), str(out)],
                           env=env, capture_output=True, text=True, timeout=3600)
    assert built.returncode == 0, (built.stdout[-6000:] + built.stderr[-4000:])
    print("Spark steps (s):", (out / "timings.json").read_text())

    duck_marts = {name for (name,) in query(duck, "select table_name from information_schema.tables "
                                                  "where table_schema = 'marts'")[1]}
    spark_marts = {path.stem for path in out.glob("*.parquet")}
    assert len(duck_marts) > 20, duck_marts
    assert spark_marts == duck_marts, (sorted(duck_marts - spark_marts), sorted(spark_marts - duck_marts))
    problems = []
    for mart in sorted(duck_marts):
        columns, duck_rows = query(duck, f"select * from marts.{mart}")
        with duckdb.connect() as con:
            cursor = con.execute(f"select * from read_parquet('{out / mart}.parquet')")
            spark_columns, spark_rows = [d[0] for d in cursor.description], cursor.fetchall()
        if sorted(spark_columns) != sorted(columns):
            problems.append(f"{mart}: columns {sorted(set(columns) ^ set(spark_columns))} on one side only")
            continue
        order = [spark_columns.index(c) for c in columns]
        problem = differences(mart, columns, duck_rows, [tuple(row[i] for i in order) for row in spark_rows])
        if problem:
            problems.append(problem)
    assert not problems, "DuckDB and Spark marts differ:\n" + "\n".join(problems)


def test_differences_name_rows_beyond_the_sixth_place():
    assert differences("m", ["a"], [(Decimal("1.0000001"),)], [(1.0,)]) is None
    assert differences("m", ["a"], [(Decimal("1.00001"),)], [(1.0,)]) is not None
    assert differences("m", ["a", "b"], [(1, None)], [(1.0, float("nan"))]) is None
