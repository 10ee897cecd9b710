"""Safe publishing: BI readers never see a partial or failing build (scripts/lifecycle/publish.py).

DuckDB: loads append to the raw file in place, dbt builds the build file in place, and a build publishes
by writing the build file's marts into `<file>.building` and renaming it over the published file.
PostgreSQL: dbt builds into `<schema>__next` and one transaction swaps the schemas.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle import publish
from lifecycle.cli import app
from lifecycle.dbt_build import dbt_invoke
from lifecycle.errors import LifecycleError

from conftest import connect_build, copy_warehouse, warehouse_files, warehouse_made_by

DATA = Path(__file__).parent / "data"
HANDMADE = DATA / "handmade"
LIFECYCLE = Path(sys.executable).with_name("lifecycle")
PROBE = "select count(*) from marts.dim_persons"  # what a reader of the published file sees
RAW_PROBE = ("select (select count(*) from raw.load_batches), (select count(*) from raw.crm_leads), "
             "(select count(*) from raw.quarantine)")
NEW_LEAD = "L9,eve@umbrella.com,Umbrella,CMO,Software,US,Webinar,Open,2024-01-28T10:00:00Z,,,,,U1,false"
# a web activity without a type: loads, then fails the not_null test of fct_web_activities.activity_type
UNTYPED_ACTIVITY = "W99,V9,,,,,/home,Paid Search,CMP1,2024-01-10T10:00:00Z"

# holds the published file open read-only, queries it until told to stop, then reopens it
READER = r"""
import duckdb, json, pathlib, sys, time
path, stop, sql = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
con = duckdb.connect(path, read_only=True)
print(json.dumps(con.execute(sql).fetchone()), flush=True)
seen = set()
while not stop.exists():
    seen.add(tuple(con.execute(sql).fetchone()))
    time.sleep(0.05)
con.close()
with duckdb.connect(path, read_only=True) as fresh:
    after = fresh.execute(sql).fetchone()
print(json.dumps({"during": sorted(seen), "after": after}), flush=True)
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def probe(path: Path) -> tuple:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(PROBE).fetchone()


def raw_probe(published: Path) -> tuple:
    with duckdb.connect(str(warehouse_files(published)[1]), read_only=True) as con:
        return con.execute(RAW_PROBE).fetchone()


def schemas(path: Path) -> list[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return [s for (s,) in con.execute("select distinct schema_name from duckdb_tables() order by 1").fetchall()]


def marts(fetch) -> dict[str, list[tuple]]:
    tables = [t for (t,) in fetch("select table_name from duckdb_tables() where schema_name = 'marts' order by 1")]
    return {t: sorted(fetch(f"select * from marts.{t}"), key=repr) for t in tables}


def squash(text: str) -> str:
    """Text without whitespace: rich wraps long lines (and paths) at the console width."""
    return "".join(text.split())


def contains(output: str, *parts: str) -> bool:
    return all(squash(part) in squash(output) for part in parts)


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def ok(result) -> str:
    assert result.exit_code == 0, result.output[-6000:] + repr(result.exception)
    return result.output


def exports_with(tmp_path: Path, name: str, file: str, line: str) -> Path:
    """A copy of the hand-made exports with one line appended to one file."""
    folder = tmp_path / name
    shutil.copytree(HANDMADE, folder)
    with (folder / file).open("a") as fh:
        fh.write(line + "\n")
    return folder


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse published by one `lifecycle run` of the hand-made exports."""
    path, result = warehouse_made_by(tmp_path_factory, "published", "run", "--exports", str(HANDMADE))
    output = ok(result)
    assert contains(output, f"published {path}")
    assert all(f.exists() for f in warehouse_files(path)) and not publish.working_path(path).exists()
    assert schemas(path) == ["marts"]  # the published file holds the marts only, no raw emails or history
    return path


@pytest.fixture
def warehouse(published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the published warehouse (its three files), as the duckdb target."""
    path = copy_warehouse(published, tmp_path / "warehouse.duckdb")
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    return path


# ---------------------------------------------------------------- DuckDB

def test_the_profile_names_the_files_of_the_published_one(monkeypatch, tmp_path):
    from lifecycle.targets import target_settings

    for given, raw, build in (("w/lifecycle.duckdb", "w/lifecycle.raw.duckdb", "w/lifecycle.build.duckdb"),
                              ("w/my.db", "w/my.db.raw.duckdb", "w/my.db.build.duckdb")):
        monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(tmp_path / given))
        settings = target_settings("duckdb")
        assert (settings["path"], settings["raw"], settings["build"]) == tuple(
            str(tmp_path / p) for p in (given, raw, build))


