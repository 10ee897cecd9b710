"""`lifecycle bench`: time and peak memory of every phase of a run at a scale, as ratios to one scan.

The exports are generated once per scale, seed and version of the generator, and cached (`cache_root()`).
Each phase then runs as its own process, so its wall time and peak RSS are its own (the RSS of its process tree,
sampled: on Spark the JVM is a child process), in this order, on one fresh DuckDB file, or on Spark one fresh
warehouse folder beside it (each phase needs the ones before it):
- `scan`, the yardstick: one DuckDB process reading every export file as text and aggregating every column
  (the least any load must do; run once untimed first, so that it reads the files from the page cache as
  the phases after it do); `copy`, a second reference: DuckDB copying every file as it is into tables
  of a database file (its own type guesses, no checks, no line numbers);
- `load` (`lifecycle load`); `models` (`dbt build --resource-type seed --resource-type model`); `tests`
  (`dbt test`: the data tests; unit tests check the code and `lifecycle run` leaves them out); `validate`
  (`lifecycle validate`); `publish`: what `lifecycle run` spends outside those on a warehouse that exists
  (publish.building: the lock, copying the build file's marts into a new published file, its checkpoint,
  fsync and rename; the raw history is never copied);
- `run`: the whole `lifecycle run` on another fresh warehouse (the faithful number: one dbt parse);
- `batch`: a "1% daily batch" loaded on top of the phases' warehouse (the required files with their header
  only; new ids on copies of the latest 1% of the email events and web activities, open/click and page-view
  rows: the last days of the export), then `models` and `tests` again.
The machine is shared and noisy, so the ratios to the scan, measured in the same run on the same files,
say more than the seconds. A dbt phase starts Python and dbt and parses the project before it runs a node;
the report gives that share (its wall time less run_results.json's `elapsed_time`). dbt parses the whole
project again when the DuckDB path in its profile changes, so an untimed `dbt parse` first warms its partial
parse for each new file, as a daily run of one warehouse finds it. The ten slowest dbt nodes come from the
run_results.json (target/<target>/, as for any command) of the `models` and `tests` phases (else of `run`).
Nothing here is asserted by a test.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .contract import PROJECT_DIR, load_contract
from .errors import LifecycleError
from .project import dbt_target_dir

STEPS = ("scan", "copy", "load", "models", "tests", "validate", "publish", "run", "batch")
NEEDS = {"models": "load", "tests": "models", "validate": "models", "publish": "load", "batch": "tests"}
BATCH_SHARE = 100  # the daily batch holds 1 / BATCH_SHARE of the event files' rows
# (file, key, filter) of the event files the daily batch adds rows to: copies of their latest rows
BATCH_EVENTS = (
    ("map_email_events", "event_id", "lower(trim(event_type)) in ('open', 'click')"),
    ("map_web_activities", "activity_id", "lower(trim(activity_type)) = 'page_view'"),
)

# one pass over every export file: every column read as text and aggregated
SCAN = r"""
import sys, duckdb
from pathlib import Path
con = duckdb.connect()
for path in sorted(Path(sys.argv[1]).iterdir()):
    reader = (f"read_parquet('{path}')" if path.name.endswith(".parquet")
              else f"read_csv('{path}', all_varchar = true)")
    con.execute(f"select count(*), max(columns(*)) from {reader}").fetchall()
"""
COPY = r"""
import sys, duckdb
from pathlib import Path
con = duckdb.connect(sys.argv[2])
for i, path in enumerate(sorted(Path(sys.argv[1]).iterdir())):
    reader = f"read_parquet('{path}')" if path.name.endswith(".parquet") else f"read_csv('{path}')"
    con.execute(f"create table t{i} as select * from {reader}")
con.close()
"""
DBT = r"""
import sys
from lifecycle.dbt_build import dbt_invoke
dbt_invoke(sys.argv[2:], sys.argv[1])
"""
PUBLISH = r"""
import sys
from lifecycle import publish
from lifecycle.targets import target_settings
with publish.building(target_settings(sys.argv[1])):
    pass
