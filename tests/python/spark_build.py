"""Build the project on the `spark` target in one process (one JVM), for test_spark.py.

    python spark_build.py RAW_DIR OUT_DIR

RAW_DIR holds `<schema>/<table>.parquet` and `types.json` ({"schema.table": [[column, spark type], ...]}):
the raw tables, created as managed tables with those types in a Spark session with the profile's settings
(LIFECYCLE_SPARK_WAREHOUSE names the warehouse folder). Until `lifecycle load --target spark` exists this
stands in for it. Then `dbt seed` and `dbt build` (models, data tests, unit tests) run in the same session,
and every relation in the `marts` schema is written to OUT_DIR/<mart>.parquet (timestamps as UTC wall-clock
time, without time zone), with OUT_DIR/timings.json (seconds per step).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def session():
    from pyspark.sql import SparkSession

    from lifecycle.targets import target_settings

    builder = SparkSession.builder.enableHiveSupport()
    for name, value in target_settings("spark")["server_side_parameters"].items():
        builder = builder.config(name, str(value))
    return builder.config("spark.sql.ansi.enabled", "false").getOrCreate()  # as dbt-spark sets it


def create_raw(spark, raw: Path) -> None:
    types = json.loads((raw / "types.json").read_text())
    for name, columns in types.items():
        schema, table = name.split(".")
        spark.sql(f"create database if not exists {schema}")
        spark.read.parquet(str(raw / schema / f"{table}.parquet")).createOrReplaceTempView("raw_file")
        select = ", ".join(f"cast(`{column}` as {kind}) as `{column}`" for column, kind in columns)
        spark.sql(f"drop table if exists {schema}.{table}")
        spark.sql(f"create table {schema}.{table} using parquet as select {select} from raw_file")


def dbt(*args: str) -> None:
    from dbt.cli.main import dbtRunner

    from lifecycle.project import PROJECT_DIR
    from lifecycle.targets import profiles_dir

    result = dbtRunner().invoke([
        *args, "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(profiles_dir()), "--target", "spark",
        "--target-path", str(PROJECT_DIR / "target" / "spark"), "--log-path", str(PROJECT_DIR / "logs"),
    ])
    if not result.success:
        raise SystemExit(f"dbt {args[0]} failed on Spark: {result.exception or 'see the log above'}")


def write_marts(spark, out: Path) -> None:
    for row in spark.sql("show tables in marts").collect():
        if row.isTemporary:
            continue
        frame = spark.table(f"marts.{row.tableName}")
        columns = [f"cast(`{f.name}` as timestamp_ntz) as `{f.name}`" if f.dataType.typeName() == "timestamp"
                   else f"`{f.name}`" for f in frame.schema.fields]
        frame.selectExpr(*columns).toPandas().to_parquet(out / f"{row.tableName}.parquet")


def main(raw: Path, out: Path) -> None:
    timings = {}
    start = time.monotonic()
    spark = session()
    timings["session"] = time.monotonic() - start
    for step, run in (("raw", lambda: create_raw(spark, raw)), ("seed", lambda: dbt("seed")),
                      ("build", lambda: dbt("build")), ("export", lambda: write_marts(spark, out))):
        began = time.monotonic()
        run()
        timings[step] = time.monotonic() - began
    (out / "timings.json").write_text(json.dumps(timings))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
