"""`lifecycle validate`: the Great Expectations checkpoint over the metric marts.

One xs warehouse is built per module; each corruption test breaks a copy of its build file (on DuckDB
validate checks the build file: the published file holds no staging layer to compare the marts with).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.expectations import MARTS, unused_exceptions
from lifecycle.generate import generate
from lifecycle.targets import target_settings, unpublished
from lifecycle.validate import mart_columns, read_facts

from conftest import connect_build, copy_warehouse, warehouse_files

runner = CliRunner()


@pytest.fixture(scope="module")
def xs_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xs")
    generate("xs", 7, folder)
    return folder


@pytest.fixture(scope="module")
def built_warehouse(xs_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An xs warehouse built by `lifecycle run` (never modified: tests corrupt copies)."""
    path = tmp_path_factory.mktemp("warehouse") / "xs.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
        result = runner.invoke(app, ["run", "--exports", str(xs_exports), "--target", "duckdb"])
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)
    return path


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
    assert "expectations on 15 marts passed" in output
    assert (tmp_path / "docs" / "index.html").is_file()
    pages = {p.stem for p in (tmp_path / "docs" / "validations").rglob("*.html")}
    assert len(pages) == len(MARTS)  # one validation page per mart (named by batch)
    assert str(tmp_path / "docs" / "index.html") in output


def test_suites_match_the_marts(warehouse_copy: Path):
    settings = unpublished(target_settings("duckdb"))
    columns = mart_columns(settings)
    for spec in MARTS:
        assert unused_exceptions(spec, list(columns[spec.name])) == [], spec.name
    # the spine validate recomputes from staging is int_months
    with connect_build(warehouse_copy) as con:
        months = [m.isoformat() for (m,) in con.execute(
            "select report_month from intermediate.int_months order by 1").fetchall()]
    assert list(read_facts(settings).months) == months


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
    others = [spec.name for spec in MARTS if spec.name != mart]
    assert not any(f" {m}." in error or f" {m} (table)" in error for m in others), error
    assert (tmp_path / "docs" / "index.html").is_file()  # data docs are written on failure too


def test_validate_on_postgres(xs_exports: Path, postgres_target: dict, tmp_path: Path):
    result = runner.invoke(app, ["run", "--exports", str(xs_exports), "--target", "postgres"])
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)
    code, output = validate(tmp_path / "docs", target="postgres")
    assert code == 0, output[-4000:]
    assert "expectations on 15 marts passed" in output
    assert (tmp_path / "docs" / "index.html").is_file()
