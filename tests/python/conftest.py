"""Shared fixtures: a minimal valid exports folder, a DuckDB target, a PostgreSQL server."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lifecycle.contract import PROJECT_DIR
from lifecycle.project import DBT_DIR_ENV

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal"


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist (`make test` runs two workers) each worker gets its own dbt target and log folders,
    so that two dbt commands never write one manifest. (test_semantic's `mf` reads `<repo>/target`, which only
    its own `dbt parse` writes; test_lint's sqlfluff writes to a temp folder.)"""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        os.environ.setdefault(DBT_DIR_ENV, str(PROJECT_DIR / "target" / f"pytest-{worker}"))


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """A copy of the minimal valid exports folder that a test may break."""
    folder = tmp_path / "exports"
    shutil.copytree(MINIMAL, folder)
    return folder


@pytest.fixture
def duckdb_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Point the duckdb target at a fresh file; returns the loader settings."""
    from lifecycle.targets import target_settings

    path = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    return target_settings("duckdb")


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    configured = os.environ.get("LIFECYCLE_PG_BIN")
    if configured:
        return Path(configured)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[dict[str, str]]:
    """A throwaway PostgreSQL server on a loopback port, in a temp folder; yields its env vars."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL server binaries not found (install postgresql or set LIFECYCLE_PG_BIN)")
    root = Path(tempfile.mkdtemp(prefix="lifecycle-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
        check=True, capture_output=True,
    )
    subprocess.run(
        [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "start",
         "-o", f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} -c fsync=off"],
        check=True, capture_output=True,
    )
    try:
        import psycopg

        for _ in range(50):
            try:
                with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres",
                                     autocommit=True) as conn:
                    conn.execute("create database lifecycle")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        yield {
            "LIFECYCLE_PG_HOST": "127.0.0.1", "LIFECYCLE_PG_PORT": str(port),
            "LIFECYCLE_PG_USER": "postgres", "LIFECYCLE_PG_PASSWORD": "", "LIFECYCLE_PG_DATABASE": "lifecycle",
        }
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def postgres_target(postgres_server: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict:
    """The postgres target pointed at the test server, with an empty raw schema."""
    import psycopg

    from lifecycle.targets import target_settings

    for key, value in postgres_server.items():
        monkeypatch.setenv(key, value)
    settings = target_settings("postgres")
    with psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                         dbname=settings["dbname"], autocommit=True) as conn:
        for schema in ("raw", "staging", "intermediate", "marts"):
            conn.execute(f"drop schema if exists {schema} cascade")
    return settings


@pytest.fixture(scope="module")
def xs_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated exports at scale xs, seed 7 (one folder per test module)."""
    from lifecycle.generate import generate

    folder = tmp_path_factory.mktemp("xs")
    generate("xs", 7, folder)
    return folder


@pytest.fixture(scope="module")
def built_warehouse(xs_exports: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An xs warehouse built by `lifecycle run` (never modified: tests corrupt copies)."""
    path, result = warehouse_made_by(tmp_path_factory, "warehouse", "run", "--exports", str(xs_exports),
                                     "--target", "duckdb")
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)
    return path


def warehouse_made_by(tmp_path_factory: pytest.TempPathFactory, name: str, *args: str):
    """Run one `lifecycle` command on a new DuckDB file in its own temp folder: (file, CLI result)."""
    from typer.testing import CliRunner

    from lifecycle.cli import app

    path = tmp_path_factory.mktemp(name) / "warehouse.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    try:
        return path, CliRunner().invoke(app, list(args))
    finally:
        mp.undo()


def warehouse_files(published: Path) -> tuple[Path, Path, Path]:
    """(published, raw, build) files of the DuckDB warehouse published at `published`."""
    from lifecycle.targets import duckdb_files

    return (published, *duckdb_files(published))


def copy_warehouse(source: Path, target: Path) -> Path:
    """Copy the files of the DuckDB warehouse published at `source` (those that exist) to `target`'s."""
    for old, new in zip(warehouse_files(source), warehouse_files(target)):
        if old.exists():
            shutil.copyfile(old, new)
    return target


def connect_build(published: Path):
    """A read-only connection to the build file of the warehouse published at `published`, raw attached
    (what dbt built: staging, intermediate and marts, built or not yet published)."""
    from lifecycle.targets import connect_duckdb

    _, raw, build = warehouse_files(published)
    return connect_duckdb({"path": str(build), "raw": str(raw)})


@pytest.fixture(scope="session")
def project_dir() -> Path:
    return PROJECT_DIR
