"""CRM files: accounts, stage history, leads, contacts, opportunities and sales activities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .account_history import _AccountResult
from .persons import _Accounts, _messy_email, _messy_emails, _Persons, _record_of, _spelling_table
from .vocab import (
    CHANNELS,
    CONVERTED_STATUS,
    COUNTRIES,
    CUST,
    DAY,
    DQ,
    I64,
    INDUSTRIES,
    INDUSTRY_ALIASES,
    LEAD,
    LOST_REASONS,
    MQL,
    NO_DECISION_REASONS,
    OPEN_OPP_STAGES,
    OPP,
    OPP_TYPE_SPELLINGS,
    RECY,
    SALES_LEAD_TYPES,
    SALES_OPP_TYPES,
    SQL,
    STAGE_SPELLINGS,
    SUB,
    T_END,
    TITLES,
    WORK,
    WORKING_SPELLING,
    WRITE_CHUNK,
    B,
    F,
)
from .world import _Campaign, _Ctx
from .writing import _lookup, _pick, _q, _weighted


def _write_accounts(ctx: _Ctx, accs: _Accounts) -> None:
    rng = ctx.rng(7)
    n = accs.n
    names = [_q(s) for s in accs.name]
    ind = [INDUSTRIES[i] for i in accs.industry.tolist()]
    ctry = [COUNTRIES[i][0] for i in accs.country.tolist()]
    emp = [str(e) for e in accs.emp.tolist()]
    blank_emp = rng.random(n) < 0.05
    emp = ["" if b else e for e, b in zip(emp, blank_emp.tolist(), strict=True)]
    junk = 2
    t = ctx.table("crm_accounts")
    t.write(
        {
            "account_id": accs.ids + ctx.fmt.ids("ACC", n + 1, junk, 6),
            "account_name": [*names, "Test Account - DO NOT USE", _q("test, test")],
            "industry": [*ind, "", ""],
            "employee_count": [*emp, "", "1"],
            "country": [*ctry, "", "United States"],
            "created_at": ctx.fmt.ts(np.append(accs.created, rng.uniform(0, T_END, junk)), rng),
            "is_deleted": ctx.fmt.bool(np.append(accs.deleted, [True, True]), rng),
        }
    )
    ctx.done(t)


@dataclass
class _StageRows:
    person: I64
    t: F
    stage: I64
    contact: B  # record type contact (else lead)


def _stage_rows(p: _Persons, res: _AccountResult) -> _StageRows:
    slots = (
        (p.t_sub, SUB, False),
        (p.t_lead, LEAD, False),
        (p.t_work, WORK, False),
        (p.t_mql1, MQL, False),
        (p.t_rec1, RECY, False),
        (p.t_dq, DQ, False),
        (p.t_reopen, -1, False),
        (p.t_mql2, MQL, False),
        (p.t_rec2, RECY, False),
        (p.t_sql, SQL, False),
        (p.t_opp, OPP, True),
        (p.t_cust, CUST, True),
        (p.t_rec3, RECY, True),
    )
    persons, times, stages, post = [], [], [], []
    for arr, stage, is_post in slots:
        ok = ~np.isnan(arr)
        if stage == MQL and arr is p.t_mql2:
            ok &= ~p.reopen_mql  # reopened straight into mql: the reopen row is that mql
        idx = np.nonzero(ok)[0]
        persons.append(idx)
        times.append(arr[idx])
        st = np.where(p.reopen_mql[idx], MQL, LEAD) if stage == -1 else np.full(idx.size, stage)
        stages.append(st)
        post.append(np.full(idx.size, is_post))
    if res.extra_customer:
        persons.append(np.array([x[0] for x in res.extra_customer], dtype=np.int64))
        times.append(np.array([x[1] for x in res.extra_customer]))
        stages.append(np.full(len(res.extra_customer), CUST))
        post.append(np.ones(len(res.extra_customer), dtype=bool))
    person = np.concatenate(persons)
    t = np.concatenate(times)
    order = np.argsort(t, kind="stable")
    person, t = person[order], t[order]
    contact = np.concatenate(post)[order] | p.direct[person]
    return _StageRows(person, t, np.concatenate(stages)[order].astype(np.int64), contact)


def _stage_spellings(rng: np.random.Generator, rows: _StageRows) -> tuple[list[str], I64]:
    """(table of spellings, index per row)."""
    table: list[str] = []
    idx = np.zeros(rows.t.size, dtype=np.int64)
    for stage, options in enumerate(STAGE_SPELLINGS):
        base = len(table)
        table.extend(_q(s) for s, _ in options)
        mask = rows.stage == stage
        idx[mask] = base + _weighted(rng, options, int(mask.sum()))
    idx[rows.stage == WORK] = len(table)
    table.append(WORKING_SPELLING)
    return table, idx


@dataclass
class _DupLeads:
    person: I64  # the contact person entered again as a lead
    t: F
    email: list[str]


def _dup_leads(ctx: _Ctx, p: _Persons) -> _DupLeads:
    rng = ctx.rng(8)
    cp = p.contact_person
    k = min(cp.size, max(3, cp.size // 300))
    pick = np.sort(rng.choice(cp.size, size=k, replace=False)) if k else np.empty(0, np.int64)
    persons = cp[pick]
    created = p.contact_created[pick]
    later = created + rng.uniform(20, 200, k) * DAY
    earlier = created - rng.uniform(20, 200, k) * DAY
    t = np.where(later <= T_END, later, np.maximum(earlier, 3600.0))
    emails = []
    for j, person in enumerate(persons.tolist()):
        emails.append(_q(_messy_email(p.email[person], 1 + j % 4)))
    return _DupLeads(persons, t, emails)


def _write_stage_history(
    ctx: _Ctx,
    p: _Persons,
    res: _AccountResult,
    dups: _DupLeads,
) -> list[str]:
    """Writes crm_stage_history; returns the lead status per lead (escaped)."""
    rng = ctx.rng(9)
    rows = _stage_rows(p, res)
    table, sp = _stage_spellings(rng, rows)
    n_leads, n_contacts = len(p.lead_ids), len(p.contact_ids)
    rec_table = p.lead_ids + p.contact_ids + ctx.fmt.ids("L", n_leads + 1, dups.person.size, 7)
    rec = np.where(rows.contact, n_leads + p.contact_pos[rows.person], p.lead_pos[rows.person])
    if (rec < 0).any():
        raise AssertionError("stage row without a record")
    # dup leads: one 'New' row each
    rec = np.concatenate([rec, n_leads + n_contacts + np.arange(dups.person.size)])
    t_all = np.concatenate([rows.t, dups.t])
    sp = np.concatenate([sp, np.full(dups.person.size, table.index("New"))])
    is_contact = np.concatenate([rows.contact, np.zeros(dups.person.size, dtype=bool)])
    order = np.argsort(t_all, kind="stable")
    rec, t_all, sp, is_contact = rec[order], t_all[order], sp[order], is_contact[order]
    out = ctx.table("crm_stage_history")
    n = rec.size
    for a in range(0, n, WRITE_CHUNK):
        b = min(n, a + WRITE_CHUNK)
        out.write(
            {
                "stage_event_id": ctx.fmt.ids("SH", a + 1, b - a, 9),
                "record_id": _lookup(rec_table, rec[a:b]),
                "record_type": _lookup(
                    ["lead", "contact", "Lead", "Contact"],
                    is_contact[a:b] + 2 * (rng.random(b - a) < 0.01),
                ),
                "stage": _lookup(table, sp[a:b]),
                "entered_at": ctx.fmt.ts(t_all[a:b], rng),
            }
        )
    ctx.done(out)
    # lead status: spelling of the last lead-record row per lead
    lead_rows = np.nonzero(~is_contact & (rec < n_leads + n_contacts))[0]
    status = np.full(n_leads, table.index("New"), dtype=np.int64)
    last = lead_rows[::-1]  # rows are in time order: take the last one per lead
    leads_seen, first = np.unique(rec[last], return_index=True)
    status[leads_seen] = sp[last[first]]
    status_s = _lookup(table, status)
    for i in np.nonzero(~np.isnan(p.t_conv[~p.direct]))[0].tolist():
        status_s[i] = CONVERTED_STATUS
    return status_s


def _company_col(rng: np.random.Generator, accs: _Accounts, acc: I64) -> list[str]:
    names = _lookup(accs.name, acc)
    roll = rng.random(acc.size)
    for j in np.nonzero(roll < 0.08)[0].tolist():
        r = roll[j]
        names[j] = (
            ""
            if r < 0.02
            else (
                names[j].lower() if r < 0.05 else names[j].split(",")[0].split(" GmbH")[0].upper()
            )
        )
    return [_q(s) for s in names]


def _industry_col(rng: np.random.Generator, accs: _Accounts, acc: I64) -> list[str]:
    ind = _lookup(INDUSTRIES, accs.industry[acc])
    roll = rng.random(acc.size)
    for j in np.nonzero(roll < 0.08)[0].tolist():
        ind[j] = "" if roll[j] < 0.03 else INDUSTRY_ALIASES[ind[j]]
    return [_q(s) for s in ind]


def _country_col(rng: np.random.Generator, accs: _Accounts, acc: I64) -> list[str]:
    ctry = accs.country[acc]
    roll = rng.random(acc.size)
    table = [c[0] for c in COUNTRIES] + [c[3] for c in COUNTRIES] + [""]
    idx = np.where(roll < 0.03, len(table) - 1, np.where(roll < 0.1, ctry + len(COUNTRIES), ctry))
    return _lookup(table, idx)


def _write_leads(
    ctx: _Ctx, p: _Persons, accs: _Accounts, res: _AccountResult, status: list[str], dups: _DupLeads
) -> None:
    rng = ctx.rng(10)
    lp = np.nonzero(~p.direct)[0]
    opp_id_of = {o.person: o.id for o in res.opps if o.from_person and not o.deleted}
    converted = ~np.isnan(p.t_conv)
    never = np.isnan(p.t_mql1) & np.isnan(p.t_mql2) & ~converted & ~p.direct
    junk = np.nonzero(never)[0]
    n_del = min(junk.size, max(2, lp.size // 250))
    deleted = np.zeros(p.n, dtype=bool)
    deleted[rng.choice(junk, size=n_del, replace=False)] = True
    owners = [f"U{k:04d}" for k in range(1, 1000)] + [""]
    titles = [_q(s) for s, _ in TITLES] + [""]
    out = ctx.table("crm_leads")
    for a in range(0, lp.size, WRITE_CHUNK):
        idx = lp[a : a + WRITE_CHUNK]
        m = idx.size
        conv = converted[idx]
        cid = np.where(conv, p.contact_pos[idx], -1)
        conv_opp = [
            opp_id_of.get(i, "") if c else ""
            for i, c in zip(idx.tolist(), (p.at_conv[idx] & conv).tolist(), strict=True)
        ]
        out.write(
            {
                "lead_id": p.lead_ids[a : a + m],
                "email": [_q(s) for s in _messy_emails(rng, p.email, idx, 0.03)],
                "company": _company_col(rng, accs, p.account[idx]),
                "title": _lookup(titles, np.where(rng.random(m) < 0.05, len(TITLES), p.title[idx])),
                "industry": _industry_col(rng, accs, p.account[idx]),
                "country": _country_col(rng, accs, p.account[idx]),
                "lead_source": _lookup(p.src, idx),
                "status": status[a : a + m],
                "created_at": ctx.fmt.ts(p.t_create[idx], rng),
                "converted_at": ctx.fmt.ts_opt(p.t_conv[idx], rng),
                "converted_contact_id": _lookup([*p.contact_ids, ""], np.where(conv, cid, -1)),
                "converted_account_id": _lookup(
                    [*accs.ids, ""], np.where(conv, p.account[idx], -1)
                ),
                "converted_opportunity_id": conv_opp,
                "owner_id": _lookup(owners, np.where(rng.random(m) < 0.08, -1, p.sdr[idx])),
                "is_deleted": ctx.fmt.bool(deleted[idx], rng),
            }
        )
    k = dups.person.size
    out.write(
        {
            "lead_id": ctx.fmt.ids("L", lp.size + 1, k, 7),
            "email": dups.email,
            "company": _company_col(rng, accs, p.account[dups.person]),
            "title": _lookup(titles, p.title[dups.person]),
            "industry": _industry_col(rng, accs, p.account[dups.person]),
            "country": _country_col(rng, accs, p.account[dups.person]),
            "lead_source": _pick(rng, (("Web", 1.0), ("Inbound", 1.0), ("Website", 1.0)), k),
            "status": ["Open - Not Contacted"] * k,
            "created_at": ctx.fmt.ts(dups.t, rng),
            "owner_id": _lookup(owners, p.sdr[dups.person]),
            "is_deleted": ctx.fmt.bool(np.zeros(k, dtype=bool), rng),
        }
    )
    ctx.done(out)


def _write_contacts(ctx: _Ctx, p: _Persons, accs: _Accounts, res: _AccountResult) -> None:
    rng = ctx.rng(11)
    cp = p.contact_person
    in_opp = np.zeros(p.n, dtype=bool)
    in_opp[[o.person for o in res.opps]] = True
    in_opp[list(res.buyer.values())] = True
    cand = np.nonzero(p.direct[cp] & ~in_opp[cp])[0]
    deleted = np.zeros(cp.size, dtype=bool)
    if cand.size:
        deleted[rng.choice(cand, size=min(cand.size, max(1, cp.size // 300)), replace=False)] = 1
    titles = [_q(s) for s, _ in TITLES] + [""]
    owners = [f"U{k:04d}" for k in range(1001, 2000)] + [""]
    out = ctx.table("crm_contacts")
    for a in range(0, cp.size, WRITE_CHUNK):
        idx = cp[a : a + WRITE_CHUNK]
        m = idx.size
        src = _spelling_table(rng, p.channel[idx], "crm")
        keep = rng.random(m) < 0.8
        out.write(
            {
                "contact_id": p.contact_ids[a : a + m],
                "account_id": _lookup(accs.ids, p.account[idx]),
                "email": [_q(s) for s in _messy_emails(rng, p.email, idx, 0.05)],
                "title": _lookup(titles, np.where(rng.random(m) < 0.04, len(TITLES), p.title[idx])),
                "lead_source": [
                    s if k else t
                    for s, t, k in zip(_lookup(p.src, idx), src, keep.tolist(), strict=True)
                ],
                "created_at": ctx.fmt.ts(p.contact_created[a : a + m], rng),
                "owner_id": _lookup(owners, np.where(rng.random(m) < 0.03, -1, p.ae[idx])),
                "is_deleted": ctx.fmt.bool(deleted[a : a + m], rng),
            }
        )
    ctx.done(out)


def _write_opportunities(
    ctx: _Ctx, p: _Persons, accs: _Accounts, res: _AccountResult, camps: list[_Campaign]
) -> None:
    rng = ctx.rng(12)
    rows: dict[str, list[str]] = {c: [] for c in ctx.columns["crm_opportunities"]}
    type_tables = [[_q(s) for s, _ in opts] for opts in OPP_TYPE_SPELLINGS]
    type_idx = [_weighted(rng, opts, len(res.opps)) for opts in OPP_TYPE_SPELLINGS]
    nd = _pick(rng, NO_DECISION_REASONS, len(res.opps))
    lost = _pick(rng, LOST_REASONS, len(res.opps))
    t_open = np.array([o.t_open for o in res.opps])
    t_close = np.array([np.nan if o.t_close is None else o.t_close for o in res.opps])
    created = ctx.fmt.ts(t_open, rng)
    closed = ctx.fmt.ts_opt(t_close, rng)
    flags = ctx.fmt.bool(~np.isnan(t_close), rng)
    wins = ctx.fmt.bool(np.array([o.won for o in res.opps], dtype=bool), rng)
    dels = ctx.fmt.bool(np.array([o.deleted for o in res.opps], dtype=bool), rng, 0.0)
    blank_ccy = rng.random(len(res.opps)) < 0.1
    src_roll = rng.random(len(res.opps))
    for k, o in enumerate(res.opps):
        is_closed = o.t_close is not None
        age = (min(T_END, o.t_close or T_END) - o.t_open) / DAY
        stage = (
            ("Closed Won" if o.won else "Closed Lost")
            if is_closed
            else OPEN_OPP_STAGES[min(4, int(age // 20))]
        )
        reason = "" if (not is_closed or o.won) else (nd[k] if o.nodec else lost[k])
        ch = o.channel if o.channel >= 0 else int(p.channel[o.person])
        rows["opportunity_id"].append(o.id)
        rows["account_id"].append(accs.ids[o.account])
        rows["contact_id"].append(p.contact_ids[p.contact_pos[o.person]])
        rows["opportunity_type"].append(type_tables[o.otype][type_idx[o.otype][k]])
        rows["stage_name"].append(_q(stage))
        rows["amount"].append(f"{o.amount:.2f}")
        rows["currency"].append("" if o.currency == "USD" and blank_ccy[k] else o.currency)
        rows["created_at"].append(created[k])
        rows["closed_at"].append(closed[k])
        rows["is_closed"].append(flags[k])
        rows["is_won"].append(wins[k])
        rows["loss_reason"].append(reason)
        rows["lead_source"].append(
            p.src[o.person] if src_roll[k] < 0.9 or ch < 0 else _q(CHANNELS[ch].spellings[0][0])
        )
        rows["campaign_id"].append(camps[o.campaign].id if o.campaign >= 0 else "")
        owner = o.owner if o.owner >= 0 else int(p.ae[o.person])
        rows["owner_id"].append(f"U{1001 + owner:04d}")
        rows["is_deleted"].append(dels[k])
    out = ctx.table("crm_opportunities")
    out.write(rows)
    ctx.done(out)


def _write_sales_activities(ctx: _Ctx, p: _Persons, res: _AccountResult) -> None:
    rng = ctx.rng(17)
    persons, times, kinds, opp_ref, owners = [], [], [], [], []
    # few activities per MQL and per deal: with the marketing touches, a customer has about ten
    # touches (fct_touches) before the first won deal
    for arr in (p.t_mql1, p.t_mql2):
        idx = np.nonzero(~np.isnan(arr))[0]
        k = 1 + rng.poisson(0.3, idx.size)
        rep = np.repeat(idx, k)
        t = arr[rep] + rng.uniform(0.05, 12, rep.size) * DAY
        ok = t <= T_END
        persons.append(rep[ok])
        times.append(t[ok])
        kinds.append(np.zeros(int(ok.sum()), dtype=np.int64))
        opp_ref.append(np.full(int(ok.sum()), -1, dtype=np.int64))
        owners.append(p.sdr[rep[ok]])
    live = [o for o in res.opps if not o.deleted]
    o_person = np.array([o.person for o in live], dtype=np.int64)
    o_open = np.array([o.t_open for o in live])
    o_end = np.array([T_END if o.t_close is None else o.t_close for o in live])
    o_owner = np.array([o.owner if o.owner >= 0 else p.ae[o.person] for o in live], dtype=np.int64)
    k = 1 + rng.poisson(0.5, len(live))
    rep = np.repeat(np.arange(len(live)), k)
    t = o_open[rep] + rng.random(rep.size) * (o_end[rep] - o_open[rep])
    persons.append(o_person[rep])
    times.append(t)
    kinds.append(np.ones(rep.size, dtype=np.int64))
    opp_ref.append(rep)
    owners.append(o_owner[rep])
    person = np.concatenate(persons)
    t_all = np.concatenate(times)
    kind = np.concatenate(kinds)
    oref = np.concatenate(opp_ref)
    owner = np.concatenate(owners) + np.where(kind == 1, 1001, 1)
    order = np.argsort(t_all, kind="stable")
    person, t_all, kind, oref, owner = (x[order] for x in (person, t_all, kind, oref, owner))
    rec, contact = _record_of(p, person, t_all)
    type_table = [s for s, _ in SALES_LEAD_TYPES] + [s for s, _ in SALES_OPP_TYPES]
    ti = np.where(
        kind == 0,
        _weighted(rng, SALES_LEAD_TYPES, kind.size),
        len(SALES_LEAD_TYPES) + _weighted(rng, SALES_OPP_TYPES, kind.size),
    )
    owner_table = [f"U{k:04d}" for k in range(2000)]
    out = ctx.table("crm_sales_activities")
    out.write(
        {
            "activity_id": ctx.fmt.ids("SA", 1, t_all.size, 9),
            "record_id": _lookup(p.lead_ids + p.contact_ids, rec),
            "record_type": _lookup(["lead", "contact"], contact),
            "opportunity_id": _lookup([o.id for o in live] + [""], np.where(oref < 0, -1, oref)),
            "activity_type": _lookup(type_table, ti),
            "occurred_at": ctx.fmt.ts(t_all, rng),
            "owner_id": _lookup(owner_table, owner),
        }
    )
    ctx.done(out)