def test_a_reader_keeps_the_old_marts_during_a_build_and_sees_the_new_after_reopening(warehouse, tmp_path):
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse), str(stop), PROBE],
                              stdout=subprocess.PIPE, text=True)
    try:
        before = json.loads(reader.stdout.readline())
        batch = exports_with(tmp_path, "batch2", "crm_leads.csv", NEW_LEAD)
        ok(cli("load", "--exports", str(batch)))   # the reader holds the file open: neither blocks the other
        ok(cli("build"))
        stop.touch()
        seen = json.loads(reader.stdout.readline())
        assert reader.wait(timeout=60) == 0
    finally:
        reader.kill()
    assert seen["during"] == [before]          # only ever the old version, never a partial one
    assert seen["after"] == [before[0] + 1]    # a new connection reads the new marts


def test_a_build_works_in_place_and_never_copies_the_raw_file(warehouse, tmp_path):
    _, raw, build = warehouse_files(warehouse)
    before = probe(warehouse)
    ok(cli("load", "--exports", str(exports_with(tmp_path, "batch2", "crm_leads.csv", NEW_LEAD))))
    raw_before, build_before = raw.stat(), build.stat()
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:  # every file name that appears in the folder while the build runs
        while not done.is_set():
            seen.update(p.name for p in warehouse.parent.iterdir())
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        ok(cli("build"))
    finally:
        done.set()
        watcher.join()
    raw_after = raw.stat()
    assert (raw_after.st_ino, raw_after.st_mtime_ns, raw_after.st_size) == (
        raw_before.st_ino, raw_before.st_mtime_ns, raw_before.st_size)  # read, never written nor copied
    assert build.stat().st_ino == build_before.st_ino  # built in place, not replaced by a copy
    names = {warehouse.name, raw.name, build.name, publish.lock_path(warehouse).name}
    temporary = {publish.working_path(warehouse).name, build.name + ".wal",
                 publish.working_path(warehouse).name + ".wal"}
    assert names <= seen <= names | temporary | {"batch2"}, seen - names  # no copy of the raw or build file
    assert schemas(warehouse) == ["marts"] and probe(warehouse) == (before[0] + 1,)


