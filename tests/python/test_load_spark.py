"""`lifecycle load --target spark` (issue 12): the same checks, quarantine, batches and accounting as on DuckDB,
written as managed Parquet tables of a local Spark warehouse. One generated xs world in connector shape (the
contract files and the salesforce/ and marketo/ folders) and a hostile folder are loaded, the hostile one first, on
DuckDB and on Spark; every raw table, the quarantine and the load bookkeeping must then hold the same rows.
One JVM for the module: the loads run in this process (the CLI's own Spark session, stopped after each)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.loader import JOURNAL, _SparkTarget, raw_tables
from lifecycle.targets import spark_session, target_settings

pytest.importorskip("pyspark")
if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
    pytest.skip("target spark needs Java (17)", allow_module_level=True)

runner = CliRunner()
MINIMAL = Path(__file__).parent / "data" / "minimal"
LEADS_HEADER = ("lead_id,email,company,title,industry,country,lead_source,status,created_at,converted_at,"
                "converted_contact_id,converted_account_id,converted_opportunity_id,owner_id,is_deleted")
# (file, line appended, column, the reason it must be quarantined for): as test_load_hostile.py's
HOSTILE = [
    ("marketing_spend.csv", "0001-01-01,Paid Search,CMP1,media,10,USD,1,1", "spend_date", "before 1990-01-01"),
    ("marketing_spend.csv", "2204-01-15,Paid Search,CMP1,media,10,USD,1,1", "spend_date",
     "more than 1 day after the load"),
    ("crm_accounts.csv", "A9,Initech,Software,10.7,US,2024-02-01,false", "employee_count", "not a whole number"),
    ("crm_accounts.csv", "A8,Initech,Software,0x10,US,2024-02-01,false", "employee_count", "not a valid integer"),
    ("crm_opportunities.csv", "O9,A1,C1,New Business,Closed Won,500,EURO,2024-02-01T10:00:00Z,"
     "2024-03-15T10:00:00Z,true,true,,Paid Search,CMP1,U1,false", "currency", "not a 3-letter currency code"),
]


def lead(i: int, title: str = "CTO") -> str:
    return f"L{i},p{i}@acme.com,Acme,{title},Software,US,Webinar,Open,2024-01-05T10:00:00Z,,,,,U1,false"


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`world`: xs in connector shape (seed 7); `hostile`: the minimal folder with bad values and a stray quote."""
    from lifecycle.generate.formats import generate_formats

    root = tmp_path_factory.mktemp("spark-exports")
    generate_formats("xs", 7, root / "generated", ["salesforce", "marketo"])
    hostile = root / "hostile"
    shutil.copytree(MINIMAL, hostile)
    for file_name, line, _, _ in HOSTILE:
        with (hostile / file_name).open("a") as fh:
            fh.write(line + "\n")
    leads = [lead(i) for i in range(1, 21)]
    leads[4] = lead(5, title='"VP Sales')  # line 6 opens a quote the reader closes on line 9
    leads[7] = lead(8).replace("Acme,", '"Acme, Inc",')
    (hostile / "crm_leads.csv").write_text("\n".join([LEADS_HEADER, *leads]) + "\n")
    return {"world": root / "generated" / "connectors", "hostile": hostile}


def world_vars(folders: dict[str, Path]) -> str:
    """The dbt vars of the generated connector world (its custom fields: loaded as extra columns)."""
    return yaml.safe_dump(yaml.safe_load((folders["world"] / "lifecycle_vars.yml").read_text()))


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory, folders) -> dict[str, dict]:
    """Both folders loaded, hostile then world (a batch appended), on DuckDB and on Spark: the settings of each target."""
    root = tmp_path_factory.mktemp("spark-warehouses")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIFECYCLE_DUCKDB_PATH", str(root / "lifecycle.duckdb"))
        mp.setenv("LIFECYCLE_SPARK_WAREHOUSE", str(root / "spark"))
        for target in ("duckdb", "spark"):
            for name, extra in (("hostile", []), ("world", ["--vars", world_vars(folders)])):
                result = runner.invoke(app, ["load", "--exports", str(folders[name]), "--target", target, *extra])
                assert result.exit_code == 0, f"{target} {name}: {result.output}{result.exception!r}"
        yield {"duckdb": target_settings("duckdb"), "spark": target_settings("spark")}


def duck_rows(settings: dict, sql: str) -> list[tuple]:
    with duckdb.connect(settings["raw"], read_only=True) as con:
        return con.execute(sql).fetchall()


def spark_tables(settings: dict, queries: dict[str, str]) -> dict[str, list[tuple]]:
    """The rows of each query (one Spark session for all)."""
    with spark_session(settings) as spark:
        return {name: [tuple(r) for r in spark.sql(sql).collect()] for name, sql in queries.items()}


