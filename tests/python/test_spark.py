"""`lifecycle run --exports DIR --target spark` (issue 12): the whole job on local Spark, and its published marts
equal DuckDB's.

One generated world (seed 7) per scale: `lifecycle run` on DuckDB and on Spark (load, dbt build with its data
tests, validate, publish, report; in this process, as the CLI runs them), then every published mart is compared
row by row (numbers to 6 decimal places). On Spark, a build that fails (dbt stood in for by one that first checks
that the published incremental tables were copied into the new version, writes a wrong mart there, then fails)
must leave the published marts as they were, and `lifecycle export --target spark` must write Parquet files
holding the same rows. Then a second `lifecycle run --target spark` of the same folder on the same warehouse
(every incremental row moves to the new batch's partition) must pass and publish the same marts (batch columns
one batch later). xs runs in `make test`; s is marked `slow` (pytest -m slow). Marked `spark` (`pytest -m spark`
runs the Spark modules alone; needs Java 17).
"""

from __future__ import annotations

import math
import os
import shutil
import time
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle import cli
from lifecycle.cli import app
from lifecycle.errors import LifecycleError
from lifecycle.publish import SCHEMA_SUFFIX_ENV, spark_versions
from lifecycle.targets import spark_session, target_settings

from conftest import warehouse_made_by

pytestmark = pytest.mark.spark

pytest.importorskip("pyspark")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("target spark needs Java (17)", allow_module_level=True)

PLACES = 6
SEED = 7


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


def compare(duck: dict[str, tuple[list[str], list[tuple]]], other: dict[str, tuple[list[str], list[tuple]]],
            what: str) -> list[str]:
    """What differs between DuckDB's marts and `other` ({mart: (columns, rows)}), one entry per mart."""
    if set(other) != set(duck):
        return [f"{what}: marts {sorted(set(duck) ^ set(other))} on one side only"]
    problems = []
    for mart, (columns, rows) in sorted(duck.items()):
        other_columns, other_rows = other[mart]
        if sorted(other_columns) != sorted(columns):
            problems.append(f"{what} {mart}: columns {sorted(set(columns) ^ set(other_columns))} on one side only")
            continue
        order = [other_columns.index(c) for c in columns]
        problem = differences(mart, columns, rows, [tuple(row[i] for i in order) for row in other_rows])
        if problem:
            problems.append(f"{what} {problem}")
    return problems