"""


@dataclass
class Phase:
    name: str
    seconds: float
    rss_mib: float
    startup: float | None = None  # a dbt phase: wall time less dbt's own elapsed_time (start-up, parse)


@dataclass
class Node:
    name: str
    resource_type: str
    seconds: float


@dataclass
class Report:
    scale: str
    seed: int
    target: str
    exports: Path
    exports_mb: float
    machine: str
    generated: Phase | None  # None: the exports came from the cache
    phases: list[Phase] = field(default_factory=list)
    slowest: list[Node] = field(default_factory=list)
    batch_rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def seconds(self, *names: str) -> float | None:
        found = {p.name: p.seconds for p in self.phases}
        return sum(found[n] for n in names) if all(n in found for n in names) else None

    def ratio(self, name: str) -> float | None:
        """A phase's time as a multiple of the scan's."""
        scan, seconds = self.seconds("scan"), self.seconds(name)
        return seconds / scan if scan and seconds is not None else None


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/lifecycle/exports` (default `~/.cache/lifecycle/exports`)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lifecycle" / "exports"


def _generator_version(package: Path = Path(__file__).parent / "generate") -> str:
    """A hash of every module of the generator package: a change in any of them is a new cache entry."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def _env(database: Path) -> dict[str, str]:
    """The environment of a phase: this package first on the path, the target's DuckDB file, and beside it the
    Spark warehouse folder of the spark target (`<name>.spark/`: its tables and Derby metastore), both the
    bench's own."""
    scripts = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (scripts, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, "LIFECYCLE_DUCKDB_PATH": str(database),
            "LIFECYCLE_SPARK_WAREHOUSE": str(database.with_suffix(".spark").resolve()),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def _tree_rss(root: int) -> int:
    """The resident memory (bytes) of process `root` and all its descendants now, from /proc (0 without it):
    on Spark the JVM is a child of the Python process, and what the phase holds is both together."""
    children: dict[int, list[int]] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return 0
    for pid in entries:
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(pid))
    total, todo, page = 0, [root], os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
    return total


class _TreePeak(threading.Thread):
    """Samples _tree_rss(pid) every `every` seconds until stopped; `peak`: the largest sum seen (bytes).
    getrusage's peak of a waited-for process counts its children one at a time and never the ones it did
    not wait for (pyspark's JVM outlives its Python process by a moment and is reaped by init)."""

    def __init__(self, pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.done = pid, every, 0, threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self.done.wait(self.every)


def _step(name: str, args: list[str], env: dict[str, str], logs: Path) -> Phase:
    """Run one Python command line as its own process: its wall time and peak RSS (of its process tree)."""
    logs.mkdir(parents=True, exist_ok=True)
    out, err = logs / f"{name}.out", logs / f"{name}.err"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, *args], env=env, stdout=stdout, stderr=stderr, cwd=PROJECT_DIR)
        sampler = _TreePeak(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.monotonic() - started
        sampler.done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = (out.read_text(errors="replace")[-2000:] + err.read_text(errors="replace")[-2000:]).strip()
        raise LifecycleError(f"bench phase {name} failed (exit {proc.returncode}):\n{tail}")
    # the peak of the process tree (the JVM included), or the process's own when sampling saw less (a short peak)
    return Phase(name, elapsed, max(usage.ru_maxrss / 1024, sampler.peak / 2**20))


def cached_exports(scale: str, seed: int, cache: Path, logs: Path) -> tuple[Path, Phase | None]:
    """The exports of `scale` and `seed`, generated (and timed) only when they are not in `cache` yet."""
    folder = cache / f"{scale}-seed{seed}-{_generator_version()}"
    if folder.is_dir():
        return folder, None
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    cmd = ["-m", "lifecycle.cli", "generate", "--scale", scale, "--seed", str(seed), "--out", str(partial)]
    phase = _step("generate", cmd, _env(partial / "unused.duckdb"), logs)
    os.replace(partial, folder)  # a killed generate never leaves a folder that looks complete
    return folder, phase


def daily_batch(exports: Path) -> tuple[Path, dict[str, int]]:
    """A batch next to `exports` (cached with it): the required files with their header only, and new
    ids on copies of the latest 1% of the rows of each event file (BATCH_EVENTS, by occurred_at: the
    last days of the export, as a daily export brings); nothing else. Returns the folder and the rows
    added per file. (Late-arriving events spread over all history are test_incremental.py's case.)"""
    import duckdb

    folder = exports.with_name(exports.name + "-daily")
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    if not folder.is_dir():
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        for spec in load_contract():
            source = exports / f"{spec.name}.csv"
            if spec.required:
                with open(source, "rb") as fh:
                    (partial / source.name).write_bytes(fh.readline())
        con = duckdb.connect()
        for name, key, where in BATCH_EVENTS:
            reader = f"read_csv('{exports / name}.csv', all_varchar = true, header = true)"
            con.execute(f"""
                copy (
                    select * replace ('B' || {key} as {key}) from {reader} where {where}
                    order by occurred_at desc, {key}
                    limit (select count(*) // {BATCH_SHARE} from {reader})
                ) to '{partial / name}.csv' (header, delimiter ',')
            """)
        con.close()
        os.replace(partial, folder)
    with duckdb.connect() as con:
        counts = {name: con.execute(f"select count(*) from read_csv('{folder / name}.csv', all_varchar = true)")
                  .fetchall()[0][0] for name, _, _ in BATCH_EVENTS}
    return folder, counts


def _dbt_results(target: str, since: float) -> dict | None:
    """run_results.json of the dbt command that ended last, if it ended after `since` (time.time())."""
    path = dbt_target_dir(target) / "run_results.json"
    if not path.exists() or path.stat().st_mtime < since:
        return None
    return json.loads(path.read_text())


def _nodes(results: dict) -> list[Node]:
    nodes = []
    for r in results.get("results", []):
        kind, _, rest = r["unique_id"].partition(".")
        name = rest.partition(".")[2]
        if kind == "test":  # drop the hash dbt appends to a long test name
            name = name.rsplit(".", 1)[0]
        nodes.append(Node(name, kind, r.get("execution_time") or 0.0))
    return nodes


def machine() -> str:
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return (f"{os.cpu_count()} cores, {mem_kib / 1024 / 1024:.0f} GiB, {platform.machine()}, "
            f"Python {platform.python_version()}, DuckDB {metadata.version('duckdb')}, "
            f"dbt-core {metadata.version('dbt-core')}")


def spark_machine(target: str) -> str | None:
    """What the spark target runs on: Java, Spark, and the profile's master, driver memory, shuffle partitions and
    code generation (as LIFECYCLE_SPARK_* set them now); None for a target that is not Spark."""
    from .targets import target_settings

    settings = target_settings(target)
    if settings["type"] != "spark":
        return None
    conf = settings.get("server_side_parameters") or {}
    try:
        shown = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60).stderr
        java = next((line for line in shown.splitlines() if "version" in line), "unknown").strip()
    except (OSError, subprocess.SubprocessError):
        java = "no java on PATH"
    try:
        spark = metadata.version("pyspark")
    except metadata.PackageNotFoundError:
        spark = "not installed"
    return (f"{java}, pyspark {spark}, dbt-spark {metadata.version('dbt-spark')} ({settings.get('method')}), "
            f"master {conf.get('spark.master')}, driver memory {conf.get('spark.driver.memory')}, shuffle "
            f"partitions {conf.get('spark.sql.shuffle.partitions')}, whole-stage codegen "
            f"{conf.get('spark.sql.codegen.wholeStage')}")


