"""`lifecycle bench`: the report's structure at the smallest scale (never its timings)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifecycle.benchmark import BATCH_EVENTS, _env, _step, bench, cached_exports, daily_batch, render, spark_machine
from lifecycle.cli import app
from lifecycle.contract import load_contract
from lifecycle.errors import LifecycleError


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-cache")


def test_bench_measures_each_phase_against_the_scan(cache: Path) -> None:
    report = bench("xs", 7, "duckdb", ["scan", "load", "models"], cache)
    assert report.generated is not None and report.generated.seconds > 0
    assert [p.name for p in report.phases] == ["scan", "load", "models"]
    assert all(p.seconds > 0 and p.rss_mib > 0 for p in report.phases)
    assert all((report.ratio(p.name) or 0) > 0 for p in report.phases)
    models = report.phases[-1]
    assert models.startup is not None and 0 <= models.startup <= models.seconds
    assert 0 < len(report.slowest) <= 10
    assert {n.resource_type for n in report.slowest} <= {"seed", "model"}
    assert [n.seconds for n in report.slowest] == sorted((n.seconds for n in report.slowest), reverse=True)
    text = render(report)
    for row in ("| generate |", "| scan |", "| load |", "| models |", "ten slowest dbt nodes"):
        assert row in text


def test_exports_are_generated_once_per_scale_and_seed(cache: Path, tmp_path: Path) -> None:
    first, _ = cached_exports("xs", 7, cache, tmp_path)  # made by the test above (or now)
    again, generated = cached_exports("xs", 7, cache, tmp_path)
    assert again == first and generated is None
    assert not list(cache.glob("*.partial-*"))


def test_daily_batch_holds_one_percent_new_events_and_empty_required_files(cache: Path, tmp_path: Path) -> None:
    exports, _ = cached_exports("xs", 7, cache, tmp_path)
    batch, added = daily_batch(exports)
    required = {f"{spec.name}.csv" for spec in load_contract() if spec.required}
    events = {f"{name}.csv" for name, _, _ in BATCH_EVENTS}
    assert {p.name for p in batch.iterdir()} == required | events
    for name in required:
        assert (batch / name).read_bytes() == (exports / name).read_bytes().split(b"\n")[0] + b"\n"
    for name, key, _ in BATCH_EVENTS:
        total = sum(1 for _ in open(exports / f"{name}.csv", "rb")) - 1
        assert 0.005 * total <= added[name] <= 0.02 * total
        lines = (batch / f"{name}.csv").read_text().splitlines()
        assert lines[0].split(",")[0] == key and all(line.startswith("B") for line in lines[1:])
    assert daily_batch(exports) == (batch, added)  # cached


def test_bench_refuses_unknown_steps_and_missing_phases(cache: Path) -> None:
    with pytest.raises(LifecycleError, match="unknown bench step 'build'"):
        bench("xs", 7, "duckdb", ["scan", "build"], cache)
    with pytest.raises(LifecycleError, match="step tests needs step models"):
        bench("xs", 7, "duckdb", ["load", "tests"], cache)
    result = CliRunner().invoke(app, ["bench", "--scale", "xxl"])
    assert result.exit_code == 1 and "unknown scale 'xxl'" in result.output


# a phase whose process starts a child that outlives it unwaited (as pyspark's JVM does), both holding memory
TREE = r"""
import subprocess, sys, time
hold = b"p" * (150 * 2**20)
child = subprocess.Popen([sys.executable, "-c", "import sys, time; hold = b'c' * (150 * 2**20); print(flush=True); "
                          "time.sleep(3)"], stdout=subprocess.PIPE)
child.stdout.readline()  # the child holds its memory now
time.sleep(1.5)
"""


def test_peak_rss_counts_the_child_processes_of_a_phase(tmp_path: Path) -> None:
    phase = _step("tree", ["-c", TREE], _env(tmp_path / "bench.duckdb"), tmp_path / "logs")
    assert phase.rss_mib > 290  # the parent's 150 MiB and the child's at once, not the larger of the two


def test_spark_phases_get_a_warehouse_folder_of_their_own(tmp_path: Path) -> None:
    env = _env(tmp_path / "run.duckdb")
    assert env["LIFECYCLE_SPARK_WAREHOUSE"] == str((tmp_path / "run.spark").resolve())
    assert env["LIFECYCLE_DUCKDB_PATH"] == str(tmp_path / "run.duckdb")
    assert spark_machine("duckdb") is None
    described = spark_machine("spark")  # (no session is started: the profile and `java -version`)
    assert described is not None and "master local[" in described and "driver memory" in described
