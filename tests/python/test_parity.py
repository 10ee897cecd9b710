"""DuckDB and PostgreSQL builds of the same exports give identical marts.

Each case loads the generated `xs` exports into both targets and builds the seeds and models
(`dbt build` without the data and unit tests: test_pipeline.py runs those on both targets), then
compares every relation dbt built in the `marts` schema: the same marts, the same columns and the
same rows (in any order; numbers equal to a relative tolerance, everything else exactly, nulls
included). The second case sets the project variable `reporting_timezone`, so that the dispatched
time-zone macros of macros/month_start.sql are compared too.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.dbt_build import dbt_invoke
from lifecycle.targets import query
from lifecycle.errors import LifecycleError
from lifecycle.manifest import manifest_path
from lifecycle.targets import unpublished

REL_TOL, ABS_TOL = 1e-9, 1e-12
SHOWN = 3  # differing rows shown per side


def build(target: str, exports: Path, variables: dict[str, str]) -> None:
    """`lifecycle load`, then dbt's seeds and models with `variables` (the CLI has no --vars)."""
    result = CliRunner().invoke(app, ["load", "--exports", str(exports), "--target", target])
    assert result.exit_code == 0, result.output[-4000:] + repr(result.exception)
    dbt_invoke(["build", "--exclude-resource-type", "test", "unit_test",
                "--vars", json.dumps(variables)], target)


def marts_in_manifest(target: str) -> set[str]:
    """The relations the last dbt build of `target` made in the marts schema, by dbt's manifest."""
    manifest = json.loads(manifest_path(target).read_text())
    return {node["alias"] for node in manifest["nodes"].values()
            if node["resource_type"] in ("model", "seed", "snapshot") and node["schema"] == "marts"
            and node["config"]["materialized"] != "ephemeral"}


def relations(settings: dict, schema: str) -> set[str]:
    sql = f"select table_name from information_schema.tables where table_schema = '{schema}'"
    return {name for (name,) in query(settings, sql)[1]}


def is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def whole(value: object) -> bool:
    return isinstance(value, int) or (math.isfinite(value) and value == int(value))


def exact(value: object) -> object:
    """A value of a column compared exactly, as a dict key: whole numbers as int whatever their
    type, a boolean kept apart from 0 and 1 (dates, timestamps and text compare as they are)."""
    if isinstance(value, bool):
        return (bool, value)
    return int(value) if isinstance(value, float | Decimal) else value


def close(a: object, b: object) -> bool:
    """Equal numbers to REL_TOL, or equal values of one type (nulls equal)."""
    if not (is_number(a) and is_number(b)):
        return a == b and type(a) is type(b)
    a, b = float(a), float(b)
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def row_differences(columns: list[str], left: list[tuple], right: list[tuple]) -> tuple[list, list]:
    """The rows of `left` and of `right` that have no equal row on the other side (as multisets).

    A numeric column with a fraction on either side is compared to REL_TOL; every other column
    exactly (whole numbers as int, whether int, decimal or float)."""
    approx = [i for i in range(len(columns))
              if any(is_number(v) and not whole(v) for v in (row[i] for row in left + right))]
    keyed = [i for i in range(len(columns)) if i not in approx]
    groups: dict[tuple, tuple[list, list]] = defaultdict(lambda: ([], []))
    for side, rows in enumerate((left, right)):
        for row in rows:
            groups[tuple(exact(row[i]) for i in keyed)][side].append(row)
    only_left, only_right = [], []
    for ours, theirs in groups.values():
        if not approx and len(ours) == len(theirs):
            continue
        unmatched = list(theirs)
        for row in ours:
            match = next((i for i, other in enumerate(unmatched)
                          if all(close(row[c], other[c]) for c in approx)), None)
            if match is None:
                only_left.append(row)
            else:
                del unmatched[match]
        only_right.extend(unmatched)
    return only_left, only_right


def differing_columns(columns: list[str], only_left: list[tuple],
                      only_right: list[tuple]) -> list[str]:
    """The columns in which unmatched rows differ from the most similar row of the other side."""
    found: set[int] = set()
    for row in only_left[:200]:
        if not only_right:
            break
        candidates = only_right[:200]
        scores = [sum(map(close, row, other)) for other in candidates]
        best = candidates[scores.index(max(scores))]
        found.update(i for i, (a, b) in enumerate(zip(row, best, strict=True)) if not close(a, b))
    return [columns[i] for i in sorted(found)]


