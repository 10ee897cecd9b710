"""Connection settings of a dbt target, read from profiles/profiles.yml (the one place they live), and the
one place this package opens connections to a warehouse (connect_duckdb, pg_connect, spark_session; query for
reads)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from .errors import LifecycleError
from .project import PROJECT_DIR

if TYPE_CHECKING:
    import pandas as pd

PROFILE_NAME = "lifecycle"
DUCKDB_PATH_ENV = "LIFECYCLE_DUCKDB_PATH"
DEFAULT_DUCKDB_PATH = "warehouse/lifecycle.duckdb"  # also in profiles.yml (target_settings checks they agree)
RAW_ALIAS = "lifecycle_raw"  # the name dbt's duckdb target attaches the raw file under (sources' database)
SPARK_WAREHOUSE_ENV = "LIFECYCLE_SPARK_WAREHOUSE"
DEFAULT_SPARK_WAREHOUSE = "warehouse/spark"  # under the project folder; also in profiles.yml


def use_warehouse(published: Path | None) -> None:
    """Point the duckdb target (this process's and the dbt it runs) at the warehouse published at
    `published`, resolved against the current folder so that dbt and the loader agree; None: keep
    LIFECYCLE_DUCKDB_PATH, else the profile's default."""
    if published is not None:
        os.environ[DUCKDB_PATH_ENV] = str(published) if str(published) == ":memory:" else str(published.resolve())


def use_spark_warehouse() -> None:
    """Make LIFECYCLE_SPARK_WAREHOUSE absolute (default: <repo>/warehouse/spark), so that every Spark session of
    this process, the loader's and dbt's, finds the same tables and metastore whatever the current folder."""
    value = os.environ.get(SPARK_WAREHOUSE_ENV)
    os.environ[SPARK_WAREHOUSE_ENV] = str(Path(value).resolve() if value else PROJECT_DIR / DEFAULT_SPARK_WAREHOUSE)


def duckdb_files(published: Path) -> tuple[Path, Path]:
    """(raw file, build file) of the DuckDB warehouse published at `published`: beside it, named
    `<name>.raw.duckdb` and `<name>.build.duckdb` (`<name>`: its file name without `.duckdb`).
    profiles.yml renders the same rule; `:memory:` stays `:memory:`."""
    if str(published) == ":memory:":
        return published, published
    base = published.name.removesuffix(".duckdb")
    return published.with_name(f"{base}.raw.duckdb"), published.with_name(f"{base}.build.duckdb")


def profiles_dir() -> Path:
    return Path(os.environ.get("DBT_PROFILES_DIR", PROJECT_DIR / "profiles"))


def _env_var(name: str, default: str | None = None) -> str:
    if name in os.environ:
        return os.environ[name]
    if default is None:
        raise LifecycleError(f"environment variable {name} is required by profiles.yml")
    return default


def target_settings(target: str | None = None) -> dict[str, Any]:
    """The rendered output of `target` (default: the profile's default target), with `name` added."""
    env = jinja2.Environment()
    env.filters["as_number"] = lambda v: int(v) if str(v).isdigit() else float(v)
    env.filters["as_bool"] = lambda v: str(v).lower() == "true"
    text = (profiles_dir() / "profiles.yml").read_text()
    rendered = env.from_string(text).render(env_var=_env_var)
    profile = yaml.safe_load(rendered)[PROFILE_NAME]
    name = target or profile["target"]
    if name not in profile["outputs"]:
        known = ", ".join(profile["outputs"])
        raise LifecycleError(f"unknown target {name!r}; profiles.yml defines {known}")
    settings = dict(profile["outputs"][name])
    settings["name"] = name
    if settings["type"] == "duckdb":
        settings.update(_duckdb_layout(settings))
    if settings["type"] == "spark":
        settings["warehouse"] = str(_absolute(_env_var(SPARK_WAREHOUSE_ENV, DEFAULT_SPARK_WAREHOUSE)))
    return settings


def _absolute(path: str) -> Path:
    return Path(path) if path == ":memory:" or Path(path).is_absolute() else Path.cwd() / path


def _duckdb_layout(output: dict[str, Any]) -> dict[str, str]:
    """`path`: the published file (LIFECYCLE_DUCKDB_PATH), `raw` and `build`: its raw and build files.
    The profile's own `path` is the build file, with the raw file attached as RAW_ALIAS: what a plain
    `dbt build` uses; a profile that disagrees with duckdb_files() is refused rather than guessed at."""
    published = _absolute(_env_var(DUCKDB_PATH_ENV, DEFAULT_DUCKDB_PATH))
    raw, build = duckdb_files(published)
    attached = {a.get("alias"): _absolute(str(a.get("path"))) for a in output.get("attach") or []}
    if _absolute(output["path"]) != build or attached.get(RAW_ALIAS) != raw:
        raise LifecycleError(
            f"profiles.yml: the duckdb target must build {build} (its `path`) and attach {raw} as "
            f"{RAW_ALIAS}, the files of {DUCKDB_PATH_ENV}={published}"
        )
    return {"path": str(published), "raw": str(raw), "build": str(build)}


def unpublished(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings of what dbt builds on the target: the build file on DuckDB (readers attach the raw
    file: connect_duckdb), the target itself elsewhere."""
    if settings["type"] == "duckdb":
        return {**settings, "path": settings["build"]}
    return settings


def duckdb_config(settings: dict[str, Any]) -> dict[str, str]:
    """The profile's DuckDB `settings` (memory_limit, ...), for the connections this package opens, so that
    every command stays within the memory dbt's builds are given."""
    return {name: str(value).lower() if isinstance(value, bool) else str(value)
            for name, value in (settings.get("settings") or {}).items()}


def require_duckdb_file(path: str | Path, published: str | Path | None = None) -> None:
    """Refuse, in one line, a DuckDB file that is not there (rather than DuckDB's error, or a new file);
    `published`: the warehouse it belongs to, named instead."""
    if str(path) != ":memory:" and not Path(path).is_file():
        raise LifecycleError(f"no warehouse at {published or path} yet: make one with `lifecycle run --exports "
                             "DIR` (or `lifecycle demo`), or point --warehouse at an existing one")


def connect_duckdb(settings: dict[str, Any]):
    """A read-only connection to the DuckDB file `settings["path"]` with the profile's settings, and the
    raw file attached read-only as RAW_ALIAS when there is one (the build file's staging views read it)."""
    import duckdb

    require_duckdb_file(settings["path"])
    con = duckdb.connect(settings["path"], read_only=True, config=duckdb_config(settings))
    raw = settings.get("raw")
    if raw and raw != ":memory:" and raw != settings["path"] and Path(raw).exists():
        try:
            con.execute(f"attach if not exists '{raw.replace(chr(39), chr(39) * 2)}' as {RAW_ALIAS} (read_only)")
        except BaseException:
            con.close()
            raise
    return con


def pg_connect(settings: dict[str, Any], autocommit: bool = False):
    """A connection to the PostgreSQL target of `settings`; one line naming the target when it fails."""
    import psycopg

    try:
        return psycopg.connect(
            host=settings["host"], port=settings["port"], user=settings["user"],
            password=settings.get("password") or None, dbname=settings["dbname"], autocommit=autocommit,
        )
    except psycopg.Error as exc:
        raise LifecycleError(f"cannot connect to PostgreSQL target {settings['name']}: {exc}") from None


# ---------------------------------------------------------------- Spark (a local session, as dbt-spark's)

_SPARK_USERS = [0]  # nested spark_session blocks of this process: the outermost one stops the session


def spark_conf(settings: dict[str, Any]) -> dict[str, str]:
    """The Spark settings of the target: the profile's server_side_parameters, with ANSI mode off as dbt-spark
    forces it (dbt.adapters.spark.connections), so that the loader's session and dbt's behave alike."""
    conf = {str(k): str(v) for k, v in (settings.get("server_side_parameters") or {}).items()}
    conf["spark.sql.ansi.enabled"] = "false"
    conf.setdefault("spark.ui.showConsoleProgress", "false")  # (no progress bars among the command's own)
    return conf


@contextmanager
def spark_session(settings: dict[str, Any]) -> Iterator[Any]:
    """The SparkSession of the spark target, made as dbt-spark's session mode makes it (Hive support and the
    profile's server_side_parameters; getOrCreate: an active one is reused). When the outermost block ends the
    session is stopped and its embedded Derby metastore shut down: Derby lets one process at a time use it,
    and dbt (in this process: getOrCreate makes a new session) or another process may open it next."""
    if settings.get("method", "session") != "session":
        raise LifecycleError(
            f"target {settings['name']} connects to a Spark {settings['method']} server; the lifecycle command loads, "
            "validates and reports through a Spark session of its own only (method session: target spark). Load "
            f"with target spark, then build on the cluster with dbt itself (`dbt build --target {settings['name']}`) "
            "over raw tables its metastore holds: README, Beyond one machine")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise LifecycleError("target spark needs pyspark (requirements.lock pins it): pip install pyspark") from None
    conf = spark_conf(settings)
    if settings.get("warehouse"):  # (Derby writes its log there: the profile's derby.stream.error.file)
        Path(settings["warehouse"]).mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.enableHiveSupport()
    for name, value in conf.items():
        builder = builder.config(name, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 (pyspark's own errors: no Java, a JVM that would not start)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LifecycleError(f"cannot start Spark for target {settings['name']} (Java 17 on PATH or JAVA_HOME?): "
                             f"{first}") from None
    session.sparkContext.setLogLevel("ERROR")
    _SPARK_USERS[0] += 1
    try:
        yield session
    finally:
        _SPARK_USERS[0] -= 1
        if not _SPARK_USERS[0]:
            _stop_spark(session, conf)


def holding_spark(settings: dict[str, Any]):
    """On the spark target, one session for the block: the spark_session blocks inside it (the loader's, its
    queries) reuse it rather than each starting and stopping one; elsewhere nothing."""
    from contextlib import nullcontext

    return spark_session(settings) if settings["type"] == "spark" else nullcontext()


def _stop_spark(session: Any, conf: dict[str, str]) -> None:
    """Stop the session, then shut the Derby metastore down (stopping Spark leaves it booted in the JVM, which
    holds its lock until the process ends); a session made later in this process boots it again."""
    from pyspark import SparkContext

    session.stop()
    url = conf.get("spark.hadoop.javax.jdo.option.ConnectionURL", "jdbc:derby:;databaseName=metastore_db")
    gateway = SparkContext._gateway
    if gateway is None or not url.startswith("jdbc:derby:"):
        return
    try:  # Derby says a database shut down with an exception (SQLState 08006)
        gateway.jvm.java.sql.DriverManager.getConnection(re.sub(r";create=true", "", url) + ";shutdown=true")
    except Exception:  # noqa: BLE001, S110 (the expected way; or a database that was not booted)
        pass


def spark_error(exc: BaseException, settings: dict[str, Any]) -> LifecycleError | None:
    """One line for a Spark failure the user can act on: the metastore held by another process (Spark names
    only the Hive client it could not make; Derby's XSDB6 is in the JVM's log and derby.log)."""
    text = str(exc)
    if any(sign in text for sign in ("XSDB6", "Another instance of Derby", "SessionHiveMetaStoreClient")):
        where = settings.get("warehouse", ".")
        return LifecycleError(
            f"cannot open the Spark metastore {where}/metastore_db: is another process using it (embedded Derby: "
            f"one process at a time)? Run the command again when it has ended (details: {where}/derby.log)")
    return None


def spark_rows(session: Any, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows (tuples) of one Spark SQL query."""
    frame = session.sql(sql)
    return list(frame.columns), [tuple(row) for row in frame.collect()]


def query(settings: dict[str, Any], sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one read-only query on a target (DuckDB: the file `path`, raw attached)."""
    if settings["type"] == "duckdb":
        with connect_duckdb(settings) as con:
            cur = con.execute(sql)
            return [d[0] for d in cur.description], cur.fetchall()
    if settings["type"] == "spark":
        with spark_session(settings) as session:
            try:
                return spark_rows(session, sql)
            except Exception as exc:
                raise spark_error(exc, settings) or exc from None
    with pg_connect(settings) as conn, conn.cursor() as cur:
        cur.execute(sql)
        return [d.name for d in cur.description or []], cur.fetchall()


def tables_in(settings: dict[str, Any], schema_name: str) -> set[str]:
    """The tables and views of one schema of a target (Spark has no information_schema: `show tables`)."""
    if settings["type"] == "spark":
        databases = {str(row[0]) for row in fetch(settings, "show databases")}
        if schema_name not in databases:
            return set()
        return {str(row[1]) for row in fetch(settings, f"show tables in {schema_name}") if not row[2]}
    return {str(row[0]) for row in fetch(
        settings, f"select table_name from information_schema.tables where table_schema = '{schema_name}'")}


def fetch(settings: dict[str, Any], sql: str) -> list[tuple]:
    """The rows of one read-only query on a target."""
    return query(settings, sql)[1]


def fetch_frame(settings: dict[str, Any], sql: str) -> pd.DataFrame:
    """One read-only query on a target as a pandas DataFrame (values as the database returns them)."""
    import pandas as pd

    if settings["type"] == "duckdb":
        with connect_duckdb(settings) as con:
            return con.execute(sql).df()
    columns, rows = query(settings, sql)
    return pd.DataFrame.from_records(rows, columns=columns)
