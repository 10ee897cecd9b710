"""`lifecycle load`: check an exports folder against the contract and append it as one batch.

Each file is read by DuckDB into a scratch table of text (readers.py), typed and checked there by
one SQL statement generated from the contract (types, ranges, dates within a window, keys,
currencies), and its valid rows and quarantined rows are appended to the target inside one
transaction that spans every file: a file-level problem in any file (unreadable file, missing
column, or too many quarantined rows) rolls the whole batch back, so nothing is written.
Every record is accounted for: rows read = rows loaded + rows quarantined, and the physical lines
of the file = header + blank lines + the lines of every record; the loader checks both.

On Spark (no transactions) the scratch DuckDB checks every file the same way and stages what the batch appends;
nothing is written to Spark until every file has passed, and a write that fails part way is undone (_SparkTarget).

Connector tables (docs/design/connectors.md §3.3) come in sub-folders named for their connector
(`salesforce/account.csv`) and go through the same checks into `raw_<connector>.<table>`, in the same batch.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb

from .contract import (
    BATCH_COLUMNS,
    PROJECT_DIR,
    ColumnSpec,
    FileSpec,
    all_specs,
    load_connectors,
    load_contract,
)
from .errors import LifecycleError, LoadError, user_error
from .project import passthrough_fields, project_var, project_vars, providers
from .readers import SUFFIXES, ReadFile, find_file, read_file, sql_text
from .targets import holding_spark

QUARANTINE_COLUMNS = (
    ("batch_id", "bigint"),
    ("loaded_at", "timestamp"),
    ("file_name", "varchar"),
    ("line_number", "bigint"),
    ("column_name", "varchar"),
    ("value", "varchar"),
    ("reason", "varchar"),
)
BATCHES_COLUMNS = (("batch_id", "bigint"), ("loaded_at", "timestamp"), ("exports_dir", "varchar"),
                   ("connectors", "varchar"))  # connectors: the connector folders of the batch, comma-separated
FILES_COLUMNS = (
    ("batch_id", "bigint"), ("file_name", "varchar"), ("lines_read", "bigint"), ("blank_lines", "bigint"),
    ("rows_read", "bigint"), ("rows_loaded", "bigint"), ("rows_quarantined", "bigint"),
)
MIN_ROWS_TO_STOP = 10  # the share rule stops a load only from this many quarantined rows on
NUMBER = r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
WHOLE_NUMBER = r"[+-]?[0-9]+(\.0*)?"
# DuckDB's share (flat in the input size); it must hold, pinned at once, the CSV reader's buffers (64 MiB
# each, a few per thread) and the rows an order-keeping insert holds back: 512MB ran out at scale l
# (256 MiB of buffers + 230 MiB pinned + a 128 MiB buffer asked for); 1GB loads m with 8 threads
SCRATCH_MEMORY = "1GB"
BLANKS = "' ' || chr(9) || chr(160) || chr(65279)"  # trimmed: space, tab, no-break space, BOM


@dataclass(frozen=True)
class Limits:
    """The loader's project variables (dbt_project.yml, `vars:`)."""

    earliest_date: str = "1990-01-01"
    event_days_ahead: int = 1
    planned_days_ahead: int = 366
    max_quarantine_share: float = 0.2
    reporting_currency: str = "USD"


@lru_cache(maxsize=None)
def project_limits(project_dir: Path = PROJECT_DIR) -> Limits:
    found = project_vars(project_dir)
    return Limits(
        earliest_date=str(found.get("load_earliest_date", Limits.earliest_date)),
        event_days_ahead=int(found.get("load_event_days_ahead", Limits.event_days_ahead)),
        planned_days_ahead=int(found.get("load_planned_days_ahead", Limits.planned_days_ahead)),
        max_quarantine_share=float(found.get("load_max_quarantine_share", Limits.max_quarantine_share)),
        reporting_currency=str(found.get("reporting_currency", Limits.reporting_currency)).upper(),
    )


@dataclass
class FileResult:
    file: str  # as the user sees it: crm_leads.csv, salesforce/account.csv (absent: without suffix)
    path: Path | None
    lines_read: int = 0
    blank_lines: int = 0
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


@dataclass
class LoadResult:
    batch_id: int
    loaded_at: datetime
    files: list[FileResult]
    unused: tuple[str, ...] = ()  # files in connector folders that no declared table names (not read)
    provided: dict[str, str] = field(default_factory=dict)  # contract file -> the connector that provides it

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)


def raw_table_columns(spec: FileSpec) -> list[tuple[str, str]]:
    """(name, type) of the raw table of `spec`: the batch columns, then the file's columns."""
    return [("_batch_id", "bigint"), ("_loaded_at", "timestamp"), ("_file_name", "varchar"),
            ("_line_number", "bigint"), *((c.name, c.data_type) for c in spec.columns)]


def raw_tables() -> dict[str, list[tuple[str, str]]]:
    """schema.table -> (name, type) of every table in the raw schemas: every contract file's and declared
    connector table's (dbt's sources and unit tests need them, loaded or not), then the load's own (quarantine,
    load_batches, load_files). The one definition every target's DDL is made from."""
    tables = {spec.relation: raw_table_columns(spec) for spec in all_specs()}
    tables |= {f"raw.{table}": list(cols) for table, cols in (
        ("quarantine", QUARANTINE_COLUMNS), ("load_batches", BATCHES_COLUMNS), ("load_files", FILES_COLUMNS))}
    return tables


def raw_table_ddl(spec: FileSpec) -> str:
    return f"create table if not exists {spec.relation} ({', '.join(f'{n} {t}' for n, t in raw_table_columns(spec))})"


