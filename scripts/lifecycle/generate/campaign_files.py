"""Campaign files: CRM campaigns, marketing spend and campaign members."""

from __future__ import annotations

import numpy as np

from .persons import _Persons, _record_of
from .vocab import CHANNELS, DAY, I64, N_DAYS, N_MONTHS, T_END, WRITE_CHUNK, F
from .world import MONTH_STARTS, _Campaign, _Ctx, _Fx
from .writing import _lookup, _money, _q


def _write_campaigns(ctx: _Ctx, camps: list[_Campaign]) -> None:
    rng = ctx.rng(14)
    by_name = {c.name: c for c in camps}
    for c in camps:
        if c.kind == "parent":
            c.cost = sum(k.cost for k in camps if k.parent == c.name)
    budget = [
        round(c.cost * rng.uniform(0.9, 1.25), -3)
        if c.cost
        else (0.0 if c.kind == "email" else 5000.0)
        for c in camps
    ]
    out = ctx.table("crm_campaigns")
    out.write(
        {
            "campaign_id": [c.id for c in camps],
            "campaign_name": [_q(c.name) for c in camps],
            "channel": [c.spelling for c in camps],
            "campaign_type": [c.ctype for c in camps],
            "audience": [c.audience for c in camps],
            "is_automated": ctx.fmt.bool(np.array([c.automated for c in camps]), rng),
            "parent_campaign_id": [by_name[c.parent].id if c.parent else "" for c in camps],
            "start_date": [ctx.fmt.dates[c.start] for c in camps],
            "end_date": ["" if c.end is None else ctx.fmt.dates[c.end] for c in camps],
            "budgeted_cost": _money(budget),
            "actual_cost": _money([c.cost for c in camps]),
            "currency": [
                "" if c.currency == "USD" and k % 4 == 1 else c.currency
                for k, c in enumerate(camps)
            ],
        }
    )
    ctx.done(out)