def test_a_killed_build_leaves_the_published_file_intact_and_the_next_build_repairs_it(warehouse, tmp_path,
                                                                                       monkeypatch):
    digest, before = sha256(warehouse), probe(warehouse)
    ok(cli("load", "--exports", str(exports_with(tmp_path, "batch2", "crm_leads.csv", NEW_LEAD))))
    env = {**os.environ, "LIFECYCLE_DUCKDB_PATH": str(warehouse), "PYTHONUNBUFFERED": "1"}
    build = subprocess.Popen([str(LIFECYCLE), "build", "--verbose"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in build.stdout:  # an incremental model has taken in the new batch; the rest is half done
            if "OK created sql incremental model" in line:
                break
        else:
            pytest.fail("the build ended before dbt built an incremental model")
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait()
    assert build.returncode == -signal.SIGKILL
    assert sha256(warehouse) == digest and probe(warehouse) == before

    ok(cli("build"))
    assert probe(warehouse) == (before[0] + 1,)
    # the same raw data built from nothing by a plain `dbt build` (the profile alone finds the files)
    reference = tmp_path / "reference" / "warehouse.duckdb"
    reference.parent.mkdir()
    shutil.copyfile(warehouse_files(warehouse)[1], warehouse_files(reference)[1])
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(reference))
    dbt_invoke(["build", "--exclude-resource-type", "test", "unit_test", "--quiet"], "duckdb")

    def fetch(path: Path):
        def run(sql: str) -> list[tuple]:
            with duckdb.connect(str(path), read_only=True) as con:
                return con.execute(sql).fetchall()
        return run

    def fetch_reference(sql: str) -> list[tuple]:
        with connect_build(reference) as con:
            return con.execute(sql).fetchall()

    published, rebuilt = marts(fetch(warehouse)), marts(fetch_reference)
    assert published.keys() == rebuilt.keys() and "fct_email_events" in published
    for table in published:
        assert published[table] == rebuilt[table], table


def test_a_failing_dbt_test_publishes_nothing_and_says_so(warehouse, tmp_path):
    digest = sha256(warehouse)
    bad = exports_with(tmp_path, "bad", "map_web_activities.csv", UNTYPED_ACTIVITY)
    result = cli("run", "--exports", str(bad))
    assert result.exit_code == 1
    build = warehouse_files(warehouse)[2]
    assert contains(result.output, "dbt build failed",
                    f"{publish.UNCHANGED}: {warehouse} (the next build carries on from the build file {build})")
    assert sha256(warehouse) == digest
    assert not publish.working_path(warehouse).exists()


def test_a_failing_validation_publishes_nothing(warehouse, monkeypatch):
    digest, checked = sha256(warehouse), []

    def failing_validation(settings, *args, **kwargs):
        checked.append(settings["path"])
        raise LifecycleError("2 of 310 expectations failed")

    monkeypatch.setattr("lifecycle.cli.dbt_build", lambda *args, **kwargs: None)  # the build is not the point
    monkeypatch.setattr("lifecycle.validate.validate_marts", failing_validation)
    result = cli("run", "--exports", str(HANDMADE))
    assert result.exit_code == 1
    assert contains(result.output, "2 of 310 expectations failed", publish.UNCHANGED)
    assert checked == [str(warehouse_files(warehouse)[2])]  # validate checks the unpublished build
    assert sha256(warehouse) == digest


def test_a_second_writer_is_refused_while_a_build_holds_the_lock(warehouse):
    before = raw_probe(warehouse)
    with publish.exclusive_lock(publish.lock_path(warehouse), str(warehouse)):
        result = cli("load", "--exports", str(HANDMADE))
    assert result.exit_code == 1 and contains(result.output, "another lifecycle command is writing")
    assert raw_probe(warehouse) == before


def old_layout(published: Path, path: Path) -> Path:
    """A warehouse as an older lifecycle published it: one file holding raw and marts (and a WAL)."""
    _, raw, build = warehouse_files(published)
    with duckdb.connect(str(path)) as con:
        for schema, source in (("raw", raw), ("marts", build)):
            con.execute(f"attach '{source}' as source (read_only)")
            con.execute(f"create schema {schema}")
            for (table,) in con.execute("select table_name from duckdb_tables() where database_name = 'source' "
                                        f"and schema_name = '{schema}'").fetchall():
                con.execute(f"create table {schema}.{table} as select * from source.{schema}.{table}")
            con.execute("detach source")
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("insert into raw.crm_leads select * from raw.crm_leads limit 1")  # only in the WAL
    return path


def test_a_warehouse_of_the_old_layout_keeps_its_raw_history(published, tmp_path, monkeypatch):
    path = old_layout(published, tmp_path / "old.duckdb")
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    _, raw, build = warehouse_files(path)
    history = raw_probe(published)
    output = ok(cli("load", "--exports", str(exports_with(tmp_path, "batch2", "crm_leads.csv", NEW_LEAD))))
    assert contains(output, f"moved the raw history of {path}")
    with duckdb.connect(str(raw), read_only=True) as con:  # every batch kept, the WAL's row too, and one more
        assert con.execute(RAW_PROBE).fetchone() == (history[0] + 1, 2 * history[1] + 2, 2 * history[2])
    assert not build.exists()
    output = ok(cli("build"))
    assert not contains(output, "moved the raw history")  # once
    assert schemas(path) == ["marts"] and probe(path) == (probe(published)[0] + 1,)


# ---------------------------------------------------------------- PostgreSQL

def _pg(settings: dict):
    import psycopg

    return psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                           dbname=settings["dbname"], autocommit=True)


def _marts(conn) -> dict[str, list[tuple]]:
    tables = [t for t, in conn.execute("select table_name from information_schema.tables "
                                        "where table_schema = 'marts' order by 1").fetchall()]
    return {t: sorted(conn.execute(f"select * from marts.{t}").fetchall(), key=repr) for t in tables}


def _helper_schemas(conn) -> list[str]:
    return [s for s, in conn.execute("select nspname from pg_namespace where nspname like '%\\_\\_next' "
                                     "or nspname like '%\\_\\_old' order by 1").fetchall()]