def raw_ddl() -> list[str]:
    """DDL for the raw schemas (raw_tables), valid on DuckDB and PostgreSQL; columns added since a warehouse
    was made are added to it (_SparkTarget.migrate: the same on Spark)."""
    schemas = dict.fromkeys(["raw", *(spec.schema for spec in all_specs())])
    statements = [f"create schema if not exists {schema}" for schema in schemas]
    statements += [f"create table if not exists {table} ({', '.join(f'{n} {t}' for n, t in cols)})"
                   for table, cols in raw_tables().items()]
    statements.append("alter table raw.load_batches add column if not exists connectors varchar")
    return statements


# ---------------------------------------------------------------- checks (SQL over the scratch table)

def _parse(col: ColumnSpec, v: str) -> str:
    """SQL parsing the trimmed string `v` into the column's type (null when it does not parse)."""
    kind = col.kind
    if kind == "string":
        return f"upper({v})" if col.currency else v
    if kind == "integer":
        return (f"case when regexp_full_match({v}, '{WHOLE_NUMBER}') "
                f"then try_cast(regexp_replace({v}, '\\.0*$', '') as bigint) end")
    if kind == "decimal":
        return f"case when regexp_full_match({v}, '{NUMBER}') then try_cast({v} as {col.data_type}) end"
    if kind == "boolean":
        return (
            f"case when lower({v}) in ('true', 't', '1', 'yes', 'y') then true "
            f"when lower({v}) in ('false', 'f', '0', 'no', 'n') then false end"
        )
    if kind == "timestamp":
        return f"cast(try_cast({v} as timestamptz) as timestamp)"
    return f"coalesce(try_cast({v} as date), cast(cast(try_cast({v} as timestamptz) as timestamp) as date))"


def _problem(col: ColumnSpec, v: str, parsed: str, limits: Limits, loaded_at: datetime,
             currencies: tuple[str, ...], read: ReadFile) -> str | None:
    """SQL giving the reason the value is unusable, or null; None when nothing can be wrong with it."""
    checks = []
    if col.kind == "integer":
        checks.append((f"{v} is not null and {parsed} is null and regexp_full_match({v}, '{WHOLE_NUMBER}')",
                       "out of range for a whole number"))
        checks.append((f"{v} is not null and {parsed} is null and regexp_full_match({v}, '{NUMBER}')",
                       "not a whole number"))
    if col.kind == "decimal":
        scale = int(col.data_type.split(",")[1].rstrip(") ")) if "," in col.data_type else 0
        checks.append((f"{v} is not null and {parsed} is null and regexp_full_match({v}, '{NUMBER}')",
                       f"out of range for {col.data_type}"))
        checks.append((f"try_cast({v} as decimal(38, 18)) <> {parsed}",
                       f"more than {scale} decimal places (it would be rounded)"))
    if col.kind != "string":
        checks.append((f"{v} is not null and {parsed} is null", f"not a valid {col.kind}"))
    if col.kind == "string" and read.may_hold_nul:
        checks.append((f"contains({v}, chr(0))", "contains a NUL byte"))
    if col.kind == "string" and read.may_break_lines:
        if not col.multiline:
            checks.append((f"contains({v}, chr(10)) or contains({v}, chr(13))",
                           "line break inside a single-line value (a stray quote?)"))
    if col.min is not None:
        checks.append((f"{parsed} < {col.min}", f"below the minimum {col.min}"))
    if col.max is not None:
        checks.append((f"{parsed} > {col.max}", f"above the maximum {col.max}"))
    if col.accepted_values:
        values = ", ".join(sql_text(a) for a in col.accepted_values)
        checks.append((f"lower({v}) not in ({values})", f"not one of {', '.join(col.accepted_values)}"))
    if col.kind in ("timestamp", "date") and not col.unbounded:
        days = limits.planned_days_ahead if col.planned else limits.event_days_ahead
        latest = loaded_at + timedelta(days=days)
        typ = "timestamp" if col.kind == "timestamp" else "date"
        checks.append((f"{parsed} < {typ} '{limits.earliest_date}'", f"before {limits.earliest_date}"))
        shown = f"{latest:%Y-%m-%d %H:%M:%S}" if typ == "timestamp" else f"{latest:%Y-%m-%d}"
        checks.append((f"{parsed} > {typ} '{shown}'", f"more than {days} day{'s' if days != 1 else ''} after the load"))
    if col.currency:
        checks.append((f"not regexp_full_match({parsed}, '[A-Z]{{3}}')", "not a 3-letter currency code"))
        if col.currency == "known":
            known = ", ".join(sql_text(c) for c in currencies)
            checks.append((f"{parsed} not in ({known})",
                           f"currency without rates in fx_rates (known: {', '.join(currencies)})"))
    if not checks:
        return None
    whens = " ".join(f"when {cond} then {sql_text(reason)}" for cond, reason in checks)
    return f"case {whens} end"


def check_sql(spec: FileSpec, read: ReadFile, limits: Limits, loaded_at: datetime,
              currencies: tuple[str, ...]) -> str:
    """SQL over the file (text columns) giving typed values and a `<col>__problem` per column that can have one.

    Each value is trimmed and parsed once (inner selects); the checks read the parsed value."""
    if read.may_hold_other_blanks:
        trim = f"trim({{}}, {BLANKS})"
    else:
        trim = "trim({})" if read.may_be_padded else "{}"
    texts = ", ".join(f"nullif({trim.format(c.name)}, '') as {c.name}__v" for c in spec.columns)
    parsed = ", ".join(f"{_parse(c, f'{c.name}__v')} as {c.name}" for c in spec.columns)
    outer = ", ".join(
        c.name + ("" if p is None else f", {p} as {c.name}__problem")
        for c in spec.columns for p in [_problem(c, f"{c.name}__v", c.name, limits, loaded_at, currencies, read)])
    return f"select {outer} from (select *, {parsed} from (select {texts} from {read.rows_sql}))"


