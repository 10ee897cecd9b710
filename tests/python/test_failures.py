"""Failures of the machine, not of the data (issue 7): a full disk, a folder that cannot be written,
Ctrl-C or SIGTERM at any phase, a write-ahead log DuckDB cannot replay, the scratch data of a killed
load. Each ends in one line naming the cause and what to do, a non-zero exit and no traceback, and
leaves the published warehouse byte for byte as it was.

The situations are real where the machine allows it: a small tmpfs that fills up, a read-only mount,
an immutable folder (chattr +i), RLIMIT_FSIZE, real signals sent to a real `lifecycle build`, a WAL
of another database, a load killed with SIGKILL. Mounting needs root (CAP_SYS_ADMIN): without it
those tests are skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import lifecycle
from lifecycle import publish
from lifecycle.cli import app, scratch_prefix

from conftest import warehouse_made_by
from lifecycle.errors import UNCHANGED

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "minimal"
HANDMADE = DATA / "handmade"
PACKAGE_ROOT = Path(lifecycle.__file__).parents[1]  # subprocesses import the package under test


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def spawn(*args: str, env: dict[str, str], **kwargs) -> subprocess.Popen:
    """`lifecycle <args>` in a new process, stdout and stderr merged."""
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT), "PYTHONUNBUFFERED": "1", **env}
    return subprocess.Popen([sys.executable, "-m", "lifecycle.cli", *args], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kwargs)


def failed(output: str, status: int, actual_status: int, *lines: str) -> None:
    """The command exited with `status`, printed each of `lines` as a line of its own, and no traceback."""
    assert actual_status == status, output[-4000:]
    assert "Traceback" not in output, output[-4000:]
    printed = output.splitlines()
    for line in lines:
        assert line in printed, f"{line!r} not in:\n{output[-4000:]}"


def working_copy_kept(warehouse: Path) -> str:
    return (f"{UNCHANGED}: {warehouse} "
            f"(working copy kept for inspection until the next run: {publish.working_path(warehouse)})")


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse: one `lifecycle load` of the minimal exports."""
    path, result = warehouse_made_by(tmp_path_factory, "loaded", "load", "--exports", str(MINIMAL))
    assert result.exit_code == 0, result.output
    return path