def duckdb_marts(published: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    with duckdb.connect(str(published), read_only=True) as con:
        marts = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
        found = {}
        for mart in marts:
            cursor = con.execute(f'select * from marts."{mart}"')
            found[mart] = ([d[0] for d in cursor.description], cursor.fetchall())
    return found


def spark_marts(spark) -> dict[str, tuple[list[str], list[tuple]]]:
    """The published marts (the live views) as this process's Spark session reads them; timestamps as UTC
    wall-clock time (timestamp_ntz), as DuckDB's marts hold them."""
    found = {}
    for table in spark.catalog.listTables("marts"):
        frame = spark.table(f"marts.`{table.name}`")
        frame = frame.selectExpr(*(f"cast(`{f.name}` as timestamp_ntz) as `{f.name}`"
                                   if f.dataType.typeName() == "timestamp" else f"`{f.name}`"
                                   for f in frame.schema.fields))
        found[table.name] = (list(frame.columns), [tuple(row) for row in frame.collect()])
    return found


def parquet_marts(folder: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    found = {}
    with duckdb.connect() as con:
        for path in sorted(folder.glob("*.parquet")):
            cursor = con.execute(f"select * from read_parquet('{path}')")
            found[path.stem] = ([d[0] for d in cursor.description], cursor.fetchall())
    return found


def batch_later(marts: dict[str, tuple[list[str], list[tuple]]]) -> dict[str, tuple[list[str], list[tuple]]]:
    """`marts` as loading the same exports once more makes them: every row's batch column (source_batch_id)
    names the next batch."""
    later = {}
    for mart, (columns, rows) in marts.items():
        at = columns.index("source_batch_id") if "source_batch_id" in columns else None
        later[mart] = (columns, rows if at is None else
                       [row[:at] + (None if row[at] is None else row[at] + 1,) + row[at + 1:] for row in rows])
    return later


def failing_build(seen: dict):
    """A stand-in for dbt_build: checks the new version's copies of the published incremental tables, writes a
    wrong mart into the new version, then fails as a failing data test would."""
    def build(target: str, **_: object) -> None:
        suffix = os.environ[SCHEMA_SUFFIX_ENV]
        with spark_session(target_settings(target)) as spark:
            for schema in ("staging", "intermediate", "marts"):
                if not spark.catalog.databaseExists(schema + suffix):
                    continue
                for table in spark.catalog.listTables(schema + suffix):
                    copied = spark.sql(f"select count(*) from {schema}{suffix}.{table.name}").first()[0]
                    live = spark.sql(f"select count(*) from {schema}.{table.name}").first()[0]
                    seen[f"{schema}.{table.name}"] = (copied, live)
            spark.sql(f"create schema if not exists marts{suffix}")
            spark.sql(f"create table marts{suffix}.dim_persons using parquet as select 1 as person_id")
        raise LifecycleError("dbt build failed on target spark: a data test failed (stand-in)")
    return build


@pytest.fixture(scope="module", params=["xs", pytest.param("s", marks=pytest.mark.slow)])
def world(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lifecycle.generate import generate

    folder = tmp_path_factory.mktemp(f"exports_{request.param}")
    generate(request.param, SEED, folder)
    return folder


def test_run_on_spark_publishes_the_marts_of_duckdb(world: Path, tmp_path_factory, monkeypatch, capsys):
    runner, timings = CliRunner(), {}
    began = time.monotonic()
    published, result = warehouse_made_by(tmp_path_factory, "duckdb", "run", "--exports", str(world),
                                          "--target", "duckdb")
    assert result.exit_code == 0, result.output[-4000:] + repr(result.exception)
    duck = duckdb_marts(published)
    assert len(duck) > 20, sorted(duck)
    timings["duckdb run"] = time.monotonic() - began

    warehouse = tmp_path_factory.mktemp("spark")
    monkeypatch.setenv("LIFECYCLE_SPARK_WAREHOUSE", str(warehouse))
    began = time.monotonic()
    result = runner.invoke(app, ["run", "--exports", str(world), "--target", "spark"])
    assert result.exit_code == 0, result.output[-6000:] + repr(result.exception)
    assert "run complete on target spark" in result.output, result.output[-3000:]
    timings["spark run"] = time.monotonic() - began

    with spark_session(target_settings("spark")) as spark:  # (one session for the commands below)
        # a failed build leaves the published marts (and their version) as they were
        began = time.monotonic()
        seen: dict[str, tuple[int, int]] = {}
        with monkeypatch.context() as patch:
            patch.setattr(cli, "dbt_build", failing_build(seen))
            failed = runner.invoke(app, ["build", "--target", "spark"])
        assert failed.exit_code == 1, failed.output[-3000:] + repr(failed.exception)
        assert "published warehouse unchanged" in failed.output, failed.output[-3000:]
        assert seen and all(copied == live > 0 for copied, live in seen.values()), seen  # incremental copies
        timings["failed build"] = time.monotonic() - began

        began = time.monotonic()
        assert spark_versions(spark) == (1, 1)
        problems = compare(duck, spark_marts(spark), "published")
        timings["compare"] = time.monotonic() - began
        assert not problems, "DuckDB and Spark marts differ:\n" + "\n".join(problems)

        began = time.monotonic()
        out = tmp_path_factory.mktemp("export")
        result = runner.invoke(app, ["export", "--out", str(out), "--target", "spark"])
        assert result.exit_code == 0, result.output[-3000:] + repr(result.exception)
    assert (out / "views.sql").read_text().count("create or replace view") == len(duck)
    problems = compare(duck, parquet_marts(out), "exported")
    timings["export"] = time.monotonic() - began
    assert not problems, "DuckDB's marts and Spark's export differ:\n" + "\n".join(problems)

    # the same folder again on the same warehouse (a second batch holding every row again): the incremental
    # models replace every row of batch 1 by its batch 2 version (on Spark, partitions emptied by the
    # re-load must go); the marts are the same but for the batch columns
    began = time.monotonic()
    result = runner.invoke(app, ["run", "--exports", str(world), "--target", "spark"])
    assert result.exit_code == 0, result.output[-6000:] + repr(result.exception)
    assert "run complete on target spark" in result.output, result.output[-3000:]
    with spark_session(target_settings("spark")) as spark:
        published, publishing = spark_versions(spark)
        assert published == publishing and published > 1, (published, publishing)
        problems = compare(batch_later(duck), spark_marts(spark), "published after a second run")
    timings["second spark run"] = time.monotonic() - began
    assert not problems, "DuckDB's marts and Spark's after a second run differ:\n" + "\n".join(problems)
    with capsys.disabled():
        print("\ntest_spark steps (s):", {step: round(seconds) for step, seconds in timings.items()})


def test_differences_name_rows_beyond_the_sixth_place():
    assert differences("m", ["a"], [(Decimal("1.0000001"),)], [(1.0,)]) is None
    assert differences("m", ["a"], [(Decimal("1.00001"),)], [(1.0,)]) is not None
    assert differences("m", ["a", "b"], [(1, None)], [(1.0, float("nan"))]) is None
