"""Marketing-automation event files (email events, web activities, score changes),
streamed in chunks of persons."""

from __future__ import annotations

from dataclasses import dataclass
from operator import add

import numpy as np

from .persons import _Persons
from .vocab import (
    ASSETS,
    CH,
    CHANNELS,
    CHUNK,
    CTAS,
    DAY,
    EMAIL_TYPES,
    I64,
    N_MONTHS,
    OFFLINE_CHANNELS,
    PAGES,
    SCORE_REASONS,
    SITE,
    SR,
    T_END,
    WEB_TYPES,
    F,
)
from .world import PG, PROGRAMS, _Campaign, _Ctx, _day_index, _nth_weekday, _sample_times
from .writing import _lookup, _nan_to, _q, _Table


@dataclass
class _EventState:
    """Counters and lookup tables shared by all chunks of the event files."""

    email_ids: list[str]
    email_base: I64  # first email_id index per program
    prog_campaign: list[str]
    links: list[str]
    nl_times: F
    cnl_times: F
    asset_ids: list[str]
    asset_names: list[str]
    asset_urls: list[str]
    web_channel: list[str]
    web_channel_base: I64
    default_campaign: I64  # per channel: always-on campaign (-1 none)
    camp_ids: list[str]
    webinar_asset: dict[int, int]  # campaign index -> asset index
    sends: int = 0
    events: int = 0
    web: int = 0
    scores: int = 0