def place(loaded: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the published warehouse in `folder`, as the duckdb target."""
    path = folder / "warehouse.duckdb"
    shutil.copyfile(loaded, path)
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    return path


@contextlib.contextmanager
def tmpfs(folder: Path, size_kb: int) -> Iterator[Path]:
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "--lazy", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write a file in `folder` until its file system is full."""
    with open(folder / "filler", "wb", buffering=0) as fh:
        for chunk in (1 << 16, 1 << 12):
            with contextlib.suppress(OSError):
                while True:
                    fh.write(b"\0" * chunk)


def kb(path: Path) -> int:
    return -(-path.stat().st_size // 4096) * 4  # whole 4 KiB pages, as tmpfs counts


# ---------------------------------------------------------------- disk full

def test_disk_full_copying_the_working_copy(loaded, tmp_path, monkeypatch):
    with tmpfs(tmp_path / "small", kb(loaded) + 256) as folder:  # the warehouse fits, its copy does not
        warehouse = place(loaded, folder, monkeypatch)
        digest = sha256(warehouse)
        result = cli("load", "--exports", str(MINIMAL))
        failed(result.output, 1, result.exit_code,
               f"error: disk full: no space left on device writing {publish.working_path(warehouse)}; "
               f"free space in {folder} and run again",
               working_copy_kept(warehouse))
        assert sha256(warehouse) == digest


def test_disk_full_inside_dbt(loaded, tmp_path, monkeypatch):
    with tmpfs(tmp_path / "small", 2 * kb(loaded) + 512) as folder:
        warehouse = place(loaded, folder, monkeypatch)
        digest = sha256(warehouse)
        shutil.copyfile(warehouse, folder / "room")  # leave room for the working copy, and no more
        fill(folder)
        (folder / "room").unlink()
        result = cli("build")
        failed(result.output, 1, result.exit_code, working_copy_kept(warehouse))
        message = next(line for line in result.output.splitlines() if line.startswith("error: "))
        assert message.startswith(f"error: disk full: no space left on device writing {folder}/"), message
        assert message.endswith(f"; free space in {folder} and run again"), message
        assert sha256(warehouse) == digest


def test_file_too_large(loaded, tmp_path):
    """RLIMIT_FSIZE below the warehouse's size: writing the working copy fails with EFBIG."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded, warehouse)
    digest, limit = sha256(warehouse), loaded.stat().st_size // 2
    load = spawn("load", "--exports", str(MINIMAL), env={"LIFECYCLE_DUCKDB_PATH": str(warehouse)},
                 preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    output = load.communicate(timeout=120)[0]
    failed(output, 1, load.returncode,
           f"error: file too large: {publish.working_path(warehouse)} reached the maximum file size "
           "(ulimit -f or the file system's); raise the limit and run again",
           working_copy_kept(warehouse))
    assert sha256(warehouse) == digest


# ---------------------------------------------------------------- a folder that cannot be written

@pytest.mark.parametrize("how", ["read-only mount", "immutable folder"])
def test_a_folder_that_cannot_be_written(how, loaded, tmp_path, monkeypatch):
    folder = tmp_path / "warehouse"
    with contextlib.ExitStack() as stack:
        if how == "read-only mount":
            stack.enter_context(tmpfs(folder, 16 << 10))
            warehouse = place(loaded, folder, monkeypatch)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            expected = (f"error: cannot write {publish.lock_path(warehouse)}: {folder} is on a read-only "
                        "file system; use another folder (or remount it read-write) and run again")
        else:
            folder.mkdir()
            warehouse = place(loaded, folder, monkeypatch)
            publish.lock_path(warehouse).touch()
            if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
                pytest.skip("chattr +i does not work here")
            stack.callback(subprocess.run, ["chattr", "-i", str(folder)], check=True)
            expected = (f"error: cannot access {publish.working_path(warehouse)}: operation not permitted; "
                        f"give this user access to {folder} (or use another folder) and run again")
        digest = sha256(warehouse)
        result = cli("load", "--exports", str(MINIMAL))
        failed(result.output, 1, result.exit_code, expected, f"{UNCHANGED}: {warehouse} (nothing built)")
        assert sha256(warehouse) == digest


# ---------------------------------------------------------------- Ctrl-C and SIGTERM

@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_in_the_middle_of_dbt(signum, status, loaded, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded, warehouse)
    digest = sha256(warehouse)
    build = spawn("build", env={"LIFECYCLE_DUCKDB_PATH": str(warehouse)})
    try:
        output = []
        for line in build.stdout:  # dbt is building models in the working copy
            output.append(line)
            if " START sql " in line:
                break
        else:
            pytest.fail("the build ended before dbt built a model:\n" + "".join(output))
        build.send_signal(signum)
        output.append(build.communicate(timeout=120)[0])
    finally:
        build.kill()
    failed("".join(output), status, build.returncode, f"interrupted: {working_copy_kept(warehouse)}")
    assert sha256(warehouse) == digest
    assert publish.working_path(warehouse).exists()  # removed by the next command


def test_sigterm_while_duckdb_runs_a_query_in_the_load(loaded, tmp_path, monkeypatch):
    """DuckDB cancels its query (now or when it ends: it does not always notice at once) and raises
    RuntimeError("Query interrupted") instead of the interrupt."""
    warehouse = place(loaded, tmp_path, monkeypatch)
    digest = sha256(warehouse)

    def slow_load(exports, settings, on_file):
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGTERM)).start()
        with duckdb.connect() as con:  # a few seconds' work
            con.execute("select count(*) from range(500000000) as r(i) where i % 7 = 3").fetchall()

    monkeypatch.setattr("lifecycle.cli.load_exports", slow_load)
    result = cli("load", "--exports", str(MINIMAL))
    failed(result.output, 143, result.exit_code, f"interrupted: {working_copy_kept(warehouse)}")
    assert sha256(warehouse) == digest


def test_an_interrupt_during_the_rename_waits_for_it(loaded, tmp_path, monkeypatch):
    """Publishing is never left half-way: a signal arriving during the rename is handled after it."""
    warehouse = place(loaded, tmp_path, monkeypatch)
    digest, rename = sha256(warehouse), os.replace

    def interrupted_rename(source, target):
        if Path(target) == warehouse:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)  # the signal has arrived
        rename(source, target)

    monkeypatch.setattr("lifecycle.publish.os.replace", interrupted_rename)
    result = cli("load", "--exports", str(MINIMAL))
    failed(result.output, 130, result.exit_code, f"interrupted: after publishing {warehouse}")
    assert sha256(warehouse) != digest and not publish.working_path(warehouse).exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.load_batches").fetchone() == (2,)


# ---------------------------------------------------------------- write-ahead log

def other_databases_wal(tmp_path: Path) -> Path:
    """A WAL of another database: what is left when a file is replaced without its WAL."""
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("create table t as select 1 as x")
    return other.with_name(other.name + ".wal")


@pytest.mark.parametrize("command", ["load", "report"])
def test_a_write_ahead_log_duckdb_cannot_replay_is_named_and_kept(command, loaded, tmp_path, monkeypatch):
    warehouse = place(loaded, tmp_path, monkeypatch)
    wal = warehouse.with_name(warehouse.name + ".wal")
    shutil.copyfile(other_databases_wal(tmp_path), wal)
    digests = sha256(warehouse), sha256(wal)
    if command == "load":
        result = cli("load", "--exports", str(MINIMAL))
        failed(result.output, 1, result.exit_code, f"{UNCHANGED}: {warehouse} (nothing built)")
    else:  # reads the published file itself
        result = cli("report")
        failed(result.output, 1, result.exit_code)
    message = next(line for line in result.output.splitlines() if line.startswith("error: "))
    assert message.startswith(f"error: DuckDB cannot replay the write-ahead log {wal} ("), message
    assert message.endswith("; if no other program has the warehouse open, move that file away "
                            "(its unsaved changes are lost) and run again"), message
    assert (sha256(warehouse), sha256(wal)) == digests


def test_a_write_ahead_log_duckdb_can_replay_is_carried_into_the_build(loaded, tmp_path, monkeypatch):
    warehouse = place(loaded, tmp_path, monkeypatch)
    with duckdb.connect(str(warehouse)) as con:  # a session that ended without a checkpoint
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("create table main.notes as select 'kept' as note")
    wal = warehouse.with_name(warehouse.name + ".wal")
    assert wal.exists()
    result = cli("load", "--exports", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert f"replayingthewrite-aheadlog{wal}" in "".join(result.output.split())
    assert not wal.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select note from main.notes").fetchall() == [("kept",)]


# ---------------------------------------------------------------- scratch data of a killed load

def test_the_next_command_removes_the_scratch_data_of_a_killed_load(loaded, tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(loaded, warehouse)
    load = spawn("load", "--exports", str(HANDMADE),
                 env={"LIFECYCLE_DUCKDB_PATH": str(warehouse), "TMPDIR": str(tmp)})
    try:
        deadline = time.monotonic() + 60
        while not (scratch := list(tmp.glob(f"{scratch_prefix()}{load.pid}/lifecycle-load-*"))):
            assert load.poll() is None, "the load ended before its scratch folder appeared"
            assert time.monotonic() < deadline
            time.sleep(0.002)
    finally:
        load.kill()
        load.wait()
    assert scratch[0].exists()  # what kill -9 leaves behind
    alive = tmp / f"{scratch_prefix()}1"  # PID 1 always runs: its folder must stay
    (alive / "lifecycle-load-x").mkdir(parents=True)

    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(warehouse))
    result = cli("load", "--exports", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp.iterdir()) == [alive.name]  # the killed one's and its own are gone
