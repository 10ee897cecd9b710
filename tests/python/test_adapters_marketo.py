"""The Marketo adapters (models/adapters/marketo, docs/design/connectors.md §1.4): their dbt unit tests, and the
synced way in on DuckDB and PostgreSQL: Fivetran's Marketo sample tables, read in place from a schema `marketo`,
build with everything downstream (the contract files Marketo does not provide come from the xs exports).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR
from lifecycle.dbt_build import dbt_invoke
from lifecycle.targets import duckdb_files

from conftest import connect_build

SOURCES = PROJECT_DIR / "models" / "adapters" / "marketo" / "_marketo__sources.yml"
# Fivetran's seeds for its dbt_marketo integration tests, named `marketo_<table>_data.csv` (a rule of this test only)
SAMPLES = PROJECT_DIR.parent / "shared" / "reference-data" / "fivetran_marketo"
PROVIDED = ("map_email_events", "map_score_changes")  # contract files Marketo provides: not loaded from xs
BATCH_COLUMNS = [("_batch_id", "bigint"), ("_loaded_at", "timestamp"), ("_file_name", "varchar"),
                 ("_line_number", "bigint")]
# tables the samples lack: switched off by their var (Fivetran's name), or else created empty
SWITCHED_OFF = {"activity_delete_lead": "marketo__activity_delete_lead_enabled"}
SYNCED_VARS = {
    "lifecycle__using_marketo": True,
    "marketo_schema": "marketo",
    # Fivetran's package reads campaign and program only when asked; the samples have them
    "marketo__enable_campaigns": True,
    "marketo__enable_programs": True,
    **{var: False for var in SWITCHED_OFF.values()},
}
# the staging unit tests give the contract tables as fixtures: they only run without a connector (test_pipeline)
BUILD = ["build", "--exclude-resource-type", "unit_test"]
DUCKDB_TYPES = {"BIGINT": "bigint", "INTEGER": "bigint", "DOUBLE": "double precision", "BOOLEAN": "boolean",
                "TIMESTAMP": "timestamp", "DATE": "date", "VARCHAR": "text"}


def declared_tables() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, declared type)]} of the Marketo source."""
    source = yaml.safe_load(SOURCES.read_text())["sources"][0]
    return {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in source["tables"]}


def ddl(schema: str, table: str, columns: list[tuple[str, str]]) -> str:
    return f"create table {schema}.{table} ({', '.join(f'{name} {kind}' for name, kind in columns)})"


def sample_tables() -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """{table: ([(column, type)], rows)} of every sample file, typed as DuckDB detects them (a synced table has
    typed columns: integer ids, booleans, timestamps). Fivetran stamps every table it syncs with
    _fivetran_synced (the batch of a synced row); the seeds omit it, so it is added."""
    if not SAMPLES.is_dir():
        pytest.skip(f"no Fivetran Marketo samples at {SAMPLES}")
    con = duckdb.connect()
    tables = {}
    for path in sorted(SAMPLES.glob("marketo_*_data.csv")):
        select = (f"select *, timestamp '2024-01-01 00:00:00' as _fivetran_synced "
                  f"from read_csv('{path}', header = true)")
        described = con.execute(f"describe {select}").fetchall()
        columns = [(name, DUCKDB_TYPES.get(kind, "text")) for name, kind, *_ in described]
        table = path.name.removeprefix("marketo_").removesuffix("_data.csv")
        tables[table] = (columns, con.execute(select).fetchall())
    return tables


def synced_tables(schema: str, execute, insert) -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """Create schema `schema` as Fivetran would sync it: the samples, the other declared tables empty."""
    samples = sample_tables()
    execute(f"create schema {schema}")
    for table, (columns, rows) in samples.items():
        execute(ddl(schema, table, columns))
        insert(f"insert into {schema}.{table} values ({', '.join(['%s'] * len(columns))})", rows)
    for table, columns in declared_tables().items():
        if table not in samples and table not in SWITCHED_OFF:
            execute(ddl(schema, table, columns))
    return samples


def load_contract_files(xs: Path, folder: Path, target: str) -> None:
    """Load the xs exports but for the files Marketo provides."""
    shutil.copytree(xs, folder, ignore=lambda _, names: [n for n in names if n.startswith(PROVIDED)])
    result = CliRunner().invoke(app, ["load", "--exports", str(folder), "--target", target])
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)


def vars_arg(variables: dict) -> list[str]:
    return ["--vars", yaml.safe_dump(variables, default_flow_style=True)]


