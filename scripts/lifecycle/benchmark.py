"""Benchmark: time and peak memory of generate, load and build at a scale, as ratios to one scan.

Usage: python -m lifecycle.benchmark [--scale m] [--seed 1] [--target duckdb] [--steps scan,copy,load,build]
The yardstick is measured in the same run, on the same files: one DuckDB process that reads every
export file (as text) and aggregates every column, which is the least any load must do. `copy` is a
second reference: DuckDB copying every file as it is into tables of a database file (its own type
guesses, no checks, no line numbers), the least a load that writes the data can cost. The
machine is shared and noisy, so the ratios say more than the seconds. Each step runs as its own
process so its peak RSS is its own. Prints a Markdown table with the machine's size, ready for
docs/benchmarks.md. Nothing here is asserted by a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def _step(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run one Python command line; return (seconds, peak RSS in MiB)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr.read().decode()[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def machine() -> str:
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores, {mem_kib / 1024 / 1024:.0f} GiB, {platform.machine()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="m")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", default="duckdb")
    parser.add_argument("--steps", default="scan,copy,load,build", help="comma-separated: scan, copy, load, build")
    args = parser.parse_args()
    wanted = args.steps.split(",")
    with tempfile.TemporaryDirectory(prefix="lifecycle-bench-") as tmp:
        exports = Path(tmp) / "exports"
        env = {**os.environ, "LIFECYCLE_DUCKDB_PATH": str(Path(tmp) / "bench.duckdb")}
        cli = ["-m", "lifecycle.cli"]
        steps = {
            "generate": [*cli, "generate", "--scale", args.scale, "--seed", str(args.seed), "--out", str(exports)],
            "scan": ["-c", SCAN, str(exports)],
            "copy": ["-c", COPY, str(exports), str(Path(tmp) / "copy.duckdb")],
            "load": [*cli, "load", "--exports", str(exports), "--target", args.target],
            "build": [*cli, "build", "--target", args.target],
        }
        results = {name: _step(cmd, env) for name, cmd in steps.items() if name == "generate" or name in wanted}
        size_mb = sum(f.stat().st_size for f in exports.iterdir()) / 1e6
    scan = results.get("scan", (0.0, 0.0))[0]
    print(f"scale {args.scale}, seed {args.seed}, target {args.target}, exports {size_mb:,.0f} MB; {machine()}")
    print("| step | seconds | × scan | peak RSS (MiB) |\n|---|---:|---:|---:|")
    for name, (seconds, rss) in results.items():
        ratio = f"{seconds / scan:.1f}" if scan and name != "generate" else ""
        print(f"| {name} | {seconds:,.1f} | {ratio} | {rss:,.0f} |")


if __name__ == "__main__":
    main()