def _check_steps(steps: list[str]) -> list[str]:
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        raise LifecycleError(f"unknown bench step {unknown[0]!r}; choose from {', '.join(STEPS)}")
    for step in steps:
        if step in NEEDS and NEEDS[step] not in steps:
            raise LifecycleError(f"bench step {step} needs step {NEEDS[step]} (the phases run in order on one file)")
    return [s for s in STEPS if s in steps]


def bench(scale: str, seed: int = 1, target: str = "duckdb", steps: list[str] | None = None,
          cache: Path | None = None) -> Report:
    """Generate (or reuse) the exports, then run and measure each of `steps` (STEPS, in that order)."""
    from .generate import SCALES

    if scale not in SCALES:
        raise LifecycleError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
    wanted = _check_steps(list(steps or STEPS))
    with tempfile.TemporaryDirectory(prefix="lifecycle-bench-") as tmp:
        work, logs = Path(tmp), Path(tmp) / "logs"
        exports, generated = cached_exports(scale, seed, cache or cache_root(), logs)
        report = Report(scale, seed, target, exports, sum(f.stat().st_size for f in exports.iterdir()) / 1e6,
                        machine(), generated)
        spark = spark_machine(target)
        if spark:
            report.machine += f"; {spark}"
        if target != "duckdb" and "publish" in wanted:
            wanted.remove("publish")
            report.notes.append("publish is measured on DuckDB only (on PostgreSQL it is the schema swap)")
        env = _env(work / "bench.duckdb")
        cli = ["-m", "lifecycle.cli"]
        dbt = ["-c", DBT, target]
        commands = {
            "scan": ["-c", SCAN, str(exports)],
            "copy": ["-c", COPY, str(exports), str(work / "copy.duckdb")],
            "load": [*cli, "load", "--exports", str(exports), "--target", target],
            "models": [*dbt, "build", "--resource-type", "seed", "--resource-type", "model"],
            "tests": [*dbt, "test", "--exclude-resource-type", "unit_test"],  # as `lifecycle run`
            "validate": [*cli, "validate", "--target", target, "--failures-only", "--docs", str(work / "docs")],
            "publish": ["-c", PUBLISH, target],
        }
        build: list[Node] = []  # the nodes of the full build (models and tests, else run)
        parsed: list[str] = []  # the DuckDB path dbt last parsed the project for

        def warm(database: Path) -> None:
            """An untimed `dbt parse` when dbt's profile changed (another DuckDB path: a full parse), so that
            every timed dbt phase starts from a warm partial parse, as a daily run of one warehouse does."""
            if parsed[-1:] != [str(database)]:
                _step("parse", [*dbt, "parse"], _env(database), logs / "parse")
                parsed.append(str(database))

        if "scan" in wanted:  # untimed: every phase then reads the exports from the page cache, not only the later ones
            _step("warm", commands["scan"], env, logs / "warm")
        for step in wanted:
            if step == "run":
                warm(work / "run.duckdb")
                run = [*cli, "run", "--exports", str(exports), "--target", target]
                _measure(report, "run", run, _env(work / "run.duckdb"), logs, [] if build else build)
            elif step == "batch":
                batch, report.batch_rows = daily_batch(exports)
                load = [*cli, "load", "--exports", str(batch), "--target", target]
                _measure(report, "batch load", load, env, logs)
                warm(work / "bench.duckdb")
                _measure(report, "batch models", commands["models"], env, logs, [])
                _measure(report, "batch tests", commands["tests"], env, logs, [])
            elif step in ("models", "tests"):
                warm(work / "bench.duckdb")
                _measure(report, step, commands[step], env, logs, build)
            else:
                _measure(report, step, commands[step], env, logs)
        report.slowest = sorted(build, key=lambda n: -n.seconds)[:10]
    return report