def _spans(reason: str) -> str:
    """SQL: the reason (an SQL expression over checked rows `c`), saying which lines a record spans."""
    return (f"case when c._last_line > c._line then {reason} || ' (the record spans lines ' "
            f"|| c._line || '-' || c._last_line || ')' else {reason} end")


def _check_file(con: duckdb.DuckDBPyConnection, spec: FileSpec, read: ReadFile, limits: Limits,
                loaded_at: datetime, currencies: tuple[str, ...]) -> None:
    """Leave `checked_<file>` (typed rows) and `problems_<file>` (line, column, value, reason) in `con`."""
    checked, problems = f"checked_{spec.key}", f"problems_{spec.key}"
    try:
        con.execute(f"create temp table {checked}_rows as {check_sql(spec, read, limits, loaded_at, currencies)}")
    except duckdb.InvalidInputException as exc:  # DuckDB's reader gave up on the file
        raise LoadError(read.file_name, f"cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    read.recheck()  # the records DuckDB's reader refused are known now, and left out of the lines
    con.execute(f"create temp view {checked} as {read.with_lines(f'{checked}_rows')}")
    con.execute(f"create temp table {problems} (_line bigint, _last_line bigint, column_name varchar, "
                "value varchar, reason varchar)")
    if read.unparsed:
        con.executemany(f"insert into {problems} values (?, ?, null, ?, ?)",
                        [(first, last, text, reason + (f" (the record spans lines {first}-{last})"
                                                        if last > first else ""))
                         for first, last, text, reason in read.unparsed])
    names = {r[0] for r in con.execute(f"select column_name from (describe {checked}_rows)").fetchall()}
    checkable = [c for c in spec.columns if f"{c.name}__problem" in names]
    counts = con.execute(
        f"select {', '.join(['0', *(f'count({c.name}__problem)' for c in checkable)])} from {checked}_rows"
    ).fetchall()[0][1:]
    if any(counts):  # the values as they were in the file
        con.execute(f"create temp table {checked}_raw as select * from {read.rows_sql}")
    for col, count in zip(checkable, counts):
        if count:
            con.execute(
                f"insert into {problems} select c._line, c._last_line, '{col.name}', r.{col.name}, "
                f"{_spans(f'c.{col.name}__problem')} "
                f"from {checked} as c join {read.with_lines(f'{checked}_raw')} as r on c._line = r._line "
                f"where c.{col.name}__problem is not null"
            )
    # whole-row problems: counted on the table first (a parallel scan), listed with lines when there are any
    empty = " and ".join(f"{c.name} is null" for c in spec.columns)
    # a history-mode file (Fivetran's _fivetran_start in its header) holds several versions of a row
    history = spec.history_key and "_fivetran_start" in read.header_columns
    primary_key = spec.history_key if history else spec.primary_key
    key = ", ".join(primary_key)
    null_key = " or ".join(f"{k} is null" for k in primary_key) or "false"
    row_problems = {
        "the row holds no value (a line of commas?)": empty,
        "primary key is null": f"({null_key}) and not ({empty})",
    }
    found = con.execute(
        f"select {', '.join(f'count(*) filter (where {cond})' for cond in row_problems.values())}, "
        + (f"(select count(*) from (select {key} from {checked}_rows where not ({null_key}) group by {key} "
           "having count(*) > 1))" if key else "0")
        + f" from {checked}_rows").fetchall()[0]
    for (reason, cond), count in zip(row_problems.items(), found):
        if count:
            con.execute(f"insert into {problems} select _line, _last_line, null, null, {sql_text(reason)} "
                        f"from {checked} where {cond}")
    if found[-1]:
        con.execute(
            f"insert into {problems} select c._line, c._last_line, null, null, "
            f"'duplicate primary key (first on line ' || d.first_line || ')' from {checked} as c "
            f"join (select {key}, min(_line) as first_line from {checked} where not ({null_key}) "
            f"group by {key} having count(*) > 1) as d using ({key}) where c._line > d.first_line"
        )


def _stop_if_file_wide(con, spec: FileSpec, path: Path, read: ReadFile, result: FileResult,
                       limits: Limits) -> None:
    """A problem on every row, or too many quarantined rows, is the file's problem, not the rows'.

    A record whose quoting is broken counts as every line it swallowed (a stray quote can swallow the
    rest of a file into one record)."""
    swallowed = sum(last - first for first, last, _, _ in read.unparsed) + con.execute(
        f"select coalesce(sum(_last_line - _line), 0) from problems_{spec.key} where reason like 'line break%'"
    ).fetchall()[0][0]
    bad, total = result.rows_quarantined + swallowed, result.rows_read + swallowed
    if not bad or (result.rows_quarantined < result.rows_read
                   and (bad <= limits.max_quarantine_share * total or bad < MIN_ROWS_TO_STOP)):
        return
    column, reason, count, line = con.execute(
        f"select column_name, min(reason), count(*), min(_line) from problems_{spec.key} "
        "group by column_name, regexp_replace(reason, '[0-9]+', 'N', 'g') order by count(*) desc, min(_line) limit 1"
    ).fetchall()[0]
    unit = "rows" if not swallowed else "rows (a record with broken quoting counted as the lines it holds)"
    share = f"all {total:,} rows" if result.rows_quarantined == result.rows_read else (
        f"{bad:,} of {total:,} {unit} ({bad / total:.0%}, more than the {limits.max_quarantine_share:.0%} "
        "allowed by var load_max_quarantine_share)")
    raise LoadError(path.name, f"{share} would be quarantined; most common problem: {reason} "
                               f"({count:,} rows); nothing was loaded", column=column, line=line)


def _account(path: Path, result: FileResult, read: ReadFile, con, spec: FileSpec) -> None:
    """Every line read is accounted for, or the load stops."""
    spanned = con.execute(
        f"select coalesce(sum(_last_line - _line + 1), 0) from checked_{spec.key}").fetchall()[0][0] + sum(
        last - first + 1 for first, last, _, _ in read.unparsed)
    header = read.header_lines
    lines_ok = read.lines == header + read.blank_lines + spanned
    if result.rows_read != result.rows_loaded + result.rows_quarantined or not lines_ok:
        raise LoadError(path.name, f"lines do not add up: {read.lines:,} lines = {header} header + "
                                   f"{read.blank_lines:,} blank + {spanned:,} in rows?; rows read "
                                   f"{result.rows_read:,} = loaded {result.rows_loaded:,} + quarantined "
                                   f"{result.rows_quarantined:,}? (please report this file's shape)")


# ---------------------------------------------------------------- writing to the target

def _selects(spec: FileSpec, batch_id: int, loaded_at: datetime, file_name: str, clean: bool) -> dict[str, str]:
    """raw table (schema.table) -> SQL over the scratch tables giving the rows this batch appends to it (in
    file order: DuckDB keeps the order of what it reads)."""
    batch = f"{batch_id}, timestamp '{loaded_at:%Y-%m-%d %H:%M:%S.%f}', {sql_text(file_name)}, _line"
    valid = "" if clean else (
        f" where not exists (select 1 from problems_{spec.key} as p where p._line = c._line)")
    return {
        spec.relation: f"select {batch}, {', '.join(spec.column_names)} from checked_{spec.key} as c{valid}",
        "raw.quarantine": f"select {batch}, column_name, replace(value, chr(0), '\\0'), reason "
        f"from problems_{spec.key} order by _line, column_name",
    }


class _DuckDBTarget:
    """The raw file (targets.duckdb_files), written in place, is the scratch database: temp tables, one
    transaction (a failed or killed load commits nothing, so no copy of the file is needed)."""

    def __init__(self, settings: dict[str, Any], workdir: Path) -> None:
        path = Path(settings["raw"])
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(path))
        except duckdb.Error as exc:  # a WAL DuckDB cannot replay, the file open in another program...
            raise user_error(exc) or LifecycleError(f"cannot open the raw file {path} for writing: {exc}") from None
        self.scratch = self.con
        _configure(self.con, workdir)
        self.con.execute("begin transaction")
        for statement in raw_ddl():
            self.con.execute(statement)

    def fetch(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.con.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple = ()) -> None:
        self.con.execute(sql, params)

    def insert_row(self, table: str, columns: tuple[str, ...], values: tuple) -> None:
        self.execute(f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in values)})", values)

    def add_column(self, table: str, name: str) -> None:
        """A text column (a connector's custom field), unless the table has it."""
        self.execute(f"alter table {table} add column if not exists {name} varchar")

    def append(self, table: str, columns: tuple[str, ...], select: str) -> None:
        # the rows carry their line numbers: the order they are written in does not matter
        self.con.execute("set preserve_insertion_order = false")
        self.con.execute(f"insert into {table} ({', '.join(columns)}) {select}")
        self.con.execute("set preserve_insertion_order = true")

    def commit(self) -> None:
        self.con.execute("commit")

    def close(self) -> None:
        self.con.close()


