"""The `lifecycle` command: generate, load, build, report, run, demo, bench."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from . import publish
from .benchmark import STEPS as BENCH_STEPS
from .dbt_build import dbt_build, dbt_var, duckdb_path_env
from .errors import LifecycleError, explain, interrupts_raised
from .loader import LoadResult, load_exports
from .report import complete_months, kpi_table
from .targets import target_settings, unpublished

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
console = Console()
err_console = Console(stderr=True)

Target = Annotated[str | None, typer.Option("--target", "-t", help="dbt target (default: profile default, duckdb)")]
Exports = Annotated[Path, typer.Option("--exports", "-e", help="folder of export files (CONTRACT.md)")]

DEMO_EXPORTS = Path("warehouse/demo_exports")
DEMO_DATABASE = Path("warehouse/demo.duckdb")


def _settings(target: str | None) -> dict:
    settings = target_settings(target)
    if settings["type"] == "duckdb":
        duckdb_path_env(Path(settings["path"]))
    return settings


def _print_load(result: LoadResult, settings: dict) -> None:
    table = Table(title=f"batch {result.batch_id} loaded at {result.loaded_at:%Y-%m-%d %H:%M:%S} UTC")
    for name in ("file", "lines", "rows read", "loaded", "quarantined"):
        table.add_column(name, justify="left" if name == "file" else "right")
    for f in result.files:
        if f.path is None:
            table.add_row(f.file, "", "absent (empty)", "0", "0")
        else:
            style = "yellow" if f.rows_quarantined else None
            table.add_row(f.path.name, f"{f.lines_read:,}", f"{f.rows_read:,}", f"{f.rows_loaded:,}",
                          f"{f.rows_quarantined:,}", style=style)
    console.print(table)
    if result.rows_quarantined:
        console.print(
            f"[yellow]{result.rows_quarantined:,} rows quarantined[/]: "
            f"select * from raw.quarantine where batch_id = {result.batch_id}"
            + (f" (in {settings['raw']})" if settings["type"] == "duckdb" else "")
        )


def do_load(exports: Path, settings: dict) -> LoadResult:
    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=err_console, transient=True,
    ) as progress:
        def on_file(spec, path: Path):
            task = progress.add_task(f"checking {path.name}", total=path.stat().st_size)
            return lambda done: progress.update(task, completed=done)

        result = load_exports(exports, settings, on_file)
    _print_load(result, settings)
    return result


def scratch_prefix() -> str:
    """`lifecycle-pid-<PID namespace>-`: the start of the name of a process's temp folder (the PID
    namespace keeps containers sharing one /tmp from judging each other's PIDs)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid").strip("pid:[]")
    except OSError:
        namespace = "0"
    return f"lifecycle-pid-{namespace}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


@contextlib.contextmanager
def _scratch_folder() -> Iterator[Path]:
    """Point `tempfile` (the loader's scratch database, validate's files) at a folder of this process,
    `<tmp>/<scratch_prefix()><pid>`, removed when the command ends; first remove the folders of
    processes that no longer run (killed: kill -9, out of memory)."""
    previous = tempfile.tempdir
    base = Path(tempfile.gettempdir())
    prefix = scratch_prefix()
    for folder in base.glob(prefix + "*"):
        pid = folder.name.removeprefix(prefix)
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)
    mine = base / f"{prefix}{os.getpid()}"
    mine.mkdir(mode=0o700, exist_ok=True)
    tempfile.tempdir = str(mine)
    try:
        yield mine
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(mine, ignore_errors=True)


_running: list[str] = []


