"""The `lifecycle` command as a newcomer meets it: one warehouse path for every command, `make demo`'s
next commands working with no environment variable set, one-line errors that leave nothing behind, and
output a log can hold (plain progress lines, no colour codes, dbt's line per node only with --verbose)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifecycle import publish
from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR, load_contract

runner = CliRunner()
# what a project copy needs for a plain `dbt build` (other folders are skipped when absent)
DBT_PROJECT = ("dbt_project.yml", "profiles", "models", "macros", "seeds", "tests", "analyses")
ENV_SET_BY_USERS = ("LIFECYCLE_DUCKDB_PATH", "LIFECYCLE_TARGET", "DBT_PROFILES_DIR")


def plain_env() -> dict[str, str]:
    """The environment of a newcomer: none of the project's variables set; the package importable."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_SET_BY_USERS and k != "FORCE_COLOR"}
    env["PYTHONPATH"] = str(PROJECT_DIR / "scripts")
    env["TERM"] = "xterm-256color"  # a terminal type that has colours: the log must not get them anyway
    return env


def lifecycle(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`lifecycle ARGS` in `cwd`, its output (stdout and stderr) going to a pipe, as in a log."""
    return subprocess.run([sys.executable, "-m", "lifecycle.cli", *args], cwd=cwd, env=plain_env(),
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the dbt project where `lifecycle demo` (at scale xs) ran with no environment variable
    set: (the copy, the demo's output)."""
    root = tmp_path_factory.mktemp("project")
    for name in DBT_PROJECT:
        source = PROJECT_DIR / name
        if source.is_dir():
            shutil.copytree(source, root / name, ignore=shutil.ignore_patterns("python", "__pycache__"))
        elif source.is_file():
            shutil.copyfile(source, root / name)
    result = lifecycle(root, "demo", "--scale", "xs")
    assert result.returncode == 0, result.stdout[-8000:]
    return root, result.stdout


def test_demo_writes_the_default_warehouse_and_says_what_to_do_next(demo):
    root, output = demo
    assert (root / "warehouse" / "lifecycle.duckdb").is_file()
    assert (root / "warehouse" / "demo_exports" / "crm_leads.csv").is_file()
    assert not list((root / "warehouse").glob("*.lock"))
    assert "next steps:" in output
    for step in ("lifecycle report", "lifecycle validate", "warehouse/data_docs/index.html",
                 "dbt docs generate", "warehouse/lifecycle.duckdb"):
        assert step in output, step
    assert "--warehouse" not in output.split("next steps:")[1]  # the default warehouse needs no option


def test_a_log_has_counts_and_a_summary_and_neither_colour_codes_nor_dbt_node_lines(demo):
    _, output = demo
    assert "\x1b" not in output
    steps = len(list((PROJECT_DIR / "models" / "marts" / "lifecycle").glob("*.sql"))) + 2  # marts, GE, checkpoint
    for line in ("load: 15/15 files", f"validate: {steps}/{steps} steps", "dbt build: "):
        assert line in output, line
    progress = [line for line in output.splitlines() if line.startswith("dbt build: ") and "/" in line]
    done, total = progress[-1].split(":")[1].split()[0].split("/")
    assert done == total and int(total) > 100
    summary = next(line for line in output.splitlines() if " nodes: " in line)
    assert " passed, " in summary and " warned, 0 failed, 0 skipped" in summary
    assert " OK created " not in output and "PASS " not in output  # dbt's line per node


def test_after_the_demo_report_validate_and_the_readme_dbt_line_work_as_written(demo):
    root, _ = demo
    report = lifecycle(root, "report")
    assert report.returncode == 0 and "Lifecycle KPIs" in report.stdout, report.stdout[-4000:]
    validate = lifecycle(root, "validate", "--failures-only")
    marts = len(list((PROJECT_DIR / "models" / "marts" / "lifecycle").glob("*.sql")))  # validate checks each
    assert validate.returncode == 0, validate.stdout[-4000:]
    assert f"expectations on {marts} marts passed" in validate.stdout, validate.stdout[-4000:]
    # README: `DBT_PROFILES_DIR=profiles .venv/bin/dbt build --target duckdb`
    dbt = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--target", "duckdb"], cwd=root,
                         env={**plain_env(), "DBT_PROFILES_DIR": "profiles"}, capture_output=True, text=True)
    assert dbt.returncode == 0, dbt.stdout[-4000:]
    assert sorted(p.name for p in (root / "warehouse").iterdir()) == [
        "data_docs", "demo_exports", "lifecycle.build.duckdb", "lifecycle.duckdb", "lifecycle.raw.duckdb"]


def test_the_warehouse_option_wins_over_the_environment_and_resolves_against_the_current_folder(
        demo, monkeypatch):
    root, _ = demo
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(root / "elsewhere.duckdb"))
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 1 and f"no warehouse at {root / 'elsewhere.duckdb'}" in result.output
    monkeypatch.chdir(root)
    result = runner.invoke(app, ["report", "--warehouse", "warehouse/lifecycle.duckdb"])
    assert result.exit_code == 0 and "Lifecycle KPIs" in result.output, result.output[-4000:]
    assert os.environ["LIFECYCLE_DUCKDB_PATH"] == str(root / "warehouse" / "lifecycle.duckdb")