def compare_marts(duck: dict, pg: dict) -> list[str]:
    """Every difference between the marts of two built targets, one message per mart."""
    expected = marts_in_manifest("duckdb")
    assert expected == marts_in_manifest("postgres")
    assert len(expected) > 20, expected
    assert relations(duck, "marts") == expected, "DuckDB's marts schema is not what dbt built"
    assert relations(pg, "marts") == expected, "PostgreSQL's marts schema is not what dbt built"
    problems = []
    for mart in sorted(expected):
        d_columns, d_rows = query(duck, f"select * from marts.{mart}")
        p_columns, p_rows = query(pg, f"select * from marts.{mart}")
        if set(d_columns) != set(p_columns):
            only_duck, only_pg = set(d_columns) - set(p_columns), set(p_columns) - set(d_columns)
            problems.append(f"{mart}: columns only on DuckDB {sorted(only_duck)}, "
                            f"only on PostgreSQL {sorted(only_pg)}")
            continue
        order = [p_columns.index(c) for c in d_columns]
        p_rows = [tuple(row[i] for i in order) for row in p_rows]
        only_duck, only_pg = (sorted(rows, key=str)
                              for rows in row_differences(d_columns, d_rows, p_rows))
        if only_duck or only_pg:
            columns = differing_columns(d_columns, only_duck, only_pg)
            shown = "".join(f"\n    {side}: {dict(zip(d_columns, row, strict=True))}"
                            for side, rows in (("duckdb", only_duck), ("postgres", only_pg))
                            for row in rows[:SHOWN])
            problems.append(
                f"{mart}: {len(d_rows)} rows on DuckDB, {len(p_rows)} on PostgreSQL; "
                f"{len(only_duck)} only on DuckDB, {len(only_pg)} only on PostgreSQL"
                + (f"; differing columns {columns}" if columns else "") + shown)
    return problems


def test_marts_agree_on_duckdb_and_postgres(xs_exports, duckdb_target, postgres_target):
    duckdb_target = unpublished(duckdb_target)  # what dbt built (`build` publishes nothing)
    build("duckdb", xs_exports, {})
    build("postgres", xs_exports, {})
    problems = compare_marts(duckdb_target, postgres_target)
    assert not problems, "DuckDB and PostgreSQL marts differ:\n" + "\n".join(problems)


def test_marts_agree_in_a_reporting_time_zone(xs_exports, duckdb_target, postgres_target):
    timezone = {"reporting_timezone": "America/New_York"}
    duckdb_target = unpublished(duckdb_target)  # what dbt built (`build` publishes nothing)
    build("duckdb", xs_exports, timezone)
    build("postgres", xs_exports, timezone)
    # the variable reached dbt on both targets: New York's months start at 04:00 or 05:00 UTC
    for settings in (duckdb_target, postgres_target):
        sql = "select distinct extract(hour from month_starts_at) from intermediate.int_months"
        assert {hour for (hour,) in query(settings, sql)[1]} == {4, 5}
    problems = compare_marts(duckdb_target, postgres_target)
    assert not problems, ("DuckDB and PostgreSQL marts differ (America/New_York):\n"
                          + "\n".join(problems))


def test_row_differences_tolerate_rounding_and_name_the_column():
    jan, feb = date(2024, 1, 1), date(2024, 2, 1)
    columns = ["month", "leads", "rate"]
    left = [(jan, 2, 0.1 + 0.2), (feb, 1, None)]
    right = [(feb, Decimal(1), None), (jan, 2.0, Decimal("0.3"))]
    assert row_differences(columns, left, right) == ([], [])
    right[0] = (feb, 1, 0.0)
    only_left, only_right = row_differences(columns, left, right)
    assert (only_left, only_right) == ([left[1]], [right[0]])
    assert differing_columns(columns, only_left, only_right) == ["rate"]
    # a timestamp is not a date, a boolean is not 1, 0.3 is not 0.3000001
    assert row_differences(columns, [(datetime(2024, 1, 1), 1, 0.5)], [(jan, 1, 0.5)]) != ([], [])
    assert row_differences(columns, [(jan, True, 0.5)], [(jan, 1, 0.5)]) != ([], [])
    assert row_differences(columns, [(jan, 1, 0.3)], [(jan, 1, 0.3000001)]) != ([], [])


@pytest.mark.parametrize("timezone", ["CET", "UTC+3", "+03:00"])
def test_a_time_zone_the_targets_read_differently_stops_the_build(timezone, duckdb_target, capfd):
    # PostgreSQL takes CET as a fixed UTC+1 where DuckDB applies summer time, and reverses the sign of UTC+3
    with pytest.raises(LifecycleError):
        dbt_invoke(["compile", "--select", "int_months", "--vars", json.dumps({"reporting_timezone": timezone})],
                   "duckdb")
    assert "is not an IANA time zone name" in capfd.readouterr().out