def ordered(table: str, columns: list[str], spark_types: dict[str, str] | None = None) -> str:
    """Every row of `table` but when it was loaded, in load order; on Spark timestamps as the UTC wall clock
    (pyspark would give them in this process's time zone)."""
    shown = [f"cast({c} as timestamp_ntz) as {c}" if spark_types and spark_types[c] == "timestamp" else c
             for c in columns]
    keys = ("_batch_id", "_file_name", "_line_number") if "_batch_id" in columns else (
        "batch_id", "file_name", "line_number", "column_name", "reason")
    return f"select {', '.join(shown)} from {table} order by {', '.join(k for k in keys if k in columns)}"


def test_raw_tables_quarantine_and_batches_equal_duckdbs(warehouses):
    duck, spark = warehouses["duckdb"], warehouses["spark"]
    filled = {}
    for table in raw_tables():
        columns = [r[0] for r in duck_rows(duck, f"describe {table}") if r[0] not in ("_loaded_at", "loaded_at")]
        if duck_rows(duck, f"select count(*) from {table}")[0][0]:
            filled[table] = columns
    assert {"raw.crm_leads", "raw_salesforce.account", "raw.quarantine", "raw.load_files"} <= set(filled)
    with spark_session(spark) as session:
        names = {t: {f.name: f.dataType.simpleString() for f in session.table(t).schema.fields} for t in filled}
        counts = dict(session.sql(" union all ".join(f"select '{t}', count(*) from {t}" for t in raw_tables()))
                      .collect())
    for table, columns in filled.items():
        assert set(columns) <= set(names[table]), table  # (custom columns too: opportunity's loss_reason_c)
    assert {t for t, n in counts.items() if n} == set(filled)
    found = spark_tables(spark, {t: ordered(t, cols, names[t]) for t, cols in filled.items()})
    for table, columns in filled.items():
        expected = duck_rows(duck, ordered(table, columns))
        assert len(found[table]) == len(expected), table
        for got, want in zip(found[table], expected):
            assert got == want, (table, dict(zip(columns, got)), dict(zip(columns, want)))


def test_every_row_read_is_loaded_or_quarantined(warehouses):
    spark = warehouses["spark"]
    found = spark_tables(spark, {
        "files": "select batch_id, file_name, rows_read, rows_loaded, rows_quarantined from raw.load_files",
        "quarantined": "select batch_id, file_name, count(distinct line_number) from raw.quarantine group by 1, 2",
        "batches": "select batch_id, connectors from raw.load_batches order by batch_id",
        **{t: f"select _batch_id, _file_name, count(*) from {t} group by 1, 2" for t in raw_tables()
           if not t.startswith("raw.load_") and t != "raw.quarantine"},
    })
    assert found.pop("batches") == [(1, ""), (2, "marketo,salesforce")]  # the second batch appended
    quarantined = {(b, f): n for b, f, n in found.pop("quarantined")}
    loaded = {(b, f): n for rows in list(found.values())[1:] for b, f, n in rows}
    files = found["files"]
    assert {b for b, *_ in files} == {1, 2} and any("/" in f for _, f, *_ in files)  # (salesforce/account.csv)
    for batch, file_name, read, rows_loaded, rows_quarantined in files:
        assert read == rows_loaded + rows_quarantined, file_name
        assert loaded.get((batch, file_name), 0) == rows_loaded, file_name
        assert quarantined.get((batch, file_name), 0) == rows_quarantined, file_name


def test_hostile_values_get_the_same_reasons_on_spark(warehouses):
    (rows,) = spark_tables(warehouses["spark"], {"q": "select file_name, line_number, column_name, reason "
                                                      "from raw.quarantine where batch_id = 1"}).values()
    for file_name, _, column, reason in HOSTILE:
        assert any(r[0] == file_name and r[2] == column and r[3] == reason for r in rows), (file_name, reason)
    (stray,) = [r for r in rows if r[0] == "crm_leads.csv"]
    assert stray[1] == 6 and "stray quote" in stray[3] and "spans lines 6-9" in stray[3]


def test_a_batch_that_fails_while_written_leaves_nothing(warehouses, folders, monkeypatch):
    """Spark has no transactions: a write that fails part way is undone (the journal's files deleted)."""
    spark = warehouses["spark"]
    monkeypatch.setenv("LIFECYCLE_SPARK_WAREHOUSE", spark["warehouse"])
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", warehouses["duckdb"]["path"])
    count = {"rows": " union all ".join(f"select '{t}', count(*) from {t}" for t in raw_tables())}
    before = spark_tables(spark, count)
    commit = _SparkTarget.commit

    def failing_commit(self):  # a table that cannot take the rows, after two that did
        self.files.insert(2, (self.files[0][0], ("no_such_column",), self.files[0][2]))
        commit(self)
        raise AssertionError("the commit went through")

    monkeypatch.setattr(_SparkTarget, "commit", failing_commit)
    result = runner.invoke(app, ["load", "--exports", str(folders["world"]), "--target", "spark",
                                 "--vars", world_vars(folders)])
    assert "no_such_column" in f"{result.output}{result.exception}", result.output
    assert sorted(spark_tables(spark, count)["rows"]) == sorted(before["rows"])
    assert not (Path(spark["warehouse"]) / JOURNAL).exists()
