"""`lifecycle load`: validate an exports folder against the contract and append it as a batch.

Every file is first read into a scratch DuckDB database and checked there (types, keys,
ranges); only when no file has a file-level problem is anything written to the target,
in one transaction. Row-level problems go to `raw.quarantine` with file, line, column,
value and reason; the rest of the rows load.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb

from .contract import BATCH_COLUMNS, ColumnSpec, FileSpec, load_contract
from .errors import LifecycleError, LoadError
from .readers import find_file, read_batches

EARLIEST_TIMESTAMP = "1990-01-01"
SCRATCH = "scratch"
QUARANTINE_COLUMNS = (
    ("batch_id", "bigint"),
    ("loaded_at", "timestamp"),
    ("file_name", "varchar"),
    ("line_number", "bigint"),
    ("column_name", "varchar"),
    ("value", "varchar"),
    ("reason", "varchar"),
)
BATCHES_COLUMNS = (("batch_id", "bigint"), ("loaded_at", "timestamp"), ("exports_dir", "varchar"))


@dataclass
class FileResult:
    file: str
    path: Path | None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


@dataclass
class LoadResult:
    batch_id: int
    loaded_at: datetime
    files: list[FileResult]

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def raw_table_ddl(spec: FileSpec) -> str:
    columns = [
        "_batch_id bigint", "_loaded_at timestamp", "_file_name varchar", "_line_number bigint",
        *(f"{c.name} {c.data_type}" for c in spec.columns),
    ]
    return f"create table if not exists raw.{spec.name} ({', '.join(columns)})"


def raw_ddl() -> list[str]:
    """DDL for the raw schema, valid on DuckDB and PostgreSQL."""
    statements = ["create schema if not exists raw"]
    statements += [raw_table_ddl(spec) for spec in load_contract()]
    for table, cols in (("quarantine", QUARANTINE_COLUMNS), ("load_batches", BATCHES_COLUMNS)):
        statements.append(
            f"create table if not exists raw.{table} ({', '.join(f'{n} {t}' for n, t in cols)})"
        )
    return statements


# ---------------------------------------------------------------- checks (in scratch DuckDB)

def _parse(col: ColumnSpec, v: str) -> str:
    """SQL parsing the trimmed string `v` into the column's type (null when it does not parse)."""
    kind = col.kind
    if kind == "string":
        return v
    if kind == "integer":
        return f"try_cast({v} as bigint)"
    if kind == "decimal":
        return f"try_cast({v} as {col.data_type})"
    if kind == "boolean":
        return (
            f"case when lower({v}) in ('true', 't', '1', 'yes', 'y') then true "
            f"when lower({v}) in ('false', 'f', '0', 'no', 'n') then false end"
        )
    if kind == "timestamp":
        return f"cast(try_cast({v} as timestamptz) as timestamp)"
    return f"coalesce(try_cast({v} as date), cast(cast(try_cast({v} as timestamptz) as timestamp) as date))"


def _problem(col: ColumnSpec, v: str, parsed: str, latest: str) -> str:
    """SQL giving the reason the value is unusable, or null."""
    checks = [(f"{v} is not null and {parsed} is null", f"not a valid {col.kind}")]
    if col.min is not None:
        checks.append((f"{parsed} < {col.min}", f"below the minimum {col.min}"))
    if col.max is not None:
        checks.append((f"{parsed} > {col.max}", f"above the maximum {col.max}"))
    if col.accepted_values:
        values = ", ".join(quote(a) for a in col.accepted_values)
        checks.append((f"lower({v}) not in ({values})", f"not one of {', '.join(col.accepted_values)}"))
    if col.kind == "timestamp":
        checks.append((f"{parsed} < timestamp '{EARLIEST_TIMESTAMP}'", "timestamp before 1990"))
        checks.append((f"{parsed} > timestamp '{latest}'", "timestamp more than a day in the future"))
    whens = " ".join(f"when {cond} then {quote(reason)}" for cond, reason in checks)
    return f"case {whens} end"


