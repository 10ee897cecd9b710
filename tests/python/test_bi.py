"""What BI tools get: table and column comments (dbt's persist_docs) in the published DuckDB file and on
PostgreSQL, a published file that a DuckDB 1.x client opens (what BI tools bundle), and `lifecycle export`
(Parquet files plus views over them) that the same client reads.

The DuckDB 1.x client lives in its own venv (Makefile `setup`, requirements-duckdb1.lock)."""

from __future__ import annotations

import errno
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR
from lifecycle.dbt_build import dbt_invoke
from lifecycle.export import VIEWS_FILE
from lifecycle.manifest import load_manifest

from conftest import connect_build, warehouse_made_by

HANDMADE = Path(__file__).parent / "data" / "handmade"
DUCKDB1 = PROJECT_DIR / ".venv-duckdb1" / "bin" / "python"
runner = CliRunner()

# run by the DuckDB 1.x client: open a database (or run a SQL file in memory), print every row of the given
# tables as JSON (values as text: the same text in DuckDB 1.x and 2.x)
CLIENT = r"""
import duckdb, json, sys
database, script, tables = sys.argv[1], sys.argv[2], sys.argv[3:]
con = duckdb.connect(database, read_only=database != ":memory:")
if script:
    con.execute(open(script).read())
rows = {t: sorted(json.dumps(r, default=str) for r in con.execute(f"select * from {t}").fetchall()) for t in tables}
print(json.dumps({"version": duckdb.__version__, "rows": rows}))
"""


