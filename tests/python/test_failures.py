"""Failures of the machine, not of the data (issue 7): a full disk, a folder that cannot be written,
Ctrl-C or SIGTERM at any phase, a write-ahead log DuckDB cannot replay, the scratch data of a killed
load. Each ends in one line naming the cause and what to do, a non-zero exit and no traceback, and
leaves the published file byte for byte as it was and the raw file without the failed batch (a failed
build leaves the build file partial: the next build carries on from it).

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
from lifecycle import loader, publish
from lifecycle.cli import app, scratch_prefix
from lifecycle.errors import UNCHANGED

from conftest import copy_warehouse, warehouse_files, warehouse_made_by

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


def build_kept(warehouse: Path) -> str:
    """The line a failed build ends with."""
    return f"{UNCHANGED}: {warehouse} (the next build carries on from the build file {warehouse_files(warehouse)[2]})"


def load_undone(warehouse: Path) -> str:
    """The line a failed load ends with."""
    return f"{UNCHANGED}: {warehouse} (a load that did not finish appends nothing to {warehouse_files(warehouse)[1]})"


RAW_PROBE = ("select (select count(*) from raw.load_batches), (select count(*) from raw.crm_leads), "
             "(select count(*) from raw.quarantine), (select count(*) from raw.load_files)")


def raw_probe(warehouse: Path) -> tuple:
    """What the raw file holds: batches, leads, quarantined rows, load_files rows."""
    with duckdb.connect(str(warehouse_files(warehouse)[1]), read_only=True) as con:
        return con.execute(RAW_PROBE).fetchone()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse (published, raw and build files): one `lifecycle run` of the hand-made exports."""
    path, result = warehouse_made_by(tmp_path_factory, "loaded", "run", "--exports", str(HANDMADE))
    assert result.exit_code == 0, result.output[-4000:]
    return path


