"""`lifecycle validate`: the Great Expectations checkpoint over the metric marts.

One xs warehouse is built per module; each corruption test breaks a copy of its build file (on DuckDB
validate checks the build file: the published file holds no staging layer to compare the marts with).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR
from lifecycle.errors import LifecycleError
from lifecycle.expectations import MART_SPECS, Facts, Mart, MartSpec, build_suite, unused_exceptions
from lifecycle.manifest import load_manifest, manifest_path
from lifecycle.targets import target_settings, unpublished
from lifecycle.validate import MARTS_DIR, read_facts, read_marts

from conftest import connect_build, copy_warehouse, warehouse_files

# validate checks every mart of models/marts/lifecycle (one .sql per mart)
MARTS = len(list((PROJECT_DIR / MARTS_DIR).glob("*.sql")))

runner = CliRunner()


@pytest.fixture
def warehouse_copy(built_warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built warehouse that the duckdb target points at."""
    path = copy_warehouse(built_warehouse, tmp_path / "copy.duckdb")
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    return path


def validate(docs: Path, target: str = "duckdb", marts: tuple[str, ...] = ()) -> tuple[int, str]:
    args = ["validate", "--target", target, "--docs", str(docs)]
    for mart in marts:
        args += ["--mart", mart]
    result = runner.invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, " ".join(result.output.split())  # undo rich's line wrapping


def test_validate_passes_and_writes_data_docs(warehouse_copy: Path, tmp_path: Path):
    code, output = validate(tmp_path / "docs")
    assert code == 0, output[-4000:]
    assert f"expectations on {MARTS} marts passed" in output
    assert (tmp_path / "docs" / "index.html").is_file()
    pages = {p.stem for p in (tmp_path / "docs" / "validations").rglob("*.html")}
    assert len(pages) == len(read_marts(load_manifest("duckdb")))  # one validation page per mart (named by batch)
    assert str(tmp_path / "docs" / "index.html") in "".join(output.split())  # (a long path wraps)


def test_suites_match_the_marts(warehouse_copy: Path):
    settings = unpublished(target_settings("duckdb"))
    marts = {mart.name: mart for mart in read_marts(load_manifest("duckdb"))}
    assert set(MART_SPECS) <= set(marts), "rules declared for marts that do not exist"
    for name, spec in MART_SPECS.items():
        assert unused_exceptions(spec, list(marts[name].columns)) == [], name
    # the spine validate recomputes from staging is int_months
    with connect_build(warehouse_copy) as con:
        months = [m.isoformat() for (m,) in con.execute(
            "select report_month from intermediate.int_months order by 1").fetchall()]
    assert list(read_facts(settings).months) == months


def _model(name: str, folder: str, columns: dict[str, str]) -> dict:
    return {"unique_id": f"model.lifecycle.{name}", "resource_type": "model", "name": name,
            "original_file_path": f"{folder}/{name}.sql",
            "columns": {column: {"name": column, "data_type": data_type} for column, data_type in columns.items()}}


def _test(model: str, test: str, column_name: str) -> dict:
    return {"unique_id": f"test.lifecycle.{test}_{model}_{len(column_name)}", "resource_type": "test",
            "name": test, "attached_node": f"model.lifecycle.{model}",
            "test_metadata": {"name": test, "kwargs": {"column_name": column_name}}}


def manifest_of(*nodes: dict) -> dict:
    return {"nodes": {node["unique_id"]: node for node in nodes}}


NEW_MART = _model("new_segment_monthly", "models/marts/lifecycle",
                  {"segment": "text", "report_month": "date", "visits": "bigint", "visit_rate": "numeric(28,6)"})


def test_grain_columns_and_types_come_from_the_manifest():
    """A mart added in YAML needs no Python: its grain is its unique test's columns (nullable without a
    not_null test), its month column the grain's date column, its types the YAML's data_type."""
    manifest = manifest_of(
        NEW_MART,
        _test("new_segment_monthly", "unique", "concat(coalesce(segment, '_null_'), '|', report_month)"),
        _test("new_segment_monthly", "not_null", "report_month"),
        _test("new_segment_monthly", "not_null", "visits"),
        _model("stg_other", "models/staging/crm", {"id": "text"}),  # not a mart
        _test("stg_other", "unique", "id"),
    )
    (mart,) = read_marts(manifest)
    assert mart == Mart(name="new_segment_monthly",
                        columns={"segment": "other", "report_month": "date", "visits": "numeric",
                                 "visit_rate": "numeric"},
                        grain=("segment", "report_month"), nullable=frozenset({"segment"}))
    assert mart.month_columns == ("report_month",)
    facts = Facts(months=("2024-01-01", "2024-02-01"), channels=0, score_bands=0, email_send_groups=0,
                  campaigns=0, content_asset_months=0, score_reasons=0, nps_responses=0)
    suite = build_suite(mart, MartSpec(), facts)
    kwargs = [(e.expectation_type, e.configuration.kwargs) for e in suite.expectations]
    checks = {(kind, str(args.get("column") or args.get("column_list"))) for kind, args in kwargs}
    assert checks == {
        ("expect_table_columns_to_match_set", "None"),
        ("expect_compound_columns_to_be_unique", "['segment', 'report_month']"),
        ("expect_column_values_to_not_be_null", "report_month"),
        ("expect_column_values_to_be_in_set", "report_month"),
        ("expect_column_values_to_be_between", "visits"),
        ("expect_column_values_to_be_between", "visit_rate"),
    }


