"""The HubSpot adapters (models/adapters/hubspot, docs/design/connectors.md §1.3): their dbt unit tests, and
the synced way in on DuckDB and PostgreSQL: Fivetran's HubSpot sample tables, read in place from a schema
`hubspot`, build with everything downstream (the contract files HubSpot does not provide come from xs exports).
"""

from __future__ import annotations

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

SOURCES = PROJECT_DIR / "models" / "adapters" / "hubspot" / "_hubspot__sources.yml"
# Fivetran's seeds for its dbt_hubspot integration tests, named `<table>_data.csv` (a rule of this test only)
SAMPLES = PROJECT_DIR.parent / "shared" / "reference-data" / "fivetran_hubspot"
BATCH_COLUMNS = {"_batch_id": "bigint", "_loaded_at": "timestamp", "_file_name": "varchar", "_line_number": "bigint"}
# tables the samples lack: switched off by their var (the Fivetran package's names), off by default (not created:
# an adapter must not touch them), or created empty
SWITCHED_OFF = {"contact_property_history": "hubspot_contact_property_history_enabled"}
OFF_BY_DEFAULT = {"merged_deal", "contact_merge_audit"}
SYNCED_VARS = {
    "lifecycle__using_hubspot": True,
    "hubspot_schema": "hubspot",
    # web activities from HubSpot form submissions are on request
    "lifecycle__providers": {"map_web_activities": "hubspot"},
    **{var: False for var in SWITCHED_OFF.values()},
}
# the staging unit tests give the contract tables as fixtures: they only run without a connector (test_pipeline)
BUILD = ["--exclude-resource-type", "unit_test"]
DUCKDB_TYPES = {"BIGINT": "bigint", "INTEGER": "bigint", "DOUBLE": "double precision", "BOOLEAN": "boolean",
                "TIMESTAMP": "timestamp", "DATE": "date", "VARCHAR": "text"}