def check_sql(spec: FileSpec, latest_allowed: datetime) -> str:
    """SQL over scratch table `src_<file>` giving typed values and one `<col>__problem` per column."""
    latest = latest_allowed.strftime("%Y-%m-%d %H:%M:%S")
    selects = ["_line"]
    for col in spec.columns:
        v = f"nullif(trim({col.name}), '')"
        parsed = _parse(col, v)
        selects.append(f"{parsed} as {col.name}")
        selects.append(f"{_problem(col, v, parsed, latest)} as {col.name}__problem")
    if spec.primary_key:
        key = ", ".join(spec.primary_key)
        null_key = " or ".join(f"nullif(trim({k}), '') is null" for k in spec.primary_key)
        selects.append(
            f"case when {null_key} then 'primary key is null' "
            f"when count(*) over (partition by {key}) > 1 and _line > min(_line) over (partition by {key}) "
            f"then 'duplicate primary key (first on line ' || min(_line) over (partition by {key}) || ')' "
            "end as _key_problem"
        )
    else:
        selects.append("cast(null as varchar) as _key_problem")
    return f"select {', '.join(selects)} from src_{spec.name}"


def _check_file(
    scratch: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path, latest_allowed: datetime,
    on_progress: Callable[[int], None],
) -> FileResult:
    scratch.execute(
        f"create table src_{spec.name} ({', '.join(f'{c} varchar' for c in spec.column_names)}, _line bigint)"
    )
    scratch.execute(f"create table ragged_{spec.name} (_line bigint, reason varchar, value varchar)")
    result = FileResult(spec.name, path)
    for batch in read_batches(path, spec, on_progress):
        arrow = batch.to_arrow()  # noqa: F841  (read by DuckDB's replacement scan)
        scratch.execute(f"insert into src_{spec.name} select * from arrow")
        for r in batch.ragged:
            scratch.execute(f"insert into ragged_{spec.name} values (?, ?, ?)", [r.line, r.reason, r.value])
        result.rows_read += len(batch.lines) + len(batch.ragged)
    scratch.execute(f"create table checked_{spec.name} as {check_sql(spec, latest_allowed)}")
    problems = " union all ".join(
        [f"select _line, null, null, _key_problem from checked_{spec.name} where _key_problem is not null"]
        + [
            f"select c._line, '{col.name}', s.{col.name}, c.{col.name}__problem "
            f"from checked_{spec.name} as c join src_{spec.name} as s on c._line = s._line "
            f"where c.{col.name}__problem is not null"
            for col in spec.columns
        ]
        + [f"select _line, null, value, reason from ragged_{spec.name}"]
    )
    scratch.execute(
        f"create table problems_{spec.name} (_line bigint, column_name varchar, value varchar, reason varchar)"
    )
    scratch.execute(f"insert into problems_{spec.name} {problems}")
    scratch.execute(
        f"create table valid_{spec.name} as select _line, {', '.join(spec.column_names)} "
        f"from checked_{spec.name} where _line not in (select _line from problems_{spec.name})"
    )
    result.rows_loaded = scratch.execute(f"select count(*) from valid_{spec.name}").fetchone()[0]
    result.rows_quarantined = result.rows_read - result.rows_loaded
    return result


# ---------------------------------------------------------------- writing to the target

def _batch_selects(spec: FileSpec, batch_id: int, loaded_at: datetime, file_name: str) -> dict[str, str]:
    """raw table -> SQL over the scratch database giving the rows this batch appends to it."""
    batch = f"{batch_id}, timestamp '{loaded_at:%Y-%m-%d %H:%M:%S.%f}', {quote(file_name)}, _line"
    return {
        spec.name: f"select {batch}, {', '.join(spec.column_names)} "
        f"from {SCRATCH}.main.valid_{spec.name} order by _line",
        "quarantine": f"select {batch}, column_name, value, reason "
        f"from {SCRATCH}.main.problems_{spec.name} order by _line, column_name",
    }