class _PostgresTarget:
    """One PostgreSQL transaction; rows go in with COPY from CSV files the scratch DuckDB writes."""

    def __init__(self, settings: dict[str, Any], workdir: Path) -> None:
        from .targets import pg_connect

        self.workdir = workdir
        self.scratch = duckdb.connect()
        _configure(self.scratch, workdir)
        self.conn = pg_connect(settings)
        self.cur = self.conn.cursor()
        for statement in raw_ddl():
            self.cur.execute(statement)
        self.cur.execute("lock table raw.load_batches in exclusive mode")

    def fetch(self, sql: str, params: tuple = ()) -> list[tuple]:
        return self.cur.execute(sql.replace("?", "%s"), params).fetchall()

    def execute(self, sql: str, params: tuple = ()) -> None:
        self.cur.execute(sql.replace("?", "%s"), params)

    insert_row = _DuckDBTarget.insert_row
    add_column = _DuckDBTarget.add_column

    def append(self, table: str, columns: tuple[str, ...], select: str) -> None:
        csv_path = self.workdir / f"{table}.csv"  # (table: schema.table)
        self.scratch.execute(f"copy ({select}) to {sql_text(str(csv_path))} (format csv, header false)")
        with self.cur.copy(f"copy {table} ({', '.join(columns)}) from stdin with (format csv)") as copy:
            with open(csv_path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        csv_path.unlink()

    def commit(self) -> None:
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()
        self.scratch.close()


STAGED = ("raw.quarantine", "raw.load_files", "raw.load_batches")  # written last, load_batches the very last
JOURNAL = "load_journal.json"  # in the Spark warehouse folder while a batch is being written (_SparkTarget)


def spark_type(data_type: str) -> str:
    """The Spark type of a contract type (Spark's varchar needs a length: string)."""
    return "string" if data_type == "varchar" else data_type


class _SparkTarget:
    """Spark (the spark target's own session: targets.spark_session) has no transactions, so nothing is written
    to it until every file has passed its checks: the scratch DuckDB checks each file as on the other targets and
    stages what the batch appends (a raw table's rows as a Parquet file per file; quarantine, load_files and
    load_batches rows in scratch tables). commit() then appends each table's rows with one `insert into ...
    select` from a Parquet view (cast to the table's types), raw.load_batches last. A commit that fails part way
    is undone: before it, a journal (JOURNAL, in the warehouse folder) lists the files of every table it writes
    to; the files written since are deleted on failure, or by the next load when the process died (a batch whose
    load_batches row is there was written whole). DDL (new tables, added columns) is not undone: it is empty."""

    def __init__(self, settings: dict[str, Any], workdir: Path) -> None:
        from .targets import spark_session

        self.settings, self.workdir = settings, workdir
        self.journal = Path(settings["warehouse"]) / JOURNAL
        Path(settings["warehouse"]).mkdir(parents=True, exist_ok=True)
        self.scratch = duckdb.connect()
        _configure(self.scratch, workdir)
        for table in STAGED:
            name = table.replace(".", "_")
            cols = ", ".join(f"{n} {t}" for n, t in raw_tables()[table])
            self.scratch.execute(f"create temp table staged_{name} ({cols})")
        self.files: list[tuple[str, tuple[str, ...], Path]] = []  # (raw table, columns, Parquet file)
        self._session = spark_session(settings)
        try:
            self.spark = self._session.__enter__()
        except BaseException:
            self.scratch.close()
            raise
        try:
            self._spark(self.recover)
            self._spark(self.migrate)
        except BaseException:
            self.close()
            raise

    def _spark(self, work: Callable[[], Any]) -> Any:
        """Run `work` on Spark; a metastore held by another process in one line."""
        from .targets import spark_error

        try:
            return work()
        except Exception as exc:
            known = spark_error(exc, self.settings)
            if known is None:
                raise
            raise known from None

    def migrate(self) -> None:
        """raw_ddl on Spark: the raw schemas and tables (managed Parquet) that are not there yet, and the columns
        added since a warehouse was made."""
        catalog = self.spark.catalog
        existing: dict[str, set[str]] = {}
        for table, columns in raw_tables().items():
            schema, name = table.split(".")
            if schema not in existing:
                if not catalog.databaseExists(schema):
                    self.spark.sql(f"create schema if not exists {schema}")
                existing[schema] = {r[1] for r in self.spark.sql(f"show tables in {schema}").collect()}
            if name not in existing[schema]:  # (show tables: names only; listTables reads every table)
                cols = ", ".join(f"{n} {spark_type(t)}" for n, t in columns)
                self.spark.sql(f"create table if not exists {table} ({cols}) using parquet")
        self.add_column("raw.load_batches", "connectors")

    def fetch(self, sql: str, params: tuple = ()) -> list[tuple]:
        from .targets import spark_rows

        if params:
            raise LifecycleError("the loader's Spark queries take no parameters")
        return self._spark(lambda: spark_rows(self.spark, sql)[1])

    def insert_row(self, table: str, columns: tuple[str, ...], values: tuple) -> None:
        self.scratch.execute(f"insert into staged_{table.replace('.', '_')} ({', '.join(columns)}) "
                             f"values ({', '.join('?' for _ in values)})", values)

    def add_column(self, table: str, name: str) -> None:
        """A text column (a connector's custom field), unless the table has it (Spark: no `if not exists`)."""
        if name not in {f.name for f in self.spark.table(table).schema.fields}:
            self._spark(lambda: self.spark.sql(f"alter table {table} add columns ({name} string)"))

    def append(self, table: str, columns: tuple[str, ...], select: str) -> None:
        if table in STAGED:
            self.scratch.execute(f"insert into staged_{table.replace('.', '_')} ({', '.join(columns)}) {select}")
            return
        path = self.workdir / f"stage_{len(self.files)}_{table}.parquet"
        named = f"select * from ({select}) as s({', '.join(columns)})"
        (count,) = self.scratch.execute(f"copy ({named}) to {sql_text(str(path))} (format parquet)").fetchone()
        if count:
            self.files.append((table, columns, path))

    def _location(self, table: str) -> Path:
        rows = self.spark.sql(f"describe table extended {table}").collect()
        location = next(r[1] for r in rows if r[0] == "Location")
        return Path(re.sub(r"^file:(//)?", "", location))

    def commit(self) -> None:
        for table in STAGED:
            path = self.workdir / f"stage_{table}.parquet"
            staged = f"staged_{table.replace('.', '_')}"
            (count,) = self.scratch.execute(f"copy {staged} to {sql_text(str(path))} (format parquet)").fetchone()
            if count or table == "raw.load_batches":
                self.files.append((table, tuple(n for n, _ in raw_tables()[table]), path))
        self._spark(self._write)

    def _write(self) -> None:
        import json

        tables = list(dict.fromkeys(table for table, _, _ in self.files))
        before = {table: str(self._location(table)) for table in tables}
        batch_id = self.scratch.execute("select max(batch_id) from staged_raw_load_batches").fetchone()[0]
        self.journal.write_text(json.dumps({"batch_id": batch_id, "tables": {
            table: {"location": where, "files": sorted(_files_in(Path(where)))} for table, where in before.items()}}))
        try:
            for n, (table, columns, path) in enumerate(self.files):
                types = {f.name: f.dataType.simpleString() for f in self.spark.table(table).schema.fields}
                view = f"lifecycle_staged_{n}"
                self.spark.read.parquet(str(path)).createOrReplaceTempView(view)
                self.spark.sql(f"insert into {table} ({', '.join(f'`{c}`' for c in columns)}) select "
                               f"{', '.join(f'cast(`{c}` as {types[c]}) as `{c}`' for c in columns)} from {view}")
                self.spark.catalog.dropTempView(view)
        except BaseException:
            with suppress(Exception):  # (else the next load does it)
                self.recover()
            raise
        self.journal.unlink()

    def recover(self) -> None:
        """Undo a batch written in part (the journal's): delete the files written since, unless its
        load_batches row made it (then the batch is whole)."""
        import json

        if not self.journal.exists():
            return
        journal = json.loads(self.journal.read_text())
        batch_id = journal["batch_id"]
        done = self.spark.catalog.tableExists("raw.load_batches") and self.spark.sql(
            f"select count(*) from raw.load_batches where batch_id = {int(batch_id)}").collect()[0][0]
        if not done:
            for table, kept in journal["tables"].items():
                where = Path(kept["location"])
                for name in _files_in(where) - set(kept["files"]):
                    (where / name).unlink()
                with suppress(Exception):
                    self.spark.catalog.refreshTable(table)
        self.journal.unlink()

    def close(self) -> None:
        try:
            self.scratch.close()
        finally:
            self._session.__exit__(None, None, None)


def _files_in(folder: Path) -> set[str]:
    """The files under `folder` (a table's location), relative to it."""
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()


def _configure(con: duckdb.DuckDBPyConnection, workdir: Path) -> None:
    con.execute("set TimeZone = 'UTC'")
    con.execute("set preserve_insertion_order = true")
    con.execute(f"set temp_directory = {sql_text(str(workdir))}")
    con.execute(f"set memory_limit = '{SCRATCH_MEMORY}'")


@contextmanager
def _target(settings: dict[str, Any], workdir: Path) -> Iterator[_DuckDBTarget | _PostgresTarget | _SparkTarget]:
    if settings["type"] == "duckdb":
        target = _DuckDBTarget(settings, workdir)
    elif settings["type"] == "postgres":
        target = _PostgresTarget(settings, workdir)
    elif settings["type"] == "spark":
        target = _SparkTarget(settings, workdir)
    else:
        raise LifecycleError(f"lifecycle load does not support target type {settings['type']!r}")
    try:
        yield target
    finally:  # without a commit, closing rolls everything back (a close that fails must not hide why)
        with suppress(Exception):
            target.close()


def _known_currencies(target, limits: Limits) -> set[str]:
    rows = target.fetch("select distinct upper(trim(currency)) from raw.fx_rates where currency is not null")
    return {limits.reporting_currency, *(r[0] for r in rows)}


def _ordered(specs: tuple[FileSpec, ...]) -> list[FileSpec]:
    """Files whose currency codes others must know (fx_rates) first."""
    return sorted(specs, key=lambda s: not any(c.currency == "code" for c in s.columns))


def _drop_scratch(scratch: duckdb.DuckDBPyConnection, spec: FileSpec) -> None:
    scratch.execute(f"drop view if exists checked_{spec.key}").fetchall()
    for table in (f"checked_{spec.key}_rows", f"checked_{spec.key}_raw", f"problems_{spec.key}",
                  f"read_{spec.key}_rejects", f"read_{spec.key}_scans"):
        scratch.execute(f"drop table if exists {table}").fetchall()
    try:
        scratch.unregister(f"read_{spec.key}_lines")
    except duckdb.Error:
        pass


@dataclass
class ExportsFolder:
    """What an exports folder holds: the file of each contract file and connector table (by FileSpec.key;
    None: absent), the connectors whose sub-folders it has, and the files of those no table names."""

    folder: Path
    paths: dict[str, Path | None]
    connectors: tuple[str, ...]
    unused: tuple[str, ...]
    provided: dict[str, str]  # contract file -> the connector that provides it (this batch's or an earlier one's)

    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)  # spec.key -> fields vars name (extra_fields)

    def specs(self) -> list[FileSpec]:
        """The contract files, then the tables of the connectors present, in declaration order, each with the
        undeclared fields vars name for it (extra_fields) as optional text columns."""
        declared = load_connectors()
        files = [*load_contract(), *(spec for c in self.connectors for spec in declared[c])]
        return [_with_fields(spec, self.extra.get(spec.key, ())) for spec in files]

    def shown(self, spec: FileSpec) -> str:
        """The file of `spec` as the user sees it: `crm_leads.csv`, `salesforce/account.csv`."""
        path = self.paths[spec.key]
        return spec.file_stem if path is None else str(path.relative_to(self.folder))


