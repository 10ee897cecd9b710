"""Safe publishing: a build never exposes a partial or failing result to BI tools.

DuckDB: three files, all named after the target's file `LIFECYCLE_DUCKDB_PATH` (targets.duckdb_files):
- the raw file `<name>.raw.duckdb`: append-only, written in place by `lifecycle load`, one transaction
  per batch (a failed or killed load commits nothing);
- the build file `<name>.build.duckdb`: what dbt builds, in place, with the raw file attached read-only
  (profiles.yml). A failed build leaves it partial; the next build carries on from it (incremental
  models take what to process from their own table);
- the published file `LIFECYCLE_DUCKDB_PATH`: only the `marts` schema with its comments, in a storage
  format DuckDB 1.x clients open (what BI tools bundle): what BI tools, `lifecycle report` and
  `validate` read. A build publishes by writing the build file's marts into a new file
  `<file>.building`, checkpointed and fsynced, then renamed over the published file (atomic): readers
  holding the published file keep reading the previous version (the rename does not touch their open
  file) and are never blocked; they see the new marts when they reopen it. A failed or killed publish
  leaves `<file>.building`; the next command removes it.
No command copies the raw history. A lock file `<file>.lock` keeps two writers of one warehouse apart.
A write-ahead log DuckDB cannot replay (of the raw or build file) is refused and named; one next to the
published file is dropped when the file is replaced (the file holds nothing but published marts).
A warehouse of an older lifecycle (one file holding raw, staging, intermediate and marts) has its raw
schema copied into a new raw file once, by the first writing command (migrate_raw).

PostgreSQL: `raw` is shared and each load commits in its own transaction. dbt builds staging,
intermediate and marts into shadow schemas `<schema>__next` (the `LIFECYCLE_SCHEMA_SUFFIX`
variable read by macros/generate_schema_name.sql), starting from copies of the live incremental
tables. After the build and its checks pass, one transaction renames every live schema to
`<schema>__old` and every shadow schema to the live name (carrying the live schemas' grants over);
the old schemas are dropped right after, in a transaction of their own so that the swap never waits
for (or blocks) BI queries still reading them. An advisory lock keeps two builds of one database apart.

Spark (Hive metastore: no schema rename, no multi-statement transaction): dbt builds staging,
intermediate and marts into versioned schemas `<schema>__v<N>` (N: one more than any version the
warehouse has held; LIFECYCLE_SCHEMA_SUFFIX=`__v<N>`), starting from copies of the live version's
incremental tables (CREATE TABLE LIKE keeps their partitioning). The live schemas hold only views, one
per relation, `create or replace view marts.x as select * from marts__v<N>.x`: publishing replaces
these views (each replacement is atomic; across marts a reader querying during the swap, well under a
second per schema, can see some marts of version N-1 and some of N), between two properties of the
live `marts` database: `lifecycle.publishing` (set first) and `lifecycle.version` (set last). A command
that finds them unequal (a process killed during the swap) finishes that swap first: the build passed.
The previous version is kept until the next build starts (queries started on it before the swap run to
their end; by hand, its views can be restored), then dropped with any version a failed build left.
A lock file `<warehouse>/lifecycle.lock` keeps two commands from writing one warehouse at once.

Ctrl-C and SIGTERM are held during the one step that publishes (the rename, the swap transaction, the
views' swap), so a
command is interrupted before it or after it, never half-way; `PUBLISHED` says which.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import (
    UNCHANGED, Interrupted, LifecycleError, interrupt_signal, interrupts_deferred, stale_wal_message,
    stop_if_interrupted, user_error,
)
from .targets import duckdb_config, pg_connect

WORKING_SUFFIX = ".building"
LOCK_SUFFIX = ".lock"
SCHEMA_SUFFIX_ENV = "LIFECYCLE_SCHEMA_SUFFIX"
SHADOW_SUFFIX = "__next"
OLD_SUFFIX = "__old"
SWAPPED_SCHEMAS = ("staging", "intermediate", "marts")
ADVISORY_LOCK_KEY = 7_240_913_151  # any constant bigint: "one lifecycle build per database"

Say = Callable[[str], None]

PUBLISHED: list[str] = []  # what this process published (the CLI clears it when a command starts)


def _quiet(_: str) -> None:
    pass


@contextlib.contextmanager
def building(
    settings: dict[str, Any], *, dbt: bool = True, fresh: bool = False, full_refresh: bool = False,
    say: Say = _quiet,
) -> Iterator[dict[str, Any]]:
    """Run the body against unpublished settings; publish only when it returns without an error.

    `dbt`: the body runs dbt (PostgreSQL then builds into shadow schemas, DuckDB publishes the build
    file's marts; a load alone needs neither). `fresh`: start DuckDB from no raw file and no build file.
    `full_refresh`: PostgreSQL does not copy the live incremental tables into the shadow schemas.
    On failure the exception is re-raised with a line saying nothing was published (a LifecycleError, or
    errors.Interrupted for Ctrl-C and SIGTERM; other exceptions are bugs: the line is said instead).
    """
    if settings["type"] == "duckdb" and settings["path"] != ":memory:":
        with duckdb_build_file(settings, dbt=dbt, fresh=fresh, say=say) as work:
            yield work
    elif settings["type"] == "postgres" and dbt:
        with postgres_shadow_schemas(settings, full_refresh=full_refresh, say=say) as work:
            yield work
    elif settings["type"] == "spark":
        with spark_versioned_schemas(settings, dbt=dbt, full_refresh=full_refresh, say=say) as work:
            yield work
    else:
        yield settings


def _unchanged(exc: BaseException, published: str, leftover: str, say: Say) -> BaseException:
    """The exception to raise for a failed build, told that nothing was published: an interrupt stays
    one; a LifecycleError or a failure of the machine (errors.user_error) becomes a LifecycleError."""
    note = f"{UNCHANGED}: {published} ({leftover})"
    signum = interrupt_signal()
    if signum is not None or isinstance(exc, KeyboardInterrupt):
        return Interrupted(signum or getattr(exc, "signum", signal.SIGINT), note)
    known = user_error(exc)
    if known is not None:
        return LifecycleError(f"{known}\n{note}")
    say(note)
    return exc


@contextlib.contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


# ---------------------------------------------------------------- DuckDB: raw file, build file, published file

def working_path(published: Path) -> Path:
    """The next published file while it is written."""
    return published.with_name(published.name + WORKING_SUFFIX)


def lock_path(published: Path) -> Path:
    return published.with_name(published.name + LOCK_SUFFIX)


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def _sql_text(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@contextlib.contextmanager
def exclusive_lock(path: Path, what: str) -> Iterator[None]:
    """An advisory file lock, released by the OS when the process ends, however it ends. The holder removes
    the file before releasing it, so that none is left behind; one who opened it before that removal
    holds a removed file, sees it and takes the lock again on the file now at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fh = open(path, "a")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise LifecycleError(
                f"another lifecycle command is writing {what} (lock {path}); try again later"
            ) from None
        try:
            if os.stat(path).st_ino == os.fstat(fh.fileno()).st_ino:
                break
        except FileNotFoundError:
            pass
        fh.close()
    try:
        yield
    finally:
        with contextlib.suppress(OSError):  # e.g. a folder made read-only meanwhile: the lock is freed anyway
            path.unlink(missing_ok=True)
        fh.close()


def remove_stale_working_copy(published: Path, say: Say = _quiet) -> bool:
    """Delete a next published file (and its WAL) left by a failed or killed run; True when there was one
    (also the whole-file working copy an older lifecycle left under the same name)."""
    work = working_path(published)
    stale = [p for p in (work, _wal(work)) if p.exists()]
    for p in stale:
        p.unlink()
    if stale:
        say(f"removed the working copy {work} left by a failed or interrupted run")
    return bool(stale)


def check_wal(database: Path, say: Say = _quiet) -> None:
    """Refuse a file whose write-ahead log DuckDB cannot replay, naming the log (DuckDB's own error may
    name another file); a valid one is replayed (in memory only: the file is opened read-only)."""
    import duckdb

    wal = _wal(database)
    if not (wal.exists() and database.exists()):
        return
    try:
        duckdb.connect(str(database), read_only=True).close()
    except duckdb.Error as exc:  # DuckDB's message names the WAL, or another program holding the file
        raise (user_error(exc) or LifecycleError(stale_wal_message(wal, str(exc)))) from None
    say(f"replaying the write-ahead log {wal}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _schema_tables(con, database: str, schema: str) -> list[tuple[str, str]]:
    """(name, CREATE TABLE statement) of the tables of one schema of an attached database."""
    return con.execute(
        "select table_name, sql from duckdb_tables() where database_name = ? and schema_name = ? order by 1",
        [database, schema],
    ).fetchall()


def migrate_raw(published: Path, raw: Path, say: Say = _quiet) -> bool:
    """Once, for a warehouse published by an older lifecycle (one file holding raw, staging,
    intermediate and marts): copy its raw schema into a new raw file, so that no load is lost. Written
    as `<raw>.building` and renamed, so that an interrupted copy is started over. True when it did."""
    import duckdb

    if raw.exists() or not published.exists():
        return False
    check_wal(published)
    with duckdb.connect(str(published), read_only=True) as con:
        if not _schema_tables(con, con.execute("select current_database()").fetchone()[0], "raw"):
            return False
    work = working_path(raw)
    for leftover in (work, _wal(work)):
        leftover.unlink(missing_ok=True)
    with duckdb.connect() as con:
        con.execute(f"attach {_sql_text(published)} as lifecycle_old (read_only)")
        con.execute(f"attach {_sql_text(work)} as lifecycle_new")
        con.execute("use lifecycle_new")
        con.execute("create schema raw")
        for table, create in _schema_tables(con, "lifecycle_old", "raw"):
            con.execute(create)
            con.execute(f'insert into raw."{table}" select * from lifecycle_old.raw."{table}"')
        con.execute("checkpoint lifecycle_new")
    _fsync(work)
    os.replace(work, raw)
    _fsync(raw.parent)
    say(f"moved the raw history of {published} (a warehouse of an older lifecycle) into {raw}, once")
    return True


# The storage format of the published file: the one DuckDB 1.0 introduced, which every DuckDB 1.x and 2.x
# opens (BI tools bundle 1.x clients; a file in DuckDB 2.0's own format is refused by them as "newer").
PUBLISHED_STORAGE_VERSION = "v1.0.0"


def _copy_comments(con, source: str, table: str) -> None:
    """Give marts.`table` of the current database the table and column comments (dbt's persist_docs)
    of the same table in database `source`: a CREATE TABLE statement does not carry them."""
    rows = con.execute(
        "select null, comment from duckdb_tables() where database_name = $1 and schema_name = 'marts' "
        "and table_name = $2 and comment is not null union all "
        "select column_name, comment from duckdb_columns() where database_name = $1 and schema_name = 'marts' "
        "and table_name = $2 and comment is not null",
        [source, table],
    ).fetchall()
    for column, comment in rows:
        target = f'table marts."{table}"' if column is None else f'column marts."{table}"."{column}"'
        con.execute(f"comment on {target} is {_sql_text(comment)}")


def publish_marts(build: Path, published: Path, config: dict[str, str] | None = None) -> None:
    """Write the marts of the build file into a new file `<published>.building` (DuckDB: ATTACH it in
    PUBLISHED_STORAGE_VERSION, copy each table with its CREATE TABLE statement and its comments),
    checkpoint, fsync, and rename it over the published file (atomic on one filesystem): readers
    holding the old file keep reading it and never wait."""
    import duckdb

    work = working_path(published)
    # in memory: both files are attached under names of their own; `config`: the profile's settings
    with duckdb.connect(config=config or {}) as con:
        con.execute(f"attach {_sql_text(build)} as lifecycle_build (read_only)")
        con.execute(f"attach {_sql_text(work)} as lifecycle_published "
                    f"(storage_version {_sql_text(PUBLISHED_STORAGE_VERSION)})")
        tables = _schema_tables(con, "lifecycle_build", "marts")
        if not tables:
            raise LifecycleError(f"the build file {build} holds no marts; nothing to publish")
        con.execute("use lifecycle_published")
        con.execute("create schema marts")
        for table, create in tables:
            con.execute(create)
            con.execute(f'insert into marts."{table}" select * from lifecycle_build.marts."{table}"')
            _copy_comments(con, "lifecycle_build", table)
        con.execute("checkpoint lifecycle_published")
    if _wal(work).exists():
        raise LifecycleError(f"the new published file {work} still has a write-ahead log after a checkpoint")
    _fsync(work)
    stop_if_interrupted()
    with interrupts_deferred():  # from here the command publishes, however it is interrupted
        _wal(published).unlink(missing_ok=True)  # a log of the replaced file would corrupt the new one
        os.replace(work, published)
        PUBLISHED.append(str(published))
    _fsync(published.parent)


def _start_fresh(*files: Path) -> None:
    for f in files:
        for p in (f, _wal(f)):
            p.unlink(missing_ok=True)


@contextlib.contextmanager
def duckdb_build_file(
    settings: dict[str, Any], *, dbt: bool = True, fresh: bool = False, say: Say = _quiet,
) -> Iterator[dict[str, Any]]:
    """Loads append to the raw file in place (one transaction per batch); dbt builds the build file in
    place; with `dbt`, its marts are then published. A failed build leaves the build file partial: the
    published file is untouched and the next build carries on from it."""
    published, raw, build = Path(settings["path"]), Path(settings["raw"]), Path(settings["build"])
    already, locked = len(PUBLISHED), False
    try:
        with exclusive_lock(lock_path(published), str(published)):
            locked = True
            remove_stale_working_copy(published, say)
            if fresh:
                _start_fresh(raw, build)
            else:
                migrate_raw(published, raw, say)
                for database in (raw, build):
                    check_wal(database)
            if _wal(published).exists():  # someone wrote into the published file: say what is lost
                say(f"the write-ahead log {_wal(published)} of the published file is dropped when it is replaced")
            yield {**settings, "path": str(build)}
            if dbt:
                try:
                    publish_marts(build, published, duckdb_config(settings))
                except Exception as exc:
                    if len(PUBLISHED) > already:
                        raise
                    raise LifecycleError(
                        f"could not publish the marts of {build} as {published}: {user_error(exc) or exc}"
                    ) from exc
    except BaseException as exc:
        if len(PUBLISHED) > already:  # interrupted after the rename: the build is published
            raise
        leftover = "nothing built"
        if locked and dbt and build.exists():
            leftover = f"the next build carries on from the build file {build}"
        elif locked and not dbt:
            leftover = f"a load that did not finish appends nothing to {raw}"
        raise _unchanged(exc, str(published), leftover, say) from exc
    say(f"published {published}" if dbt else f"appended to {raw}; the next build publishes it")


# ---------------------------------------------------------------- PostgreSQL: shadow schemas + swap

def shadow(schema: str) -> str:
    return schema + SHADOW_SUFFIX


def _old(schema: str) -> str:
    return schema + OLD_SUFFIX


def _schemas(cur) -> set[str]:
    cur.execute("select nspname from pg_namespace")
    return {row[0] for row in cur.fetchall()}


def _table_exists(cur, schema: str, table: str) -> bool:
    cur.execute("select to_regclass(%s) is not null", (f'"{schema}"."{table}"',))
    return cur.fetchone()[0]


def _is_table(cur, schema: str, table: str) -> bool:
    cur.execute("select coalesce((select relkind in ('r', 'p') from pg_class where oid = to_regclass(%s)), false)",
                (f'"{schema}"."{table}"',))
    return cur.fetchone()[0]


def prepare_shadow_schemas(conn, incremental: list[tuple[str, str]], say: Say = _quiet) -> None:
    """Drop shadow schemas left by an earlier run; copy the live incremental tables into new ones.

    `incremental`: (live schema, table) of each incremental model; copied so that dbt builds them
    incrementally in the shadow schema, as it would have in the live one.
    """
    with conn.transaction(), conn.cursor() as cur:
        existing = _schemas(cur)
        stale = [s for base in SWAPPED_SCHEMAS for s in (shadow(base), _old(base)) if s in existing]
        for schema in stale:
            cur.execute(f'drop schema "{schema}" cascade')
        if stale:
            say(f"dropped the schemas {', '.join(stale)} left by a failed or interrupted run")
        for schema, table in incremental:
            # a table only: a model that was a view in the live build (before it became incremental) is
            # built whole in the shadow schema rather than copied as a table without its new columns
            if schema not in existing or not _is_table(cur, schema, table):
                continue
            cur.execute(f'create schema if not exists "{shadow(schema)}"')
            cur.execute(f'create table "{shadow(schema)}"."{table}" (like "{schema}"."{table}" including all)')
            cur.execute(f'insert into "{shadow(schema)}"."{table}" select * from "{schema}"."{table}"')
        for schema in SWAPPED_SCHEMAS:  # default privileges first, so that what dbt creates gets them
            if schema in existing:
                cur.execute(f'create schema if not exists "{shadow(schema)}"')
                copy_privileges(cur, schema, shadow(schema))


# views outside the schemas being dropped that depend on a table or view inside them
_OUTSIDE_DEPENDENTS = """
select distinct dependent_ns.nspname || '.' || dependent.relname, referenced_ns.nspname || '.' || referenced.relname
from pg_depend as dep
inner join pg_rewrite as rule on dep.objid = rule.oid and dep.classid = 'pg_rewrite'::regclass
inner join pg_class as dependent on rule.ev_class = dependent.oid
inner join pg_namespace as dependent_ns on dependent.relnamespace = dependent_ns.oid
inner join pg_class as referenced on dep.refobjid = referenced.oid and dep.refclassid = 'pg_class'::regclass
inner join pg_namespace as referenced_ns on referenced.relnamespace = referenced_ns.oid
where referenced_ns.nspname = any(%(old)s) and not dependent_ns.nspname = any(%(old)s)
order by 1, 2
"""


_ROLE = "case when acl.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(acl.grantee)) end"
_SCHEMA_GRANTS = f"""
select acl.privilege_type, {_ROLE}, acl.is_grantable
from pg_namespace as ns cross join lateral aclexplode(ns.nspacl) as acl
where ns.nspname = %s and acl.grantee <> ns.nspowner
"""
_RELATION_GRANTS = f"""
select cls.relname, acl.privilege_type, {_ROLE}, acl.is_grantable
from pg_class as cls
inner join pg_namespace as ns on cls.relnamespace = ns.oid
cross join lateral aclexplode(cls.relacl) as acl
where ns.nspname = %s and cls.relkind in ('r', 'v', 'm', 'p') and acl.grantee <> cls.relowner
"""
_DEFAULT_GRANTS = f"""
select def.defaclobjtype, acl.privilege_type, {_ROLE}, acl.is_grantable
from pg_default_acl as def
inner join pg_namespace as ns on def.defaclnamespace = ns.oid
cross join lateral aclexplode(def.defaclacl) as acl
where ns.nspname = %s and def.defaclrole = (select oid from pg_roles where rolname = current_user)
"""
_DEFAULT_KINDS = {"r": "tables", "S": "sequences", "f": "functions", "T": "types"}


def copy_privileges(cur, source: str, target: str) -> None:
    """Give schema `target` the grants of schema `source`: on the schema, on relations of the same name,
    and this user's default privileges in it (what BI roles were given on the live schema)."""
    def option(grantable: bool) -> str:
        return " with grant option" if grantable else ""

    for privilege, role, grantable in cur.execute(_SCHEMA_GRANTS, (source,)).fetchall():
        cur.execute(f'grant {privilege} on schema "{target}" to {role}{option(grantable)}')
    for relation, privilege, role, grantable in cur.execute(_RELATION_GRANTS, (source,)).fetchall():
        if _table_exists(cur, target, relation):
            cur.execute(f'grant {privilege} on "{target}"."{relation}" to {role}{option(grantable)}')
    for kind, privilege, role, grantable in cur.execute(_DEFAULT_GRANTS, (source,)).fetchall():
        if kind in _DEFAULT_KINDS:
            cur.execute(f'alter default privileges in schema "{target}" '
                        f'grant {privilege} on {_DEFAULT_KINDS[kind]} to {role}{option(grantable)}')


def swap_schemas(conn, published: str | None = None) -> None:
    """Publish the shadow schemas: one transaction gives them the live schemas' grants and swaps the
    names (live -> __old, shadow -> live), so readers see the old or the new build, never a mix; a
    second one drops the old schemas (it waits for queries still reading them, but blocks nobody).
    Ctrl-C and SIGTERM wait for the first one to end; `published` is added to PUBLISHED when it has."""
    stop_if_interrupted()
    with interrupts_deferred():
        old = _swap(conn)
        if published is not None:
            PUBLISHED.append(published)
    with conn.transaction(), conn.cursor() as cur:
        for schema in old:
            cur.execute(f'drop schema "{schema}" cascade')


def _swap(conn) -> list[str]:
    with conn.transaction(), conn.cursor() as cur:
        existing = _schemas(cur)
        missing = [shadow(s) for s in SWAPPED_SCHEMAS if shadow(s) not in existing]
        if missing:
            raise LifecycleError(f"the build left no schema {', '.join(missing)}; nothing to publish")
        for schema in SWAPPED_SCHEMAS:
            if schema in existing:
                copy_privileges(cur, schema, shadow(schema))
                cur.execute(f'alter schema "{schema}" rename to "{_old(schema)}"')
            cur.execute(f'alter schema "{shadow(schema)}" rename to "{schema}"')
        old = [_old(s) for s in SWAPPED_SCHEMAS if s in existing]
        cur.execute(_OUTSIDE_DEPENDENTS, {"old": old})
        dependents = cur.fetchall()
        if dependents:
            listed = ", ".join(f"{view} (on {table})" for view, table in dependents[:10])
            raise LifecycleError(
                f"views outside the swapped schemas depend on the previous build and would be dropped: {listed}"
            )
    return old


@contextlib.contextmanager
def postgres_shadow_schemas(
    settings: dict[str, Any], *, full_refresh: bool = False, say: Say = _quiet,
) -> Iterator[dict[str, Any]]:
    from .dbt_build import incremental_models

    where = f"{settings['dbname']} on {settings['host']}:{settings['port']}"
    published = f"schemas {', '.join(SWAPPED_SCHEMAS)} of {where}"
    with pg_connect(settings, autocommit=True) as lock_conn:
        if not lock_conn.execute("select pg_try_advisory_lock(%s)", (ADVISORY_LOCK_KEY,)).fetchone()[0]:
            raise LifecycleError(f"another lifecycle build is writing database {settings['dbname']}; try again later")
        with _env(SCHEMA_SUFFIX_ENV, SHADOW_SUFFIX):
            try:
                incremental = [] if full_refresh else [
                    (schema.removesuffix(SHADOW_SUFFIX), table)
                    for schema, table in incremental_models(settings["name"])
                ]
                with pg_connect(settings) as conn:
                    prepare_shadow_schemas(conn, incremental, say)
                yield {**settings, "schema_suffix": SHADOW_SUFFIX}
            except BaseException as exc:
                shadows = ", ".join(map(shadow, SWAPPED_SCHEMAS))
                leftover = f"shadow schemas kept for inspection until the next run: {shadows}"
                raise _unchanged(exc, published, leftover, say) from exc
        already = len(PUBLISHED)
        try:
            with pg_connect(settings) as conn:
                swap_schemas(conn, published)
        except BaseException as exc:
            if len(PUBLISHED) > already:  # the swap committed: only dropping the old schemas failed
                raise
            if isinstance(exc, Exception):
                exc = LifecycleError(f"could not publish the build: {user_error(exc) or exc}")
            shadows = ", ".join(map(shadow, SWAPPED_SCHEMAS))
            raise _unchanged(exc, published, f"shadow schemas kept until the next run: {shadows}", say) from exc
        say(f"published {published}")


# ---------------------------------------------------------------- Spark: versioned schemas, live views

VERSION_PROPERTY = "lifecycle.version"  # on the live `marts` database: the version its views show
PUBLISHING_PROPERTY = "lifecycle.publishing"  # set before the views are swapped to that version
SPARK_LOCK = "lifecycle.lock"  # in the warehouse folder


def versioned(schema: str, version: int) -> str:
    """The schema that version `version` of the build is written to: `<schema>__v<version>`."""
    return f"{schema}__v{version}"


def _version_of(database: str) -> int | None:
    base, sep, number = database.rpartition("__v")
    return int(number) if sep and base in SWAPPED_SCHEMAS and number.isdigit() else None


def spark_databases(spark) -> set[str]:
    return {str(row[0]) for row in spark.sql("show databases").collect()}


def spark_versions(spark) -> tuple[int | None, int | None]:
    """(published version, version being published) of the live `marts` database's properties; None when
    not set (before the first publish); unequal only when a swap was cut short (the process killed)."""
    if "marts" not in spark_databases(spark):
        return None, None
    rows = spark.sql("describe database extended marts").collect()
    text = next((str(value) for name, value in rows if name == "Properties"), "")
    found = {name.strip(): value.strip() for name, value in re.findall(r"\(([^,()]+),([^()]*)\)", text)}

    def number(name: str) -> int | None:
        return int(found[name]) if found.get(name, "").isdigit() else None

    return number(VERSION_PROPERTY), number(PUBLISHING_PROPERTY)


def _spark_relations(spark, database: str) -> dict[str, bool]:
    """Relation name -> is a view, of one database (temporary views left out)."""
    return {t.name: t.tableType == "VIEW" for t in spark.catalog.listTables(database) if not t.isTemporary}


def publish_version(spark, version: int, published: str | None = None) -> None:
    """Point the live schemas at version `version`: in each, one `create or replace view` per relation of
    its versioned schema (a live relation that is a table, from a build before versioned schemas, is
    dropped first), and the views of relations the version no longer has dropped; the properties of the
    live `marts` database mark the start and the end. Ctrl-C and SIGTERM wait for it to end; `published`
    is added to PUBLISHED when it has."""
    databases = spark_databases(spark)
    missing = [versioned(s, version) for s in SWAPPED_SCHEMAS if versioned(s, version) not in databases]
    if missing:
        raise LifecycleError(f"the build left no schema {', '.join(missing)}; nothing to publish")
    relations = {s: _spark_relations(spark, versioned(s, version)) for s in SWAPPED_SCHEMAS}
    if not relations["marts"]:
        raise LifecycleError(f"the build left no marts in {versioned('marts', version)}; nothing to publish")
    stop_if_interrupted()
    with interrupts_deferred():
        for schema in SWAPPED_SCHEMAS:
            spark.sql(f"create schema if not exists {schema}")
        spark.sql(f"alter database marts set dbproperties ('{PUBLISHING_PROPERTY}' = '{version}')")
        for schema in ("staging", "intermediate", "marts"):  # (marts last: BI tools read them)
            live = _spark_relations(spark, schema)
            for name in sorted(relations[schema]):
                if name in live and not live[name]:
                    spark.sql(f"drop table {schema}.`{name}`")
                spark.sql(f"create or replace view {schema}.`{name}` as "
                          f"select * from {versioned(schema, version)}.`{name}`")
            for name in sorted(set(live) - set(relations[schema])):
                spark.sql(f"drop {'view' if live[name] else 'table'} if exists {schema}.`{name}`")
        spark.sql(f"alter database marts set dbproperties ('{VERSION_PROPERTY}' = '{version}')")
        if published is not None:
            PUBLISHED.append(published)


def finish_cut_swap(spark, say: Say = _quiet) -> int | None:
    """The published version, after finishing a swap a killed process cut short (its build had passed)."""
    live, publishing = spark_versions(spark)
    if publishing is not None and publishing != live:
        publish_version(spark, publishing)
        say(f"finished publishing version {publishing}, which an interrupted command had begun to publish")
        return publishing
    return live


def prepare_version(spark, version: int, live: int | None, incremental: list[tuple[str, str]],
                    say: Say = _quiet) -> None:
    """Drop every versioned schema but the published one (the one before it, kept for the readers still on
    it, and what failed builds left); copy the published incremental tables into version `version`, so that
    dbt builds them incrementally there (CREATE TABLE LIKE keeps the partitioning insert_overwrite needs)."""
    stale = sorted(d for d in spark_databases(spark) if _version_of(d) is not None and _version_of(d) != live)
    for database in stale:
        spark.sql(f"drop database {database} cascade")
    if stale:
        say(f"dropped the schemas {', '.join(stale)} (the version before the published one, or a failed build)")
    for schema, table in incremental:
        source = versioned(schema, live) if live is not None else schema  # (a build before versioned schemas)
        if not spark.catalog.tableExists(f"{source}.{table}") or spark.catalog.getTable(
                f"{source}.{table}").tableType == "VIEW":
            continue  # (a model that was a view is built whole)
        target = versioned(schema, version)
        spark.sql(f"create schema if not exists {target}")
        spark.sql(f"create table {target}.`{table}` like {source}.`{table}`")
        spark.sql(f"insert into {target}.`{table}` select * from {source}.`{table}`")


@contextlib.contextmanager
def spark_versioned_schemas(
    settings: dict[str, Any], *, dbt: bool = True, full_refresh: bool = False, say: Say = _quiet,
) -> Iterator[dict[str, Any]]:
    from .dbt_build import incremental_models
    from .targets import spark_error, spark_session

    warehouse = Path(settings["warehouse"])
    published = f"schemas {', '.join(SWAPPED_SCHEMAS)} of the Spark warehouse {warehouse}"

    def failed(exc: BaseException, leftover: str) -> BaseException:
        if isinstance(exc, Exception) and not isinstance(exc, LifecycleError):
            exc = spark_error(exc, settings) or exc
        return _unchanged(exc, published, leftover, say)

    already = len(PUBLISHED)
    with exclusive_lock(warehouse / SPARK_LOCK, f"the Spark warehouse {warehouse}"):
        if not dbt:  # a load: raw only (the loader's journal undoes a batch that did not finish)
            try:
                with spark_session(settings) as spark:
                    finish_cut_swap(spark, say)
                yield settings
            except BaseException as exc:
                if len(PUBLISHED) > already:
                    raise
                raise failed(exc, "a load that did not finish appends nothing to raw") from exc
            return
        version = None
        try:
            with spark_session(settings) as spark:
                live = finish_cut_swap(spark, say)
                numbers = [v for v in map(_version_of, spark_databases(spark)) if v is not None]
            version = max([*numbers, live or 0, 0]) + 1
            suffix = versioned("", version)
            with _env(SCHEMA_SUFFIX_ENV, suffix):
                incremental = [] if full_refresh else [
                    (schema.removesuffix(suffix), table) for schema, table in incremental_models(settings["name"])
                ]
                with spark_session(settings) as spark:
                    prepare_version(spark, version, live, incremental, say)
                yield {**settings, "schema_suffix": suffix}
        except BaseException as exc:
            if len(PUBLISHED) > already:  # (the cut swap finished: that version is published)
                raise
            leftover = "nothing built" if version is None else (
                f"schemas {', '.join(versioned(s, version) for s in SWAPPED_SCHEMAS)} kept for inspection "
                "until the next build")
            raise failed(exc, leftover) from exc
        try:
            with spark_session(settings) as spark:
                publish_version(spark, version, published)
        except BaseException as exc:
            if len(PUBLISHED) > already:
                raise
            if isinstance(exc, Exception) and not isinstance(exc, LifecycleError):
                cause = user_error(exc) or spark_error(exc, settings) or exc
                exc = LifecycleError(f"could not publish the build: {cause}")
            raise failed(exc, f"version {version} kept until the next build") from exc
    say(f"published {published} (version {version})")
