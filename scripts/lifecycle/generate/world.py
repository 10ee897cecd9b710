"""World model: the generation context (seeded random streams, output files), fx series,
campaigns and email programs, and the calendar (month starts, daily volume weights)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .vocab import DAY, I64, N_DAYS, N_MONTHS, SEASON, START_DATE, B, F
from .writing import _Fmt, _Table


@dataclass
class _Ctx:
    n: int
    scale: str
    seed: int
    out: Path
    columns: dict[str, list[str]]
    fmt: _Fmt
    progress: bool
    counts: dict[str, int] = field(default_factory=dict)
    t0: float = field(default_factory=time.perf_counter)

    def rng(self, *stream: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, *stream])

    def table(self, name: str) -> _Table:
        return _Table(self.out, name, self.columns[name])

    def done(self, table: _Table) -> None:
        self.counts[table.name] = table.close()
        self.log(f"{table.name}: {table.rows:,} rows")

    def log(self, message: str) -> None:
        if self.progress:
            from rich.console import Console

            Console(stderr=True).print(f"generate [{time.perf_counter() - self.t0:6.1f}s] {message}",
                                       highlight=False, markup=False, soft_wrap=True)


@dataclass
class _Fx:
    """USD per unit of currency per day (weekend days carry Friday's rate)."""

    eur: F
    gbp: F
    rows: list[tuple[int, str, float]]

    def usd_per(self, currency: str, day: int) -> float:
        if currency == "EUR":
            return float(self.eur[day])
        if currency == "GBP":
            return float(self.gbp[day])
        return 1.0


@dataclass
class _Campaign:
    name: str
    channel: int
    spelling: str
    ctype: str
    audience: str
    automated: bool
    start: int  # day index
    end: int | None  # last day, inclusive; None = open-ended
    currency: str
    kind: str  # always_on | webinar | event | email | parent
    weight: float = 1.0
    parent: str | None = None
    event_day: int | None = None
    program: str | None = None  # email program key
    id: str = ""
    cost: float = 0.0  # actual cost in campaign currency (from marketing_spend)

    def active(self, day: NDArray) -> B:
        end = N_DAYS - 1 if self.end is None else self.end
        return (day >= self.start) & (day <= end)


@dataclass(frozen=True)
class _Program:
    key: str
    name: str
    spelling: str
    ctype: str
    audience: str
    automated: bool
    open_rate: float
    click_rate: float
    unsub: float
    n_emails: int


PROGRAMS = (
    _Program(
        "WEL",
        "Nurture - Welcome Series",
        "Email Marketing",
        "Nurture",
        "prospect",
        True,
        0.35,
        0.08,
        0.002,
        5,
    ),
    _Program(
        "EDU",
        "Nurture - Product Education",
        "E-mail",
        "Nurture",
        "prospect",
        True,
        0.25,
        0.04,
        0.003,
        6,
    ),
    _Program(
        "REN", "Nurture - Re-engagement", "email", "Nurture", "prospect", True, 0.15, 0.01, 0.01, 6
    ),
    _Program(
        "NL",
        "Monthly Newsletter",
        "Newsletter",
        "Email",
        "prospect",
        False,
        0.22,
        0.025,
        0.003,
        N_MONTHS,
    ),
    _Program(
        "ONB",
        "Customer Onboarding",
        "Email Marketing",
        "Nurture",
        "customer",
        True,
        0.45,
        0.12,
        0.001,
        4,
    ),
    _Program(
        "CNL",
        "Customer Newsletter",
        "Newsletter",
        "Email",
        "customer",
        False,
        0.30,
        0.04,
        0.002,
        N_MONTHS,
    ),
    _Program(
        "UPS",
        "Expansion - Upsell Offers",
        "E-mail",
        "Email",
        "customer",
        True,
        0.20,
        0.03,
        0.004,
        8,
    ),
)
PG = {p.key: i for i, p in enumerate(PROGRAMS)}


def _day_index(d: dt.date) -> int:
    return (d - START_DATE).days


def _month_starts() -> I64:
    """Day index of the first of each month, 2024-01 .. 2026-01 (25 entries)."""
    out = []
    for m in range(N_MONTHS + 1):
        y, mo = 2024 + m // 12, m % 12 + 1
        out.append(_day_index(dt.date(y, mo, 1)))
    return np.array(out, dtype=np.int64)


MONTH_STARTS = _month_starts()


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """nth (1-based; -1 = last) weekday (Mon=0) of a month."""
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _day_weights() -> F:
    """Relative volume per day: growth over the two years, seasonality, quiet weekends."""
    days = np.arange(N_DAYS)
    d64 = np.datetime64("2024-01-01") + days
    month = d64.astype("datetime64[M]").astype(np.int64) - np.datetime64("2024-01", "M").astype(
        np.int64
    )
    growth = 1.0 + 0.5 * month / (N_MONTHS - 1)
    season = np.array(SEASON)[month % 12]
    weekday = days % 7  # 2024-01-01 is a Monday
    return growth * season * np.where(weekday >= 5, 0.3, 1.0)


DAY_WEIGHTS = _day_weights()


def _sample_times(rng: np.random.Generator, n: int) -> F:
    """Timestamps (seconds) following the day weights, mostly in business hours."""
    day = rng.choice(N_DAYS, size=n, p=DAY_WEIGHTS / DAY_WEIGHTS.sum())
    hour = np.where(rng.random(n) < 0.85, rng.normal(14.0, 2.8, n), rng.uniform(0, 24, n))
    hour = np.clip(hour, 0.0, 23.99)
    second = np.clip(hour * 3600.0 + rng.uniform(0, 59, n), 0.0, DAY - 1.0)
    return day * float(DAY) + second