def extra_fields(connectors: tuple[str, ...], overrides: dict[str, Any] | None) -> dict[str, tuple[str, ...]]:
    """FileSpec.key -> the undeclared fields the user's vars name for that file or table, to load as text:
    custom fields that fill a contract column (var lifecycle__<connector>_columns: {table: {contract column:
    field}}, e.g. an opportunity's loss_reason_c; read by the adapters' connector_columns) and passthrough
    fields (project.passthrough_fields; they reach dim_persons / dim_accounts)."""
    passthrough = passthrough_fields(overrides)
    extra = {spec.key: passthrough.get(("contract", spec.name), ()) for spec in load_contract()}
    for connector in connectors:
        custom = (overrides or {}).get(f"lifecycle__{connector}_columns",
                                       project_var(f"lifecycle__{connector}_columns")) or {}
        for spec in load_connectors()[connector]:
            named = [str(name).lower() for name in (custom.get(spec.name) or {}).values()]
            for name in named:
                if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
                    raise LifecycleError(f"var lifecycle__{connector}_columns: {name!r} ({spec.name}) is not a "
                                         "column name (letters, digits and _)")
            extra[spec.key] = (*named, *passthrough.get((connector, spec.name), ()))
    return extra


def _with_fields(spec: FileSpec, names: tuple[str, ...]) -> FileSpec:
    """`spec` with `names` it does not declare as optional text columns (loaded like the declared ones)."""
    extra = [name for name in dict.fromkeys(names) if name not in spec.column_names]
    return replace(spec, columns=(*spec.columns, *(ColumnSpec(name, "varchar", required=False) for name in extra)))


