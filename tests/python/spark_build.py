"""Build the project on the `spark` target in one process (one JVM), for test_spark.py.

    python spark_build.py OUT_DIR

The raw tables are those `lifecycle load --target spark` wrote to the warehouse folder
LIFECYCLE_SPARK_WAREHOUSE. In one session made as the command makes it (targets.spark_session; dbt-spark's
session mode reuses it), `dbt seed` and `dbt build` (models, data tests, unit tests) run, and every relation in
the `marts` schema is written to OUT_DIR/<mart>.parquet (timestamps as UTC wall-clock time, without time zone),
with OUT_DIR/timings.json (seconds per step).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


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


def main(out: Path) -> None:
    from lifecycle.targets import spark_session, target_settings, use_spark_warehouse

    use_spark_warehouse()
    timings = {}
    start = time.monotonic()
    with spark_session(target_settings("spark")) as spark:
        timings["session"] = time.monotonic() - start
        for step, run in (("seed", lambda: dbt("seed")), ("build", lambda: dbt("build")),
                          ("export", lambda: write_marts(spark, out))):
            began = time.monotonic()
            run()
            timings[step] = time.monotonic() - began
    (out / "timings.json").write_text(json.dumps(timings))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