def test_the_warehouse_option_is_refused_for_another_target(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", "--target", "postgres", "--warehouse", "w.duckdb"])
    assert result.exit_code == 1
    assert result.output.strip() == "error: --warehouse names a DuckDB file; target postgres is a postgres database"


REQUIRED = [spec.name for spec in load_contract() if spec.required]


@pytest.mark.parametrize("args, message", [
    (["report"], "error: no warehouse at {wh} yet: make one with `lifecycle run --exports DIR`"),
    (["validate"], "error: no warehouse at {wh} yet"),
    (["build"], "error: no warehouse at {wh} yet"),
    (["load", "--exports", "empty"], f"error: exports folder empty lacks {len(REQUIRED)} required files: "
                                     f"{', '.join(f'{name}.csv' for name in REQUIRED)} (or .csv.gz, .parquet)"),
    (["run", "--exports", "empty"], "error: exports folder empty lacks"),
    (["load", "--exports", "nowhere"], "error: exports folder nowhere does not exist"),
])
def test_nothing_to_work_on_is_one_line_and_leaves_nothing_behind(args, message, tmp_path, monkeypatch):
    for name in ENV_SET_BY_USERS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, args)
    assert result.exit_code == 1 and not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), repr(result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message.format(wh=tmp_path / "warehouse" / "lifecycle.duckdb")), \
        result.output
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]  # no warehouse folder, no lock file


def test_no_lock_file_is_left_after_a_load_an_error_or_an_interrupt(exports, tmp_path, monkeypatch):
    warehouse = tmp_path / "w" / "lifecycle.duckdb"
    lock = publish.lock_path(warehouse)
    result = runner.invoke(app, ["load", "--exports", str(exports), "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output[-4000:]
    assert Path(str(warehouse).replace(".duckdb", ".raw.duckdb")).is_file() and not lock.exists()

    (exports / "crm_leads.csv").write_text("no,header,of,the,contract\n1,2,3,4,5\n")
    result = runner.invoke(app, ["load", "--exports", str(exports), "--warehouse", str(warehouse)])
    assert result.exit_code == 1 and "error: " in result.output and not lock.exists()

    def interrupted(*args, **kwargs):
        assert lock.exists()  # held while the load runs
        raise KeyboardInterrupt

    monkeypatch.setattr("lifecycle.cli.load_exports", interrupted)
    result = runner.invoke(app, ["load", "--exports", str(exports), "--warehouse", str(warehouse)])
    assert result.exit_code == 130 and "interrupted: " in result.output and not lock.exists()


def test_a_library_ending_the_process_half_way_is_a_failure_not_a_success(exports, tmp_path, monkeypatch):
    """pyspark.sql.connect (imported by Great Expectations) calls sys.exit(0) when the main module has no file;
    a command cut short that way must not exit 0 (it published nothing)."""
    def exits(*args, **kwargs):
        raise SystemExit(0)

    monkeypatch.setattr("lifecycle.cli.load_exports", exits)
    result = runner.invoke(app, ["load", "--exports", str(exports), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 1 and "sys.exit(0)" in repr(result.exception), result.output


def test_validate_imports_great_expectations_under_a_main_module_without_a_file(tmp_path):
    """(`python -c`, pytest-xdist's workers): pyspark.sql.connect would end the process with status 0."""
    code = "from lifecycle.validate import _quiet\nwith _quiet():\n    import great_expectations\nprint('imported')"
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(PROJECT_DIR / "scripts")},
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "imported" in done.stdout, done.stdout + done.stderr[-3000:]


def test_the_lock_file_goes_with_its_holder_and_a_removed_one_is_never_what_is_locked(tmp_path, monkeypatch):
    """The holder removes the lock file before releasing it: a command that opened the file just before
    that must not lock the removed file (while a third one locks the new file), but the one at the path."""
    import fcntl

    lock = tmp_path / "w.duckdb.lock"
    with publish.exclusive_lock(lock, "w"):
        with pytest.raises(publish.LifecycleError, match="another lifecycle command is writing"):
            with publish.exclusive_lock(lock, "w"):
                pass
    assert not lock.exists()

    opened = []

    def open_then_removed(path, *args, **kwargs):  # the previous holder removes the file right after
        handle = open(path, *args, **kwargs)
        if not opened:
            opened.append(path)
            os.unlink(path)
        return handle

    monkeypatch.setattr(publish, "open", open_then_removed, raising=False)
    with publish.exclusive_lock(lock, "w"):
        with open(lock, "a") as other, pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
    assert opened and not lock.exists()


def test_the_demo_never_starts_afresh_a_warehouse_holding_other_loads(exports, tmp_path):
    warehouse = tmp_path / "mine.duckdb"
    assert runner.invoke(app, ["load", "--exports", str(exports), "--warehouse", str(warehouse)]).exit_code == 0
    raw = tmp_path / "mine.raw.duckdb"
    before = raw.read_bytes()
    result = runner.invoke(app, ["demo", "--warehouse", str(warehouse), "--scale", "xs"])
    assert result.exit_code == 1
    assert result.output.strip().startswith(f"error: the warehouse {warehouse} holds loads of other exports")
    assert raw.read_bytes() == before and not (tmp_path / "demo_exports").exists()