def _connector_folders(exports: Path) -> tuple[str, ...]:
    """The sub-folders of `exports`, each named for a declared connector (else the load stops)."""
    declared = load_connectors()
    found = []
    for entry in sorted(exports.iterdir()):
        if not entry.is_dir() or entry.name.endswith(SUFFIXES):  # (a folder named as a file: find_file says so)
            continue
        if entry.name not in declared:
            known = ", ".join(f"{c}/" for c in declared) or "none"
            raise LifecycleError(f"exports folder {exports} holds a folder {entry.name}/ that names no connector "
                                 f"(connector folders: {known}); move it out of the exports folder")
        if entry.is_symlink() and not entry.resolve().is_relative_to(exports.resolve()):
            raise LoadError(f"{entry.name}/", f"is a symbolic link to {entry.resolve()}, outside the exports "
                                              "folder; copy the folder into it instead")
        found.append(entry.name)
    return tuple(found)


def _unused(folder: Path, specs: tuple[FileSpec, ...]) -> list[str]:
    names = {f"{spec.name}{suffix}" for spec in specs for suffix in SUFFIXES}
    return [f"{folder.name}/{entry.name}" for entry in sorted(folder.iterdir()) if entry.name not in names]


def find_exports(exports: Path, earlier: tuple[str, ...] | set[str] = (),
                 overrides: dict[str, Any] | None = None) -> ExportsFolder:
    """The contract's files and the connector folders in `exports`; one line for a folder that is not
    there, for a sub-folder that names no connector, for a contract file that a connector provides (dbt
    would not read it), and one naming every required file that is missing (a contract file only when no
    connector provides it; a connector's tables when its folder is there). `earlier`: the connectors of earlier
    batches; `overrides`: the user's dbt vars (providers: project.providers)."""
    if not exports.is_dir():
        raise LifecycleError(f"exports folder {exports} {'is not a folder' if exports.exists() else 'does not exist'}")
    connectors = _connector_folders(exports)
    declared = load_connectors()
    paths = {spec.key: find_file(exports, spec) for spec in load_contract()}
    unused: list[str] = []
    for connector in connectors:
        folder = exports / connector
        paths |= {spec.key: find_file(folder, spec, root=exports) for spec in declared[connector]}
        unused += _unused(folder, declared[connector])
    chosen = {f: p for f, p in providers({*earlier, *connectors}, overrides).items() if p != "contract"}
    found = ExportsFolder(exports, paths, connectors, tuple(unused), chosen, extra_fields(connectors, overrides))
    provided = [spec for spec in load_contract() if spec.name in chosen]
    clashes = [spec for spec in provided if paths[spec.key] is not None]
    if clashes:
        spec = clashes[0]
        connector = chosen[spec.name]
        where = "in this folder" if connector in connectors else "loaded in an earlier batch"
        others = f" (and {', '.join(found.shown(s) for s in clashes[1:])})" if clashes[1:] else ""
        raise LifecycleError(
            f"{found.shown(spec)}{others}: {spec.name} is provided by the connector folder {connector}/ ({where}); "
            f"remove the file, or set var lifecycle__providers: {{{spec.name}: contract}}")
    missing = [found.shown(spec) for spec in found.specs() if spec.required and paths[spec.key] is None
               and not (spec.connector is None and spec.name in chosen)]
    if missing:
        raise LifecycleError(f"exports folder {exports} lacks {len(missing)} required file"
                             f"{'s' if len(missing) > 1 else ''}: {', '.join(f'{m}.csv' for m in missing)} "
                             "(or .csv.gz, .parquet)")
    return found


