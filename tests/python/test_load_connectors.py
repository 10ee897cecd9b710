"""`lifecycle load` of connector tables (docs/design/connectors.md §3.3): sub-folders named for a connector,
their checks, keys and accounting, which contract files they make optional or forbid, and the build that
reads them. The tests take whatever connector tables are declared (models/adapters/*/_*__sources.yml):
they write the table a test is about and header-only files for the other required ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR, load_connectors
from lifecycle.dbt_build import vars_path
from lifecycle.errors import LifecycleError
from lifecycle.project import project_var, providers

from conftest import connect_build

runner = CliRunner()
# a copy of Fivetran's Salesforce account seed (tests/python/data/fivetran/README.md)
SAMPLE = Path(__file__).parent / "data" / "fivetran" / "salesforce" / "sf_account_data.csv"
# salesforce provides crm_accounts; every other contract file stays a contract file (only account is
# certain to be declared, and its adapter is the one this test builds)
OTHERS = {*project_var("lifecycle__connector_files"), *project_var("lifecycle__connector_files_on_request")}
VARS = "{lifecycle__providers: {" + ", ".join(f"{f}: contract" for f in OTHERS if f != "crm_accounts") + "}}"
ACCOUNT = "id,name,number_of_employees,created_date,_fivetran_synced\n"


def lifecycle(*args: str):
    return runner.invoke(app, [*args, "--target", "duckdb"])


def load(folder: Path, *extra: str):
    return lifecycle("load", "--exports", str(folder), "--vars", VARS, *extra)


def salesforce(exports: Path, **tables: str) -> Path:
    """`exports` without crm_accounts.csv, with a salesforce/ folder: `tables` (name -> text) and a
    header-only file for every other required table."""
    (exports / "crm_accounts.csv").unlink(missing_ok=True)
    folder = exports / "salesforce"
    folder.mkdir(exist_ok=True)
    for spec in load_connectors()["salesforce"]:
        if spec.required and spec.name not in tables:
            (folder / f"{spec.name}.csv").write_text(",".join(spec.column_names) + "\n")
    for name, text in tables.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


def raw(settings: dict, sql: str) -> list[tuple]:
    with duckdb.connect(settings["raw"], read_only=True) as con:
        return con.execute(sql).fetchall()


def error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


# ---------------------------------------------------------------- discovery

def test_connector_folder_is_loaded_and_undeclared_files_listed_not_used(exports, duckdb_target):
    folder = salesforce(exports, account=ACCOUNT + "A1,Acme,10,2024-01-02 03:04:05,2024-01-03 00:00:00\n")
    (folder / "opportunity_split.csv").write_text("id\nX\n")
    result = load(exports)
    assert result.exit_code == 0, result.output
    assert "salesforce/account.csv" in result.output
    assert "not used" in result.output and "salesforce/opportunity_split.csv" in result.output
    assert raw(duckdb_target, "select _file_name, _line_number, id, name, number_of_employees "
                              "from raw_salesforce.account") == [("salesforce/account.csv", 2, "A1", "Acme", 10)]
    assert raw(duckdb_target, "select connectors from raw.load_batches") == [("salesforce",)]
    # every declared connector table exists, loaded or not (dbt's sources and unit tests need them)
    tables = set(raw(duckdb_target, "select table_schema, table_name from information_schema.tables"))
    for connector, specs in load_connectors().items():
        assert {(s.schema, s.name) for s in specs} <= tables, connector


def test_load_batches_of_an_older_warehouse_gain_the_connectors_column(exports, duckdb_target):
    with duckdb.connect(duckdb_target["raw"]) as con:
        con.execute("create schema raw")
        con.execute("create table raw.load_batches (batch_id bigint, loaded_at timestamp, exports_dir varchar)")
        con.execute("insert into raw.load_batches values (1, now(), '/old')")
    salesforce(exports, account=ACCOUNT)
    assert load(exports).exit_code == 0
    assert raw(duckdb_target, "select batch_id, connectors from raw.load_batches order by 1") == [
        (1, None), (2, "salesforce")]


def test_a_folder_that_names_no_connector_stops_the_load(exports, duckdb_target):
    (exports / "salesforse").mkdir()
    (exports / "salesforse" / "account.csv").write_text(ACCOUNT)
    line = error_line(load(exports))
    assert "salesforse/" in line and "salesforce/" in line
    assert not Path(duckdb_target["raw"]).exists()


def test_connector_file_as_a_folder_is_refused_like_a_contract_file(exports, duckdb_target):
    folder = salesforce(exports)
    (folder / "account.csv").unlink()
    (folder / "account.csv").mkdir()
    assert "salesforce/account.csv: is a folder" in error_line(load(exports))


# ---------------------------------------------------------------- required files and providers

def test_required_connector_file_missing_is_named(exports, duckdb_target):
    folder = salesforce(exports)
    (folder / "account.csv").unlink()
    line = error_line(load(exports))
    assert "lacks 1 required file: salesforce/account.csv" in line


def test_a_contract_file_a_connector_provides_is_not_required(exports, duckdb_target, tmp_path):
    (exports / "crm_accounts.csv").unlink()
    assert "crm_accounts.csv" in error_line(load(exports))
    salesforce(exports, account=ACCOUNT)
    assert load(exports).exit_code == 0
    # a later folder without the connector: the connector of the earlier batch still provides it
    later = tmp_path / "later"
    shutil.copytree(exports, later, ignore=shutil.ignore_patterns("salesforce"))
    assert load(later).exit_code == 0


def test_contract_file_for_a_connector_provided_file_stops_the_load(exports, duckdb_target, tmp_path):
    contract_accounts = (exports / "crm_accounts.csv").read_text()
    salesforce(exports, account=ACCOUNT)
    (exports / "crm_accounts.csv").write_text(contract_accounts)
    line = error_line(load(exports))
    assert "crm_accounts.csv" in line and "salesforce/" in line and "lifecycle__providers" in line
    assert not Path(duckdb_target["raw"]).exists()
    # ... also when the connector came in an earlier batch
    (exports / "crm_accounts.csv").unlink()
    assert load(exports).exit_code == 0
    later = tmp_path / "later"
    shutil.copytree(exports, later, ignore=shutil.ignore_patterns("salesforce"))
    (later / "crm_accounts.csv").write_text(contract_accounts)
    line = error_line(load(later))
    assert "crm_accounts.csv" in line and "earlier batch" in line and "lifecycle__providers" in line
    # ... unless the user says the contract file provides it
    result = lifecycle("load", "--exports", str(later), "--vars", VARS.replace("{lifecycle__providers: {",
                                                                                "{lifecycle__providers: {crm_accounts: contract, "))
    assert result.exit_code == 0, result.output


def test_providers_follow_the_macros_precedence():
    files = project_var("lifecycle__connector_files")
    assert providers(set())["crm_accounts"] == "contract"
    assert providers({"salesforce"})["crm_accounts"] == files["crm_accounts"][0] == "salesforce"
    assert providers({"salesforce"}, {"lifecycle__providers": {"crm_accounts": "contract"}})["crm_accounts"] == "contract"
    assert providers({"salesforce"}, {"lifecycle__using_salesforce": False})["crm_accounts"] == "contract"
    with pytest.raises(LifecycleError, match="lifecycle__using_hubspot"):
        providers({"salesforce"}, {"lifecycle__providers": {"crm_accounts": "hubspot"}})
    with pytest.raises(LifecycleError, match="cannot provide"):
        providers(set(), {"lifecycle__providers": {"fx_rates": "salesforce"}})


# ---------------------------------------------------------------- keys, dates, accounting

def test_duplicate_id_quarantined_but_history_rows_accepted(exports, duckdb_target, tmp_path):
    salesforce(exports, account=ACCOUNT + "A1,Acme,10,,\nA1,Acme Inc,12,,\nA2,Globex,5,,\n")
    assert load(exports).exit_code == 0
    assert raw(duckdb_target, "select file_name, line_number, reason from raw.quarantine") == [
        ("salesforce/account.csv", 3, "duplicate primary key (first on line 2)")]
    history = ("id,name,_fivetran_start,_fivetran_end,_fivetran_active\n"
               "A1,Acme,2024-01-01 00:00:00,2024-02-01 00:00:00,false\n"
               "A1,Acme Inc,2024-02-01 00:00:00,9999-12-31 23:59:59,true\n"
               "A1,Acme Inc,2024-02-01 00:00:00,9999-12-31 23:59:59,true\n")
    salesforce(exports, account=history)
    assert load(exports).exit_code == 0
    assert raw(duckdb_target, "select line_number, reason from raw.quarantine where batch_id = 2") == [
        (4, "duplicate primary key (first on line 3)")]
    assert raw(duckdb_target, "select name, _fivetran_active from raw_salesforce.account where _batch_id = 2 "
                              "order by _line_number") == [("Acme", False), ("Acme Inc", True)]


def test_unbounded_dates_are_not_quarantined(exports, duckdb_target):
    salesforce(exports, account="id,created_date,_fivetran_start,_fivetran_end\n"
                                "A1,2024-01-01,2024-01-01 00:00:00,2050-01-01 00:00:00\n"
                                "A2,2050-01-01,2024-01-01 00:00:00,2050-01-01 00:00:00\n")
    assert load(exports).exit_code == 0
    # the bounded created_date of A2 is quarantined; the unbounded _fivetran_end of A1 is not
    assert raw(duckdb_target, "select line_number, column_name from raw.quarantine") == [(3, "created_date")]
    assert raw(duckdb_target, "select id, cast(_fivetran_end as date) from raw_salesforce.account") == [
        ("A1", __import__("datetime").date(2050, 1, 1))]


def test_every_line_of_a_connector_file_is_accounted_for(exports, duckdb_target):
    salesforce(exports, account=ACCOUNT + "A1,Acme,10,,\n\nA2,Globex,lots,,\n"
                                          'A3,"Multi\nline",3,,\nA4,Initech,7,,\n')
    assert load(exports).exit_code == 0
    assert raw(duckdb_target, "select lines_read, blank_lines, rows_read, rows_loaded, rows_quarantined "
                              "from raw.load_files where file_name = 'salesforce/account.csv'") == [(7, 1, 4, 2, 2)]
    assert raw(duckdb_target, "select line_number, column_name from raw.quarantine order by 1") == [
        (4, "number_of_employees"), (5, "name")]


# ---------------------------------------------------------------- PostgreSQL: DDL and migration

def test_postgres_connector_schemas_and_load_batches_migration(exports, postgres_target):
    import psycopg

    settings = postgres_target
    with psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                         dbname=settings["dbname"], autocommit=True) as conn:
        for specs in load_connectors().values():
            conn.execute(f"drop schema if exists {specs[0].schema} cascade")
        # a warehouse made before connectors: load_batches without the column
        conn.execute("create schema raw")
        conn.execute("create table raw.load_batches (batch_id bigint, loaded_at timestamp, exports_dir varchar)")
        conn.execute("insert into raw.load_batches values (1, now(), '/old')")
    salesforce(exports, account=ACCOUNT + "A1,Acme,10,,\nA1,Acme,10,,\n")
    result = runner.invoke(app, ["load", "--exports", str(exports), "--target", "postgres", "--vars", VARS])
    assert result.exit_code == 0, result.output
    with psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                         dbname=settings["dbname"]) as conn:
        assert conn.execute("select batch_id, connectors from raw.load_batches order by 1").fetchall() == [
            (1, None), (2, "salesforce")]
        assert conn.execute("select id, _file_name from raw_salesforce.account").fetchall() == [
            ("A1", "salesforce/account.csv")]
        assert conn.execute("select file_name, line_number from raw.quarantine").fetchall() == [
            ("salesforce/account.csv", 3)]
        for specs in load_connectors().values():
            for spec in specs:
                assert conn.execute("select to_regclass(%s) is not null", (spec.relation,)).fetchone() == (True,)


# ---------------------------------------------------------------- the build reads them

def test_salesforce_accounts_build_as_crm_accounts(xs_exports, tmp_path, monkeypatch):
    published = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(published))
    exports = tmp_path / "exports"
    shutil.copytree(xs_exports, exports)
    salesforce(exports, account=SAMPLE.read_text())
    result = load(exports)
    assert result.exit_code == 0, result.output
    result = lifecycle("build", "--vars", VARS)
    assert result.exit_code == 0, result.output[-4000:]
    assert "providers changed since the last build (crm_accounts: contract -> salesforce)" in result.output
    # dbt got the connector's var (and the manifest validate reads knows which vars it was parsed with)
    assert json.loads(vars_path("duckdb").read_text())["lifecycle__using_salesforce"] is True
    with connect_build(published) as con:
        ids = {r[0] for r in con.execute("select account_id from staging.stg_crm__accounts").fetchall()}
        sample = {r[0] for r in con.execute(f"select id from read_csv('{SAMPLE}', all_varchar = true)").fetchall()}
        assert ids and ids <= sample
        assert con.execute("select count(*) from staging.stg_crm__leads").fetchone()[0] > 1000  # the contract file
    # the same providers again: no forced full refresh
    result = lifecycle("build", "--vars", VARS)
    assert result.exit_code == 0, result.output[-4000:]
    assert "providers changed" not in result.output


# ---------------------------------------------------------------- passthrough columns (README "Passthrough columns")

def test_a_passthrough_field_that_is_no_column_name_stops_the_load(exports, duckdb_target):
    result = lifecycle("load", "--exports", str(exports),
                       "--vars", '{lifecycle__passthrough_columns: {crm_leads: [rating, "lead rating"]}}')
    assert error_line(result) == ("error: var lifecycle__passthrough_columns (crm_leads): 'lead rating' is not a "
                                  "column name (letters, digits and _)")


@pytest.mark.parametrize("entry, message", [
    ("{name: rank_c, alias: job_level}", "passthrough column job_level is already a column of dim_persons"),
    ("{name: title}", "var lifecycle__passthrough_columns (crm_contacts): title is already a column of crm_contacts"),
    ("{name: rank_c, transform_sql: 'upper(rank_c)'}",
     "var lifecycle__passthrough_columns (crm_contacts): transform_sql (rank_c) is not supported"),
])
def test_passthrough_entries_dbt_cannot_build_stop_it_naming_the_var(entry, message, tmp_path):
    """dbt stops at the entry (parsing or compiling dim_persons) with a message naming the var and the field."""
    variables = "{lifecycle__passthrough_columns: {crm_contacts: [" + entry + "]}}"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "compile", "-s", "dim_persons", "--vars", variables,
         "--profiles-dir", str(PROJECT_DIR / "profiles"), "--target-path", str(tmp_path / "target"),
         "--log-path", str(tmp_path / "logs")],
        cwd=PROJECT_DIR, capture_output=True, text=True,
        env={**os.environ, "LIFECYCLE_DUCKDB_PATH": ":memory:", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    assert done.returncode != 0, done.stdout[-3000:]
    assert message in " ".join(done.stdout.split()), done.stdout[-3000:]
