"""Benchmark: time and peak memory of generate, load and build at a scale.

Usage: python -m lifecycle.benchmark [--scale m] [--seed 1] [--target duckdb]
Each step runs as its own `lifecycle` process so its peak RSS is its own. Prints a
Markdown table with the machine's size, ready for docs/benchmarks.md.
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


def _step(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run one lifecycle command; return (seconds, peak RSS in MiB)."""
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "lifecycle.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"lifecycle {' '.join(args)} failed:\n{proc.stderr.read().decode()[-3000:]}")
    return elapsed, usage.ru_maxrss / 1024


def _machine() -> str:
    mem_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores, {mem_kib / 1024 / 1024:.0f} GiB, {platform.machine()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="m")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--target", default="duckdb")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lifecycle-bench-") as tmp:
        exports = Path(tmp) / "exports"
        env = {**os.environ, "LIFECYCLE_DUCKDB_PATH": str(Path(tmp) / "bench.duckdb")}
        steps = {
            "generate": ["generate", "--scale", args.scale, "--seed", str(args.seed), "--out", str(exports)],
            "load": ["load", "--exports", str(exports), "--target", args.target],
            "build": ["build", "--target", args.target],
        }
        results = {name: _step(cmd, env) for name, cmd in steps.items()}
        size_mb = sum(f.stat().st_size for f in exports.iterdir()) / 1e6
    print(f"scale {args.scale}, seed {args.seed}, target {args.target}, exports {size_mb:,.0f} MB; {_machine()}")
    print("| step | seconds | peak RSS (MiB) |\n|---|---:|---:|")
    for name, (seconds, rss) in results.items():
        print(f"| {name} | {seconds:,.1f} | {rss:,.0f} |")


if __name__ == "__main__":
    main()
