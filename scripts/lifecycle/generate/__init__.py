"""Deterministic synthetic exports for every file of the export contract (CONTRACT.md).

`generate(scale, seed, out_dir)` writes `<file>.csv` for all contract files into `out_dir`
and returns the number of data rows written per file. The same (scale, seed) always gives
byte-identical files: all randomness comes from numpy generators seeded with
`[seed, stream]`, and the timeline is anchored to 2024-01-01 .. 2025-12-31 (UTC).

The data tell a B2B lifecycle story with planted behaviour the marts must show: channels
that differ in volume, cost and conversion; nurture programs with different engagement;
leads recycled to nurture and reopened later; MQL -> SQL -> opportunity -> customer with
realistic lags; won / lost / no-decision deals; upsell, cross-sell and renewal deals;
subscriptions with monthly churn and reactivations; an NPS spread; leads nurtured by the automated
prospect programs with 20% more opportunities and 47% larger deals than the others, about ten touches
before a customer's first won deal, and referral leads worth several times the bookings per lead of
the other sources (vocab.NURTURE_*). It is also CRM-messy:
vendor spellings of stages, sources and types, padded and mixed-case values, duplicate
people entered twice, deleted rows and two currencies.

Column order comes from the contract YAMLs (`models/staging/*/_*__sources.yml`). Large
files are generated and written chunk by chunk; fields are pre-escaped with RFC 4180
minimal quoting (identical to `csv.writer` with `QUOTE_MINIMAL` and `\\n` line endings).

The modules follow the steps of `generate()`: `vocab` (the fixed vocabulary), `writing`
(contract, formatting and file helpers), `world` (context, calendar, campaign and program
types), `campaigns` (fx series and campaign calendar), `persons` (accounts and persons through
the funnel), `account_history` (opportunities, subscriptions, churn), then the files:
`crm_files`, `billing_survey_files`, `campaign_files` and `event_files`.
"""

from __future__ import annotations

from pathlib import Path

from .account_history import _customer_windows, _simulate_accounts
from .billing_survey_files import _write_fx, _write_nps, _write_subscriptions
from .campaign_files import _write_campaign_members, _write_campaigns, _write_spend
from .campaigns import _build_campaigns, _build_fx
from .crm_files import (
    _dup_leads,
    _write_accounts,
    _write_contacts,
    _write_leads,
    _write_opportunities,
    _write_sales_activities,
    _write_stage_history,
)
from .event_files import _write_events
from .persons import _assign_records, _build_accounts, _simulate_persons
from .world import _Ctx
from .writing import _Fmt, contract_columns

__all__ = ["SCALES", "contract_columns", "generate"]

SCALES: dict[str, int] = {"xs": 2_000, "s": 20_000, "m": 200_000, "l": 1_000_000}


def generate(scale: str, seed: int, out_dir: Path, progress: bool = False) -> dict[str, int]:
    """Write all contract files as `<file>.csv` into out_dir; return rows written per file."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = _Ctx(
        n=SCALES[scale],
        scale=scale,
        seed=int(seed) % (1 << 63),
        out=out,
        columns=contract_columns(),
        fmt=_Fmt(),
        progress=progress,
    )
    fx = _build_fx(ctx)
    _write_fx(ctx, fx)
    camps = _build_campaigns(ctx)
    accs = _build_accounts(ctx)
    persons = _simulate_persons(ctx, camps, accs)
    _assign_records(ctx, persons, accs)
    ctx.log(f"simulated {persons.n:,} persons, {accs.n:,} accounts")
    res = _simulate_accounts(ctx, persons, accs, fx, camps)
    _customer_windows(persons, accs, res)
    ctx.log(f"simulated {len(res.opps):,} opportunities, {len(res.subs):,} subscriptions")
    _write_accounts(ctx, accs)
    dups = _dup_leads(ctx, persons)
    status = _write_stage_history(ctx, persons, res, dups)
    _write_leads(ctx, persons, accs, res, status, dups)
    _write_contacts(ctx, persons, accs, res)
    _write_opportunities(ctx, persons, accs, res, camps)
    _write_subscriptions(ctx, accs, res)
    _write_nps(ctx, persons, accs, res)
    _write_sales_activities(ctx, persons, res)
    _write_campaign_members(ctx, persons, camps)
    _write_spend(ctx, persons, camps, fx)
    _write_campaigns(ctx, camps)
    _write_events(ctx, persons, camps)
    missing = set(ctx.columns) - set(ctx.counts)
    if missing:
        raise RuntimeError(f"contract files not generated: {sorted(missing)}")
    return {name: ctx.counts[name] for name in ctx.columns}