def client(database: str, *tables: str, script: Path | None = None) -> dict:
    """What the DuckDB 1.x client reads: {"version": ..., "rows": {table: sorted rows as JSON}}."""
    assert DUCKDB1.exists(), f"{DUCKDB1} is missing: `make setup` installs the DuckDB 1.x client"
    result = subprocess.run([str(DUCKDB1), "-c", CLIENT, database, str(script or ""), *tables],
                            capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert answer["version"].startswith("1."), answer["version"]
    return answer


def rows_of(con, tables: list[str], schema: str) -> dict[str, list[str]]:
    return {t: sorted(json.dumps(r, default=str) for r in con.execute(f"select * from {schema}.{t}").fetchall())
            for t in tables}


def described_columns() -> dict[tuple[str, str], str]:
    """(mart, column) -> description in the models' yml (dbt's manifest)."""
    manifest = load_manifest("duckdb")
    return {(n["name"], c): col["description"].strip() for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["config"]["schema"] == "marts"
            for c, col in n["columns"].items() if col["description"]}


def check_comments(columns: list[tuple[str, str, str | None]]) -> None:
    """Every mart column (mart, column, comment) carries its description as its comment."""
    described = described_columns()
    comments = {(t, c): (comment or "").strip() for t, c, comment in columns}
    assert comments == {key: described.get(key, "") for key in comments}
    assert all(comments.values()), f"mart columns without a description: {[k for k, v in comments.items() if not v]}"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse published by one `lifecycle run` of the hand-made exports."""
    path, result = warehouse_made_by(tmp_path_factory, "bi", "run", "--exports", str(HANDMADE))
    assert result.exit_code == 0, result.output[-5000:]
    return path


@pytest.fixture(scope="module")
def marts(published: Path) -> list[str]:
    with duckdb.connect(str(published), read_only=True) as con:
        return [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]


def test_published_marts_carry_the_descriptions_as_comments(published, marts):
    with duckdb.connect(str(published), read_only=True) as con:
        tables = con.execute("select table_name, table_comment from information_schema.tables "
                             "where table_schema = 'marts'").fetchall()
        columns = con.execute("select table_name, column_name, column_comment from information_schema.columns "
                              "where table_schema = 'marts'").fetchall()
    assert len(tables) == len(marts) >= 26 and all(comment for _, comment in tables)
    assert len(columns) > 400
    check_comments(columns)
    # the BI file holds only the marts, and dims carry hashed emails, no addresses
    assert not [c for _, c, _ in columns if c == "email" or c.endswith("_email")]


def test_a_duckdb_1x_client_opens_the_published_file(published, marts):
    seen = client(str(published), *(f"marts.{t}" for t in marts))
    with duckdb.connect(str(published), read_only=True) as con:
        assert seen["rows"] == {f"marts.{t}": rows for t, rows in rows_of(con, marts, "marts").items()}
    assert seen["rows"]["marts.lifecycle_kpis_monthly"]
    comment = client(str(published), "(select comment from duckdb_columns() where table_name = 'convert_monthly' "
                                      "and column_name = 'sqls')")
    assert list(comment["rows"].values())[0] == ['["Distinct persons entering stage sql in the month."]']


def test_the_analyses_compile_and_answer(published, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(published))
    compiled = dbt_invoke(["compile", "--select", "resource_type:analysis"], "duckdb")
    assert sorted(r.node.name for r in compiled) == sorted(p.stem for p in (PROJECT_DIR / "analyses").glob("*.sql"))
    assert len(compiled) >= 3
    with connect_build(published) as con:  # the marts of the build file: what the compiled SQL names
        for result in compiled:
            assert con.execute(result.node.compiled_code).fetchall(), result.node.name


def check_export(out: Path, expected: dict[str, list[str]]) -> None:
    """The Parquet files open in pyarrow and, through views.sql, in the DuckDB 1.x client with the rows of
    the marts."""
    assert sorted(p.stem for p in out.glob("*.parquet")) == sorted(expected)
    assert not list(out.glob("*.partial"))
    for mart, rows in expected.items():
        assert pq.read_table(out / f"{mart}.parquet").num_rows == len(rows)
    seen = client(":memory:", *expected, script=out / VIEWS_FILE)
    assert seen["rows"] == expected


def test_export_writes_parquet_and_views_a_duckdb_1x_client_reads(published, marts, tmp_path, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(tmp_path / "elsewhere.duckdb"))  # --warehouse wins
    out = tmp_path / "export"
    result = runner.invoke(app, ["export", "--format", "parquet", "--out", str(out), "--warehouse", str(published)])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(published), read_only=True) as con:
        check_export(out, rows_of(con, marts, "marts"))

    # a second export that fails half-way (disk full on the third file) says so in one line and leaves the
    # first export's files whole, and nothing half-written
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    replace, calls = os.replace, []

    def full_disk(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        replace(src, dst)

    monkeypatch.setattr("lifecycle.export.os.replace", full_disk)
    result = runner.invoke(app, ["export", "--out", str(out), "--warehouse", str(published)])
    assert result.exit_code == 1 and "disk full" in result.output and "Traceback" not in result.output, result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_export_refuses_bad_input_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(tmp_path / "none.duckdb"))
    for args, message in (
        (["--warehouse", str(tmp_path / "missing.duckdb")], "no published warehouse at"),
        (["--format", "csv"], "unknown export format 'csv'"),
    ):
        result = runner.invoke(app, ["export", "--out", str(tmp_path / "out"), *args])
        assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output, result.output
    assert not (tmp_path / "missing.duckdb").exists() and not (tmp_path / "out").exists()


def test_postgres_marts_carry_comments_export_and_answer_the_analyses(postgres_target, tmp_path):
    import psycopg

    result = runner.invoke(app, ["run", "--exports", str(HANDMADE), "--target", "postgres"])
    assert result.exit_code == 0, result.output[-5000:]
    with psycopg.connect(host=postgres_target["host"], port=postgres_target["port"],
                         user=postgres_target["user"], dbname=postgres_target["dbname"]) as conn:
        # comments set in the shadow schema survive the swap into `marts`
        columns = conn.execute(
            "select table_name, column_name, col_description(format('%I.%I', table_schema, table_name)::regclass, "
            "ordinal_position) from information_schema.columns where table_schema = 'marts'").fetchall()
        tables = conn.execute("select table_name, obj_description(format('%I.%I', table_schema, table_name)::regclass)"
                              " from information_schema.tables where table_schema = 'marts'").fetchall()
        marts = sorted(t for t, _ in tables)
        expected = {}
        for mart in marts:
            expected[mart] = sorted(json.dumps(r, default=str) for r in conn.execute(
                f"select * from marts.{mart}").fetchall())
        for result in dbt_invoke(["compile", "--select", "resource_type:analysis"], "postgres"):
            assert conn.execute(result.node.compiled_code).fetchall(), result.node.name
    assert len(columns) > 400
    check_comments(columns)
    assert len(tables) >= 26 and all(comment for _, comment in tables)

    out = tmp_path / "export"
    result = runner.invoke(app, ["export", "--out", str(out), "--target", "postgres"])
    assert result.exit_code == 0, result.output
    seen = client(":memory:", *marts, script=out / VIEWS_FILE)["rows"]
    assert {m: len(r) for m, r in seen.items()} == {m: len(r) for m, r in expected.items()}
    assert seen["lifecycle_kpis_monthly"] == expected["lifecycle_kpis_monthly"]
