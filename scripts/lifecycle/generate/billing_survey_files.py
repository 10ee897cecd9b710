"""Files of the finance, billing and survey systems: fx rates, subscriptions and NPS
responses."""

from __future__ import annotations

import numpy as np

from .account_history import _AccountResult
from .persons import _Accounts, _messy_emails, _Persons
from .vocab import DAY, N_DAYS, NPS_BASE, NPS_COMMENTS, T_END
from .world import MONTH_STARTS, _Ctx, _Fx
from .writing import _money, _q


def _write_fx(ctx: _Ctx, fx: _Fx) -> None:
    t = ctx.table("fx_rates")
    t.write(
        {
            "rate_date": ctx.fmt.date(np.array([r[0] for r in fx.rows])),
            "currency": [r[1] for r in fx.rows],
            "rate_to_reporting": [f"{r[2]:.6f}" for r in fx.rows],
        }
    )
    ctx.done(t)


def _write_subscriptions(ctx: _Ctx, accs: _Accounts, res: _AccountResult) -> None:
    rng = ctx.rng(13)
    subs = sorted(
        (s for s in res.subs if s.start < N_DAYS and (s.end is None or s.end > s.start)),
        key=lambda s: (s.start, s.account),
    )
    blank = rng.random(len(subs)) < 0.05
    out = ctx.table("billing_subscriptions")
    out.write(
        {
            "subscription_id": ctx.fmt.ids("SUB", 1, len(subs), 7),
            "account_id": [accs.ids[s.account] for s in subs],
            "product": [s.product for s in subs],
            "started_on": ctx.fmt.date(np.array([s.start for s in subs], dtype=np.int64)),
            "ended_on": [
                "" if s.end is None or s.end >= N_DAYS else ctx.fmt.dates[s.end] for s in subs
            ],
            "mrr_amount": _money([s.mrr for s in subs]),
            "currency": [
                "" if (s.currency == "USD" and b) else s.currency
                for s, b in zip(subs, blank.tolist(), strict=True)
            ],
        }
    )
    ctx.done(out)


def _write_nps(ctx: _Ctx, p: _Persons, accs: _Accounts, res: _AccountResult) -> None:
    rng = ctx.rng(16)
    contacts: dict[int, list[int]] = {}
    for person in p.contact_person.tolist():
        contacts.setdefault(int(p.account[person]), []).append(person)
    created = np.full(p.n, np.nan)
    created[p.contact_person] = p.contact_created
    rows: list[tuple[float, int, int, int, str, str]] = []
    for q in range(8):
        year, quarter = 2024 + q // 4, q % 4 + 1
        survey_day = int(MONTH_STARTS[q * 3 + 1]) + 14
        name = f"NPS {year}-Q{quarter}"
        for a in sorted(res.periods):
            periods = res.periods[a]
            if not any(s <= survey_day and (e is None or survey_day < e) for s, e in periods):
                continue
            churns = res.churn_flag.get(a, False)
            mood = (
                0.3 * (q - 3.5) / 3.5
                + (-0.25, 0.0, 0.25)[int(accs.segment[a])]
                + (-0.6 if churns else -0.05)
                + rng.normal(0, 0.2)
            )
            for person in contacts.get(a, []):
                if created[person] > survey_day * DAY or rng.random() > 0.35:
                    continue
                t = survey_day * float(DAY) + rng.uniform(0, 21) * DAY + rng.uniform(8, 18) * 3600
                if t > T_END:
                    continue
                score = _nps_score(rng, mood)
                cat = 0 if score <= 6 else (1 if score <= 8 else 2)
                comment = ""
                if rng.random() < 0.35:
                    opts = NPS_COMMENTS[cat]
                    comment = opts[int(rng.integers(len(opts)))]
                rows.append((t, a, person, score, comment, name))
    rows.sort(key=lambda r: r[0])
    ids = ctx.fmt.ids("NPS", 1, len(rows), 7)
    emails = _messy_emails(rng, p.email, np.array([r[2] for r in rows], dtype=np.int64), 0.05)
    out = ctx.table("survey_nps_responses")
    out.write(
        {
            "response_id": ids,
            "account_id": [accs.ids[r[1]] for r in rows],
            "email": [_q(e) for e in emails],
            "score": [str(r[3]) for r in rows],
            "comment": [_q(r[4]) for r in rows],
            "responded_at": ctx.fmt.ts(np.array([r[0] for r in rows]), rng),
            "survey_name": [r[5] for r in rows],
        }
    )
    ctx.done(out)


def _nps_score(rng: np.random.Generator, mood: float) -> int:
    w = NPS_BASE.copy()
    w[9:] *= np.exp(mood)
    w[:7] *= np.exp(-mood)
    return int(rng.choice(11, p=w / w.sum()))
