"""Salesforce adapters (models/adapters/salesforce/, docs/design/connectors.md §1.2): their dbt unit tests, and the
synced way in: Fivetran's Salesforce sample tables read in place from a schema `salesforce`, built with everything
downstream, on DuckDB and on PostgreSQL (contract files for what Salesforce does not provide come from xs exports).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR
from lifecycle.dbt_build import dbt_invoke
from lifecycle.targets import duckdb_files, pg_connect

from conftest import connect_build

SOURCES = PROJECT_DIR / "models" / "adapters" / "salesforce" / "_salesforce__sources.yml"
# Fivetran's integration-test seeds (real headers, hashed values); the naming rule sf_<table>_data.csv lives here only
SAMPLES = Path(os.environ.get("LIFECYCLE_REFERENCE_DATA", PROJECT_DIR.parent / "shared" / "reference-data")) \
    / "fivetran_salesforce"
SWITCHED_OFF = "event"  # a table the samples lack, switched off by its var instead of created empty
BATCH_COLUMNS = "_batch_id bigint, _loaded_at timestamp, _file_name varchar, _line_number bigint"
PG_TYPES = {"BOOLEAN": "boolean", "TIMESTAMP": "timestamp", "DATE": "date", "BIGINT": "bigint", "INTEGER": "bigint",
            "DOUBLE": "double precision"}


def declared_tables() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, declared type)]} of the Salesforce source."""
    source = yaml.safe_load(SOURCES.read_text())["sources"][0]
    return {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in source["tables"]}


def samples() -> dict[str, Path]:
    if not SAMPLES.is_dir():
        pytest.fail(f"Fivetran Salesforce samples not found at {SAMPLES} (set LIFECYCLE_REFERENCE_DATA)")
    return {p.name.removeprefix("sf_").removesuffix("_data.csv"): p for p in sorted(SAMPLES.glob("sf_*_data.csv"))}


def synced_vars(schema: str, database: str | None) -> str:
    found = samples()
    return yaml.safe_dump({
        "lifecycle__using_salesforce": True, "salesforce_schema": schema,
        **({"salesforce_database": database} if database else {}),
        f"salesforce__{SWITCHED_OFF}_enabled": False,
        # override columns (lifecycle__salesforce_columns) reach the adapter; one a table lacks reads as null
        "lifecycle__salesforce_columns": {"opportunity": {"loss_reason": "loss_reason_c"}},
        "lifecycle__salesforce_contact_stage_field": "Lifecycle_Stage__c",
    }, default_flow_style=True) if found else ""


def sample_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Per declared table: a select of its sample file as typed by DuckDB, else an empty select of its declared
    columns (not for the table switched off)."""
    found = samples()
    selects = {}
    for table, columns in declared_tables().items():
        if table in found:
            selects[table] = f"select * from read_csv('{found[table]}', header = true)"
        elif table != SWITCHED_OFF:
            selects[table] = "select " + ", ".join(
                f"cast(null as {'varchar' if typ.startswith('varchar') else typ}) as {name}"
                for name, typ in columns) + " where false"
    return selects


def load_xs(exports: Path, target: str) -> None:
    result = CliRunner().invoke(app, ["load", "--exports", str(exports), "--target", target])
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)


def build_synced(target: str, schema: str, database: str | None) -> None:
    results = dbt_invoke(["build", "--exclude", "test_type:unit", "--vars", synced_vars(schema, database)], target)
    built = {r.node.name for r in results if r.node.resource_type == "model"}
    assert {"adp_salesforce__crm_accounts", "adp_salesforce__crm_leads", "adp_salesforce__crm_opportunities",
            "adp_salesforce__crm_stage_history", "adp_salesforce__crm_sales_activities",
            "stg_crm__opportunities", "dim_persons"} <= built


def test_salesforce_unit_tests(duckdb_target):
    """The adapters' dbt unit tests, in the loaded way in: raw_salesforce tables with the declared columns and the
    batch columns (dbt takes a fixture's columns from its relation)."""
    raw, _ = duckdb_files(Path(duckdb_target["path"]))
    with duckdb.connect(str(raw)) as con:
        con.execute("create schema if not exists raw_salesforce")
        for table, columns in declared_tables().items():
            cols = ", ".join(f"{name} {typ}" for name, typ in columns)
            con.execute(f"create table if not exists raw_salesforce.{table} ({cols}, {BATCH_COLUMNS})")
    results = dbt_invoke(["test", "--select", "test_type:unit,path:models/adapters/salesforce",
                          "--vars", "{lifecycle__using_salesforce: true}"], "duckdb")
    declared = yaml.safe_load((SOURCES.parent / "_salesforce__models.yml").read_text())["unit_tests"]
    assert len(results) == len(declared)
    assert {str(r.status) for r in results} == {"pass"}


def test_synced_samples_build_on_duckdb(xs_exports, duckdb_target):
    load_xs(xs_exports, "duckdb")
    raw, _ = duckdb_files(Path(duckdb_target["path"]))
    with duckdb.connect(str(raw)) as con:
        con.execute("create schema salesforce")
        for table, select in sample_tables(con).items():
            con.execute(f'create table salesforce."{table}" as {select}')
        # a custom field named by lifecycle__salesforce_columns (undeclared: only the var brings it in)
        con.execute("alter table salesforce.opportunity add column loss_reason_c varchar")
        lost = con.execute("update salesforce.opportunity set loss_reason_c = 'Price' "
                           "where id = (select min(id) from salesforce.opportunity) returning id").fetchone()[0]
    build_synced("duckdb", "salesforce", "lifecycle_raw")
    with connect_build(Path(duckdb_target["path"])) as con:
        reasons = dict(con.execute("select opportunity_id, loss_reason "
                                   "from staging.adp_salesforce__crm_opportunities").fetchall())
    assert reasons.pop(lost) == "Price"
    assert reasons and set(reasons.values()) == {None}


def test_synced_samples_build_on_postgres(xs_exports, postgres_target):
    load_xs(xs_exports, "postgres")
    with duckdb.connect() as con, pg_connect(postgres_target, autocommit=True) as pg:
        pg.execute("drop schema if exists salesforce cascade")
        pg.execute("create schema salesforce")
        for table, select in sample_tables(con).items():
            described = con.execute(f"describe {select}").fetchall()
            columns = ", ".join(f'"{name}" {PG_TYPES.get(typ, typ if typ.startswith("DECIMAL") else "text")}' for name, typ, *_ in described)
            pg.execute(f'create table salesforce."{table}" ({columns})')
            with pg.cursor().copy(f'copy salesforce."{table}" from stdin') as copy:
                for row in con.execute(select).fetchall():
                    copy.write_row(row)
    build_synced("postgres", "salesforce", None)