def _event_state(camps: list[_Campaign]) -> _EventState:
    email_ids: list[str] = []
    base = []
    for pg in PROGRAMS:
        base.append(len(email_ids))
        if pg.key in ("NL", "CNL"):
            email_ids += [f"EM-{pg.key}-{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(N_MONTHS)]
        else:
            email_ids += [f"EM-{pg.key}-{k + 1:02d}" for k in range(pg.n_emails)]
    prog_campaign = [next(c.id for c in camps if c.program == pg.key) for pg in PROGRAMS]
    links = [""]
    for pg in PROGRAMS:
        for path in ("product", "resources/b2b-lifecycle-playbook", "pricing"):
            links.append(f"{SITE}/{path}?utm_source=email&utm_campaign={pg.key.lower()}")
    nl = [_nth_weekday(2024 + m // 12, m % 12 + 1, 1, 2) for m in range(N_MONTHS)]
    cnl = [_nth_weekday(2024 + m // 12, m % 12 + 1, 3, -1) for m in range(N_MONTHS)]
    asset_ids = [a[0] for a in ASSETS] + [c[0] for c in CTAS]
    asset_names = [_q(a[1]) for a in ASSETS] + [_q(c[1]) for c in CTAS]
    asset_urls = [f"{SITE}/resources/{a[0].lower()}" for a in ASSETS] + [
        f"{SITE}{c[4]}" for c in CTAS
    ]
    webinar_asset = {}
    for i, c in enumerate(camps):
        if c.kind == "webinar":
            webinar_asset[i] = len(asset_ids)
            asset_ids.append(f"WBN{c.id[3:]}")
            asset_names.append(_q(c.name))
            asset_urls.append(f"{SITE}/webinars/{c.id.lower()}")
    asset_ids.append("")
    asset_names.append("")
    asset_urls.append("")
    web_channel: list[str] = []
    wbase = []
    for ch in CHANNELS:
        wbase.append(len(web_channel))
        web_channel += list(ch.web)
    default = np.full(len(CHANNELS), -1, dtype=np.int64)
    for i, c in enumerate(camps):
        if c.kind == "always_on" and c.start == 0 and c.end is None and default[c.channel] < 0:
            default[c.channel] = i
    return _EventState(
        email_ids=email_ids,
        email_base=np.array(base, dtype=np.int64),
        prog_campaign=prog_campaign,
        links=links,
        nl_times=np.array([_day_index(d) * float(DAY) + 15 * 3600 for d in nl]),
        cnl_times=np.array([_day_index(d) * float(DAY) + 16 * 3600 for d in cnl]),
        asset_ids=asset_ids,
        asset_names=asset_names,
        asset_urls=asset_urls,
        web_channel=web_channel,
        web_channel_base=np.array(wbase, dtype=np.int64),
        default_campaign=default,
        camp_ids=[c.id for c in camps] + [""],
        webinar_asset=webinar_asset,
    )


def _schedule(times: F, start: F, stop: F) -> tuple[I64, I64, F]:
    """Rows/steps of a (persons x K) schedule that fall in [start, stop)."""
    ok = (times >= start[:, None]) & (times < stop[:, None]) & (times <= T_END)
    row, step = np.nonzero(ok)
    return row.astype(np.int64), step.astype(np.int64), times[row, step]


def _sends(
    p: _Persons, a: int, b: int, st: _EventState, rng: np.random.Generator
) -> tuple[I64, I64, I64, F]:
    """Email sends for persons [a, b): person, program, email_id index, send time."""
    sl = slice(a, b)
    m = b - a
    inf = np.full(m, np.inf)
    out: list[tuple[I64, I64, I64, F]] = []

    def add_block(prog: str, times: F, start: F, stop: F) -> None:
        row, step, t = _schedule(times, start, stop)
        t = t + rng.uniform(0, 900, t.size)
        pg = PG[prog]
        out.append((row + a, np.full(row.size, pg), st.email_base[pg] + step, t))

    t_create, t_lead = p.t_create[sl], p.t_lead[sl]
    enrolled = p.welcome[sl]  # the only persons the nurture programs (automated, prospect) reach
    lead_ok = enrolled & ~np.isnan(t_lead)
    cust_start = _nan_to(p.cust_start[sl], np.inf)
    # Welcome series
    wel = np.where(enrolled, t_create + 600, np.inf)
    offsets = np.array([0, 3, 7, 14, 21]) * float(DAY)
    add_block("WEL", wel[:, None] + offsets[None, :], wel, inf)
    # Product education: enrolled leads that did not qualify within 30 days
    start = np.where(lead_ok, t_lead + 30 * DAY, np.inf)
    stop = np.fmin(
        np.fmin(_nan_to(p.t_mql1[sl], np.inf), _nan_to(p.t_rec1[sl], np.inf)),
        np.fmin(_nan_to(p.t_dq[sl], np.inf), cust_start),
    )
    add_block("EDU", start[:, None] + np.arange(6)[None, :] * 10.0 * DAY, start, stop)
    # Re-engagement: enrolled recycled leads until reopened
    start = np.where(enrolled, _nan_to(p.t_rec1[sl], np.inf) + 2 * DAY, np.inf)
    stop = np.fmin(_nan_to(p.t_reopen[sl], np.inf), cust_start)
    add_block("REN", start[:, None] + np.arange(6)[None, :] * 14.0 * DAY, start, stop)
    # Monthly newsletter for opted-in prospects
    start = np.where(p.nl_optin[sl], t_create, np.inf)
    add_block("NL", np.broadcast_to(st.nl_times, (m, N_MONTHS)), start, cust_start)
    # Customer programs: not for the persons of one account in five (their company opted out of customer
    # marketing email), so that program_outcomes has customers outside every customer program to compare with
    cs, ce = p.cust_start[sl], _nan_to(p.cust_end[sl], np.inf)
    has_c = ~np.isnan(cs) & (p.account[sl] % 5 != 0)
    onb = np.where(has_c & p.buyer[sl], cs + 2 * 3600, np.inf)
    add_block("ONB", onb[:, None] + np.array([0, 7, 14, 30])[None, :] * float(DAY), onb, ce)
    start = np.where(has_c, cs, np.inf)
    add_block("CNL", np.broadcast_to(st.cnl_times, (m, N_MONTHS)), start, ce)
    ups = np.where(has_c, cs + 60 * DAY, np.inf)
    add_block("UPS", ups[:, None] + np.arange(8)[None, :] * 91.0 * DAY, ups, ce)

    person = np.concatenate([o[0] for o in out])
    prog = np.concatenate([o[1] for o in out])
    email_id = np.concatenate([o[2] for o in out])
    t = np.concatenate([o[3] for o in out])
    keep = t <= T_END
    order = np.argsort(t[keep], kind="stable")
    return person[keep][order], prog[keep][order], email_id[keep][order], t[keep][order]


def _email_chunk(ctx: _Ctx, p: _Persons, a: int, b: int, st: _EventState, out: _Table) -> None:
    rng = ctx.rng(100, a // CHUNK)
    person, prog, email_id, t = _sends(p, a, b, st, rng)
    ns = t.size
    if not ns:
        return
    open_r = np.array([pg.open_rate for pg in PROGRAMS])[prog]
    click_r = np.array([pg.click_rate for pg in PROGRAMS])[prog]
    unsub_r = np.array([pg.unsub for pg in PROGRAMS])[prog]
    eng = p.eng[person]
    bounce = rng.random(ns) < 0.02
    deliv = ~bounce
    opened = deliv & (rng.random(ns) < np.clip(open_r * eng, 0, 0.95))
    reopen = opened & (rng.random(ns) < 0.3)
    clicked = opened & (rng.random(ns) < np.clip(click_r / open_r * np.sqrt(eng), 0, 0.9))
    reclick = clicked & (rng.random(ns) < 0.15)
    unsub = deliv & (rng.random(ns) < unsub_r)
    spam = deliv & (rng.random(ns) < 0.0004)
    t_del = t + rng.uniform(2, 90, ns)
    t_open = t_del + np.minimum(np.exp(rng.normal(np.log(2.5 * 3600), 1.2, ns)), 6 * DAY)
    t_click = t_open + rng.uniform(5, 400, ns)
    link = 1 + prog * 3 + rng.integers(0, 3, ns)
    parts = (
        (np.ones(ns, dtype=bool), 0, t, 0),
        (deliv, 1, t_del, 0),
        (bounce, 4, t + rng.uniform(1, 30, ns), 0),
        (opened, 2, t_open, 0),
        (reopen, 2, t_open + np.exp(rng.normal(np.log(18 * 3600), 1.0, ns)), 0),
        (clicked, 3, t_click, 1),
        (reclick, 3, t_click + rng.uniform(60, 7200, ns), 1),
        (
            unsub,
            5,
            np.where(opened, t_open + rng.uniform(20, 300, ns), t_del + rng.uniform(3600, DAY, ns)),
            0,
        ),
        (spam, 6, t_del + rng.uniform(600, 2 * DAY, ns), 0),
    )
    send_i, etype, et, lk = [], [], [], []
    for mask, code, times, has_link in parts:
        idx = np.nonzero(mask)[0]
        send_i.append(idx)
        etype.append(np.full(idx.size, code, dtype=np.int64))
        et.append(times[idx])
        lk.append(link[idx] if has_link else np.zeros(idx.size, dtype=np.int64))
    s_i = np.concatenate(send_i)
    e_t = np.concatenate(et)
    keep = e_t <= T_END
    s_i, e_t = s_i[keep], e_t[keep]
    e_ty, e_lk = np.concatenate(etype)[keep], np.concatenate(lk)[keep]
    order = np.lexsort((e_t, s_i))
    s_i, e_t, e_ty, e_lk = s_i[order], e_t[order], e_ty[order], e_lk[order]
    n = s_i.size
    send_ids = ctx.fmt.ids("S", st.sends + 1, ns, 10)
    st.sends += ns
    type_table = (
        list(EMAIL_TYPES)
        + [s.capitalize() for s in EMAIL_TYPES]
        + [s.upper() for s in EMAIL_TYPES]
        + [f" {s} " for s in EMAIL_TYPES]
    )
    style = np.where(rng.random(n) < 0.005, rng.integers(1, 4, n), 0)

    def build(r: slice) -> dict[str, list[str]]:
        si = s_i[r]
        return {
            "event_id": ctx.fmt.ids("E", st.events + 1 + r.start, r.stop - r.start, 10),
            "email_send_id": _lookup(send_ids, si),
            "campaign_id": _lookup(st.prog_campaign, prog[si]),
            "email_id": _lookup(st.email_ids, email_id[si]),
            "email": _lookup(p.email, person[si]),
            "event_type": _lookup(type_table, e_ty[r] + 7 * style[r]),
            "occurred_at": ctx.fmt.ts(e_t[r], rng, 0.005),
            "link_url": _lookup(st.links, e_lk[r]),
        }

    out.write_sliced(n, build)
    st.events += n


@dataclass
class _Sessions:
    visitor: I64  # visitor number
    person: I64  # -1 anonymous
    t: F  # session start (or anchor for identification sessions)
    kind: I64  # 0 anon, 1 pre, 2 ident, 3 post, 4 hot
    channel: I64
    spelling: I64  # index into web_channel
    campaign: I64


ANON, PRE, IDENT, POST, HOT = range(5)
ANON_PER_PERSON = 3


def _sessions(p: _Persons, a: int, b: int, st: _EventState, rng: np.random.Generator) -> _Sessions:
    sl = np.arange(a, b)
    m = b - a
    vis, per, tt, kind, chan, camp = [], [], [], [], [], []

    def add_s(v: I64, pers: I64, t: F, k: int, ch: I64, cp: I64) -> None:
        vis.append(v)
        per.append(pers)
        tt.append(t)
        kind.append(np.full(v.size, k, dtype=np.int64))
        chan.append(ch)
        camp.append(cp)

    anon_p = np.array([c.anon for c in CHANNELS])
    # anonymous visitors (never identified): three per person, mostly single short visits
    k = 1 + rng.poisson(0.15, ANON_PER_PERSON * m)
    v = p.n + 1 + ANON_PER_PERSON * a + np.repeat(np.arange(ANON_PER_PERSON * m), k)
    ch = rng.choice(len(CHANNELS), v.size, p=anon_p / anon_p.sum()).astype(np.int64)
    cp = np.where(rng.random(v.size) < 0.5, st.default_campaign[ch], -1)
    add_s(v, np.full(v.size, -1), _sample_times(rng, v.size), ANON, ch, cp)
    # person sessions
    web = sl[p.has_web[sl]]
    online = web[~p.direct[web] & ~np.isin(p.channel[web], [CH[c] for c in OFFLINE_CHANNELS])]
    k = rng.poisson(1.5, online.size)
    rep = np.repeat(online, k)
    t = p.t_create[rep] - rng.uniform(0.05, 40, rep.size) * DAY
    ok = t >= 0
    rep, t = rep[ok], t[ok]
    own = rng.random(rep.size) < 0.7
    ch = np.where(own, p.channel[rep], rng.choice([CH["organic_search"], CH["website"]], rep.size))
    cp = np.where(own & (rng.random(rep.size) < 0.6), p.campaign[rep], -1)
    add_s(rep, rep, t, PRE, ch, cp)
    add_s(
        online,
        online,
        p.t_create[online],
        IDENT,
        p.channel[online],
        np.where(rng.random(online.size) < 0.7, p.campaign[online], -1),
    )
    span = np.clip(T_END - p.t_create[web], 0, 365 * DAY)
    k = rng.poisson(3.0 * p.fit[web] * span / (365 * DAY))
    rep = np.repeat(web, k)
    t = (
        p.t_create[rep]
        + 3600
        + rng.random(rep.size) * np.maximum(span[np.repeat(np.arange(web.size), k)] - 3600, 0)
    )
    mix = rng.choice(4, rep.size, p=[0.3, 0.3, 0.25, 0.15])
    ch = np.choose(
        mix,
        [
            np.full(rep.size, CH["email"]),
            np.full(rep.size, CH["website"]),
            np.full(rep.size, CH["organic_search"]),
            p.channel[rep],
        ],
    )
    add_s(
        rep,
        rep,
        t,
        POST,
        ch,
        np.where((mix == 3) & (rng.random(rep.size) < 0.4), p.campaign[rep], -1),
    )
    for arr in (p.t_mql1, p.t_mql2):
        idx = web[~np.isnan(arr[web])]
        t = arr[idx] - rng.uniform(0.1, 4, idx.size) * DAY
        ok = t > p.t_create[idx]
        idx, t = idx[ok], t[ok]
        add_s(idx, idx, t, HOT, np.full(idx.size, CH["website"]), np.full(idx.size, -1))

    t_all = np.concatenate(tt)
    order = np.argsort(t_all, kind="stable")
    channel = np.concatenate(chan)[order]
    n_web = np.array([len(c.web) for c in CHANNELS])[channel]
    return _Sessions(
        visitor=np.concatenate(vis)[order],
        person=np.concatenate(per)[order],
        t=t_all[order],
        kind=np.concatenate(kind)[order],
        channel=channel,
        spelling=st.web_channel_base[channel] + rng.integers(0, 1 << 30, t_all.size) % n_web,
        campaign=np.concatenate(camp)[order],
    )


def _web_chunk(ctx: _Ctx, p: _Persons, a: int, b: int, st: _EventState, out: _Table) -> None:
    rng = ctx.rng(200, a // CHUNK)
    s = _sessions(p, a, b, st, rng)
    ns = s.t.size
    kind = s.kind
    n_pv = 1 + rng.poisson(np.array([0.5, 1.0, 0.5, 1.0, 0.5])[kind])
    p_content = np.array([0.15, 0.4, 0.0, 0.35, 0.3])[kind]
    content = rng.random(ns) < p_content
    pop = np.array([x[2] for x in ASSETS])
    asset = rng.choice(len(ASSETS), ns, p=pop / pop.sum())
    dl_ok = np.array([x[3] for x in ASSETS])[asset]
    download = content & dl_ok & (rng.random(ns) < 0.4)
    share = content & (rng.random(ns) < 0.06)
    cta_p = np.array([0.2, 0.45, 0.0, 0.35, 0.3])[kind]
    cta = rng.random(ns) < cta_p
    nonconv = np.array([c[2] * (1 / c[3] - 1) for c in CTAS])
    cta_i = len(ASSETS) + rng.choice(len(CTAS), ns, p=nonconv / nonconv.sum())
    cta_i = np.where(kind == HOT, len(ASSETS) + 4, cta_i)
    ident = kind == IDENT
    subw = np.array([c[2] for c in CTAS])
    form_i = len(ASSETS) + rng.choice(len(CTAS), ns, p=subw / subw.sum())
    is_email_ch = s.channel == CH["email"]
    form_i = np.where(is_email_ch, len(ASSETS) + 3, form_i)
    person = s.person
    wday = np.where(person >= 0, p.webinar_day[np.maximum(person, 0)], -1)
    webinar = ident & (wday >= 0)
    wasset = np.full(ns, len(st.asset_ids) - 1)
    if webinar.any():
        wcamp = p.campaign[person[webinar]]
        wasset[webinar] = [
            st.webinar_asset.get(int(c), len(st.asset_ids) - 1) for c in wcamp.tolist()
        ]
    form_i = np.where(webinar, wasset, form_i)
    attend = webinar & p.attended[np.maximum(person, 0)]

    # rows: (session, position, type, asset, page)
    counts = [
        n_pv,
        content.astype(np.int64),
        download.astype(np.int64),
        share.astype(np.int64),
        cta.astype(np.int64),
        (ident & ~webinar).astype(np.int64),
        ident.astype(np.int64),
        webinar.astype(np.int64),
    ]
    types = [0, 1, 2, 3, 4, 4, 5, 6]
    no_asset = len(st.asset_ids) - 1
    assets = [np.full(ns, no_asset), asset, asset, asset, cta_i, form_i, form_i, wasset]
    sess, typ, ast, pos = [], [], [], []
    offset = np.zeros(ns, dtype=np.int64)
    form_pos = np.zeros(ns, dtype=np.int64)
    for c, ty, asr in zip(counts, types, assets, strict=True):
        idx = np.repeat(np.arange(ns), c)
        within = np.arange(idx.size) - np.repeat(np.cumsum(c) - c, c)
        sess.append(idx)
        typ.append(np.full(idx.size, ty, dtype=np.int64))
        ast.append(asr[idx])
        pos.append(offset[idx] + within)
        if ty == 5:
            form_pos = offset.copy()
        offset = offset + c
    sess_a = np.concatenate(sess)
    typ_a = np.concatenate(typ)
    ast_a = np.concatenate(ast)
    pos_a = np.concatenate(pos)
    # attendance rows (webinar day, after identification)
    att = np.nonzero(attend)[0]
    sess_a = np.concatenate([sess_a, att])
    typ_a = np.concatenate([typ_a, np.full(att.size, 7)])
    ast_a = np.concatenate([ast_a, wasset[att]])
    pos_a = np.concatenate([pos_a, offset[att]])
    step = 45.0
    anchor = np.where(ident, s.t - form_pos * step, s.t)
    t = anchor[sess_a] + pos_a * step + rng.uniform(0, 20, sess_a.size) * (pos_a > 0)
    t = np.where(
        typ_a == 7, wday[sess_a] * float(DAY) + 16 * 3600 + rng.uniform(0, 900, sess_a.size), t
    )
    identified = (kind[sess_a] >= POST) | ((kind[sess_a] == IDENT) & (pos_a >= form_pos[sess_a]))
    keep = (t >= 0) & (t <= T_END)
    sess_a, typ_a, ast_a, t, identified = (x[keep] for x in (sess_a, typ_a, ast_a, t, identified))
    order = np.lexsort((t, sess_a))
    sess_a, typ_a, ast_a, t, identified = (x[order] for x in (sess_a, typ_a, ast_a, t, identified))
    n = t.size
    page = _pick_pages(rng, n)
    pricing = (s.kind[sess_a] == HOT) & (typ_a == 0)
    url = np.where(
        typ_a == 0, np.where(pricing, len(PAGES) + len(st.asset_urls), page), len(PAGES) + ast_a
    )
    url_table = [SITE + u for u, _ in PAGES] + st.asset_urls + [SITE + "/pricing"]
    email_idx = np.where(identified, s.person[sess_a], -1)
    type_table = (
        list(WEB_TYPES) + [w.capitalize() for w in WEB_TYPES] + [f" {w}" for w in WEB_TYPES]
    )
    style = np.where(rng.random(n) < 0.003, rng.integers(1, 3, n), 0)
    emails = [*p.email, ""]

    def build(r: slice) -> dict[str, list[str]]:
        sa = sess_a[r]
        return {
            "activity_id": ctx.fmt.ids("WA", st.web + 1 + r.start, r.stop - r.start, 10),
            "visitor_id": _visitor_ids(ctx, s.visitor[sa] + 1),
            "email": _lookup(emails, email_idx[r]),
            "activity_type": _lookup(type_table, typ_a[r] + 8 * style[r]),
            "asset_id": _lookup(st.asset_ids, ast_a[r]),
            "asset_name": _lookup(st.asset_names, ast_a[r]),
            "page_url": _lookup(url_table, url[r]),
            "channel": _lookup(st.web_channel, s.spelling[sa]),
            "campaign_id": _lookup(st.camp_ids, s.campaign[sa]),
            "occurred_at": ctx.fmt.ts(t[r], rng, 0.005),
        }

    out.write_sliced(n, build)
    st.web += n


def _pick_pages(rng: np.random.Generator, n: int) -> I64:
    w = np.array([x[1] for x in PAGES])
    return rng.choice(len(PAGES), n, p=w / w.sum()).astype(np.int64)


def _visitor_ids(ctx: _Ctx, visitor: I64) -> list[str]:
    """'V' + 10 digits for arbitrary (non-contiguous) visitor numbers."""
    hi, lo = visitor // 100_000, visitor % 100_000
    uh = np.unique(hi)
    hi_tab = [f"V{h:05d}" for h in uh.tolist()]
    return list(map(add, _lookup(hi_tab, np.searchsorted(uh, hi)), _lookup(ctx.fmt.lo5, lo)))


def _score_chunk(ctx: _Ctx, p: _Persons, a: int, b: int, st: _EventState, out: _Table) -> None:
    rng = ctx.rng(300, a // CHUNK)
    sl = np.arange(a, b)
    per, tt, rs = [], [], []

    def add_e(idx: I64, t: F, reason: str) -> None:
        ok = (t <= T_END) & (t >= p.t_create[idx])
        per.append(idx[ok])
        tt.append(t[ok])
        rs.append(np.full(int(ok.sum()), SR[reason], dtype=np.int64))

    online = sl[~p.direct[sl] & ~np.isin(p.channel[sl], [CH[c] for c in OFFLINE_CHANNELS])]
    add_e(online, p.t_create[online] + 5, "Form Submit")
    senior = sl[p.senior[sl] >= 2]
    add_e(senior, p.t_create[senior] + 10, "Job Title Match")
    span = np.clip(T_END - p.t_create[sl], 0, 365 * DAY)
    frac = span / (365 * DAY)
    for reason, lam in (
        ("Email Open", 1.5),
        ("Page View", 1.5),
        ("Email Click", 0.5),
        ("Content Download", 0.4),
    ):
        scale = p.fit[sl] if reason in ("Email Click", "Content Download") else 1.0
        k = rng.poisson(lam * scale * frac)
        rep = np.repeat(np.arange(sl.size), k)
        add_e(sl[rep], p.t_create[sl][rep] + rng.random(rep.size) * span[rep], reason)
    att = sl[p.attended[sl]]
    add_e(att, p.webinar_day[att] * float(DAY) + 17 * 3600, "Webinar Attended")
    for arr in (p.t_mql1, p.t_mql2):
        idx = sl[~np.isnan(arr[sl])]
        tm = arr[idx]
        lo = p.t_create[idx] + 60
        add_e(idx, np.maximum(tm - rng.uniform(0.1, 4, idx.size) * DAY, lo), "Pricing Page Visit")
        demo = rng.random(idx.size) < 0.7
        add_e(
            idx[demo],
            np.maximum(tm[demo] - rng.uniform(600, 7200, int(demo.sum())), lo[demo]),
            "Demo Request",
        )
        web = rng.random(idx.size) < 0.3
        add_e(
            idx[web],
            np.maximum(tm[web] - rng.uniform(1, 10, int(web.sum())) * DAY, lo[web]),
            "Webinar Attended",
        )
    # inactivity decay: after recycling, and for some stalled leads
    rec = sl[~np.isnan(p.t_rec1[sl])]
    add_e(rec, p.t_rec1[rec] + 30 * DAY, "Inactivity Decay")
    add_e(rec, p.t_rec1[rec] + 60 * DAY, "Inactivity Decay")
    stall = sl[np.isnan(p.t_mql1[sl]) & ~np.isnan(p.t_lead[sl]) & (rng.random(sl.size) < 0.3)]
    add_e(stall, p.t_lead[stall] + 90 * DAY, "Inactivity Decay")

    person = np.concatenate(per)
    t = np.concatenate(tt)
    reason = np.concatenate(rs)
    order = np.lexsort((reason, t, person))
    person, t, reason = person[order], t[order], reason[order]
    delta = np.array([d for _, d in SCORE_REASONS])[reason]
    delta = _floor_decays(person, delta)
    keep = delta != 0
    person, t, delta = person[keep], t[keep], delta[keep]
    reason = reason[keep]
    new_score = _group_cumsum(person, delta)
    order = np.argsort(t, kind="stable")
    person, t, delta, new_score, reason = (x[order] for x in (person, t, delta, new_score, reason))
    n = t.size
    reasons = [r for r, _ in SCORE_REASONS]

    def build(r: slice) -> dict[str, list[str]]:
        return {
            "score_event_id": ctx.fmt.ids("SC", st.scores + 1 + r.start, r.stop - r.start, 10),
            "email": _lookup(p.email, person[r]),
            "score_delta": [str(d) for d in delta[r].tolist()],
            "new_score": [str(x) for x in new_score[r].tolist()],
            "reason": _lookup(reasons, reason[r]),
            "occurred_at": ctx.fmt.ts(t[r], rng, 0.005),
        }

    out.write_sliced(n, build)
    st.scores += n


def _group_cumsum(group: I64, values: I64) -> I64:
    """Running sum of values within runs of equal group (input sorted by group)."""
    cs = np.cumsum(values)
    starts = np.r_[0, np.flatnonzero(np.diff(group)) + 1]
    lengths = np.diff(np.r_[starts, group.size])
    return cs - np.repeat(cs[starts] - values[starts], lengths)


def _floor_decays(person: I64, delta: I64) -> I64:
    """Drop (zero) decays that would take a score below zero; rows sorted by person, time."""
    delta = delta.copy()
    decay = delta < 0
    if not decay.any():
        return delta
    positive = np.where(decay, 0, delta)
    before = _group_cumsum(person, positive)  # score from positive events so far
    idx = np.nonzero(decay)[0]
    # decays per person are few: resolve them in order
    taken: dict[int, int] = {}
    for i in idx.tolist():
        who = int(person[i])
        k = taken.get(who, 0)
        if before[i] - 5 * k >= 5:
            taken[who] = k + 1
        else:
            delta[i] = 0
    return delta


def _write_events(ctx: _Ctx, p: _Persons, camps: list[_Campaign]) -> None:
    st = _event_state(camps)
    email_t = ctx.table("map_email_events")
    web_t = ctx.table("map_web_activities")
    score_t = ctx.table("map_score_changes")
    p.email = [_q(e) for e in p.email]
    for a in range(0, p.n, CHUNK):
        b = min(p.n, a + CHUNK)
        _email_chunk(ctx, p, a, b, st, email_t)
        _web_chunk(ctx, p, a, b, st, web_t)
        _score_chunk(ctx, p, a, b, st, score_t)
        ctx.log(f"events: persons {b:,}/{p.n:,}")
    for t in (email_t, web_t, score_t):
        ctx.done(t)