def batch_connectors(target) -> set[str]:
    """The connectors of every batch loaded so far (raw.load_batches.connectors), read in the load's own
    transaction (loaded_connectors reads them before one)."""
    rows = target.fetch("select distinct connectors from raw.load_batches where connectors is not null")
    return {c for (value,) in rows for c in value.split(",") if c}


def load_exports(
    exports: Path, settings: dict[str, Any],
    on_file: Callable[[FileSpec, Path], Callable[[int], None]] = lambda s, p: (lambda _: None),
    limits: Limits | None = None, overrides: dict[str, Any] | None = None,
) -> LoadResult:
    """Check every contract file and connector table in `exports` and append them as one batch to the
    target. `overrides`: the user's dbt vars (which connector provides which contract file)."""
    with holding_spark(settings):  # (Spark: one session for the whole load)
        return _load_exports(exports, settings, on_file, limits, overrides)


def _load_exports(exports: Path, settings: dict[str, Any], on_file, limits: Limits | None,
                  overrides: dict[str, Any] | None) -> LoadResult:
    find_exports(exports, loaded_connectors(settings), overrides)  # (before anything is opened or written)
    limits = limits or project_limits()
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    files: dict[str, FileResult] = {}
    with tempfile.TemporaryDirectory(prefix="lifecycle-load-") as tmp, _target(settings, Path(tmp)) as target:
        found = find_exports(exports, batch_connectors(target), overrides)
        specs = _ordered(tuple(found.specs()))
        batch_id = target.fetch("select coalesce(max(batch_id), 0) + 1 from raw.load_batches")[0][0]
        target.insert_row("raw.load_batches", ("batch_id", "loaded_at", "exports_dir", "connectors"),
                          (batch_id, loaded_at, str(exports.resolve()), ",".join(found.connectors)))
        currencies = _known_currencies(target, limits)
        declared = {spec.key: spec for spec in all_specs()}
        for spec in specs:  # fields vars name (extra_fields) join the raw table the first time they are named
            for name in spec.column_names[len(declared[spec.key].columns):]:
                target.add_column(spec.relation, name)
        for spec in specs:
            path = found.paths[spec.key]
            if path is None:
                files[spec.key] = FileResult(spec.file_stem, None)
                continue
            try:
                result = _load_file(target, spec, path, found.shown(spec), batch_id, loaded_at, limits,
                                    currencies, on_file, Path(tmp))
            except LoadError as exc:  # readers name the file by its name: name a connector's by its folder too
                if spec.connector is None or exc.file != path.name:
                    raise
                raise LoadError(found.shown(spec), exc.reason, column=exc.column, line=exc.line) from None
            files[spec.key] = result
        target.commit()
    return LoadResult(batch_id, loaded_at, [files[spec.key] for spec in found.specs()], found.unused,
                      found.provided)


