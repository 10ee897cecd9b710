"""`lifecycle run` end to end on generated exports, on DuckDB and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.dbt_build import dbt_invoke

from conftest import connect_build

runner = CliRunner()
STAGING_MODELS = [
    "stg_crm__accounts", "stg_crm__leads", "stg_crm__contacts", "stg_crm__opportunities",
    "stg_crm__campaigns", "stg_crm__campaign_members", "stg_crm__stage_history",
    "stg_crm__sales_activities", "stg_map__email_events", "stg_map__web_activities",
    "stg_map__score_changes", "stg_finance__marketing_spend", "stg_finance__fx_rates",
    "stg_billing__subscriptions", "stg_survey__nps_responses",
]


def invoke(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)


def staging_snapshot(fetch) -> dict[str, list[tuple]]:
    """Every staging row without `_batch_id` (the incremental tables' watermark: a reload is a newer batch)."""
    snapshot = {}
    for m in STAGING_MODELS:
        columns = [c for c, in fetch("select column_name from information_schema.columns where table_schema = "
                                     f"'staging' and table_name = '{m}' and column_name <> '_batch_id' "
                                     "order by ordinal_position")]
        snapshot[m] = sorted(fetch(f"select {', '.join(columns)} from staging.{m}"), key=repr)
    return snapshot


def check_run_is_idempotent(target: str, exports: Path, fetch) -> None:
    invoke("run", "--exports", str(exports), "--target", target)
    first = staging_snapshot(fetch)
    assert all(first[m] for m in ("stg_crm__leads", "stg_crm__stage_history", "stg_map__email_events",
                                   "stg_finance__marketing_spend", "stg_billing__subscriptions"))
    # `run` leaves the unit tests out (they check the code, not the data): every one of them runs here
    unit_tests = dbt_invoke(["test", "--select", "test_type:unit"], target)
    assert len(unit_tests) >= 80
    invoke("run", "--exports", str(exports), "--target", target)
    assert staging_snapshot(fetch) == first


def test_run_on_duckdb_builds_and_reloading_changes_nothing(xs_exports, duckdb_target):
    def fetch(sql: str) -> list[tuple]:  # staging: in the build file (the published one holds the marts)
        with connect_build(Path(duckdb_target["path"])) as con:
            return con.execute(sql).fetchall()

    check_run_is_idempotent("duckdb", xs_exports, fetch)


def test_run_on_postgres_builds_and_reloading_changes_nothing(xs_exports, postgres_target):
    import psycopg

    def fetch(sql: str) -> list[tuple]:
        with psycopg.connect(host=postgres_target["host"], port=postgres_target["port"],
                             user=postgres_target["user"], dbname=postgres_target["dbname"]) as conn:
            return conn.execute(sql).fetchall()

    check_run_is_idempotent("postgres", xs_exports, fetch)


def test_postgres_load_quarantines_like_duckdb(exports, postgres_target):
    import psycopg

    with (exports / "marketing_spend.csv").open("a") as fh:
        fh.write("2024-02-01,Paid Search,CMP1,media,-5,USD,1,1\n")
    result = runner.invoke(app, ["load", "--exports", str(exports), "--target", "postgres"])
    assert result.exit_code == 0, result.output
    with psycopg.connect(host=postgres_target["host"], port=postgres_target["port"],
                         user=postgres_target["user"], dbname=postgres_target["dbname"]) as conn:
        assert conn.execute("select count(*) from raw.crm_leads").fetchone() == (2,)
        assert conn.execute(
            "select file_name, line_number, column_name, reason from raw.quarantine").fetchall() == [
            ("marketing_spend.csv", 4, "amount", "below the minimum 0")]
    (exports / "crm_leads.csv").unlink()
    result = runner.invoke(app, ["load", "--exports", str(exports), "--target", "postgres"])
    assert result.exit_code == 1 and "crm_leads.csv" in result.output
    with psycopg.connect(host=postgres_target["host"], port=postgres_target["port"],
                         user=postgres_target["user"], dbname=postgres_target["dbname"]) as conn:
        assert conn.execute("select count(*) from raw.load_batches").fetchone() == (1,)