def declared_tables() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, declared type)]} of the HubSpot source."""
    source = yaml.safe_load(SOURCES.read_text())["sources"][0]
    return {t["name"]: [(c["name"], c["data_type"]) for c in t.get("columns", [])] for t in source["tables"]}


def ddl(schema: str, table: str, columns: list[tuple[str, str]]) -> str:
    body = ", ".join(f'"{name}" {kind}' for name, kind in columns)
    return f"create table {schema}.{table} ({body})"


def sample_tables() -> dict[str, tuple[list[tuple[str, str]], list[tuple]]]:
    """{table: ([(column, type)], rows)} of every sample file, types as DuckDB detects them (a synced table
    has typed columns: integer ids, booleans, timestamps). Fivetran stamps every table it syncs with
    _fivetran_synced (connector_columns reads it for synced tables); the seeds of deal and form omit it, so it
    is added."""
    if not SAMPLES.is_dir():
        pytest.skip(f"no Fivetran HubSpot samples at {SAMPLES}")
    con = duckdb.connect()
    tables = {}
    for path in sorted(SAMPLES.glob("*_data.csv")):
        relation = f"read_csv('{path}', header = true)"
        described = con.execute(f"describe select * from {relation}").fetchall()
        columns = [(name, DUCKDB_TYPES.get(kind, "text")) for name, kind, *_ in described]
        select = f"select * from {relation}"
        if "_fivetran_synced" not in {name for name, _ in columns}:
            columns.append(("_fivetran_synced", "timestamp"))
            select = f"select *, timestamp '2024-01-01 00:00:00' as _fivetran_synced from {relation}"
        tables[path.name.removesuffix("_data.csv")] = (columns, con.execute(select).fetchall())
    return tables


def synced_statements(schema: str) -> list[tuple[str, list[tuple]]]:
    """(create table, rows to insert) for schema `schema`: the samples, the other declared tables empty."""
    samples = sample_tables()
    statements = []
    for table, (columns, rows) in samples.items():
        statements.append((ddl(schema, table, columns), rows))
    for table, columns in declared_tables().items():
        if table not in samples and table not in SWITCHED_OFF and table not in OFF_BY_DEFAULT:
            statements.append((ddl(schema, table, columns), []))
    return statements


def load_contract_files(xs: Path, folder: Path, target: str) -> None:
    """Load the xs files of what HubSpot does not provide (spend, fx rates, billing, NPS); the CRM and MAP
    files header-only (the loader still wants the required ones; their rows would name other records)."""
    folder.mkdir()
    con = duckdb.connect()
    for path in sorted(xs.glob("*.csv")):
        limit = "limit 0" if path.name.startswith(("crm_", "map_")) else ""
        con.execute(f"copy (select * from read_csv('{path}', all_varchar = true, header = true) {limit}) "
                    f"to '{folder / path.name}' (header, delimiter ',')")
    result = CliRunner().invoke(app, ["load", "--exports", str(folder), "--target", target])
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)


def vars_arg(variables: dict) -> list[str]:
    return ["--vars", yaml.safe_dump(variables, default_flow_style=True)]


def check_hubspot_build(fetch) -> None:
    """What the samples must give downstream (their values are hashed: shape, not metrics)."""
    samples = sample_tables()
    contacts = dict(fetch("select contact_id, is_deleted from staging.adp_hubspot__crm_contacts"))
    assert len(contacts) == len(samples["contact"][1])
    # the sample's contact 78971951 lists three merged-away contacts: they are gone, the others are not
    merged = {"76340251", "46897301", "76226001"}
    assert {c for c, deleted in contacts.items() if deleted} == merged
    assert fetch("select count(*) from staging.stg_crm__contacts") == [(len(contacts) - len(merged),)]
    assert fetch("select count(*) from staging.stg_crm__leads") == [(0,)]
    assert fetch("select count(*) from staging.stg_crm__opportunities") == [(len(samples["deal"][1]),)]
    assert fetch("select count(*) from staging.stg_crm__campaigns") == [(len(samples["email_campaign"][1]),)]
    # SENT, OPEN and DELIVERED events are contract events, PROCESSED ones are not
    events = dict(fetch("select event_type, count(*) from staging.stg_map__email_events group by 1"))
    columns, rows = samples["email_event"]
    raw_types = [row[[name for name, _ in columns].index("type")] for row in rows]
    assert events == {"sent": raw_types.count("SENT"), "open": raw_types.count("OPEN"),
                      "delivered": raw_types.count("DELIVERED")}
    assert fetch("select count(*) from staging.stg_map__web_activities") == [
        (len(samples["contact_form_submission"][1]),)]
    assert fetch("select count(*) from marts.fct_email_events") == [(sum(events.values()),)]


def hubspot_unit_tests(target: str) -> None:
    """Every unit test of the HubSpot adapters, the tables Fivetran switches off by default switched on. dbt
    needs their input tables: the raw_hubspot tables `lifecycle load` creates, made here from the declaration."""
    variables = {"lifecycle__using_hubspot": True, "hubspot_contact_merge_audit_enabled": True,
                 "hubspot_merged_deal_enabled": True, "lifecycle__providers": {"map_web_activities": "hubspot"}}
    results = dbt_invoke(["build", "--select", "path:models/adapters/hubspot", *vars_arg(variables)], target)
    unit_tests = [r.node.name for r in results if r.node.resource_type == "unit_test"]
    assert len(unit_tests) == 9, unit_tests


def raw_hubspot_ddl() -> list[str]:
    return [ddl("raw_hubspot", table, columns + list(BATCH_COLUMNS.items()))
            for table, columns in declared_tables().items()]


def test_hubspot_unit_tests_on_duckdb(duckdb_target):
    with duckdb.connect(str(duckdb_files(Path(duckdb_target["path"]))[0])) as con:
        con.execute("create schema raw_hubspot")
        for create in raw_hubspot_ddl():
            con.execute(create)
    hubspot_unit_tests("duckdb")


def test_hubspot_unit_tests_on_postgres(postgres_target):
    """The PostgreSQL forms of split_to_rows and epoch_ms."""
    import psycopg

    with psycopg.connect(host=postgres_target["host"], port=postgres_target["port"], user=postgres_target["user"],
                         dbname=postgres_target["dbname"], autocommit=True) as conn:
        conn.execute("drop schema if exists raw_hubspot cascade")
        conn.execute("create schema raw_hubspot")
        for create in raw_hubspot_ddl():
            conn.execute(create)
    hubspot_unit_tests("postgres")


def test_synced_samples_build_on_duckdb(xs_exports, duckdb_target, tmp_path):
    load_contract_files(xs_exports, tmp_path / "exports", "duckdb")
    published = Path(duckdb_target["path"])
    with duckdb.connect(str(duckdb_files(published)[0])) as con:
        con.execute("create schema hubspot")
        for create, rows in synced_statements("hubspot"):
            con.execute(create)
            if rows:
                table = create.split()[2]
                con.executemany(f"insert into {table} values ({', '.join('?' * len(rows[0]))})", rows)
    dbt_invoke(["build", *BUILD, *vars_arg({**SYNCED_VARS, "hubspot_database": "lifecycle_raw"})], "duckdb")

    def fetch(sql: str) -> list[tuple]:
        with connect_build(published) as con:
            return con.execute(sql).fetchall()

    check_hubspot_build(fetch)


def test_synced_samples_build_on_postgres(xs_exports, postgres_target, tmp_path):
    import psycopg

    settings = postgres_target
    load_contract_files(xs_exports, tmp_path / "exports", "postgres")

    def connect():
        return psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                               dbname=settings["dbname"], autocommit=True)

    with connect() as conn:
        conn.execute("drop schema if exists hubspot cascade")
        conn.execute("create schema hubspot")
        for create, rows in synced_statements("hubspot"):
            conn.execute(create)
            if rows:
                table = create.split()[2]
                with conn.cursor() as cursor:
                    cursor.executemany(f"insert into {table} values ({', '.join(['%s'] * len(rows[0]))})", rows)
    dbt_invoke(["build", *BUILD, *vars_arg(SYNCED_VARS)], "postgres")

    def fetch(sql: str) -> list[tuple]:
        with connect() as conn:
            return conn.execute(sql).fetchall()

    check_hubspot_build(fetch)