def _load_file(target, spec: FileSpec, path: Path, shown: str, batch_id: int, loaded_at: datetime,
               limits: Limits, currencies: set[str], on_file, workdir: Path) -> FileResult:
    """Check one file and append its rows and quarantined rows (`currencies` grows by fx_rates' codes)."""
    scratch = target.scratch
    progress = on_file(spec, path)
    read = read_file(scratch, spec, path, workdir)
    _check_file(scratch, spec, read, limits, loaded_at, tuple(sorted(currencies)))
    result = FileResult(shown, path, lines_read=read.lines, blank_lines=read.blank_lines, rows_read=read.count)
    result.rows_quarantined = scratch.execute(
        f"select count(distinct _line) from problems_{spec.key}").fetchall()[0][0]
    result.rows_loaded = scratch.execute(
        f"select count(*) from checked_{spec.key} as c where not exists "
        f"(select 1 from problems_{spec.key} as p where p._line = c._line)").fetchall()[0][0]
    _account(path, result, read, scratch, spec)
    _stop_if_file_wide(scratch, spec, path, read, result, limits)
    clean = result.rows_quarantined == 0
    for table, select in _selects(spec, batch_id, loaded_at, shown, clean).items():
        columns = (*BATCH_COLUMNS, *spec.column_names) if table == spec.relation else tuple(
            n for n, _ in QUARANTINE_COLUMNS)
        target.append(table, columns, select)
    target.insert_row("raw.load_files", tuple(n for n, _ in FILES_COLUMNS),
                      (batch_id, shown, result.lines_read, result.blank_lines, result.rows_read,
                       result.rows_loaded, result.rows_quarantined))
    if any(c.currency == "code" for c in spec.columns):
        currencies |= {r[0] for r in scratch.execute(
            f"select distinct c.currency from checked_{spec.key} as c where c.currency is not null "
            f"and not exists (select 1 from problems_{spec.key} as p where p._line = c._line)"
        ).fetchall()}
    _drop_scratch(scratch, spec)
    progress(path.stat().st_size)
    return result


# ---------------------------------------------------------------- what builds need to know of the loads

def _raw_rows(settings: dict[str, Any], table: str, sql: str) -> list[tuple]:
    """Rows of `sql` over the raw schema; [] when `table` (schema.table) is not there yet."""
    if settings["type"] == "duckdb":
        if settings["raw"] == ":memory:" or not Path(settings["raw"]).is_file():
            return []
        try:
            with duckdb.connect(settings["raw"], read_only=True) as con:
                schema, name = table.split(".")
                if not con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                                   (schema, name)).fetchone()[0]:
                    return []
                return con.execute(sql).fetchall()
        except duckdb.Error:  # (a raw file the command refuses, e.g. its WAL: publish.py names why, under its lock)
            return []
    if settings["type"] == "spark":  # (no information_schema: the catalog says what is there)
        from .targets import spark_error, spark_rows, spark_session

        with spark_session(settings) as spark:
            try:
                return spark_rows(spark, sql)[1] if spark.catalog.tableExists(table) else []
            except Exception as exc:
                raise spark_error(exc, settings) or exc from None
    from .targets import pg_connect

    with pg_connect(settings) as conn, conn.cursor() as cur:
        cur.execute("select to_regclass(%s) is not null", (table,))
        if not cur.fetchone()[0]:
            return []
        cur.execute(sql)
        return cur.fetchall()


def _raw_columns(settings: dict[str, Any], table: str) -> set[str]:
    """The columns of a raw table (schema.table); empty when it is not there yet."""
    schema, name = table.split(".")
    if settings["type"] == "spark":
        return {str(row[0]) for row in _raw_rows(settings, table, f"show columns in {table}")}
    return {str(row[0]) for row in _raw_rows(
        settings, table, "select column_name from information_schema.columns "
                         f"where table_schema = '{schema}' and table_name = '{name}'")}


def loaded_connectors(settings: dict[str, Any]) -> set[str]:
    """The connectors of every batch loaded into the target (raw.load_batches.connectors)."""
    if "connectors" not in _raw_columns(settings, "raw.load_batches"):
        return set()  # (a warehouse no load of this version has written to)
    rows = _raw_rows(settings, "raw.load_batches",
                     "select distinct connectors from raw.load_batches where connectors is not null")
    return {c for (value,) in rows for c in value.split(",") if c}