def _measure(report: Report, name: str, args: list[str], env: dict[str, str], logs: Path,
             nodes: list[Node] | None = None) -> None:
    """Run and record one phase; `nodes` (given for a phase that runs dbt) receives dbt's nodes."""
    since = time.time()
    phase = _step(name, args, env, logs / name.replace(" ", "-"))
    results = _dbt_results(report.target, since) if nodes is not None else None
    if results is not None:
        if name != "run":  # a run also loads and validates
            phase.startup = max(0.0, phase.seconds - results.get("elapsed_time", 0.0))
        nodes.extend(_nodes(results))
    report.phases.append(phase)
    # (on stderr as each phase ends: a long run stopped part way still leaves what it measured)
    print(f"bench: {phase.name} {phase.seconds:,.1f} s, peak RSS {phase.rss_mib:,.0f} MiB", file=sys.stderr, flush=True)


def _number(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def render(report: Report) -> str:
    """The report as Markdown, ready for docs/benchmarks.md."""
    from .generate import SCALES

    source = "generated" if report.generated else "cached"
    lines = [
        f"scale {report.scale} ({SCALES[report.scale]:,} persons), seed {report.seed}, target {report.target}, "
        f"exports {report.exports_mb:,.0f} MB ({source}: {report.exports}); {report.machine}",
        "",
        "| phase | seconds | × scan | peak RSS (MiB) | of which dbt start-up + parse (s) |",
        "|---|---:|---:|---:|---:|",
    ]
    if report.generated:
        lines.append(f"| generate | {report.generated.seconds:,.1f} |  | {report.generated.rss_mib:,.0f} |  |")
    for p in report.phases:
        lines.append(f"| {p.name} | {p.seconds:,.1f} | {_number(report.ratio(p.name))} | {p.rss_mib:,.0f} "
                     f"| {_number(p.startup)} |")
    phases = ("load", "models", "tests", "validate", "publish")
    summed, scan = report.seconds(*phases), report.seconds("scan")
    if summed is not None:
        ratio = f" = {summed / scan:,.1f}× the scan" if scan else ""
        lines.append(f"\nload + models + tests + validate + publish: {summed:,.1f} s{ratio}")
    run = report.seconds("run")
    if run is not None:
        ratio = f" = {run / scan:,.1f}× the scan" if scan else ""
        lines.append(f"\n**whole `lifecycle run`: {run:,.1f} s{ratio}**")
    full, daily = report.seconds("models", "tests"), report.seconds("batch models", "batch tests")
    if full and daily is not None:
        added = ", ".join(f"+{n:,} {name}" for name, n in report.batch_rows.items())
        load, batch_load = report.seconds("load"), report.seconds("batch load")
        lines.append(f"\n1% daily batch ({added}): load {batch_load:,.1f} s ({100 * batch_load / load:.0f}% of "
                     f"the full load), build (models + tests) {daily:,.1f} s = {100 * daily / full:.0f}% of the "
                     f"full build ({full:,.1f} s)")
    if report.slowest:
        lines += ["", "ten slowest dbt nodes of the build:", "",
                  "| node | type | seconds |", "|---|---|---:|"]
        lines += [f"| {n.name if len(n.name) <= 90 else n.name[:87] + '...'} | {n.resource_type} | {n.seconds:,.1f} |"
                  for n in report.slowest]
    lines += [f"\n{note}" for note in report.notes]
    return "\n".join(lines)
