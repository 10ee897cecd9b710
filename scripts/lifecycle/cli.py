"""The `lifecycle` command: generate, load, build, report, run, demo, bench."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.markup import escape
from rich.table import Table

from . import publish
from .benchmark import STEPS as BENCH_STEPS
from .dbt_build import dbt_build, last_build, record_build, use_vars
from .errors import LifecycleError, explain, interrupts_raised
from .loader import ExportsFolder, LoadResult, find_exports, load_exports, loaded_connectors
from .progress import Steps, console, err_console
from .project import PROJECT_DIR, connector_vars, project_var, providers
from .report import ATTRIBUTION_MONTHS, attribution_table, complete_months, kpi_table, nurture_table
from .targets import (
    DEFAULT_DUCKDB_PATH, connect_duckdb, holding_spark, require_duckdb_file, target_settings, unpublished,
    use_spark_warehouse, use_warehouse,
)

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

Target = Annotated[str | None, typer.Option("--target", "-t", help="dbt target (default: profile default, duckdb)")]
Exports = Annotated[Path, typer.Option("--exports", "-e", help="folder of export files (CONTRACT.md)")]
Warehouse = Annotated[Path | None, typer.Option(
    "--warehouse", "-w", help="the DuckDB warehouse (its published file; default: $LIFECYCLE_DUCKDB_PATH, "
                              f"else {DEFAULT_DUCKDB_PATH}); its raw and build files lie beside it")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="show dbt's line for every node")]
Vars = Annotated[str | None, typer.Option(
    "--vars", help="dbt vars, a YAML or JSON mapping as dbt's --vars takes it; they win over what the command "
                   "sets (lifecycle__using_<connector>: true for each connector folder loaded so far)")]

DEMO_EXPORTS = "demo_exports"  # the demo's generated exports, in the warehouse's folder


def _settings(target: str | None, warehouse: Path | None = None) -> dict:
    """The target's settings; on DuckDB, the warehouse `--warehouse` names (else LIFECYCLE_DUCKDB_PATH, else
    the profile's default), made absolute in the environment so that the dbt this process runs agrees; on Spark,
    the warehouse folder LIFECYCLE_SPARK_WAREHOUSE (default <repo>/warehouse/spark), made absolute the same way."""
    use_warehouse(warehouse)
    use_spark_warehouse()
    settings = target_settings(target)
    if settings["type"] == "duckdb":
        use_warehouse(Path(settings["path"]))
    elif warehouse is not None:
        raise LifecycleError(f"--warehouse names a DuckDB file; target {settings['name']} is a {settings['type']} database")
    return settings


def _user_vars(text: str | None) -> dict:
    """The mapping `--vars` gives (YAML, so JSON too)."""
    import yaml

    if not text:
        return {}
    try:
        found = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise LifecycleError(f"--vars is not YAML or JSON: {' '.join(str(exc).split())}") from None
    if not isinstance(found, dict):
        raise LifecycleError("--vars must be a mapping, e.g. --vars '{lifecycle__providers: {crm_leads: contract}}'")
    return found


@dataclass
class _BuildVars:
    """What a build gives dbt: `lifecycle__using_<connector>: true` for every connector of the warehouse's
    batches (and of the folder about to be loaded), then the user's --vars; the providers they choose; and
    whether to build with --full-refresh: asked, or a provider changed since the last build (an incremental
    staging model must not mix rows of two providers)."""

    dbt_vars: dict
    providers: dict[str, str]
    full_refresh: bool

    def record(self, work: dict) -> None:
        record_build(work, self.dbt_vars, self.providers)


def _build_vars(settings: dict, overrides: dict, present: tuple[str, ...] = (), full_refresh: bool = False,
                fresh: bool = False) -> _BuildVars:
    connectors = set(present) | (set() if fresh else loaded_connectors(settings))
    found = connector_vars(connectors, overrides)
    chosen = {file: p for file, p in providers(connectors, overrides).items() if p != "contract"}
    last = None if fresh else last_build(settings)
    before = last["providers"] if last else {}
    if chosen != before and not full_refresh:
        changed = ", ".join(f"{f}: {before.get(f, 'contract')} -> {chosen.get(f, 'contract')}"
                            for f in sorted({*chosen, *before}) if chosen.get(f) != before.get(f))
        console.print(f"providers changed since the last build ({changed}): building with --full-refresh",
                      highlight=False)
        full_refresh = True
    use_vars(found)
    return _BuildVars(found, chosen, full_refresh)


def _require(settings: dict, file: str) -> None:
    """DuckDB: refuse in one line a command needing the warehouse's `file` (path: published, raw, build)
    that no command has made yet, before anything (a lock file, a folder) is written."""
    if settings["type"] == "duckdb":
        require_duckdb_file(settings[file], settings["path"])


def _print_load(result: LoadResult, settings: dict) -> None:
    table = Table(title=f"batch {result.batch_id} loaded at {result.loaded_at:%Y-%m-%d %H:%M:%S} UTC")
    for name in ("file", "lines", "rows read", "loaded", "quarantined"):
        table.add_column(name, justify="left" if name == "file" else "right")
    for f in result.files:
        if f.path is None and f.file in result.provided:
            table.add_row(f.file, "", f"from {result.provided[f.file]}/", "0", "0")
        elif f.path is None:
            table.add_row(f.file, "", "absent (empty)", "0", "0")
        else:
            style = "yellow" if f.rows_quarantined else None
            table.add_row(f.file, f"{f.lines_read:,}", f"{f.rows_read:,}", f"{f.rows_loaded:,}",
                          f"{f.rows_quarantined:,}", style=style)
    console.print(table)
    if result.unused:
        console.print(f"not used (no declared connector table): {', '.join(result.unused)}", highlight=False)
    if result.rows_quarantined:
        console.print(
            f"[yellow]{result.rows_quarantined:,} rows quarantined[/]: "
            f"select * from raw.quarantine where batch_id = {result.batch_id}"
            + (f" (in {settings['raw']})" if settings["type"] == "duckdb" else "")
        )


def do_load(exports: Path, settings: dict, files: ExportsFolder, overrides: dict | None = None) -> LoadResult:
    """Load `exports` (`files`: what find_exports found there) with a count of the files done."""
    present = [path for path in files.paths.values() if path is not None]
    with Steps("load", total=len(present), unit="files") as steps:
        def on_file(spec, path: Path):
            steps.update(note=f"checking {path.name}")
            return lambda done: steps.update(advance=1)

        # (overrides only when given: test_failures.py stands in for load_exports with its old arguments)
        result = load_exports(exports, settings, on_file, **({"overrides": overrides} if overrides else {}))
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
        use_vars({})  # (a command sets the vars its dbt commands get)
        try:
            with interrupts_raised():
                try:
                    with _scratch_folder():
                        return fn(*args, **kwargs)
                except (click.exceptions.Exit, click.exceptions.ClickException):
                    raise
                except SystemExit as exc:  # no code of ours exits: a library tried to end the command
                    raise RuntimeError(f"a library ended the command half-way (sys.exit({exc.code!r}))") from exc
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
def load(exports: Exports, target: Target = None, warehouse: Warehouse = None, dbt_vars: Vars = None) -> None:
    """Validate an exports folder against the contract and append it to raw.* as one batch (on DuckDB:
    the raw file beside the published one; the next build publishes it). Connector tables come in
    sub-folders named for their connector (salesforce/account.csv) and go to raw_<connector>; --vars as
    the build will take them (lifecycle__providers: which contract files a connector provides)."""
    settings = _settings(target, warehouse)
    overrides = _user_vars(dbt_vars)
    with holding_spark(settings):  # (Spark: one session for the command, stopped when it ends)
        files = find_exports(exports, loaded_connectors(settings), overrides)
        with publish.building(settings, dbt=False, say=console.print) as work:
            do_load(exports, work, files, overrides)


@command
def build(
    target: Target = None, warehouse: Warehouse = None, full_refresh: bool = False,
    unit_tests: Annotated[bool, typer.Option(help="also run the dbt unit tests (the project's code checks)")] = False,
    verbose: Verbose = False, dbt_vars: Vars = None,
) -> None:
    """Run `dbt build` (seeds, models, data tests) on the target; publish the result only when it passes."""
    settings = _settings(target, warehouse)
    _require(settings, "raw")
    with contextlib.ExitStack() as spark:
        spark.enter_context(holding_spark(settings))  # (Spark: one session for what comes before dbt)
        plan = _build_vars(settings, _user_vars(dbt_vars), full_refresh=full_refresh)
        with publish.building(settings, full_refresh=plan.full_refresh, say=console.print) as work:
            spark.close()  # (before dbt makes its own: Derby, one at a time)
            dbt_build(work["name"], full_refresh=plan.full_refresh, unit_tests=unit_tests, verbose=verbose)
            spark.enter_context(holding_spark(settings))  # (Spark: dbt's session, kept to record and publish)
            plan.record(work)


def _report(settings: dict) -> None:
    months = complete_months(settings)
    if not months:
        console.print("no complete month of data to report yet")
        return
    console.print(kpi_table(settings, months, currency=str(project_var("reporting_currency"))))


@command
def report(
    target: Target = None, warehouse: Warehouse = None,
    html: Annotated[Path | None, typer.Option(
        "--html", metavar="FILE", help="also write the report with charts to FILE, one self-contained HTML page",
    )] = None,
) -> None:
    """Print the headline KPIs of the last three complete months, per stage, bookings by channel under each
    attribution model (last 12 complete months) and the nurture lift (--html: also a page with charts)."""
    settings = _settings(target, warehouse)
    _require(settings, "path")
    with holding_spark(settings):  # (Spark: one session for the command's queries)
        _report(settings)
        currency = str(project_var("reporting_currency"))
        console.print(attribution_table(settings, complete_months(settings, count=ATTRIBUTION_MONTHS), currency))
        console.print(nurture_table(settings, currency))
        if html is not None:
            from .report_html import write_report

            console.print(f"HTML report: {write_report(settings, html, currency=str(project_var('reporting_currency')))}")


@command
def run(exports: Exports, target: Target = None, warehouse: Warehouse = None, verbose: Verbose = False,
        dbt_vars: Vars = None) -> None:
    """The main job: load, dbt build (models and tests), validate, publish, then the KPI report."""
    _run(exports, _settings(target, warehouse), verbose=verbose, overrides=_user_vars(dbt_vars))


def _run(exports: Path, settings: dict, fresh: bool = False, verbose: bool = False,
         overrides: dict | None = None) -> None:
    overrides = overrides or {}
    with contextlib.ExitStack() as spark:
        spark.enter_context(holding_spark(settings))  # (Spark: one session for what comes before dbt)
        files = find_exports(exports, set() if fresh else loaded_connectors(settings), overrides)
        # everything in this block works on the unpublished build (publish.py); it is published
        # only when the block ends without an error
        plan = _build_vars(settings, overrides, files.connectors, fresh=fresh)
        with publish.building(settings, fresh=fresh, full_refresh=plan.full_refresh, say=console.print) as work:
            do_load(exports, work, files, overrides)
            spark.close()  # the loader's Spark session stops before dbt makes its own (Derby: one at a time)
            dbt_build(work["name"], full_refresh=plan.full_refresh, verbose=verbose)
            spark.enter_context(holding_spark(settings))  # (Spark: dbt's session, kept to validate, publish, report)
            plan.record(work)
            _validate(work)
        _report(settings)
    console.print(f"[green]run complete[/] on target {settings['name']}")


@command
def generate(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder to write the export files to")],
    scale: Annotated[str, typer.Option(help="xs (~2k persons), s (20k), m (200k), l (1M)")] = "s",
    seed: Annotated[int, typer.Option(help="random seed; same seed, same files")] = 42,
    format: Annotated[str | None, typer.Option(  # noqa: A002 - the option's name
        "--format", help="contract|salesforce|hubspot|marketo[,...]: with connectors, the projected world in "
        "OUT/contract and in connector shape in OUT/connectors (salesforce,marketo or hubspot)")] = None,
) -> None:
    """Write deterministic synthetic exports for every contract file (or a world in connector shape)."""
    from .generate import SCALES, generate as generate_exports
    from .generate.formats import generate_formats, parse_formats

    if scale not in SCALES:
        raise LifecycleError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    try:
        connectors = parse_formats(format)
    except ValueError as error:
        raise LifecycleError(str(error)) from None
    started = time.monotonic()
    if connectors:
        counts = generate_formats(scale, seed, out, connectors, progress=True)
    else:
        counts = generate_exports(scale, seed, out, progress=True)
    table = Table(title=f"scale {scale}, seed {seed} -> {out} ({time.monotonic() - started:.1f} s)")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


@command
def demo(
    seed: int = 42, warehouse: Warehouse = None, verbose: Verbose = False,
    scale: Annotated[str, typer.Option(help="xs (~2k persons), s (20k), m (200k), l (1M)")] = "s",
) -> None:
    """Generate demo exports and run the whole job on a fresh embedded DuckDB warehouse (the default one,
    where `lifecycle report`, `validate` and a plain `dbt build` look); then print what to try next."""
    settings = _settings("duckdb", warehouse)
    exports = Path(settings["path"]).parent / DEMO_EXPORTS
    _refuse_other_loads(settings, exports)
    generate(out=exports, scale=scale, seed=seed)
    _run(exports, settings, fresh=True, verbose=verbose)
    _next_steps(settings, warehouse is not None)


def _refuse_other_loads(settings: dict, exports: Path) -> None:
    """The demo starts its warehouse afresh: refuse to, in one line, when it holds loads of other exports
    than the demo's (a user's raw history is never dropped in silence)."""
    import duckdb

    folders: set[str] = set()
    for file in (settings["raw"], settings["path"]):  # the published file of an older lifecycle held raw
        if not Path(file).is_file():
            continue
        try:
            with connect_duckdb({"path": file}) as con:
                if con.execute("select count(*) from duckdb_tables() "
                               "where schema_name = 'raw' and table_name = 'load_batches'").fetchone()[0]:
                    folders |= {f for (f,) in con.execute("select distinct exports_dir from raw.load_batches").fetchall()}
        except duckdb.Error as exc:
            folders.add(f"{file} cannot be read: {exc}")
    others = sorted(folders - {str(exports.resolve())})
    if others:
        raise LifecycleError(f"the warehouse {settings['path']} holds loads of other exports than the demo's "
                             f"({others[0]}); the demo would start it afresh: run it on another one with "
                             "--warehouse PATH")


def _shown(path: Path | str) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def _next_steps(settings: dict, custom_warehouse: bool) -> None:
    from .validate import default_docs_dir

    bin_dir = Path(sys.executable).parent
    lifecycle = _shown(bin_dir / "lifecycle") if (bin_dir / "lifecycle").exists() else "lifecycle"
    option = f" --warehouse {_shown(settings['path'])}" if custom_warehouse else ""
    env = f"LIFECYCLE_DUCKDB_PATH={_shown(settings['path'])} " if custom_warehouse else ""
    dbt = f"cd {_shown(PROJECT_DIR)} && " if Path.cwd() != PROJECT_DIR else ""
    dbt += f"{env}DBT_PROFILES_DIR=profiles {_shown(bin_dir / 'dbt')}"
    opener = (f"{_shown(sys.executable)} -c \"import duckdb; duckdb.connect('{_shown(settings['path'])}', "
              "read_only=True).sql('from marts.lifecycle_kpis_monthly').show()\"")
    steps = (
        ("the KPI report", f"{lifecycle} report{option}"),
        ("the data checks", f"{lifecycle} validate{option}"),
        ("their data docs", _shown(default_docs_dir(settings) / "index.html")),
        ("dbt's docs", f"{dbt} docs generate --target duckdb && {dbt} docs serve"),
        ("the published file", f"open {_shown(settings['path'])} read-only in a BI tool, or: {opener}"),
    )
    console.print("next steps:\n" + "\n".join(f"  {what + ':':20}{how}" for what, how in steps),
                  highlight=False, markup=False, soft_wrap=True)


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
        with Steps("validate", unit="steps") as steps:
            result = validate_marts(settings, docs, marts,
                                    on_step=lambda done, total, note: steps.update(done=done, total=total, note=note))
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
    target: Target = None, warehouse: Warehouse = None,
    docs: Annotated[Path | None, typer.Option(
        help="folder for the HTML data docs (default: data_docs/ next to the DuckDB file, "
             "else warehouse/data_docs/)")] = None,
    failures_only: Annotated[bool, typer.Option(help="list only the failed expectations")] = False,
    mart: Annotated[list[str] | None, typer.Option(help="validate only this mart (repeatable)")] = None,
) -> None:
    """Great Expectations checkpoint over every metric mart: grain, months, ranges, row counts."""
    # DuckDB: the build file, where the staging layer validate compares the marts with is (the published
    # file holds the marts only); it holds the published marts unless a build failed since
    settings = _settings(target, warehouse)
    _require(settings, "build")
    with holding_spark(settings):  # (Spark: one session for the command's queries)
        last = last_build(settings)  # dbt's manifest, if parsed, with the vars the marts were built with
        use_vars(last["vars"] if last else connector_vars(loaded_connectors(settings)))
        _validate(unpublished(settings), docs, failures_only, mart)


@command
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="folder to write the files to")],
    fmt: Annotated[str, typer.Option("--format", help="file format: parquet")] = "parquet",
    warehouse: Warehouse = None,
    target: Target = None,
) -> None:
    """Write every published mart as a Parquet file, plus views.sql: a view per mart over its file."""
    from .export import export_marts

    files = export_marts(_settings(target, warehouse), out, fmt)  # says itself when there is nothing to export
    console.print(f"exported {len(files) - 1} marts to {out.resolve()}; views: {files[-1]}")


if __name__ == "__main__":
    app()