def test_postgres_a_good_run_swaps_the_schemas_and_a_failing_one_leaves_them_untouched(postgres_target, tmp_path):
    ok(cli("run", "--exports", str(HANDMADE), "--target", "postgres"))
    with _pg(postgres_target) as conn:
        assert _helper_schemas(conn) == []
        views = conn.execute("select schemaname, viewname, definition from pg_views "
                             "where schemaname in ('staging', 'intermediate', 'marts')").fetchall()
        assert views and all("__next" not in d and "__old" not in d for _, _, d in views)
        for schema, view, _ in views:  # every published view resolves to published objects
            conn.execute(f"select count(*) from {schema}.{view}")
        live = _marts(conn)
    assert live["nurture_monthly"]

    bad = exports_with(tmp_path, "bad", "map_web_activities.csv", UNTYPED_ACTIVITY)
    result = cli("run", "--exports", str(bad), "--target", "postgres")
    assert result.exit_code == 1 and contains(result.output, publish.UNCHANGED)
    with _pg(postgres_target) as conn:
        assert _marts(conn) == live
        assert _helper_schemas(conn) == ["intermediate__next", "marts__next", "staging__next"]
        messages: list[str] = []
        with _pg(postgres_target) as tx:
            tx.autocommit = False
            # stg_crm__leads stands for a live view whose model became incremental: built whole, not copied
            publish.prepare_shadow_schemas(tx, [("marts", "fct_email_events"), ("staging", "stg_crm__leads")],
                                           messages.append)
        assert "left by a failed or interrupted run" in messages[0]
        # fresh shadow schemas holding only the copy of the live incremental table
        assert _helper_schemas(conn) == ["intermediate__next", "marts__next", "staging__next"]
        shadow_tables = conn.execute("select table_schema, table_name from information_schema.tables "
                                     "where table_schema like '%\\_\\_next'").fetchall()
        assert shadow_tables == [("marts__next", "fct_email_events")]
        assert conn.execute("select count(*) from marts__next.fct_email_events").fetchone() == \
            conn.execute("select count(*) from marts.fct_email_events").fetchone()
        for schema in _helper_schemas(conn):
            conn.execute(f"drop schema {schema} cascade")


def test_postgres_swap_is_all_or_nothing_and_keeps_grants(postgres_target):
    with _pg(postgres_target) as conn:
        for schema in publish.SWAPPED_SCHEMAS:
            for name, value in ((schema, "old"), (publish.shadow(schema), "new")):
                conn.execute(f"create schema {name}")
                conn.execute(f"create table {name}.t as select '{value}' as version")
        conn.execute("create view marts__next.v as select * from marts__next.t")
        conn.execute("create schema bi")
        conn.execute("create view bi.report as select * from marts.t")  # a user's view on a live table
        if not conn.execute("select 1 from pg_roles where rolname = 'bi_reader'").fetchone():
            conn.execute("create role bi_reader")
        conn.execute("grant usage on schema marts to bi_reader")
        conn.execute("grant select on marts.t to bi_reader")
        conn.execute("alter default privileges in schema marts grant select on tables to bi_reader")
        try:
            with _pg(postgres_target) as tx, pytest.raises(LifecycleError, match="bi.report"):
                tx.autocommit = False
                publish.swap_schemas(tx)
            assert conn.execute("select version from marts.t").fetchone() == ("old",)  # rolled back
            assert _helper_schemas(conn) == ["intermediate__next", "marts__next", "staging__next"]
            conn.execute("drop view bi.report")
            with _pg(postgres_target) as tx:
                tx.autocommit = False
                publish.swap_schemas(tx)
            assert conn.execute("select version from marts.v").fetchone() == ("new",)
            assert _helper_schemas(conn) == []
            privileges = conn.execute(
                "select has_schema_privilege('bi_reader', 'marts', 'usage'), "
                "has_table_privilege('bi_reader', 'marts.t', 'select'), "
                "has_table_privilege('bi_reader', 'marts.v', 'select')").fetchone()
            assert privileges == (True, True, False)  # v is new: no grant on the live schema to carry over
            conn.execute("create table marts.later as select 1 as x")  # default privileges carried over
            assert conn.execute(
                "select has_table_privilege('bi_reader', 'marts.later', 'select')").fetchone() == (True,)
        finally:
            conn.execute("drop schema if exists bi cascade")
            conn.execute("drop owned by bi_reader")
            conn.execute("drop role bi_reader")


def test_spark_versioned_schemas_are_named_by_number():
    """Spark publishes views over `<schema>__v<N>` (publish.py); only those names count as versions."""
    assert publish.versioned("marts", 12) == "marts__v12"
    assert [publish._version_of(name) for name in ("marts__v12", "staging__v3", "intermediate__v1")] == [12, 3, 1]
    assert [publish._version_of(name) for name in ("marts", "raw__v2", "marts__vx", "marts__next")] == [None] * 4