def place(loaded: Path, folder: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> Path:
    """A copy of the warehouse's files in `folder`, as the duckdb target."""
    path = copy_warehouse(loaded, folder / "warehouse.duckdb")
    if monkeypatch is not None:
        monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    return path


def size_kb(warehouse: Path) -> int:
    return sum(kb(f) for f in warehouse_files(warehouse))


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


def error_line(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("error: "))


# ---------------------------------------------------------------- disk full

def test_disk_full_during_a_load(loaded, tmp_path, monkeypatch):
    with tmpfs(tmp_path / "small", size_kb(loaded) + 4096) as folder:
        warehouse = place(loaded, folder, monkeypatch)
        digest, raw = sha256(warehouse), raw_probe(warehouse)
        fill(folder)
        result = cli("load", "--exports", str(HANDMADE))
        failed(result.output, 1, result.exit_code, load_undone(warehouse))
        message = error_line(result.output)
        assert message.startswith(f"error: disk full: no space left on device writing {folder}/"), message
        assert message.endswith(f"; free space in {folder} and run again"), message
        assert sha256(warehouse) == digest and raw_probe(warehouse) == raw


def test_disk_full_inside_dbt_and_the_next_build_repairs_it(loaded, tmp_path, monkeypatch):
    with tmpfs(tmp_path / "small", 3 * size_kb(loaded)) as folder:  # room to build and publish once freed
        warehouse = place(loaded, folder, monkeypatch)
        digest = sha256(warehouse)
        fill(folder)
        result = cli("build")
        failed(result.output, 1, result.exit_code, build_kept(warehouse))
        message = error_line(result.output)
        assert f"disk full: no space left on device writing {folder}/" in message, message
        assert message.endswith(f"; free space in {folder} and run again"), message
        assert sha256(warehouse) == digest
        (folder / "filler").unlink()
        result = cli("build")
        assert result.exit_code == 0, result.output[-4000:]
        assert sha256(warehouse) != digest


def test_file_too_large_writing_the_published_file(loaded, tmp_path):
    """RLIMIT_FSIZE below the published file's size (and above nothing else publishing writes): writing the
    new published file fails with EFBIG."""
    warehouse = place(loaded, tmp_path)
    digest, limit = sha256(warehouse), warehouse.stat().st_size // 2
    publishing = subprocess.Popen(
        [sys.executable, "-c", PUBLISH_ONLY], env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT),
                                                   "LIFECYCLE_DUCKDB_PATH": str(warehouse)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    output = publishing.communicate(timeout=120)[0]
    failed(output, 1, publishing.returncode,
           f"could not publish the marts of {warehouse_files(warehouse)[2]} as {warehouse}: file too large: "
           f"{publish.working_path(warehouse)} reached the maximum file size (ulimit -f or the file system's); "
           "raise the limit and run again",
           build_kept(warehouse))
    assert sha256(warehouse) == digest


# publishing alone (no dbt: its logs and manifest would hit a small RLIMIT_FSIZE first)
PUBLISH_ONLY = r"""
import sys
from lifecycle import publish
from lifecycle.errors import LifecycleError
from lifecycle.targets import target_settings
try:
    with publish.building(target_settings("duckdb")):
        pass
except LifecycleError as exc:
    print(exc)
    sys.exit(1)
"""


# ---------------------------------------------------------------- a folder that cannot be written

@pytest.mark.parametrize("how", ["read-only mount", "immutable folder"])
def test_a_folder_that_cannot_be_written(how, loaded, tmp_path, monkeypatch):
    folder = tmp_path / "warehouse"
    with contextlib.ExitStack() as stack:
        if how == "read-only mount":
            stack.enter_context(tmpfs(folder, size_kb(loaded) + 1024))
            warehouse = place(loaded, folder, monkeypatch)
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
            expected = (f"error: cannot write {publish.lock_path(warehouse)}: {folder} is on a read-only "
                        "file system; use another folder (or remount it read-write) and run again")
            unchanged = f"{UNCHANGED}: {warehouse} (nothing built)"
        else:
            folder.mkdir()
            warehouse = place(loaded, folder, monkeypatch)
            publish.lock_path(warehouse).touch()
            if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
                pytest.skip("chattr +i does not work here")
            stack.callback(subprocess.run, ["chattr", "-i", str(folder)], check=True)
            # the raw file's write-ahead log cannot be created
            raw = warehouse_files(warehouse)[1]
            expected = (f"error: cannot access {raw}.wal: operation not permitted; "
                        f"give this user access to {folder} (or use another folder) and run again")
            unchanged = load_undone(warehouse)
        digest, raw = sha256(warehouse), raw_probe(warehouse)
        result = cli("load", "--exports", str(HANDMADE))
        failed(result.output, 1, result.exit_code, expected, unchanged)
        assert sha256(warehouse) == digest and raw_probe(warehouse) == raw


# ---------------------------------------------------------------- Ctrl-C, SIGTERM and kill -9

@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupt_in_the_middle_of_dbt(signum, status, loaded, tmp_path):
    warehouse = place(loaded, tmp_path)
    digest = sha256(warehouse)
    build = spawn("build", "--verbose", env={"LIFECYCLE_DUCKDB_PATH": str(warehouse)})
    try:
        output = []
        for line in build.stdout:  # dbt is building models in the build file
            output.append(line)
            if " START sql " in line:
                break
        else:
            pytest.fail("the build ended before dbt built a model:\n" + "".join(output))
        build.send_signal(signum)
        output.append(build.communicate(timeout=120)[0])
    finally:
        build.kill()
    failed("".join(output), status, build.returncode, f"interrupted: {build_kept(warehouse)}")
    assert sha256(warehouse) == digest
    assert not publish.working_path(warehouse).exists()


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
    failed(result.output, 143, result.exit_code, f"interrupted: {load_undone(warehouse)}")
    assert sha256(warehouse) == digest


def test_ctrl_c_in_the_middle_of_a_load_appends_nothing(loaded, tmp_path, monkeypatch):
    """The raw file is written in place: rows already appended in the batch's transaction are rolled back."""
    warehouse = place(loaded, tmp_path, monkeypatch)
    digest, raw = sha256(warehouse), raw_probe(warehouse)
    append, appended = loader._DuckDBTarget.append, []

    def append_then_ctrl_c(self, *args):
        append(self, *args)
        appended.append(self.con.execute(RAW_PROBE).fetchone())
        if len(appended) == 3:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(loader._DuckDBTarget, "append", append_then_ctrl_c)
    result = cli("load", "--exports", str(HANDMADE))
    failed(result.output, 130, result.exit_code, f"interrupted: {load_undone(warehouse)}")
    assert appended[-1][0] == raw[0] + 1 and appended[-1][3] > raw[3]  # the batch was in the transaction ...
    assert raw_probe(warehouse) == raw and sha256(warehouse) == digest  # ... and are not in the raw file


# kill -9 in the middle of a load, after some of the batch's rows were appended
KILLED_LOAD = r"""
import os, signal, sys
from pathlib import Path
from lifecycle import loader
from lifecycle.targets import target_settings
append = loader._DuckDBTarget.append
def append_then_die(self, *args):
    append(self, *args)
    if self.con.execute("select count(*) from raw.load_files").fetchone()[0] >= 3:
        os.kill(os.getpid(), signal.SIGKILL)
loader._DuckDBTarget.append = append_then_die
loader.load_exports(Path(sys.argv[1]), target_settings("duckdb"))
"""


def test_kill_9_in_the_middle_of_a_load_appends_nothing_and_the_next_load_works(loaded, tmp_path, monkeypatch):
    warehouse = place(loaded, tmp_path, monkeypatch)
    raw = raw_probe(warehouse)
    killed = subprocess.run([sys.executable, "-c", KILLED_LOAD, str(HANDMADE)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)})
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert raw_probe(warehouse) == raw
    result = cli("load", "--exports", str(HANDMADE))
    assert result.exit_code == 0, result.output[-4000:]
    assert raw_probe(warehouse)[0] == raw[0] + 1


