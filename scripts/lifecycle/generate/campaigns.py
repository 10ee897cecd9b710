"""Fx rates and campaigns: the daily fx series and the campaign calendar (always-on
channels, webinars, events, email programs)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from .vocab import CH, N_DAYS, N_MONTHS, F
from .world import PROGRAMS, _Campaign, _Ctx, _day_index, _Fx, _nth_weekday


def _build_fx(ctx: _Ctx) -> _Fx:
    rng = ctx.rng(1)
    business = np.arange(N_DAYS) % 7 < 5
    series: dict[str, F] = {}
    for ccy, mean, lo, hi, vol in (
        ("EUR", 1.085, 1.05, 1.12, 0.0035),
        ("GBP", 1.27, 1.22, 1.32, 0.004),
    ):
        x = np.empty(N_DAYS)
        x[0] = mean + rng.normal(0, 0.005)
        for d in range(1, N_DAYS):
            step = 0.03 * (mean - x[d - 1]) + rng.normal(0, vol) if business[d] else 0.0
            x[d] = min(hi, max(lo, x[d - 1] + step))
        series[ccy] = x
    rows = [(d, c, float(series[c][d])) for d in range(N_DAYS) if business[d] for c in series]
    return _Fx(series["EUR"], series["GBP"], rows)


def _webinar_dates(scale: str) -> list[dt.date]:
    months = [(2024 + m // 12, m % 12 + 1) for m in range(N_MONTHS)]
    priority = [
        1,
        4,
        8,
        10,
        13,
        16,
        20,
        22,
        2,
        6,
        14,
        18,
        0,
        5,
        9,
        12,
        17,
        21,
        3,
        7,
        11,
        15,
        19,
        23,
    ]
    count = {"xs": 8, "s": 12, "m": 18, "l": 24}.get(scale, 8)
    chosen = sorted(priority[:count])
    return [_nth_weekday(*months[m], weekday=3, nth=3) for m in chosen]


WEBINAR_TOPICS = (
    "Lifecycle Metrics 101",
    "Attribution Without Tears",
    "Lead Scoring That Works",
    "From MQL to Revenue",
    "Nurture Programs, Done Right",
    "Building a Data-Driven Funnel",
    "Customer Expansion Playbook",
    "Benchmarks: B2B Funnels",
    "Churn Early Warnings",
    "ABM on a Budget",
    "Content That Converts",
    "Sales & Marketing Alignment",
)
EVENTS = (  # name, date, days, spelling, currency
    ("Roadshow London 2024", dt.date(2024, 4, 18), 1, "Event", "GBP"),
    ("Trade Show Berlin 2024", dt.date(2024, 6, 12), 2, "Trade Show", "EUR"),
    ("SaaStr Annual 2024", dt.date(2024, 9, 10), 3, "Conference", "USD"),
    ("Dreamforce 2024", dt.date(2024, 9, 17), 3, "Conference", "USD"),
    ("Roadshow London 2025", dt.date(2025, 4, 17), 1, "Event", "GBP"),
    ("Gartner Marketing Symposium 2025", dt.date(2025, 5, 6), 3, "Conference", "USD"),
    ("Trade Show Berlin 2025", dt.date(2025, 6, 11), 2, "Trade Show", "EUR"),
    ("SaaStr Annual 2025", dt.date(2025, 9, 9), 3, "Conference", "USD"),
)
EVENT_PRIORITY = {"xs": (1, 2, 6, 7), "s": (0, 1, 2, 6, 7), "m": (0, 1, 2, 5, 6, 7)}


def _always_on_campaigns(scale: str) -> list[_Campaign]:
    d = _day_index
    base = [
        ("Google Ads - Brand", "paid_search", "Google Ads", "Paid Ads", 0.35, 0, None, "USD"),
        ("Google Ads - Non-Brand", "paid_search", "PAID SEARCH ", "Paid Ads", 0.5, 0, None, "USD"),
        (
            "Bing Ads - Generic",
            "paid_search",
            "Bing Ads",
            "Paid Ads",
            0.15,
            0,
            d(dt.date(2025, 6, 30)),
            "USD",
        ),
        ("LinkedIn Ads - ABM", "paid_social", "LinkedIn Ads", "Paid Ads", 0.5, 0, None, "USD"),
        (
            "LinkedIn Ads - DACH",
            "paid_social",
            "linkedin ads",
            "Paid Ads",
            0.2,
            d(dt.date(2024, 3, 1)),
            None,
            "EUR",
        ),
        (
            "Facebook Ads - Retargeting",
            "paid_social",
            "paid social",
            "Paid Ads",
            0.3,
            0,
            None,
            "USD",
        ),
        ("Display Retargeting", "display", "Retargeting", "Display", 1.0, 0, None, "USD"),
        ("SEO Content Hub", "organic_search", "SEO", "Content", 1.0, 0, None, "USD"),
        ("Organic Social", "organic_social", "Social Media", "Social", 1.0, 0, None, "USD"),
        ("Website - Demo Requests", "website", "Web Form", "Website", 1.0, 0, None, "USD"),
        (
            "Customer Referral Program",
            "referral",
            "Customer Referral",
            "Referral Program",
            1.0,
            0,
            None,
            "USD",
        ),
        ("Partner Co-Marketing", "partner", "Partners", "Partner", 1.0, 0, None, "USD"),
        ("SDR Outbound", "outbound", "SDR Outbound", "Outbound", 1.0, 0, None, "USD"),
    ]
    extras = [
        (
            "Google Ads - Competitor",
            "paid_search",
            "AdWords",
            "Paid Ads",
            0.3,
            d(dt.date(2024, 7, 1)),
            None,
            "USD",
        ),
        (
            "LinkedIn Ads - Enterprise 2025",
            "paid_social",
            "LinkedIn Ads",
            "Paid Ads",
            0.3,
            d(dt.date(2025, 1, 1)),
            d(dt.date(2025, 12, 31)),
            "USD",
        ),
        (
            "Facebook Ads - Lookalike",
            "paid_social",
            "Facebook Ads",
            "Paid Ads",
            0.25,
            d(dt.date(2024, 4, 1)),
            d(dt.date(2025, 3, 31)),
            "USD",
        ),
        (
            "Display - Programmatic",
            "display",
            "Display Ads",
            "Display",
            0.5,
            d(dt.date(2025, 1, 1)),
            None,
            "USD",
        ),
    ]
    n_extra = {"xs": 0, "s": 2, "m": 3, "l": 4}.get(scale, 0)
    out = []
    for name, ch, sp, ctype, w, start, end, ccy in base + extras[:n_extra]:
        audience = "customer" if ch == "referral" else "prospect"
        out.append(
            _Campaign(name, CH[ch], sp, ctype, audience, False, start, end, ccy, "always_on", w)
        )
    return out


def _build_campaigns(ctx: _Ctx) -> list[_Campaign]:
    camps = _always_on_campaigns(ctx.scale)
    for year in (2024, 2025):
        camps.append(
            _Campaign(
                f"Webinar Series {year}",
                CH["webinar"],
                "Webinar",
                "Webinar",
                "prospect",
                False,
                _day_index(dt.date(year, 1, 1)),
                _day_index(dt.date(year, 12, 31)),
                "USD",
                "parent",
            )
        )
    for k, day in enumerate(_webinar_dates(ctx.scale)):
        di = _day_index(day)
        spelling = ("Webinar", "Webinars", "webinar")[k % 3]
        camps.append(
            _Campaign(
                f"Webinar: {WEBINAR_TOPICS[k % len(WEBINAR_TOPICS)]} ({day:%b %Y})",
                CH["webinar"],
                spelling,
                "Webinar",
                "prospect",
                False,
                max(0, di - 28),
                di,
                "USD",
                "webinar",
                1.0 + 0.3 * (k % 3),
                f"Webinar Series {day.year}",
                di,
            )
        )
    keep = EVENT_PRIORITY.get(ctx.scale, tuple(range(len(EVENTS))))
    for k in keep:
        name, day, n_days, spelling, ccy = EVENTS[k]
        di = _day_index(day)
        camps.append(
            _Campaign(
                name,
                CH["events"],
                spelling,
                "Trade Show" if "Trade" in name else "Event",
                "prospect",
                False,
                di,
                di + n_days - 1,
                ccy,
                "event",
                2.0 if "SaaStr" in name or "Dreamforce" in name else 1.0,
                event_day=di,
            )
        )
    for p in PROGRAMS:
        camps.append(
            _Campaign(
                p.name,
                CH["email"],
                p.spelling,
                p.ctype,
                p.audience,
                p.automated,
                0,
                None,
                "USD",
                "email",
                program=p.key,
            )
        )
    order = sorted(range(len(camps)), key=lambda i: (camps[i].start, i))
    camps = [camps[i] for i in order]
    for k, c in enumerate(camps, start=1):
        c.id = f"CMP{k:04d}"
    return camps