def check_marketo_build(fetch, samples) -> None:
    """What the samples must give downstream (their values are hashed and sampled: shape, not metrics)."""
    def rows(table: str, column: str) -> list:
        columns, values = samples[table]
        index = [name for name, _ in columns].index(column)
        return [row[index] for row in values]

    skipped = sum(1 for result in rows("activity_send_email", "action_result") if result not in (None, "succeeded"))
    assert skipped > 0  # the sample has skipped sends: they are not contract events
    expected = {"sent": len(rows("activity_send_email", "id")) - skipped,
                "delivered": len(rows("activity_email_delivered", "id")),
                "open": len(rows("activity_open_email", "id")), "click": len(rows("activity_click_email", "id")),
                "bounce": len(rows("activity_email_bounced", "id")),
                "unsubscribe": len(rows("activity_unsubscribe_email", "id"))}
    assert dict(fetch("select event_type, count(*) from staging.stg_map__email_events group by 1")) == expected
    # a bounce names its address; clicks keep their links; every event has a batch and a campaign
    assert fetch("select count(*) from staging.stg_map__email_events where event_type = 'bounce' and email is null"
                 ) == [(0,)]
    assert fetch("select count(link_url) from staging.stg_map__email_events") == [
        (len([link for link in rows("activity_click_email", "link") if link]),)]
    assert fetch("select count(*) from staging.stg_map__email_events where _batch_id is null or campaign_id is null"
                 ) == [(0,)]
    assert fetch("select count(*) from staging.stg_map__score_changes") == [(0,)]
    assert fetch("select count(*) from staging.adp_marketo__lead_identities") == [(len(rows("lead", "id")),)]


def run_unit_tests(target: str) -> None:
    variables = {"lifecycle__using_marketo": True, "lifecycle__providers": {"crm_campaigns": "marketo"}}
    results = dbt_invoke(["build", "--select", "path:models/adapters/marketo", *vars_arg(variables)], target)
    unit_tests = [r for r in results if r.node.resource_type == "unit_test"]
    assert len(unit_tests) == 4, [r.node.name for r in unit_tests]


def test_marketo_unit_tests_on_duckdb(duckdb_target):
    """Every unit test of the Marketo adapters (on the tables `lifecycle load` creates in raw_marketo)."""
    with duckdb.connect(str(duckdb_files(Path(duckdb_target["path"]))[0])) as con:
        con.execute("create schema raw_marketo")
        for table, columns in declared_tables().items():
            con.execute(ddl("raw_marketo", table, columns + BATCH_COLUMNS))
    run_unit_tests("duckdb")


def test_marketo_unit_tests_on_postgres(postgres_target):
    """The same on PostgreSQL (its own split of merge_ids, regular expressions and greatest)."""
    import psycopg

    settings = postgres_target
    with psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                         dbname=settings["dbname"], autocommit=True) as conn:
        conn.execute("drop schema if exists raw_marketo cascade")
        conn.execute("create schema raw_marketo")
        for table, columns in declared_tables().items():
            conn.execute(ddl("raw_marketo", table, columns + BATCH_COLUMNS))
    run_unit_tests("postgres")


def test_synced_samples_build_on_duckdb(xs_exports, duckdb_target, tmp_path):
    load_contract_files(xs_exports, tmp_path / "exports", "duckdb")
    published = Path(duckdb_target["path"])
    with duckdb.connect(str(duckdb_files(published)[0])) as con:
        samples = synced_tables("marketo", con.execute,
                                lambda sql, rows: con.executemany(sql.replace("%s", "?"), rows))
    dbt_invoke([*BUILD, *vars_arg({**SYNCED_VARS, "marketo_database": "lifecycle_raw"})], "duckdb")

    def fetch(sql: str) -> list[tuple]:
        with connect_build(published) as con:
            return con.execute(sql).fetchall()

    check_marketo_build(fetch, samples)


def test_synced_samples_build_on_postgres(xs_exports, postgres_target, tmp_path):
    import psycopg

    settings = postgres_target
    load_contract_files(xs_exports, tmp_path / "exports", "postgres")

    def connect():
        return psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                               dbname=settings["dbname"], autocommit=True)

    with connect() as conn, conn.cursor() as cursor:
        conn.execute("drop schema if exists marketo cascade")
        samples = synced_tables("marketo", conn.execute, cursor.executemany)
    dbt_invoke([*BUILD, *vars_arg(SYNCED_VARS)], "postgres")

    def fetch(sql: str) -> list[tuple]:
        with connect() as conn:
            return conn.execute(sql).fetchall()

    check_marketo_build(fetch, samples)