def exports_with_new_lead(tmp_path: Path) -> Path:
    folder = tmp_path / "batch2"
    shutil.copytree(HANDMADE, folder)
    with (folder / "crm_leads.csv").open("a") as fh:
        fh.write("L9,eve@umbrella.com,Umbrella,CMO,Software,US,Webinar,Open,2024-01-28T10:00:00Z,,,,,U1,false\n")
    return folder


def count_persons(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*) from marts.dim_persons").fetchone()[0]


def test_an_interrupt_during_the_rename_waits_for_it(loaded, tmp_path, monkeypatch):
    """Publishing is never left half-way: a signal arriving during the rename is handled after it."""
    warehouse = place(loaded, tmp_path, monkeypatch)
    assert cli("load", "--exports", str(exports_with_new_lead(tmp_path))).exit_code == 0
    digest, rename, persons = sha256(warehouse), os.replace, count_persons(warehouse)

    def interrupted_rename(source, target):
        if Path(target) == warehouse:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.1)  # the signal has arrived
        rename(source, target)

    monkeypatch.setattr("lifecycle.publish.os.replace", interrupted_rename)
    result = cli("build")
    failed(result.output, 130, result.exit_code, f"interrupted: after publishing {warehouse}")
    assert sha256(warehouse) != digest and not publish.working_path(warehouse).exists()
    assert count_persons(warehouse) == persons + 1  # the new lead


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
    # load writes the raw file, report reads the published one
    database = warehouse_files(warehouse)[1] if command == "load" else warehouse
    wal = database.with_name(database.name + ".wal")
    shutil.copyfile(other_databases_wal(tmp_path), wal)
    digests = sha256(warehouse), sha256(database), sha256(wal)
    if command == "load":
        result = cli("load", "--exports", str(MINIMAL))
        failed(result.output, 1, result.exit_code, load_undone(warehouse))
    else:
        result = cli("report")
        failed(result.output, 1, result.exit_code)
    message = error_line(result.output)
    assert message.startswith(f"error: DuckDB cannot replay the write-ahead log {wal} ("), message
    assert message.endswith("; if no other program has the warehouse open, move that file away "
                            "(its unsaved changes are lost) and run again"), message
    assert (sha256(warehouse), sha256(database), sha256(wal)) == digests


def test_a_write_ahead_log_duckdb_can_replay_is_kept_in_the_raw_file(loaded, tmp_path, monkeypatch):
    warehouse = place(loaded, tmp_path, monkeypatch)
    raw = warehouse_files(warehouse)[1]
    with duckdb.connect(str(raw)) as con:  # a session that ended without a checkpoint
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("create table main.notes as select 'kept' as note")
    assert raw.with_name(raw.name + ".wal").exists()
    result = cli("load", "--exports", str(MINIMAL))
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(raw), read_only=True) as con:
        assert con.execute("select note from main.notes").fetchall() == [("kept",)]


def test_the_write_ahead_log_of_the_published_file_is_dropped_with_it_and_said(loaded, tmp_path, monkeypatch):
    """The published file holds nothing but published marts: what a session wrote into it without a
    checkpoint is replaced by the next publish, and the command says so."""
    warehouse = place(loaded, tmp_path, monkeypatch)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("pragma disable_checkpoint_on_shutdown")
        con.execute("create table main.notes as select 'dropped' as note")
    wal = warehouse.with_name(warehouse.name + ".wal")
    assert wal.exists()
    result = cli("build")
    assert result.exit_code == 0, result.output[-4000:]
    assert f"thewrite-aheadlog{wal}ofthepublishedfileisdropped" in "".join(result.output.split())
    assert not wal.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select distinct schema_name from duckdb_tables()").fetchall() == [("marts",)]


# ---------------------------------------------------------------- scratch data of a killed load

def test_the_next_command_removes_the_scratch_data_of_a_killed_load(loaded, tmp_path, monkeypatch):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    warehouse = place(loaded, tmp_path)
    raw = raw_probe(warehouse)
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
    assert raw_probe(warehouse) == raw
    alive = tmp / f"{scratch_prefix()}1"  # PID 1 always runs: its folder must stay
    (alive / "lifecycle-load-x").mkdir(parents=True)

    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(warehouse))
    result = cli("load", "--exports", str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp.iterdir()) == [alive.name]  # the killed one's and its own are gone