def _write_duckdb(scratch: duckdb.DuckDBPyConnection, settings: dict[str, Any],
                  plan: list[tuple[FileSpec, FileResult]], exports: Path, loaded_at: datetime) -> int:
    db_path = Path(settings["path"])
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        scratch.execute(f"attach {quote(str(db_path))} as wh")
    except duckdb.Error as exc:
        raise LifecycleError(f"cannot open the warehouse {db_path} for writing: {exc}") from None
    scratch.execute("use wh")
    try:
        scratch.execute("begin transaction")
        for statement in raw_ddl():
            scratch.execute(statement)
        batch_id = scratch.execute("select coalesce(max(batch_id), 0) + 1 from raw.load_batches").fetchone()[0]
        scratch.execute("insert into raw.load_batches values (?, ?, ?)", [batch_id, loaded_at, str(exports.resolve())])
        for spec, result in plan:
            for table, select in _batch_selects(spec, batch_id, loaded_at, result.path.name).items():
                scratch.execute(f"insert into raw.{table} {select}")
        scratch.execute("commit")
    except BaseException:
        scratch.execute("rollback")
        raise
    finally:
        scratch.execute(f"use {SCRATCH}")
        scratch.execute("detach wh")
    return batch_id


def _write_postgres(scratch: duckdb.DuckDBPyConnection, settings: dict[str, Any], plan: list[tuple[FileSpec, FileResult]],
                    exports: Path, loaded_at: datetime, workdir: Path) -> int:
    import psycopg

    try:
        conn = psycopg.connect(
            host=settings["host"], port=settings["port"], user=settings["user"],
            password=settings.get("password") or None, dbname=settings["dbname"],
        )
    except psycopg.Error as exc:
        raise LifecycleError(f"cannot connect to PostgreSQL target {settings['name']}: {exc}") from None
    with conn, conn.cursor() as cur:
        for statement in raw_ddl():
            cur.execute(statement)
        cur.execute("lock table raw.load_batches in exclusive mode")
        cur.execute("select coalesce(max(batch_id), 0) + 1 from raw.load_batches")
        batch_id = cur.fetchone()[0]
        cur.execute("insert into raw.load_batches values (%s, %s, %s)", (batch_id, loaded_at, str(exports.resolve())))
        for spec, result in plan:
            file_name = result.path.name
            columns = {
                spec.name: (*BATCH_COLUMNS, *spec.column_names),
                "quarantine": tuple(n for n, _ in QUARANTINE_COLUMNS),
            }
            for table, select in _batch_selects(spec, batch_id, loaded_at, file_name).items():
                csv_path = workdir / f"{table}.csv"
                scratch.execute(f"copy ({select}) to {quote(str(csv_path))} (format csv, header false)")
                with cur.copy(f"copy raw.{table} ({', '.join(columns[table])}) from stdin with (format csv)") as copy:
                    with open(csv_path, "rb") as fh:
                        while chunk := fh.read(1 << 20):
                            copy.write(chunk)
    conn.close()
    return batch_id


def load_exports(
    exports: Path, settings: dict[str, Any],
    on_file: Callable[[FileSpec, Path], Callable[[int], None]] = lambda s, p: (lambda _: None),
) -> LoadResult:
    """Check every contract file in `exports`, then append them as one batch to the target."""
    if not exports.is_dir():
        raise LifecycleError(f"exports folder {exports} does not exist")
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    latest_allowed = loaded_at + timedelta(days=1)
    files: list[FileResult] = []
    plan: list[tuple[FileSpec, FileResult]] = []
    with tempfile.TemporaryDirectory(prefix="lifecycle-load-") as tmp:
        scratch = duckdb.connect(str(Path(tmp) / f"{SCRATCH}.duckdb"))
        scratch.execute("set TimeZone = 'UTC'")
        scratch.execute("set preserve_insertion_order = true")
        try:
            for spec in load_contract():
                path = find_file(exports, spec)
                if path is None:
                    if spec.required:
                        raise LoadError(
                            f"{spec.name}.csv", f"required file is missing from {exports} "
                            f"(accepted: {spec.name}.csv, .csv.gz or .parquet)"
                        )
                    files.append(FileResult(spec.name, None))
                    continue
                result = _check_file(scratch, spec, path, latest_allowed, on_file(spec, path))
                files.append(result)
                plan.append((spec, result))
            scratch.execute("checkpoint")
            if settings["type"] == "duckdb":
                batch_id = _write_duckdb(scratch, settings, plan, exports, loaded_at)
            elif settings["type"] == "postgres":
                batch_id = _write_postgres(scratch, settings, plan, exports, loaded_at, Path(tmp))
            else:
                raise LifecycleError(f"lifecycle load does not support target type {settings['type']!r}")
        finally:
            scratch.close()
    return LoadResult(batch_id, loaded_at, files)
