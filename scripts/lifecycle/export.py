"""`lifecycle export`: the published marts as files any client reads (BI tools that bundle an older DuckDB,
pandas, Spark): one Parquet file per mart and `views.sql`, one `create or replace view <mart> as select *
from read_parquet('<file>')` per mart (absolute paths, so that the script runs from any folder).

DuckDB: read from the published file (marts only). PostgreSQL: read from the live `marts` schema through
psycopg in chunks (DuckDB's postgres scanner is an extension it would have to download) and written with
pyarrow. Spark: read through the target's session from the live `marts` views (publish.py), each written
by Spark itself as one Parquet file (timestamps as UTC wall-clock time without a time zone, as DuckDB's
marts hold them); the published version is read before and after, as PostgreSQL's tables are. Each file
is written under a temporary name and renamed, so a failed export leaves the files of the previous one
whole.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from .errors import LifecycleError
from .publish import Say, _quiet, _sql_text
from .targets import connect_duckdb, pg_connect

FORMATS = ("parquet",)
VIEWS_FILE = "views.sql"
PARTIAL_SUFFIX = ".partial"
CHUNK_ROWS = 50_000  # PostgreSQL: rows fetched and written at a time (bounded memory for any mart size)


def export_marts(settings: dict[str, Any], out: Path, fmt: str = "parquet", say: Say = _quiet) -> list[Path]:
    """Write every mart of the target as `<out>/<mart>.parquet` and the views over them as `<out>/views.sql`;
    returns the files written (the views file last)."""
    if fmt not in FORMATS:
        raise LifecycleError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if out.exists() and not out.is_dir():
        raise LifecycleError(f"{out} is a file; name a folder to export to")
    readers = {"duckdb": _from_duckdb, "postgres": _from_postgres, "spark": _from_spark}
    if settings["type"] not in readers:
        raise LifecycleError(f"export reads DuckDB, PostgreSQL and Spark targets, not {settings['type']} "
                             f"({settings['name']})")
    out = out.resolve()
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    try:
        files = readers[settings["type"]](settings, out, say)
        views = out / VIEWS_FILE
        _write_text(views, _views_sql(files))
    except BaseException:  # a failed or interrupted export leaves no half-written file (or new empty folder)
        for leftover in out.glob(f"*{PARTIAL_SUFFIX}"):
            if leftover.is_dir():  # (Spark writes a folder of part files first)
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        if created and not any(out.iterdir()):
            out.rmdir()
        raise
    return [*files, views]


def _views_sql(files: list[Path]) -> str:
    lines = ["-- lifecycle marts exported as Parquet: one view per file (in DuckDB: `.read views.sql`)"]
    lines += [f"create or replace view {f.stem} as select * from read_parquet({_sql_text(f)});" for f in files]
    return "\n".join(lines) + "\n"


def _partial(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def _write_text(path: Path, text: str) -> None:
    _partial(path).write_text(text)
    os.replace(_partial(path), path)


def _from_duckdb(settings: dict[str, Any], out: Path, say: Say) -> list[Path]:
    published = Path(settings["path"])
    if not published.exists():
        raise LifecycleError(f"no published warehouse at {published}; run `lifecycle run --exports DIR` first")
    files = []
    with connect_duckdb({**settings, "raw": None}) as con:  # the published file holds the marts only
        marts = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
        if not marts:
            raise LifecycleError(f"{published} holds no marts; nothing to export")
        for mart in marts:
            path = out / f"{mart}.parquet"
            con.execute(f'copy marts."{mart}" to {_sql_text(_partial(path))} (format parquet)')
            os.replace(_partial(path), path)
            say(f"wrote {path}")
            files.append(path)
    return files


# the tables of the live marts schema: another set after the export means a build swapped its schemas in
_MARTS_OIDS = ("select cls.oid from pg_class as cls inner join pg_namespace as ns on cls.relnamespace = ns.oid "
               "where ns.nspname = 'marts' order by 1")


def _pg_column(name: str, data_type: str, precision: int | None, scale: int | None):
    """(select expression, Arrow type) of a marts column of PostgreSQL type `data_type`
    (information_schema.columns): a type without an Arrow counterpart here is exported as text."""
    import pyarrow as pa

    simple = {
        "smallint": pa.int16(), "integer": pa.int32(), "bigint": pa.int64(), "real": pa.float32(),
        "double precision": pa.float64(), "boolean": pa.bool_(), "date": pa.date32(), "text": pa.string(),
        "character varying": pa.string(), "character": pa.string(),
        "timestamp without time zone": pa.timestamp("us"),
        "timestamp with time zone": pa.timestamp("us", tz="UTC"),
    }
    quoted = '"' + name.replace('"', '""') + '"'
    if data_type == "numeric" and precision:
        return quoted, pa.decimal128(precision, scale or 0)
    if data_type == "numeric":  # an unconstrained numeric has no fixed scale: a double holds it
        return f"{quoted}::double precision", pa.float64()
    if data_type in simple:
        return quoted, simple[data_type]
    return f"{quoted}::text", pa.string()


def _from_postgres(settings: dict[str, Any], out: Path, say: Say) -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = []
    with pg_connect(settings) as conn:
        columns: dict[str, list[tuple]] = {}
        for table, name, *spec in conn.execute(
            "select table_name, column_name, data_type, numeric_precision, numeric_scale "
            "from information_schema.columns where table_schema = 'marts' order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append((name, *_pg_column(name, *spec)))
        if not columns:
            raise LifecycleError(f"database {settings['dbname']} has no marts; nothing to export")
        published = conn.execute(_MARTS_OIDS).fetchall()
        for mart, cols in columns.items():
            schema = pa.schema([pa.field(name, type_) for name, _, type_ in cols])
            path = out / f"{mart}.parquet"
            # a server-side cursor: the mart arrives CHUNK_ROWS rows at a time
            with conn.cursor(name="lifecycle_export") as cur, pq.ParquetWriter(_partial(path), schema) as writer:
                cur.execute(f'select {", ".join(sql for _, sql, _ in cols)} from marts."{mart}"')
                while rows := cur.fetchmany(CHUNK_ROWS):
                    arrays = [pa.array([row[i] for row in rows], type=field.type) for i, field in enumerate(schema)]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            os.replace(_partial(path), path)
            say(f"wrote {path}")
            files.append(path)
        if conn.execute(_MARTS_OIDS).fetchall() != published:
            raise LifecycleError("a build was published while exporting, so the files may mix two builds; "
                                 "run the export again")
    return files


def _from_spark(settings: dict[str, Any], out: Path, say: Say) -> list[Path]:
    from .publish import spark_versions
    from .targets import spark_error, spark_session

    files = []
    with spark_session(settings) as spark:
        try:
            published = spark_versions(spark)
            marts = sorted(t.name for t in spark.catalog.listTables("marts") if not t.isTemporary) \
                if spark.catalog.databaseExists("marts") else []
            if not marts:
                raise LifecycleError(f"the Spark warehouse {settings['warehouse']} has no marts; nothing to export")
            for mart in marts:
                path = out / f"{mart}.parquet"
                folder = out / f".{mart}.spark{PARTIAL_SUFFIX}"  # Spark writes a folder of part files
                frame = spark.table(f"marts.`{mart}`")
                columns = [f"cast(`{f.name}` as timestamp_ntz) as `{f.name}`" if f.dataType.typeName() == "timestamp"
                           else f"`{f.name}`" for f in frame.schema.fields]
                frame.selectExpr(*columns).coalesce(1).write.mode("overwrite").parquet(str(folder))
                parts = sorted(folder.glob("part-*.parquet"))
                if len(parts) != 1:
                    raise LifecycleError(f"Spark wrote {len(parts)} Parquet files for mart {mart}; expected one")
                os.replace(parts[0], _partial(path))
                shutil.rmtree(folder)
                os.replace(_partial(path), path)
                say(f"wrote {path}")
                files.append(path)
            if spark_versions(spark) != published:
                raise LifecycleError("a build was published while exporting, so the files may mix two builds; "
                                     "run the export again")
        except LifecycleError:
            raise
        except Exception as exc:
            raise spark_error(exc, settings) or exc from None
    return files