def _write_spend(ctx: _Ctx, p: _Persons, camps: list[_Campaign], fx: _Fx) -> None:
    """Daily media rows (line items), program rows, monthly labor and technology rows."""
    rng = ctx.rng(15)
    day = (p.t_create // DAY).astype(np.int64)
    ok = p.campaign >= 0
    per_day = np.zeros((len(camps), N_DAYS))
    np.add.at(per_day, (p.campaign[ok], day[ok]), 1.0)
    kernel = np.ones(28) / 28.0
    rows: list[tuple[int, str, str, str, float, str, str, str]] = []

    def emit(
        d: int,
        c: _Campaign | None,
        spelling: str,
        ctype: str,
        usd: float,
        ccy: str,
        impressions: str = "",
        clicks: str = "",
    ) -> None:
        if 0 <= d < N_DAYS and usd > 0:
            amount = usd / fx.usd_per(ccy, d)
            if c is not None:
                c.cost += round(amount, 2)
            rows.append((d, spelling, c.id if c else "", ctype, amount, ccy, impressions, clicks))

    scale = p.n / 20_000.0
    for ci, c in enumerate(camps):
        ch = CHANNELS[c.channel]
        if c.kind == "always_on" and ch.cpl > 0:
            smooth = np.convolve(per_day[ci], kernel, mode="same")
            days = np.nonzero(c.active(np.arange(N_DAYS)))[0]
            if ch.cpc > 0:
                items = 3 if ch.key == "paid_search" else 2
                for d in days.tolist():
                    usd = ch.cpl * max(smooth[d], 0.05 * scale) * rng.lognormal(0, 0.2)
                    for share in rng.dirichlet(np.ones(items) * 3):
                        spend = usd * share
                        clicks = int(spend / ch.cpc * rng.lognormal(0, 0.1))
                        impr = int(clicks / ch.ctr * rng.lognormal(0, 0.15))
                        emit(d, c, c.spelling, "media", spend, c.currency, str(impr), str(clicks))
            else:
                for d in days[days % 7 == 0].tolist():  # weekly program cost, Mondays
                    week = float(smooth[d : d + 7].sum()) if d + 7 <= N_DAYS else smooth[d] * 7
                    emit(
                        d,
                        c,
                        c.spelling,
                        "program",
                        ch.cpl * week * rng.lognormal(0, 0.25),
                        c.currency,
                    )
        elif c.kind in ("webinar", "event") and c.event_day is not None:
            total = ch.cpl * per_day[ci].sum() * rng.lognormal(0, 0.15)
            parts = (
                ((-20, 0.3), (-8, 0.2), (0, 0.5))
                if c.kind == "webinar"
                else ((-45, 0.45), (0, 0.4), (0, 0.05), (6, 0.1))
            )
            for off, share in parts:
                emit(max(0, c.event_day + off), c, c.spelling, "program", total * share, c.currency)
        elif c.kind == "email":
            for m in range(N_MONTHS):
                emit(
                    int(MONTH_STARTS[m]),
                    c,
                    c.spelling,
                    "program",
                    120.0 * scale * rng.lognormal(0, 0.2),
                    c.currency,
                )
    _overhead_rows(rows, rng, fx, scale)
    rows.sort(key=lambda r: (r[0], r[2], r[1]))
    blank = rng.random(len(rows)) < 0.08
    out = ctx.table("marketing_spend")
    out.write(
        {
            "spend_date": [ctx.fmt.dates[r[0]] for r in rows],
            "channel": [r[1] for r in rows],
            "campaign_id": [r[2] for r in rows],
            "cost_type": [r[3] for r in rows],
            "amount": _money([r[4] for r in rows]),
            "currency": [
                "" if (r[5] == "USD" and b) else r[5]
                for r, b in zip(rows, blank.tolist(), strict=True)
            ],
            "impressions": [r[6] for r in rows],
            "clicks": [r[7] for r in rows],
        }
    )
    ctx.done(out)


def _overhead_rows(rows: list, rng: np.random.Generator, fx: _Fx, scale: float) -> None:
    """Monthly labor and technology cost without a campaign."""
    teams = (
        ("Paid Search", "labor", 9000.0, "USD"),
        ("Events", "labor", 7000.0, "EUR"),
        ("SEO", "labor", 6000.0, "USD"),
        ("SDR Outbound", "labor", 8000.0, "USD"),
        ("Email Marketing", "technology", 3000.0, "USD"),
        ("Website", "technology", 1500.0, "USD"),
        ("Other", "technology", 2500.0, "USD"),
    )
    for m in range(N_MONTHS):
        d = int(MONTH_STARTS[m])
        growth = 1.0 + 0.3 * m / (N_MONTHS - 1)
        for spelling, ctype, usd, ccy in teams:
            amount = usd * scale * growth * rng.lognormal(0, 0.05) / fx.usd_per(ccy, d)
            rows.append((d, spelling, "", ctype, amount, ccy, "", ""))


def _write_campaign_members(ctx: _Ctx, p: _Persons, camps: list[_Campaign]) -> None:
    rng = ctx.rng(18)
    webinars = np.array([i for i, c in enumerate(camps) if c.kind == "webinar"], dtype=np.int64)
    wdays = np.array([camps[i].event_day for i in webinars], dtype=np.int64)
    statuses = [
        "Responded",
        "Clicked",
        "Registered",
        "Attended",
        "Visited Booth",
        "Subscribed",
        "Sent",
        "Opened",
        "Form Fill",
    ]
    status_of = {s: i for i, s in enumerate(statuses)}
    blocks: list[tuple[I64, I64, F, F, I64]] = []  # person, campaign, created, responded, status

    acq = np.nonzero(p.campaign >= 0)[0]
    kind = np.array([camps[c].kind for c in p.campaign[acq]])
    st = np.select(
        [kind == "webinar", kind == "event", kind == "email"],
        [
            np.where(p.attended[acq], status_of["Attended"], status_of["Registered"]),
            status_of["Visited Booth"],
            status_of["Subscribed"],
        ],
        np.where(rng.random(acq.size) < 0.5, status_of["Form Fill"], status_of["Responded"]),
    )
    blocks.append((acq, p.campaign[acq], p.t_create[acq], p.t_create[acq], st))

    for key, start, p_resp in (("WEL", p.t_create + 600, 0.3), ("REN", p.t_rec1 + DAY, 0.08)):
        ci = next(i for i, c in enumerate(camps) if c.program == key)
        mask = ~np.isnan(start) & (start <= T_END) & p.welcome  # the nurture programs' persons
        idx = np.nonzero(mask)[0]
        resp = rng.random(idx.size) < p_resp
        t_resp = start[idx] + rng.uniform(3600, 21 * DAY, idx.size)
        t_resp = np.where(resp & (t_resp <= T_END), t_resp, np.nan)
        st = np.where(
            np.isnan(t_resp),
            status_of["Sent"],
            np.where(rng.random(idx.size) < 0.5, status_of["Clicked"], status_of["Opened"]),
        )
        blocks.append((idx, np.full(idx.size, ci), start[idx], t_resp, st))

    # later webinar attendance by known persons
    idx = np.nonzero(rng.random(p.n) < 0.12)[0]
    w = rng.integers(0, webinars.size, idx.size)
    wt = wdays[w] * float(DAY) + 16 * 3600
    ok = (wt > p.t_create[idx] + 3 * DAY) & (wt <= T_END)
    idx, w, wt = idx[ok], w[ok], wt[ok]
    reg = np.maximum(wt - rng.uniform(1, 14, idx.size) * DAY, p.t_create[idx] + 3600)
    att = rng.random(idx.size) < 0.55
    blocks.append(
        (
            idx,
            webinars[w],
            reg,
            np.where(att, wt, reg),
            np.where(att, status_of["Attended"], status_of["Registered"]),
        )
    )

    person = np.concatenate([b[0] for b in blocks])
    camp = np.concatenate([b[1] for b in blocks])
    created = np.concatenate([b[2] for b in blocks])
    responded = np.concatenate([b[3] for b in blocks])
    status = np.concatenate([b[4] for b in blocks])
    order = np.argsort(created, kind="stable")
    person, camp, created, responded, status = (
        x[order] for x in (person, camp, created, responded, status)
    )
    rec, contact = _record_of(p, person, created)
    ids = p.lead_ids + p.contact_ids + [""]
    out = ctx.table("crm_campaign_members")
    n = person.size
    for a in range(0, n, WRITE_CHUNK):
        s = slice(a, min(n, a + WRITE_CHUNK))
        m = s.stop - a
        out.write(
            {
                "campaign_member_id": ctx.fmt.ids("CM", a + 1, m, 9),
                "campaign_id": _lookup([c.id for c in camps], camp[s]),
                "lead_id": _lookup(ids, np.where(contact[s], -1, rec[s])),
                "contact_id": _lookup(ids, np.where(contact[s], rec[s], -1)),
                "member_status": _lookup(statuses, status[s]),
                "has_responded": ctx.fmt.bool(~np.isnan(responded[s]), rng),
                "created_at": ctx.fmt.ts(created[s], rng),
                "first_responded_at": ctx.fmt.ts_opt(responded[s], rng),
            }
        )
    ctx.done(out)
