"""Accounts and persons: companies, people acquired by channel and campaign, their path
through the funnel, their emails and CRM records."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .vocab import (
    CH,
    CHANNELS,
    COUNTRIES,
    DAY,
    DIRECT_CHANNELS,
    DIRECT_SHARE,
    FIRST,
    I64,
    INDUSTRIES,
    LAST,
    LEGAL,
    NAME_A,
    NAME_B,
    NAME_C,
    NURTURE_OPP_LIFT,
    NURTURE_SHARE,
    PERSONAL_DOMAINS,
    T_END,
    TARGET_MQL1,
    TARGET_WIN,
    TITLE_WEIGHTS,
    TITLES,
    TLDS,
    B,
    F,
)
from .world import _Campaign, _Ctx, _sample_times
from .writing import _lognormal_days, _lookup, _nan_to, _pick


@dataclass
class _Accounts:
    n: int
    ids: list[str]
    name: list[str]
    domain: list[str]
    industry: I64
    emp: I64
    country: I64
    segment: I64  # 0 SMB, 1 mid-market, 2 enterprise
    currency: list[str]  # USD or EUR
    weight: F
    created: F = field(default_factory=lambda: np.empty(0))
    deleted: B = field(default_factory=lambda: np.empty(0, dtype=bool))


def _build_accounts(ctx: _Ctx) -> _Accounts:
    rng = ctx.rng(3)
    n = max(50, ctx.n // 10)
    combos = len(NAME_A) * len(NAME_B) * len(NAME_C)
    pick = rng.choice(combos, size=n, replace=n > combos)
    a, rest = np.divmod(pick, len(NAME_B) * len(NAME_C))
    b, c = np.divmod(rest, len(NAME_C))
    cw = np.array([w for _, w, _, _ in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size=n, p=cw / cw.sum())
    emp = np.clip(np.exp(rng.normal(np.log(250), 1.6, n)), 2, 250_000).astype(np.int64)
    segment = np.digitize(emp, [200, 2000]).astype(np.int64)
    eur = np.array([COUNTRIES[k][2] for k in country]) & (rng.random(n) < 0.45)
    names, domains = [], []
    seen: dict[str, int] = {}
    legal_roll = rng.random(n)
    for i in range(n):
        word = NAME_A[a[i]] + NAME_B[b[i]]
        cname = COUNTRIES[country[i]][0]
        base = f"{word} {NAME_C[c[i]]}"
        legal = LEGAL.get(cname, "") if legal_roll[i] < 0.5 else ""
        names.append(base + legal)
        dom = (word + NAME_C[c[i]]).lower()
        k = seen.get(dom, 0)
        seen[dom] = k + 1
        domains.append(f"{dom}{k if k else ''}{TLDS.get(cname, '.com')}")
    industry = rng.choice(len(INDUSTRIES), size=n)
    return _Accounts(
        n=n,
        ids=ctx.fmt.ids("ACC", 1, n, 6),
        name=names,
        domain=domains,
        industry=industry.astype(np.int64),
        emp=emp,
        country=country.astype(np.int64),
        segment=segment,
        currency=["EUR" if e else "USD" for e in eur.tolist()],
        weight=emp.astype(float) ** 0.35,
    )


@dataclass
class _Persons:
    n: int
    channel: I64
    campaign: I64  # index into campaigns (-1 = none)
    account: I64
    direct: B
    title: I64
    senior: I64
    fit: F
    eng: F  # email engagement multiplier
    src: list[str]  # lead_source spelling (escaped)
    email: list[str]  # canonical lower-case address (escaped)
    t_create: F
    t_sub: F
    t_lead: F
    t_work: F
    t_mql1: F
    t_rec1: F
    t_dq: F
    t_reopen: F
    reopen_mql: B
    t_mql2: F
    t_rec2: F
    t_sql: F
    t_opp: F
    t_close_raw: F
    won: B
    nodec: B
    t_close: F
    t_cust: F
    t_rec3: F
    at_conv: B
    t_conv: F
    webinar_day: I64  # for webinar-acquired persons: the webinar day index (-1 otherwise)
    attended: B
    nl_optin: B
    welcome: B
    has_web: B
    sdr: I64
    ae: I64
    lead_pos: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    contact_pos: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    lead_ids: list[str] = field(default_factory=list)
    contact_ids: list[str] = field(default_factory=list)
    contact_person: I64 = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    contact_created: F = field(default_factory=lambda: np.empty(0))
    cust_start: F = field(default_factory=lambda: np.empty(0))
    cust_end: F = field(default_factory=lambda: np.empty(0))
    buyer: B = field(default_factory=lambda: np.empty(0, dtype=bool))


def _spelling_table(rng: np.random.Generator, channel: I64, which: str) -> list[str]:
    """Per person a spelling of their channel (CRM lead_source or web tool)."""
    out = np.empty(channel.size, dtype=object)
    for k, ch in enumerate(CHANNELS):
        mask = channel == k
        m = int(mask.sum())
        if not m:
            continue
        opts = ch.spellings if which == "crm" else tuple((s, 1.0) for s in ch.web)
        out[mask] = np.array(_pick(rng, opts, m), dtype=object)
    return out.tolist()


def _acquire(rng: np.random.Generator, channel: I64, camps: list[_Campaign]) -> tuple[F, I64, I64]:
    """Creation time, acquisition campaign and webinar day per person, by channel."""
    n = channel.size
    t = _sample_times(rng, n)
    camp = np.full(n, -1, dtype=np.int64)
    wday = np.full(n, -1, dtype=np.int64)
    for k in range(len(CHANNELS)):
        idx = np.nonzero(channel == k)[0]
        if not idx.size:
            continue
        cands = [
            i
            for i, c in enumerate(camps)
            if c.channel == k and c.kind in ("always_on", "webinar", "event")
        ]
        if k == CH["email"]:
            cands = [i for i, c in enumerate(camps) if c.program == "NL"]
        dated = [i for i in cands if camps[i].kind in ("webinar", "event")]
        if dated:
            w = np.array([camps[i].weight for i in dated])
            pick = np.array(dated)[rng.choice(len(dated), idx.size, p=w / w.sum())]
            ev = np.array([camps[i].event_day for i in pick], dtype=np.int64)
            is_web = np.array([camps[i].kind == "webinar" for i in pick])
            before = rng.uniform(0.2, 21.0, idx.size) * DAY
            after = rng.uniform(0.3, 3.0, idx.size) * DAY
            tt = np.where(is_web, ev * float(DAY) - before, ev * float(DAY) + after)
            t[idx] = np.clip(tt, 3600.0, T_END - 3600.0)
            camp[idx] = pick
            wday[idx] = np.where(is_web, ev, -1)
            continue
        day = (t[idx] // DAY).astype(np.int64)
        w = np.array([camps[i].weight for i in cands])[None, :] * np.stack(
            [camps[i].active(day) for i in cands], axis=1
        )
        cum = np.cumsum(w, axis=1)
        u = rng.random(idx.size) * cum[:, -1]
        camp[idx] = np.array(cands)[(cum < u[:, None]).sum(axis=1)]
    return t, camp, wday


def _simulate_persons(ctx: _Ctx, camps: list[_Campaign], accs: _Accounts) -> _Persons:
    """Acquisition and the full lifecycle path of every person, vectorized."""
    rng = ctx.rng(4)
    n = ctx.n
    direct = rng.random(n) < DIRECT_SHARE
    share = np.array([c.share for c in CHANNELS])
    dshare = np.array([DIRECT_CHANNELS.get(c.key, 0.0) for c in CHANNELS])
    channel = np.where(
        direct,
        rng.choice(len(CHANNELS), n, p=dshare / dshare.sum()),
        rng.choice(len(CHANNELS), n, p=share / share.sum()),
    ).astype(np.int64)
    t_create, campaign, wday = _acquire(rng, channel, camps)
    order = np.argsort(t_create, kind="stable")
    direct, channel, t_create = direct[order], channel[order], t_create[order]
    campaign, wday = campaign[order], wday[order]
    campaign = np.where(direct & (rng.random(n) < 0.5), -1, campaign)

    account = rng.choice(accs.n, n, p=accs.weight / accs.weight.sum()).astype(np.int64)
    tw = np.array(TITLE_WEIGHTS, dtype=float)
    title = rng.choice(len(TITLES), n, p=tw / tw.sum()).astype(np.int64)
    senior = np.array([s for _, s in TITLES])[title]
    z = rng.standard_normal(n) + 0.25 * (senior - 1.2)
    fit = np.exp(0.5 * z)
    fit /= fit.mean()
    ze = 0.6 * z + 0.8 * rng.standard_normal(n)
    eng = np.exp(0.45 * ze)
    eng /= eng.mean()

    # enrolled in the nurture programs (welcome series, then education and re-engagement): drawn
    # before the lifecycle, which plants the nurture lift on it
    welcome = ~direct & (rng.random(n) < NURTURE_SHARE)
    p = _lifecycle(rng, n, channel, direct, fit, t_create, welcome)
    src = _spelling_table(rng, channel, "crm")
    attended = (wday >= 0) & (rng.random(n) < 0.6) & (wday * float(DAY) + 16 * 3600 <= T_END)
    is_email = channel == CH["email"]
    nl_optin = ~direct & ((rng.random(n) < 0.4) | is_email | ~np.isnan(p["t_sub"]))
    has_web = ~direct | (rng.random(n) < 0.3)
    n_sdr = max(3, n // 25_000)
    n_ae = max(4, n // 20_000)
    persons = _Persons(
        n=n,
        channel=channel,
        campaign=campaign,
        account=account,
        direct=direct,
        title=title,
        senior=senior,
        fit=fit,
        eng=eng,
        src=src,
        email=[],
        t_create=t_create,
        webinar_day=wday,
        attended=attended,
        nl_optin=nl_optin,
        welcome=welcome,
        has_web=has_web,
        sdr=rng.integers(0, n_sdr, n),
        ae=rng.integers(0, n_ae, n),
        **p,
    )
    persons.email = _emails(rng, persons, accs)
    return persons


def _nurture_weight(raw_mql: F, p_sql: F, nurture: B, lead: B) -> F:
    """Per person the factor on the MQL propensity that gives enrolled leads about NURTURE_OPP_LIFT
    times the SQL chance (MQL propensity x MQL -> SQL probability) of the other leads, whose channel
    mix differs (sales-created contacts are never enrolled); `_opportunities` makes it exact."""
    q = raw_mql * p_sql
    enrolled, other = nurture & lead, ~nurture & lead
    if not enrolled.any() or not other.any():
        return np.ones(raw_mql.size)
    return np.where(nurture, NURTURE_OPP_LIFT * q[other].mean() / q[enrolled].mean(), 1.0)


def _opportunities(rng: np.random.Generator, t_opp: F, nurture: B, lead: B) -> B:
    """Who gets an opportunity at t_opp (NaN: no SQL): 88% of the SQLs, drawn without replacement
    within the enrolled and the other leads so that enrolled leads have NURTURE_OPP_LIFT times the
    opportunity rate of the others (drawn person by person, the lift would drown in the noise of a
    small world)."""
    has_opp = np.zeros(t_opp.size, dtype=bool)
    eligible = ~np.isnan(t_opp) & (t_opp <= T_END)
    groups = (nurture & lead, ~nurture & lead)
    leads = [int(g.sum()) for g in groups]
    sqls = [np.nonzero(eligible & g)[0] for g in groups]
    counts = [round(0.88 * s.size) for s in sqls]
    if all(leads):
        # counts[0] / leads[0] = lift x counts[1] / leads[1], as many in all, within the SQLs
        per_other = NURTURE_OPP_LIFT * leads[0] / leads[1]
        counts[1] = min(sqls[1].size, round(sum(counts) / (1 + per_other)))
        counts[0] = min(sqls[0].size, round(per_other * counts[1]))
        counts[1] = min(sqls[1].size, round(counts[0] / per_other))
    for idx, k in zip(sqls, counts, strict=True):
        has_opp[rng.choice(idx, size=k, replace=False)] = True
    return has_opp


def _lifecycle(
    rng: np.random.Generator, n: int, channel: I64, direct: B, fit: F, t_create: F, nurture: B
) -> dict[str, NDArray]:
    """Stage timestamps (seconds, NaN = never) for every person."""
    nan = np.nan
    mql_base = np.array([c.mql for c in CHANNELS])[channel] * np.where(direct, 1.2, 1.0)
    sql_base = np.array([c.sql for c in CHANNELS])[channel]
    win_base = np.array([c.win for c in CHANNELS])[channel]
    is_email = channel == CH["email"]

    is_sub = ~direct & (rng.random(n) < np.where(is_email, 0.7, 0.1))
    t_sub = np.where(is_sub, t_create, nan)
    becomes_lead = rng.random(n) < 0.8
    t_lead = np.where(
        is_sub, np.where(becomes_lead, t_create + _lognormal_days(rng, n, 40, 0.8), nan), t_create
    )

    p_sql = np.clip(sql_base * np.sqrt(fit), 0, 0.95)
    lead = t_lead <= T_END  # (NaN: never a lead)
    raw_mql = mql_base * fit * _nurture_weight(mql_base * fit, p_sql, nurture, lead)
    p_mql = np.clip(raw_mql * TARGET_MQL1 / np.mean(raw_mql), 0, 0.95)
    mql1 = rng.random(n) < p_mql
    t_mql1 = np.where(mql1, t_lead + _lognormal_days(rng, n, 21, 0.7), nan)
    sql1 = mql1 & (rng.random(n) < p_sql)

    u = rng.random(n)
    fail_m = mql1 & ~sql1
    fail_l = ~mql1 & ~np.isnan(t_lead)
    rec1 = (fail_m & (u < 0.55)) | (fail_l & (u < 0.25))
    dq = (fail_m & (u >= 0.55) & (u < 0.72)) | (fail_l & (u >= 0.25) & (u < 0.33))
    base = np.where(mql1, t_mql1, t_lead)
    rec_lag = np.where(mql1, _lognormal_days(rng, n, 21, 0.5), _lognormal_days(rng, n, 60, 0.5))
    t_rec1 = np.where(rec1, base + rec_lag, nan)
    t_dq = np.where(dq, base + _lognormal_days(rng, n, 14, 0.6), nan)

    reopen = rec1 & (rng.random(n) < 0.3)
    t_reopen = np.where(reopen, t_rec1 + rng.uniform(60, 240, n) * DAY, nan)
    reopen_mql = reopen & (rng.random(n) < 0.5)
    mql2_from_lead = reopen & ~reopen_mql & (rng.random(n) < 0.35)
    t_mql2 = np.where(
        reopen_mql,
        t_reopen,
        np.where(mql2_from_lead, t_reopen + _lognormal_days(rng, n, 18, 0.6), nan),
    )
    has_mql2 = ~np.isnan(t_mql2)
    sql2 = has_mql2 & (rng.random(n) < p_sql * 0.9)
    rec2 = has_mql2 & ~sql2 & (rng.random(n) < 0.5)
    t_rec2 = np.where(rec2, t_mql2 + _lognormal_days(rng, n, 21, 0.5), nan)

    t_q = np.where(sql1, t_mql1, np.where(sql2, t_mql2, nan))
    t_sql = t_q + _lognormal_days(rng, n, 10, 0.6)
    at_conv = ~direct & (rng.random(n) < 0.55)  # the lead converts when the opportunity is created
    opp_lag = np.where(at_conv, rng.uniform(60, 900, n), rng.uniform(1, 10, n) * DAY)
    has_opp = _opportunities(rng, t_sql + opp_lag, nurture, lead)
    at_conv &= has_opp
    t_opp = np.where(has_opp, t_sql + opp_lag, nan)
    close_lag = np.clip(30 + rng.gamma(2.0, 20.0, n), 30, 120) * DAY
    t_close_raw = t_opp + close_lag
    p_win = win_base * fit**0.4
    mean_win = float(np.mean(p_win[has_opp])) if has_opp.any() else TARGET_WIN
    p_win = np.clip(p_win * TARGET_WIN / mean_win, 0, 0.9)
    won = has_opp & (rng.random(n) < p_win)
    nodec = has_opp & ~won & (rng.random(n) < 0.4)
    t_rec3 = np.where(
        has_opp & ~won & (rng.random(n) < 0.3), t_close_raw + _lognormal_days(rng, n, 4, 0.5), nan
    )

    nxt = np.fmin(np.fmin(_nan_to(t_mql1, np.inf), _nan_to(t_rec1, np.inf)), _nan_to(t_dq, np.inf))
    t_work = t_lead + _lognormal_days(rng, n, 1.5, 0.5)
    t_work = np.where((rng.random(n) < 0.25) & (t_work < nxt), t_work, nan)

    times = {
        "t_sub": t_sub,
        "t_lead": t_lead,
        "t_work": t_work,
        "t_mql1": t_mql1,
        "t_rec1": t_rec1,
        "t_dq": t_dq,
        "t_reopen": t_reopen,
        "t_mql2": t_mql2,
        "t_rec2": t_rec2,
        "t_sql": t_sql,
        "t_opp": t_opp,
        "t_rec3": t_rec3,
    }
    for arr in times.values():
        arr[arr > T_END] = nan
    closed = ~np.isnan(t_opp) & (t_close_raw <= T_END)
    t_close = np.where(closed, t_close_raw, nan)
    times["t_rec3"] = np.where(closed & ~won, times["t_rec3"], nan)
    t_conv = np.where(~direct & ~np.isnan(t_sql), t_sql, nan)
    return dict(
        **times,
        reopen_mql=reopen_mql & ~np.isnan(t_reopen),
        t_close_raw=t_close_raw,
        won=won & closed,
        nodec=nodec & closed,
        t_close=t_close,
        t_cust=np.where(closed & won, t_close, nan),
        at_conv=at_conv & ~np.isnan(t_opp),
        t_conv=t_conv,
    )


def _emails(rng: np.random.Generator, p: _Persons, accs: _Accounts) -> list[str]:
    """Unique lower-case email per person, mostly first.last@company-domain."""
    n = p.n
    first = rng.integers(0, len(FIRST), n).tolist()
    last = rng.integers(0, len(LAST), n).tolist()
    personal = (rng.random(n) < 0.04).tolist()
    pdom = rng.integers(0, len(PERSONAL_DOMAINS), n).tolist()
    style = rng.integers(0, 4, n).tolist()
    acc = p.account.tolist()
    seen: dict[str, int] = {}
    out: list[str] = []
    for i in range(n):
        f, l_ = FIRST[first[i]], LAST[last[i]]
        if personal[i]:
            local, dom = f"{f}.{l_}", PERSONAL_DOMAINS[pdom[i]]
        else:
            s = style[i]
            local = f"{f}.{l_}" if s < 2 else (f"{f[0]}{l_}" if s == 2 else f)
            dom = accs.domain[acc[i]]
        addr = f"{local}@{dom}"
        k = seen.get(addr, 0)
        seen[addr] = k + 1
        if k:
            addr = f"{local}{k + 1}@{dom}"
            while addr in seen:
                k += 1
                addr = f"{local}{k + 1}@{dom}"
            seen[addr] = 1
        out.append(addr)
    return out


def _messy_email(addr: str, kind: int) -> str:
    if kind == 1:
        local, _, dom = addr.partition("@")
        return ".".join(w.capitalize() for w in local.split(".")) + "@" + dom.capitalize()
    if kind == 2:
        return addr.upper()
    if kind == 3:
        return " " + addr
    if kind == 4:
        return addr + " "
    return addr


def _messy_emails(rng: np.random.Generator, emails: list[str], idx: I64, p: float) -> list[str]:
    """emails[idx] with a share p entered with different case or padding."""
    out = _lookup(emails, idx)
    kinds = np.where(rng.random(idx.size) < p, rng.integers(1, 5, idx.size), 0)
    for j in np.nonzero(kinds)[0].tolist():
        out[j] = _messy_email(out[j], int(kinds[j]))
    return out


def _assign_records(ctx: _Ctx, p: _Persons, accs: _Accounts) -> None:
    """Lead and contact ids (in creation order) and account creation times."""
    rng = ctx.rng(5)
    lead_persons = np.nonzero(~p.direct)[0]
    p.lead_pos = np.full(p.n, -1, dtype=np.int64)
    p.lead_pos[lead_persons] = np.arange(lead_persons.size)
    p.lead_ids = ctx.fmt.ids("L", 1, lead_persons.size, 7)
    is_contact = p.direct | ~np.isnan(p.t_conv)
    created = np.where(p.direct, p.t_create, p.t_conv)
    cp = np.nonzero(is_contact)[0]
    cp = cp[np.argsort(created[cp], kind="stable")]
    p.contact_person = cp
    p.contact_created = created[cp]
    p.contact_pos = np.full(p.n, -1, dtype=np.int64)
    p.contact_pos[cp] = np.arange(cp.size)
    p.contact_ids = ctx.fmt.ids("C", 1, cp.size, 7)
    acc_created = rng.beta(1.0, 2.5, accs.n) * T_END * 0.9
    np.minimum.at(
        acc_created,
        p.account[cp],
        np.maximum(created[cp] - rng.uniform(60, 30 * DAY, cp.size), 0.0),
    )
    accs.created = acc_created
    n_contacts = np.bincount(p.account[cp], minlength=accs.n)
    deleted = (n_contacts == 0) & (rng.random(accs.n) < 0.01)
    accs.deleted = deleted


def _record_of(p: _Persons, person: I64, t: F) -> tuple[I64, B]:
    """Record index into lead_ids + contact_ids for a person at a time, and is-contact."""
    contact = p.direct[person] | (
        ~np.isnan(p.t_conv[person]) & (t >= _nan_to(p.t_conv[person], np.inf))
    )
    rec = np.where(contact, len(p.lead_ids) + p.contact_pos[person], p.lead_pos[person])
    return rec, contact