def command(fn: Callable) -> Callable:
    """A `lifecycle` command. Everything it raises that the user can act on ends in one line and a
    non-zero exit (errors.explain): `error: ...` (1), or `interrupted: ...` (130 for Ctrl-C, 143 for
    SIGTERM); a bug keeps its traceback. Temp files go to a folder of the process (_scratch_folder)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _running:  # demo runs generate and run
            return fn(*args, **kwargs)
        _running.append(fn.__name__)
        publish.PUBLISHED.clear()
        try:
            with interrupts_raised():
                try:
                    with _scratch_folder():
                        return fn(*args, **kwargs)
                except (click.exceptions.Exit, click.exceptions.ClickException):
                    raise
                except BaseException as exc:
                    failure = explain(exc, publish.PUBLISHED)
                    if failure is None:
                        raise
                    message, status = failure
                    kind, _, text = message.partition(": ")
                    err_console.print(f"[bold red]{kind}:[/] {escape(text)}", highlight=False, soft_wrap=True)
                    raise typer.Exit(status) from None
        finally:
            _running.clear()
    return app.command()(wrapper)


@command
def load(exports: Exports, target: Target = None) -> None:
    """Validate an exports folder against the contract and append it to raw.* as one batch (on DuckDB:
    the raw file beside the published one; the next build publishes it)."""
    with publish.building(_settings(target), dbt=False, say=console.print) as work:
        do_load(exports, work)


@command
def build(
    target: Target = None, full_refresh: bool = False,
    unit_tests: Annotated[bool, typer.Option(help="also run the dbt unit tests (the project's code checks)")] = False,
) -> None:
    """Run `dbt build` (seeds, models, data tests) on the target; publish the result only when it passes."""
    with publish.building(_settings(target), full_refresh=full_refresh, say=console.print) as work:
        dbt_build(work["name"], full_refresh=full_refresh, unit_tests=unit_tests)


def _report(settings: dict) -> None:
    months = complete_months(settings)
    if not months:
        console.print("no complete month of data to report yet")
        return
    console.print(kpi_table(settings, months, currency=dbt_var("reporting_currency")))


@command
def report(
    target: Target = None,
    html: Annotated[Path | None, typer.Option(
        "--html", metavar="FILE", help="also write the report with charts to FILE, one self-contained HTML page",
    )] = None,
) -> None:
    """Print the headline KPIs of the last three complete months, per stage (--html: also a page with charts)."""
    settings = _settings(target)
    _report(settings)
    if html is not None:
        from .report_html import write_report

        console.print(f"HTML report: {write_report(settings, html, currency=dbt_var('reporting_currency'))}")


@command
def run(exports: Exports, target: Target = None) -> None:
    """The main job: load, dbt build (models and tests), validate, publish, then the KPI report."""
    _run(exports, target)


def _run(exports: Path, target: str | None, fresh: bool = False) -> None:
    settings = _settings(target)
    # everything in this block works on the unpublished build (publish.py); it is published
    # only when the block ends without an error
    with publish.building(settings, fresh=fresh, say=console.print) as work:
        do_load(exports, work)
        dbt_build(work["name"])
        _validate(work)
    _report(settings)
    console.print(f"[green]run complete[/] on target {settings['name']}")


@command
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder to write the export files to")],
    scale: Annotated[str, typer.Option(help="xs (~2k persons), s (20k), m (200k), l (1M)")] = "s",
    seed: Annotated[int, typer.Option(help="random seed; same seed, same files")] = 42,
) -> None:
    """Write deterministic synthetic exports for every contract file."""
    from .generate import SCALES, generate as generate_exports

    if scale not in SCALES:
        raise LifecycleError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    started = time.monotonic()
    counts = generate_exports(scale, seed, out, progress=True)
    table = Table(title=f"scale {scale}, seed {seed} -> {out} ({time.monotonic() - started:.1f} s)")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


@command
def demo(seed: int = 42) -> None:
    """Generate demo exports (scale s) and run the whole job on a fresh embedded DuckDB file."""
    generate(out=DEMO_EXPORTS, scale="s", seed=seed)
    duckdb_path_env(DEMO_DATABASE)
    _run(DEMO_EXPORTS, "duckdb", fresh=True)
    console.print(f"demo warehouse: {DEMO_DATABASE.resolve()}")


@command
def bench(
    scale: Annotated[str, typer.Option(help="xs (~2k persons), s (20k), m (200k), l (1M)")] = "s",
    seed: Annotated[int, typer.Option(help="random seed of the generated exports")] = 1,
    target: Annotated[str, typer.Option("--target", "-t", help="dbt target")] = "duckdb",
    steps: Annotated[str, typer.Option(help="comma-separated phases, run in this order: "
                                            f"{', '.join(BENCH_STEPS)}")] = ",".join(BENCH_STEPS),
    cache: Annotated[Path | None, typer.Option(
        help="folder of the cached exports (default: $XDG_CACHE_HOME/lifecycle/exports, "
             "else ~/.cache/lifecycle/exports)")] = None,
) -> None:
    """Time each phase of a run (own process, peak RSS) as ratios to one scan of the same exports;
    print a Markdown table and the ten slowest dbt nodes. Exports are generated once, then cached."""
    from .benchmark import bench as run_bench, render

    report = run_bench(scale, seed, target, [s.strip() for s in steps.split(",") if s.strip()], cache)
    typer.echo(render(report))


def _validate(settings: dict, docs: Path | None = None, failures_only: bool = True,
              marts: list[str] | None = None) -> None:
    """Run the Great Expectations checkpoint; print the results (by default only the failed
    expectations and a summary line, as `run` wants) and the data docs path."""
    from .validate import ValidationFailed, results_table, validate_marts

    try:
        with err_console.status("validating the marts (Great Expectations)"):
            result = validate_marts(settings, docs, marts)
    except ValidationFailed as exc:
        console.print(results_table(exc.result, failures_only=failures_only))
        console.print(f"data docs: {exc.result.docs_index}")
        raise
    if not (failures_only and result.success):
        console.print(results_table(result, failures_only=failures_only))
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in result.timings.items())
    console.print(f"[green]{result.message()}[/] in {result.seconds:.1f} s ({phases}); "
                  f"data docs: {result.docs_index}")


@command
def validate(
    target: Target = None,
    docs: Annotated[Path | None, typer.Option(
        help="folder for the HTML data docs (default: data_docs/ next to the DuckDB file, "
             "else warehouse/data_docs/)")] = None,
    failures_only: Annotated[bool, typer.Option(help="list only the failed expectations")] = False,
    mart: Annotated[list[str] | None, typer.Option(help="validate only this mart (repeatable)")] = None,
) -> None:
    """Great Expectations checkpoint over every metric mart: grain, months, ranges, row counts."""
    # DuckDB: the build file, where the staging layer validate compares the marts with is (the published
    # file holds the marts only); it holds the published marts unless a build failed since
    _validate(unpublished(_settings(target)), docs, failures_only, mart)


@command
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder to write the files to")],
    fmt: Annotated[str, typer.Option("--format", help="file format: parquet")] = "parquet",
    warehouse: Annotated[Path | None, typer.Option(help="the published DuckDB file (default: "
                                                        "LIFECYCLE_DUCKDB_PATH)")] = None,
    target: Target = None,
) -> None:
    """Write every published mart as a Parquet file, plus views.sql: a view per mart over its file."""
    from .export import export_marts

    if warehouse is not None:
        duckdb_path_env(warehouse)
    files = export_marts(_settings(target), out, fmt)
    console.print(f"exported {len(files) - 1} marts to {out.resolve()}; views: {files[-1]}")


if __name__ == "__main__":
    app()
