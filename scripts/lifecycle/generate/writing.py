"""Contract, formatting and writing helpers: column order from the export contract, CSV
field escaping and formatting, weighted picks, and one export file being written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import add
from pathlib import Path
from typing import TextIO

import numpy as np
import yaml
from numpy.typing import NDArray

from ..contract import PROJECT_DIR, SOURCES_GLOB
from .vocab import DAY, I64, N_DAYS, T_END, WRITE_CHUNK, B, F


def contract_columns(repo_root: Path = PROJECT_DIR) -> dict[str, list[str]]:
    """Columns in order per export file, read from the dbt sources YAMLs."""
    files: dict[str, list[str]] = {}
    for path in sorted(repo_root.glob(SOURCES_GLOB)):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in doc.get("sources", []):
            for table in source.get("tables", []):
                name = table.get("identifier") or table["name"]
                files[name] = [col["name"] for col in table.get("columns", [])]
    return files


def _q(value: str) -> str:
    """RFC 4180 minimal quoting, exactly as csv.writer(QUOTE_MINIMAL) does it."""
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _lookup(table: Sequence[str], idx: NDArray) -> list[str]:
    """table[i] for every i in idx, as a list (C-speed map)."""
    return list(map(table.__getitem__, np.asarray(idx, dtype=np.int64).tolist()))


def _weighted(rng: np.random.Generator, options: Sequence[tuple[str, float]], n: int) -> I64:
    weights = np.array([w for _, w in options], dtype=float)
    return rng.choice(len(options), size=n, p=weights / weights.sum()).astype(np.int64)


def _pick(rng: np.random.Generator, options: Sequence[tuple[str, float]], n: int) -> list[str]:
    table = [_q(s) for s, _ in options]
    return _lookup(table, _weighted(rng, options, n))


def _lognormal_days(rng: np.random.Generator, n: int, median: float, sigma: float) -> F:
    """Lags in seconds, lognormal around a median in days."""
    return np.exp(rng.normal(np.log(median), sigma, n)) * DAY


def _nan_to(arr: F, value: float) -> F:
    return np.where(np.isnan(arr), value, arr)


class _Fmt:
    """Fast formatting of ids, timestamps, dates, booleans and money to CSV field strings."""

    def __init__(self) -> None:
        days = np.datetime64("2024-01-01") + np.arange(N_DAYS + 1)
        self.dates = [str(d) for d in days]
        hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.times = ["T" + x + "Z" for x in hms] + ["T" + x + "+02:00" for x in hms]
        self.lo5 = [f"{i:05d}" for i in range(100_000)]
        self.bools = ["false", "true", "0", "1", "No", "Yes", "FALSE", "TRUE"]

    def ids(self, prefix: str, start: int, count: int, width: int) -> list[str]:
        """Sequential ids prefix + zero-padded number (start .. start+count-1)."""
        if count <= 0:
            return []
        nums = np.arange(start, start + count, dtype=np.int64)
        hi, lo = nums // 100_000, nums % 100_000
        h0 = int(hi[0])
        hi_tab = [f"{prefix}{h:0{width - 5}d}" for h in range(h0, int(hi[-1]) + 1)]
        return list(map(add, _lookup(hi_tab, hi - h0), _lookup(self.lo5, lo)))

    def ts(self, secs: NDArray, rng: np.random.Generator, p_offset: float = 0.015) -> list[str]:
        """ISO 8601 UTC timestamps; a few rendered in +02:00 local time (same instant)."""
        s = np.asarray(secs).astype(np.int64)
        off = (rng.random(s.size) < p_offset) & (s + 7200 <= T_END)
        local = s + off * 7200
        day, sod = local // DAY, local % DAY + off * DAY
        return list(map(add, _lookup(self.dates, day), _lookup(self.times, sod)))

    def ts_opt(self, secs: F, rng: np.random.Generator, p_offset: float = 0.015) -> list[str]:
        """Like ts() but NaN -> empty string."""
        ok = ~np.isnan(secs)
        out = np.full(secs.size, "", dtype=object)
        out[ok] = self.ts(secs[ok], rng, p_offset)
        return out.tolist()

    def date(self, days: NDArray) -> list[str]:
        return _lookup(self.dates, days)

    def bool(self, values: B, rng: np.random.Generator, p_alt: float = 0.03) -> list[str]:
        """true/false mostly; occasionally 1/0, Yes/No or TRUE/FALSE."""
        style = np.where(rng.random(values.size) < p_alt, rng.integers(1, 4, values.size), 0)
        return _lookup(self.bools, values.astype(np.int64) + 2 * style)


def _money(values: NDArray) -> list[str]:
    return [f"{v:.2f}" for v in np.asarray(values, dtype=float).tolist()]


class _Table:
    """One export file being written: header from the contract, rows in blocks."""

    def __init__(self, out_dir: Path, name: str, columns: list[str]) -> None:
        self.name = name
        self.columns = columns
        self.rows = 0
        self.fh: TextIO = (out_dir / f"{name}.csv").open("w", encoding="utf-8", newline="")
        self.fh.write(",".join(_q(c) for c in columns) + "\n")

    def write(self, data: dict[str, list[str]]) -> None:
        """Write a block given as column name -> list of already escaped field strings."""
        sizes = {len(v) for v in data.values()}
        if len(sizes) != 1:
            raise ValueError(f"{self.name}: columns of unequal length {sorted(sizes)}")
        n = sizes.pop()
        if n == 0:
            return
        unknown = set(data) - set(self.columns)
        if unknown:
            raise KeyError(f"{self.name}: columns not in the contract: {sorted(unknown)}")
        blank = [""] * n
        cols = [data.get(c, blank) for c in self.columns]
        self.fh.write("\n".join(map(",".join, zip(*cols, strict=True))))
        self.fh.write("\n")
        self.rows += n

    def write_sliced(self, n: int, build: Callable[[slice], dict[str, list[str]]]) -> None:
        """Format and write rows [0, n) in blocks: build(rows) returns one block's columns."""
        for a in range(0, n, WRITE_CHUNK):
            self.write(build(slice(a, min(n, a + WRITE_CHUNK))))

    def close(self) -> int:
        self.fh.close()
        return self.rows