def test_a_mart_without_one_grain_or_types_is_named():
    with pytest.raises(LifecycleError, match="new_segment_monthly: 0 unique tests"):
        read_marts(manifest_of(NEW_MART))
    untyped = {**NEW_MART, "columns": {**NEW_MART["columns"], "visits": {"name": "visits", "data_type": None}}}
    with pytest.raises(LifecycleError, match="new_segment_monthly: column.s. visits declare no data_type"):
        read_marts(manifest_of(untyped, _test("new_segment_monthly", "unique", "report_month")))


def test_a_manifest_older_than_the_models_is_parsed_anew(warehouse_copy: Path):
    path = manifest_path("duckdb")
    os.utime(path, (0, 0))  # older than every model file
    marts = read_marts(load_manifest("duckdb"))
    assert path.stat().st_mtime > 0
    assert "channel_performance" in {mart.name for mart in marts}
    grains = {mart.name: mart.grain for mart in marts}
    assert grains["channel_performance"] == ("channel", "report_month")
    assert grains["score_activity_lift"] == ("score_reason",)


def middle_month(path: Path, mart: str, column: str = "report_month") -> str:
    with duckdb.connect(str(path), read_only=True) as con:
        months = [m for (m,) in con.execute(f"select distinct {column} from marts.{mart} order by 1").fetchall()]
    return months[len(months) // 2].isoformat()


CORRUPTIONS = {
    # name: (SQL with {month}, mart, column as named in the failure, expectation)
    "rate_above_one": (
        "update marts.nurture_monthly set open_rate = 1.7 where report_month = '{month}'",
        "nurture_monthly", "open_rate", "expect_column_values_to_be_between"),
    "nps_150": (
        "update marts.expand_monthly set nps = 150 where report_month = '{month}'",
        "expand_monthly", "nps", "expect_column_values_to_be_between"),
    "negative_count": (
        "update marts.attract_monthly set visits = -3 where report_month = '{month}'",
        "attract_monthly", "visits", "expect_column_values_to_be_between"),
    "duplicated_grain": (
        "insert into marts.channel_performance select * from marts.channel_performance "
        + "where report_month = '{month}' and channel = 'email'",
        "channel_performance", "channel, report_month", "expect_compound_columns_to_be_unique"),
    "missing_month": (
        "delete from marts.capture_monthly where report_month = '{month}'",
        "capture_monthly", "report_month", "expect_column_distinct_values_to_contain_set"),
    "cost_per_mql_without_mqls": (
        "update marts.nurture_monthly set mqls = 0 where report_month = '{month}'",
        "nurture_monthly", "cost_per_mql", "expect_column_values_to_be_null"),
}


def corrupt(published: Path, name: str) -> tuple[str, str, str]:
    sql, mart, column, expectation = CORRUPTIONS[name]
    path = warehouse_files(published)[2]  # the build file
    month = middle_month(path, mart)
    with duckdb.connect(str(path)) as con:
        con.execute(sql.format(month=month))
    return mart, column, expectation


def failure_message(output: str) -> str:
    return output[output.index("error: validation failed"):]


@pytest.mark.parametrize("name", list(CORRUPTIONS))
def test_validate_fails_naming_mart_column_and_expectation(name: str, warehouse_copy: Path, tmp_path: Path):
    # only the corrupted mart's suite (fast); the full checkpoint is the next test's
    mart, column, expectation = corrupt(warehouse_copy, name)
    code, output = validate(tmp_path / "docs", marts=(mart,))
    assert code == 1, output[-4000:]
    error = failure_message(output)
    assert f"{mart}.{column}" in error and expectation in error, error


def test_full_checkpoint_fails_on_the_corrupted_mart_only(warehouse_copy: Path, tmp_path: Path):
    mart, column, expectation = corrupt(warehouse_copy, "missing_month")
    code, output = validate(tmp_path / "docs")
    assert code == 1, output[-4000:]
    error = failure_message(output)
    assert f"{mart}.{column}: {expectation}" in error, error
    others = [m.name for m in read_marts(load_manifest("duckdb")) if m.name != mart]
    assert not any(f" {m}." in error or f" {m} (table)" in error for m in others), error
    assert (tmp_path / "docs" / "index.html").is_file()  # data docs are written on failure too


def test_validate_on_postgres(xs_exports: Path, postgres_target: dict, tmp_path: Path):
    result = runner.invoke(app, ["run", "--exports", str(xs_exports), "--target", "postgres"])
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)
    code, output = validate(tmp_path / "docs", target="postgres")
    assert code == 0, output[-4000:]
    assert f"expectations on {MARTS} marts passed" in output
    assert (tmp_path / "docs" / "index.html").is_file()
