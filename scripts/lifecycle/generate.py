"""Deterministic synthetic exports for every file of the export contract (CONTRACT.md).

`generate(scale, seed, out_dir)` writes `<file>.csv` for all contract files into `out_dir`
and returns the number of data rows written per file. The same (scale, seed) always gives
byte-identical files: all randomness comes from numpy generators seeded with
`[seed, stream]`, and the timeline is anchored to 2024-01-01 .. 2025-12-31 (UTC).

The data tell a B2B lifecycle story with planted behaviour the marts must show: channels
that differ in volume, cost and conversion; nurture programs with different engagement;
leads recycled to nurture and reopened later; MQL -> SQL -> opportunity -> customer with
realistic lags; won / lost / no-decision deals; upsell, cross-sell and renewal deals;
subscriptions with monthly churn and reactivations; an NPS spread. It is also CRM-messy:
vendor spellings of stages, sources and types, padded and mixed-case values, duplicate
people entered twice, deleted rows and two currencies.

Column order comes from the contract YAMLs (`models/staging/*/_*__sources.yml`). Large
files are generated and written chunk by chunk; fields are pre-escaped with RFC 4180
minimal quoting (identical to `csv.writer` with `QUOTE_MINIMAL` and `\\n` line endings).
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import add
from pathlib import Path
from typing import TextIO

import numpy as np
import yaml
from numpy.typing import NDArray

__all__ = ["SCALES", "contract_columns", "generate"]

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCES_GLOB = "models/staging/*/_*__sources.yml"

SCALES: dict[str, int] = {"xs": 2_000, "s": 20_000, "m": 200_000, "l": 1_000_000}

START_DATE = dt.date(2024, 1, 1)
END_DATE = dt.date(2025, 12, 31)
N_DAYS = (END_DATE - START_DATE).days + 1
DAY = 86_400
T_END = N_DAYS * DAY - 1  # 2025-12-31T23:59:59Z, in seconds since 2024-01-01T00:00:00Z
N_MONTHS = 24
CHUNK = 20_000  # persons per chunk for the event files
WRITE_CHUNK = 100_000  # rows formatted and written at a time (bounds memory)

F = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

# Stages (canonical codes) and the CRM spellings used for them (stage_mapping seed values).
SUB, LEAD, MQL, SQL, OPP, CUST, RECY, DQ = range(8)
WORK = 8  # a second lead-stage row ("Working - Contacted")
STAGE_SPELLINGS: tuple[tuple[tuple[str, float], ...], ...] = (
    (("Subscriber", 0.5), ("Newsletter Subscriber", 0.3), ("Known", 0.1), ("subscriber", 0.1)),
    (
        ("Open - Not Contacted", 0.3),
        ("New", 0.2),
        ("Raw Lead", 0.1),
        ("Open", 0.1),
        ("Prospect", 0.1),
        ("lead", 0.1),
        ("Engaged", 0.1),
    ),
    (
        ("Marketing Qualified Lead", 0.45),
        ("MQL", 0.25),
        ("Marketing Qualified", 0.15),
        ("marketingqualifiedlead", 0.05),
        ("mql", 0.1),
    ),
    (
        ("Sales Accepted", 0.3),
        ("Sales Accepted Lead", 0.15),
        ("SAL", 0.1),
        ("Sales Qualified Lead", 0.25),
        ("Sales Qualified", 0.1),
        ("sql", 0.1),
    ),
    (("Opportunity Created", 0.5), ("Pipeline", 0.3), ("opportunity", 0.2)),
    (("Closed Won", 0.5), ("Customer - Closed Won", 0.3), ("Won", 0.1), ("customer", 0.1)),
    (
        ("Recycle", 0.3),
        ("Nurture", 0.3),
        ("Nurturing", 0.15),
        ("Back to Nurture", 0.15),
        ("recycled", 0.1),
    ),
    (
        ("Disqualified", 0.35),
        ("Unqualified", 0.25),
        ("Closed - Not Converted", 0.2),
        ("Bad Data", 0.1),
        ("Junk", 0.1),
    ),
)
WORKING_SPELLING = "Working - Contacted"
CONVERTED_STATUS = "Closed - Converted"


@dataclass(frozen=True)
class Channel:
    """A canonical acquisition channel with its funnel behaviour, cost and CRM spellings."""

    key: str
    share: float  # share of marketing-sourced persons
    mql: float  # lead -> MQL propensity (rescaled to the overall target)
    sql: float  # MQL -> SQL probability
    win: float  # opportunity win propensity (rescaled to the overall target)
    cpl: float  # marketing cost per acquired person, USD
    anon: float  # share of anonymous web sessions
    spellings: tuple[tuple[str, float], ...]  # CRM lead_source / channel spellings
    web: tuple[str, ...]  # as the web-analytics tool spells the channel
    cpc: float = 0.0  # media: cost per click (0 = not a paid media channel)
    ctr: float = 0.0  # media: click-through rate


CHANNELS: tuple[Channel, ...] = (
    Channel(
        "paid_search",
        0.22,
        0.26,
        0.40,
        0.25,
        160.0,
        0.20,
        (
            ("Google Ads", 0.35),
            ("Paid Search", 0.22),
            ("PPC", 0.1),
            (" google ads", 0.06),
            ("PAID SEARCH ", 0.05),
            ("AdWords", 0.08),
            ("Bing Ads", 0.09),
            ("SEM", 0.05),
        ),
        ("Paid Search", "google ads", "PPC", "paid_search"),
        5.5,
        0.04,
    ),
    Channel(
        "paid_social",
        0.17,
        0.12,
        0.28,
        0.16,
        110.0,
        0.32,
        (
            ("Paid Social", 0.3),
            ("LinkedIn Ads", 0.35),
            ("Facebook Ads", 0.15),
            ("paid social", 0.1),
            ("LINKEDIN ADS", 0.05),
            ("Facebook", 0.05),
        ),
        ("Paid Social", "linkedin ads", "Facebook Ads", "paid_social"),
        3.5,
        0.007,
    ),
    Channel(
        "organic_search",
        0.17,
        0.24,
        0.42,
        0.28,
        12.0,
        0.20,
        (
            ("Organic Search", 0.4),
            ("SEO", 0.25),
            ("Google Organic", 0.15),
            ("organic search", 0.1),
            ("organic_search", 0.1),
        ),
        ("Organic Search", "organic_search", "SEO", "Google Organic"),
    ),
    Channel(
        "website",
        0.07,
        0.30,
        0.45,
        0.28,
        0.0,
        0.10,
        (
            ("Website", 0.3),
            ("Web", 0.2),
            ("WEB", 0.1),
            ("Direct", 0.1),
            ("Web Form", 0.2),
            ("Inbound", 0.1),
        ),
        ("Direct", "direct", "Website", "Direct Traffic"),
    ),
    Channel(
        "display",
        0.06,
        0.10,
        0.30,
        0.18,
        90.0,
        0.10,
        (("Display Ads", 0.4), ("Retargeting", 0.3), ("Banner", 0.15), ("display", 0.15)),
        ("Display Ads", "display", "Retargeting"),
        1.1,
        0.002,
    ),
    Channel(
        "organic_social",
        0.04,
        0.15,
        0.35,
        0.22,
        8.0,
        0.06,
        (("Social Media", 0.4), ("Organic Social", 0.3), ("Social", 0.2), ("social", 0.1)),
        ("Social Media", "organic_social", "Social"),
    ),
    Channel(
        "email",
        0.04,
        0.22,
        0.38,
        0.26,
        6.0,
        0.0,
        (("Email Marketing", 0.4), ("E-mail", 0.2), ("Newsletter", 0.3), ("email", 0.1)),
        ("Email Marketing", "email", "Newsletter", "E-mail"),
    ),
    Channel(
        "webinar",
        0.07,
        0.33,
        0.40,
        0.28,
        70.0,
        0.0,
        (("Webinar", 0.6), ("Webinars", 0.25), ("webinar", 0.15)),
        ("Webinar", "webinar"),
    ),
    Channel(
        "events",
        0.05,
        0.35,
        0.45,
        0.30,
        450.0,
        0.0,
        (("Trade Show", 0.35), ("Conference", 0.35), ("Event", 0.2), ("events", 0.1)),
        ("Event", "events"),
    ),
    Channel(
        "referral",
        0.03,
        0.50,
        0.60,
        0.45,
        60.0,
        0.01,
        (
            ("Referral", 0.35),
            ("Customer Referral", 0.3),
            ("Word of Mouth", 0.2),
            ("Employee Referral", 0.15),
        ),
        ("Referral", "referral"),
    ),
    Channel(
        "partner",
        0.04,
        0.30,
        0.45,
        0.32,
        120.0,
        0.01,
        (("Partner", 0.4), ("Partners", 0.2), ("Partner Referral", 0.25), ("Reseller", 0.15)),
        ("Partner", "partners"),
    ),
    Channel(
        "outbound",
        0.04,
        0.18,
        0.35,
        0.22,
        40.0,
        0.0,
        (
            ("Outbound", 0.3),
            ("SDR Outbound", 0.3),
            ("Cold Call", 0.15),
            ("Cold Email", 0.15),
            ("Purchased List", 0.1),
        ),
        ("Outbound", "outbound"),
    ),
)
CH = {c.key: i for i, c in enumerate(CHANNELS)}
DIRECT_SHARE = 0.05  # persons created directly as contacts by sales
DIRECT_CHANNELS = {"outbound": 0.45, "events": 0.25, "partner": 0.15, "referral": 0.15}
OFFLINE_CHANNELS = ("events", "outbound")  # no web form at acquisition
TARGET_MQL1 = 0.22  # first-pass MQL rate (reopened leads add a few points on top)
TARGET_WIN = 0.27

# Opportunity type codes 0..3: new_business, upsell, cross_sell, renewal.
OPP_TYPE_SPELLINGS: tuple[tuple[tuple[str, float], ...], ...] = (
    (
        ("New Business", 0.55),
        ("New Logo", 0.15),
        ("New Customer", 0.1),
        ("New", 0.1),
        ("new_business", 0.1),
    ),
    (
        ("Upsell", 0.4),
        ("Up-sell", 0.15),
        ("Upgrade", 0.15),
        ("Expansion", 0.1),
        ("Existing Customer - Upgrade", 0.2),
    ),
    (
        ("Cross-Sell", 0.3),
        ("Add-On", 0.3),
        ("Cross Sell", 0.1),
        ("Existing Customer - Add-On", 0.2),
        ("Add On", 0.1),
    ),
    (("Renewal", 0.6), ("Existing Customer - Renewal", 0.3), ("Renewals", 0.1)),
)
NO_DECISION_REASONS = (
    ("No Decision", 0.35),
    ("Went Dark", 0.2),
    ("No Decision / Non-Responsive", 0.1),
    ("Status Quo", 0.1),
    ("No Budget", 0.1),
    ("Timing", 0.1),
    ("Unresponsive", 0.05),
)
LOST_REASONS = (
    ("Lost to Competitor", 0.35),
    ("Price", 0.2),
    ("Competitor", 0.1),
    ("Too Expensive", 0.1),
    ("Missing Features", 0.1),
    ("Product Fit", 0.08),
    ("Pricing", 0.05),
    ("Other", 0.02),
)
OPEN_OPP_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)

INDUSTRIES = (
    "Software",
    "Financial Services",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Logistics",
    "Media",
    "Professional Services",
    "Telecommunications",
)
INDUSTRY_ALIASES = {
    "Software": "SaaS",
    "Financial Services": "Finance",
    "Healthcare": "Health Care",
    "Manufacturing": "manufacturing",
    "Retail": "RETAIL",
    "Education": "EdTech",
    "Logistics": "Transportation & Logistics",
    "Media": "Media & Entertainment",
    "Professional Services": "Consulting",
    "Telecommunications": "Telecom",
}
# (name, weight, uses EUR, messy alias)
COUNTRIES = (
    ("United States", 0.42, False, "USA"),
    ("United Kingdom", 0.10, False, "UK"),
    ("Germany", 0.12, True, "Deutschland"),
    ("France", 0.07, True, "france"),
    ("Netherlands", 0.05, True, "NL"),
    ("Canada", 0.06, False, "CA"),
    ("Australia", 0.04, False, "AU"),
    ("Spain", 0.03, True, "España"),
    ("Ireland", 0.03, True, "IE"),
    ("Italy", 0.03, True, "Italia"),
    ("India", 0.02, False, "IN"),
)
TLDS = {
    "Germany": ".de",
    "France": ".fr",
    "Netherlands": ".nl",
    "United Kingdom": ".co.uk",
    "Spain": ".es",
    "Italy": ".it",
    "Ireland": ".ie",
    "Australia": ".com.au",
}
LEGAL = {
    "United States": ", Inc.",
    "Germany": " GmbH",
    "United Kingdom": " Ltd",
    "France": " SA",
    "Netherlands": " B.V.",
    "Canada": " Inc.",
}


def _words(text: str) -> tuple[str, ...]:
    """A whitespace-separated word list as a tuple (keeps long name lists compact)."""
    return tuple(text.split())


NAME_A = _words(
    """
    Blue Bright Silver North Red Clear Swift Green Iron Summit Stone River Cloud Star Pine Oak
    Maple Cedar Sun Moon Nova Apex Vertex Quantum Pixel Data Meta Hyper Blue Gold Crystal
    Harbor Lake Ocean Peak Ridge Rock Sky Storm Wind Fire Frost Light Bold True Prime Core Zen
    Echo Alpha Beta Delta Omega Atlas Titan Orion Vega Lumen Terra Aqua Urban Smart Rapid Next
    Open Wise Fair Good Great Grand High Deep Far Wide Early First Sharp Quick Kind Noble
    """
)
NAME_B = _words(
    """
    wave stone field bridge point path gate works line scape forge craft mark leaf view port
    wood brook ware ship vale mont haven spark flow shift loop grid labs hub nest tree well
    side stack base sight sense mind logic beam bay crest dale fort hill land moor peak rise
    run sail star tide track trail vista wing yard zone
    """
)
NAME_C = _words(
    """
    Logistics Analytics Health Systems Software Capital Foods Retail Media Energy Consulting
    Partners Technologies Labs Networks Solutions Insurance Bank Learning Robotics Pharma
    Motors Security Studio Telecom
    """
)
FIRST = _words(
    """
    james mary john patricia robert jennifer michael linda david elizabeth william barbara
    richard susan joseph jessica thomas sarah chris karen daniel lisa matthew nancy anthony
    betty mark sandra paul ashley steven emily andrew donna josh michelle kevin carol brian
    amanda george melissa tim deborah ronald stephanie jason rebecca ryan laura jacob sharon
    gary cynthia eric kathleen jonathan amy stephen angela larry anna justin ruth scott brenda
    brandon pamela ben nicole samuel katharina lukas sophie max lea felix marie jan julia
    lucas camille hugo chloe liam emma noah olivia arjun priya wei mei kenji yuki mateo sofia
    oliver isla
    """
)
LAST = _words(
    """
    smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez
    gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white
    harris sanchez clark ramirez lewis robinson walker young allen king wright scott torres
    nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts
    mueller schmidt schneider fischer weber meyer wagner becker schulz hoffmann dubois bernard
    moreau laurent simon michel lefebvre leroy devries jansen bakker visser smit murphy kelly
    byrne ryan rossi russo ferrari esposito bianchi patel sharma singh kumar wang li zhang
    chen tanaka suzuki sato okafor silva santos oliveira kowalski novak andersson nielsen
    """
)
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "icloud.com")
# (title, seniority 0..3)
TITLES = (
    ("Marketing Manager", 1),
    ("Senior Marketing Manager", 1),
    ("Director of Marketing", 2),
    ("VP Marketing", 3),
    ("CMO", 3),
    ("Head of Growth", 2),
    ("Marketing Operations Manager", 1),
    ("Demand Generation Manager", 1),
    ("Marketing Specialist", 0),
    ("Content Marketing Manager", 1),
    ("Revenue Operations Analyst", 0),
    ("VP Sales", 3),
    ("Sales Director", 2),
    ("CEO", 3),
    ("Founder & CEO", 3),
    ("Data Analyst", 0),
    ("Marketing Coordinator", 0),
    ("Growth Marketer", 0),
    ("Director, Demand Generation", 2),
)
TITLE_WEIGHTS = (9, 6, 7, 4, 2, 4, 6, 7, 8, 6, 4, 3, 4, 2, 2, 5, 6, 5, 3)
SEASON = (0.95, 1.0, 1.1, 1.05, 1.0, 0.95, 0.85, 0.75, 1.05, 1.15, 1.1, 0.8)

SITE = "https://www.lifecyclehq.example"
PAGES = (
    ("/", 0.28),
    ("/product", 0.16),
    ("/pricing", 0.08),
    ("/customers", 0.07),
    ("/integrations", 0.07),
    ("/blog/lifecycle-marketing-basics", 0.12),
    ("/blog/attribution-101", 0.1),
    ("/about", 0.05),
    ("/careers", 0.03),
    ("/demo", 0.04),
)
# (asset_id, asset_name, popularity, downloadable)
ASSETS = (
    ("AST001", "Ebook: The B2B Lifecycle Playbook", 0.2, True),
    ("AST002", "Whitepaper: Attribution Models Explained", 0.1, True),
    ("AST003", "Case Study: Northwind Logistics", 0.08, True),
    ("AST004", "Case Study: Contoso Health", 0.05, True),
    ("AST005", "Video: Product Tour", 0.14, False),
    ("AST006", "Guide: Lead Scoring 101", 0.1, True),
    ("AST007", "Report: State of B2B Marketing 2024", 0.07, True),
    ("AST008", "Report: State of B2B Marketing 2025", 0.07, True),
    ("AST009", "Checklist: Email Nurture Best Practices", 0.06, True),
    ("AST010", "Template: Marketing Budget Planner", 0.06, True),
    ("AST011", 'Blog: "Why MQLs still matter, and when they don\'t"', 0.04, False),
    ("AST012", "Infographic: Funnel Benchmarks", 0.03, True),
)
# (asset_id, CTA name, share of form submits, target conversion rate, page)
CTAS = (
    ("CTA01", "Request a Demo", 0.25, 0.22, "/demo"),
    ("CTA02", "Start Free Trial", 0.15, 0.15, "/pricing"),
    ("CTA03", "Download the Playbook", 0.30, 0.40, "/resources/b2b-lifecycle-playbook"),
    ("CTA04", "Subscribe to Newsletter", 0.20, 0.45, "/blog"),
    ("CTA05", "Pricing Calculator", 0.05, 0.08, "/pricing"),
    ("CTA06", "Talk to Sales", 0.05, 0.06, "/contact"),
)
WEB_TYPES = (
    "page_view",
    "content_view",
    "content_download",
    "content_share",
    "cta_view",
    "form_submit",
    "webinar_registration",
    "webinar_attendance",
)
EMAIL_TYPES = ("sent", "delivered", "open", "click", "bounce", "unsubscribe", "spam_report")
# (reason, delta)
SCORE_REASONS = (
    ("Form Submit", 10),
    ("Job Title Match", 15),
    ("Email Open", 1),
    ("Page View", 2),
    ("Email Click", 5),
    ("Content Download", 8),
    ("Webinar Attended", 15),
    ("Pricing Page Visit", 15),
    ("Demo Request", 25),
    ("Inactivity Decay", -5),
)
SR = {r: i for i, (r, _) in enumerate(SCORE_REASONS)}
SALES_LEAD_TYPES = (
    ("Call", 0.35),
    ("Email", 0.3),
    ("Left Voicemail", 0.15),
    ("LinkedIn Message", 0.1),
    ("call", 0.05),
    ("Email Sent", 0.05),
)
SALES_OPP_TYPES = (
    ("Meeting", 0.3),
    ("Demo", 0.2),
    ("Call", 0.25),
    ("Email", 0.15),
    ("Proposal Sent", 0.05),
    ("Meeting - Discovery", 0.05),
)
PRODUCTS = ("Platform Starter", "Platform Pro", "Platform Enterprise")
ADDONS = ("Analytics Add-on", "Data Connectors Pack", "Premium Support")
NPS_COMMENTS = (
    (  # detractors
        "Too expensive for what we actually use.",
        'Onboarding was "painful", and support took days to answer.',
        "Reports are slow, we export everything to Excel anyway.",
        "Missing the integrations we were promised.",
        "Lots of bugs after the last release",
    ),
    (  # passives
        "Good overall, but reporting could be faster.",
        "Does the job. Pricing is a bit high.",
        "Solid product, documentation needs work.",
        "OK, the new dashboards are nice",
    ),
    (  # promoters
        "Great product, the dashboards save us hours every week.",
        "Support team is fantastic!",
        "Easy to use, and our sales team finally trusts the numbers.",
        "Best tool we bought this year",
        "Love the lifecycle reports, keep going",
    ),
)
NPS_BASE = np.array([0.01, 0.01, 0.015, 0.02, 0.025, 0.05, 0.08, 0.13, 0.17, 0.22, 0.28])


# --------------------------------------------------------------------------------------
# Contract, formatting and writing helpers
# --------------------------------------------------------------------------------------


def contract_columns(repo_root: Path = REPO_ROOT) -> dict[str, list[str]]:
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


# --------------------------------------------------------------------------------------
# World model
# --------------------------------------------------------------------------------------


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

            Console(stderr=True).log(f"[{time.perf_counter() - self.t0:6.1f}s] {message}")


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


# --------------------------------------------------------------------------------------
# fx rates and campaigns
# --------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------
# Accounts and persons
# --------------------------------------------------------------------------------------


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

    p = _lifecycle(rng, n, channel, direct, fit, t_create)
    src = _spelling_table(rng, channel, "crm")
    attended = (wday >= 0) & (rng.random(n) < 0.6) & (wday * float(DAY) + 16 * 3600 <= T_END)
    is_email = channel == CH["email"]
    nl_optin = ~direct & ((rng.random(n) < 0.4) | is_email | ~np.isnan(p["t_sub"]))
    welcome = ~direct & (rng.random(n) < 0.85)
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


def _lifecycle(
    rng: np.random.Generator, n: int, channel: I64, direct: B, fit: F, t_create: F
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

    p_mql = np.clip(mql_base * fit * TARGET_MQL1 / np.mean(mql_base * fit), 0, 0.95)
    mql1 = rng.random(n) < p_mql
    t_mql1 = np.where(mql1, t_lead + _lognormal_days(rng, n, 21, 0.7), nan)
    p_sql = np.clip(sql_base * np.sqrt(fit), 0, 0.95)
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
    has_opp = ~np.isnan(t_sql) & (rng.random(n) < 0.88)
    at_conv = has_opp & ~direct & (rng.random(n) < 0.55)
    opp_lag = np.where(at_conv, rng.uniform(60, 900, n), rng.uniform(1, 10, n) * DAY)
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


# --------------------------------------------------------------------------------------
# Accounts over time: opportunities, subscriptions, churn
# --------------------------------------------------------------------------------------


@dataclass
class _Opp:
    t_open: float
    account: int
    person: int  # contact person index
    otype: int  # 0 new_business, 1 upsell, 2 cross_sell, 3 renewal
    amount: float  # in currency
    currency: str
    t_close: float | None  # None = still open
    won: bool
    nodec: bool
    campaign: int
    channel: int
    owner: int
    from_person: bool
    deleted: bool = False
    id: str = ""


@dataclass
class _Sub:
    account: int
    product: str
    start: int
    end: int | None
    mrr: float
    currency: str


@dataclass
class _AccountResult:
    opps: list[_Opp] = field(default_factory=list)
    subs: list[_Sub] = field(default_factory=list)
    periods: dict[int, list[list[int | None]]] = field(default_factory=dict)  # [start, end]
    churn_flag: dict[int, bool] = field(default_factory=dict)
    extra_customer: list[tuple[int, float]] = field(default_factory=list)  # person, time
    buyer: dict[int, int] = field(default_factory=dict)


class _AccountSim:
    """Event-driven simulation of one account's deals and subscriptions."""

    def __init__(
        self,
        rng: np.random.Generator,
        accs: _Accounts,
        fx: _Fx,
        camps: list[_Campaign],
        res: _AccountResult,
    ) -> None:
        self.rng, self.accs, self.fx, self.res = rng, accs, fx, res
        self.ups_campaign = next(i for i, c in enumerate(camps) if c.program == "UPS")

    def run(
        self, account: int, popps: list[tuple[float, int, float, bool, bool, int, int, int]]
    ) -> None:
        self.a = account
        self.ccy = self.accs.currency[account]
        self.seg = int(self.accs.segment[account])
        self.active: list[_Sub] = []
        self.gen = 0
        self.heap: list[tuple[float, int, str, tuple]] = []
        self.seq = 0
        for po in popps:
            self._push(po[0], "create", po)
        while self.heap:
            t, _, kind, data = heapq.heappop(self.heap)
            getattr(self, f"_on_{kind}")(t, data)

    # -- helpers -----------------------------------------------------------------------
    def _push(self, t: float, kind: str, data: tuple) -> None:
        if t <= T_END:
            self.seq += 1
            heapq.heappush(self.heap, (t, self.seq, kind, data))

    def _local(self, usd: float, t: float) -> float:
        return usd / self.fx.usd_per(self.ccy, int(t // DAY))

    def _acv(self, t: float) -> float:
        median = (9_000, 30_000, 110_000)[self.seg]
        usd = float(np.exp(self.rng.normal(np.log(median), 0.45)))
        return round(self._local(usd, t), -2) or 100.0

    def _arr(self) -> float:
        return 12.0 * sum(s.mrr for s in self.active)

    def _new_opp(
        self,
        t: float,
        otype: int,
        amount: float,
        t_close: float,
        won: bool,
        nodec: bool,
        person: int,
        campaign: int,
        channel: int,
        owner: int,
        from_person: bool,
    ) -> _Opp:
        opp = _Opp(
            t,
            self.a,
            person,
            otype,
            round(max(amount, 100.0), 2),
            self.ccy,
            t_close if t_close <= T_END else None,
            won and t_close <= T_END,
            nodec and t_close <= T_END,
            campaign,
            channel,
            owner,
            from_person,
        )
        self.res.opps.append(opp)
        if opp.t_close is not None:
            self._push(t_close, "close", (opp, self.gen))
        return opp

    def _start_sub(self, day: int, product: str, mrr: float) -> _Sub:
        sub = _Sub(self.a, product, day, None, round(mrr, 2), self.ccy)
        self.res.subs.append(sub)
        self.active.append(sub)
        return sub

    def _replace_main(self, day: int, delta: float, product: str | None = None) -> None:
        main = self.active[0]
        new_mrr = max(main.mrr + delta, 10.0)
        if main.start >= day:
            main.mrr = round(new_mrr, 2)
            main.product = product or main.product
            return
        main.end = day
        self.active.remove(main)
        sub = _Sub(self.a, product or main.product, day, None, round(new_mrr, 2), self.ccy)
        self.res.subs.append(sub)
        self.active.insert(0, sub)

    def _end_all(self, day: int) -> None:
        for s in self.active:
            s.end = max(day, s.start + 1)
        self.active = []
        self.res.periods[self.a][-1][1] = day
        self.res.churn_flag[self.a] = True
        if self.rng.random() < 0.15:  # reactivation later
            t = (day + self.rng.uniform(60, 240)) * DAY + 14 * 3600.0
            self._push(t, "reactivate", (self.gen,))

    # -- events ------------------------------------------------------------------------
    def _on_create(self, t: float, po: tuple) -> None:
        _, person, t_close, won, nodec, campaign, channel, owner = po
        if self.active:
            otype = 1 if self.rng.random() < 0.55 else 2
            frac = self.rng.uniform(0.2, 0.5) if otype == 1 else self.rng.uniform(0.15, 0.4)
            amount = self._arr() * frac
        else:
            otype, amount = 0, self._acv(t)
        self._new_opp(t, otype, amount, t_close, won, nodec, person, campaign, channel, owner, True)

    def _on_close(self, t: float, data: tuple) -> None:
        opp, gen = data
        day = int(t // DAY)
        if not opp.won:
            if opp.otype == 3 and self.active and gen == self.gen:
                self._end_all(day)
            return
        self.res.buyer.setdefault(self.a, opp.person)
        if not self.active:
            self._start_period(t, opp)
        elif opp.otype == 2:
            self._start_sub(day, ADDONS[int(self.rng.integers(len(ADDONS)))], opp.amount / 12)
        elif opp.otype == 3:
            if self.rng.random() < 0.5:
                self._replace_main(day, self.active[0].mrr * self.rng.uniform(0.02, 0.06))
        else:
            tier = (
                PRODUCTS[min(2, PRODUCTS.index(self.active[0].product) + 1)]
                if self.active[0].product in PRODUCTS and self.rng.random() < 0.3
                else None
            )
            self._replace_main(day, opp.amount / 12, tier)

    def _start_period(self, t: float, opp: _Opp) -> None:
        day = int(t // DAY)
        if self.rng.random() < 0.3:
            nxt = int(MONTH_STARTS[np.searchsorted(MONTH_STARTS, day, side="right")])
            day = nxt if nxt < N_DAYS else day
        self.gen += 1
        self._start_sub(day, PRODUCTS[self.seg], opp.amount / 12)
        self.res.periods.setdefault(self.a, []).append([day, None])
        if not opp.from_person:
            self.res.extra_customer.append((opp.person, t))
        hazard = (0.03, 0.02, 0.012)[self.seg]
        months = int(self.rng.geometric(hazard))
        churn = day + round(months * 30.44)
        if self.rng.random() < 0.5:
            snapped = int(MONTH_STARTS[np.searchsorted(MONTH_STARTS, churn, side="right") - 1])
            churn = snapped if snapped > day else churn
        self._push(churn * float(DAY), "churn", (self.gen,))
        for k in (1, 2):
            self._push((day + 365 * k - 45) * float(DAY) + 10 * 3600, "renew", (self.gen, k))
        self._push(t + self.rng.exponential(240) * DAY, "expand", (self.gen,))
        self._push(t + self.rng.exponential(900) * DAY, "contract", (self.gen,))

    def _current(self, gen: int) -> bool:
        return bool(self.active) and gen == self.gen

    def _on_churn(self, t: float, data: tuple) -> None:
        if self._current(data[0]):
            self._end_all(int(t // DAY))

    def _on_renew(self, t: float, data: tuple) -> None:
        if not self._current(data[0]):
            return
        buyer = self.res.buyer.get(self.a, -1)
        won = self.rng.random() < 0.88
        nodec = not won and self.rng.random() < 0.5
        self._new_opp(
            t, 3, self._arr(), t + 45 * DAY + 2 * 3600, won, nodec, buyer, -1, -1, -1, False
        )

    def _on_expand(self, t: float, data: tuple) -> None:
        if not self._current(data[0]):
            return
        otype = 1 if self.rng.random() < 0.6 else 2
        amount = self._arr() * self.rng.uniform(0.15, 0.45)
        won = self.rng.random() < 0.55
        nodec = not won and self.rng.random() < 0.45
        camp = self.ups_campaign if self.rng.random() < 0.5 else -1
        lag = float(np.clip(20 + self.rng.gamma(2.0, 15.0), 20, 120)) * DAY
        self._new_opp(
            t,
            otype,
            amount,
            t + lag,
            won,
            nodec,
            self.res.buyer.get(self.a, -1),
            camp,
            -1,
            -1,
            False,
        )
        self._push(t + self.rng.exponential(240) * DAY, "expand", data)

    def _on_contract(self, t: float, data: tuple) -> None:
        if self._current(data[0]):
            main = self.active[0]
            self._replace_main(int(t // DAY), -main.mrr * self.rng.uniform(0.1, 0.3))

    def _on_reactivate(self, t: float, data: tuple) -> None:
        if self.active or data[0] != self.gen:
            return
        won = self.rng.random() < 0.7
        lag = float(np.clip(30 + self.rng.gamma(2.0, 15.0), 30, 120)) * DAY
        self._new_opp(
            t,
            0,
            self._acv(t),
            t + lag,
            won,
            not won,
            self.res.buyer.get(self.a, -1),
            -1,
            -1,
            -1,
            False,
        )


def _simulate_accounts(
    ctx: _Ctx, p: _Persons, accs: _Accounts, fx: _Fx, camps: list[_Campaign]
) -> _AccountResult:
    rng = ctx.rng(6)
    res = _AccountResult()
    has_opp = np.nonzero(~np.isnan(p.t_opp))[0]
    order = has_opp[np.lexsort((p.t_opp[has_opp], p.account[has_opp]))]
    camp = np.where(rng.random(p.n) < 0.85, p.campaign, -1)
    sim = _AccountSim(rng, accs, fx, camps, res)
    acc_of = p.account[order]
    bounds = np.flatnonzero(np.diff(acc_of)) + 1
    for group in np.split(order, bounds):
        if not group.size:
            continue
        popps = [
            (
                float(p.t_opp[i]),
                int(i),
                float(p.t_close_raw[i]),
                bool(p.won[i]),
                bool(p.nodec[i]),
                int(camp[i]),
                int(p.channel[i]),
                int(p.ae[i]),
            )
            for i in group
        ]
        sim.run(int(p.account[group[0]]), popps)
    # buyer-less account opps (renewals etc. always have a buyer; guard anyway)
    res.opps = [o for o in res.opps if o.person >= 0]
    n_dup = max(2, len(res.opps) // 200)
    for k in rng.choice(len(res.opps), size=min(n_dup, len(res.opps)), replace=False).tolist():
        src = res.opps[k]
        dup = _Opp(
            **{
                **src.__dict__,
                "t_open": src.t_open + rng.uniform(60, 3600),
                "deleted": True,
                "from_person": False,
            }
        )
        if dup.t_open <= T_END and (dup.t_close is None or dup.t_close >= dup.t_open):
            res.opps.append(dup)
    res.opps.sort(key=lambda o: o.t_open)
    ids = ctx.fmt.ids("OPP", 1, len(res.opps), 6)
    for o, oid in zip(res.opps, ids, strict=True):
        o.id = oid
    return res


def _customer_windows(p: _Persons, accs: _Accounts, res: _AccountResult) -> None:
    """Per person: first customer period of their account (for contacts) and buyers."""
    acc_start = np.full(accs.n, np.nan)
    acc_end = np.full(accs.n, np.nan)
    for a, periods in res.periods.items():
        s, e = periods[0]
        acc_start[a] = s * float(DAY) + 9 * 3600
        acc_end[a] = (e * float(DAY)) if e is not None else np.nan
    is_contact = p.contact_pos >= 0
    created = np.full(p.n, np.nan)
    created[p.contact_person] = p.contact_created
    start = np.fmax(acc_start[p.account], created)
    p.cust_start = np.where(is_contact, start, np.nan)
    end = _nan_to(acc_end[p.account], float(T_END))
    p.cust_end = np.where(is_contact & (end > start), end, np.nan)
    p.cust_start = np.where(np.isnan(p.cust_end), np.nan, p.cust_start)
    p.buyer = np.zeros(p.n, dtype=bool)
    p.buyer[list(res.buyer.values())] = True


# --------------------------------------------------------------------------------------
# CRM files
# --------------------------------------------------------------------------------------


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


def _record_of(p: _Persons, person: I64, t: F) -> tuple[I64, B]:
    """Record index into lead_ids + contact_ids for a person at a time, and is-contact."""
    contact = p.direct[person] | (
        ~np.isnan(p.t_conv[person]) & (t >= _nan_to(p.t_conv[person], np.inf))
    )
    rec = np.where(contact, len(p.lead_ids) + p.contact_pos[person], p.lead_pos[person])
    return rec, contact


def _write_sales_activities(ctx: _Ctx, p: _Persons, res: _AccountResult) -> None:
    rng = ctx.rng(17)
    persons, times, kinds, opp_ref, owners = [], [], [], [], []
    for arr in (p.t_mql1, p.t_mql2):
        idx = np.nonzero(~np.isnan(arr))[0]
        k = 1 + rng.poisson(1.2, idx.size)
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
    k = 2 + rng.poisson(2.5, len(live)) + 2 * np.array([o.won for o in live], dtype=np.int64)
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
        mask = ~np.isnan(start) & (start <= T_END) & ~p.direct
        if key == "WEL":
            mask &= p.welcome
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


# --------------------------------------------------------------------------------------
# Marketing-automation event files (streamed in chunks of persons)
# --------------------------------------------------------------------------------------


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
    lead_ok = ~p.direct[sl] & ~np.isnan(t_lead)
    cust_start = _nan_to(p.cust_start[sl], np.inf)
    # Welcome series
    wel = np.where(p.welcome[sl], t_create + 600, np.inf)
    offsets = np.array([0, 3, 7, 14, 21]) * float(DAY)
    add_block("WEL", wel[:, None] + offsets[None, :], wel, inf)
    # Product education: leads that did not qualify within 30 days
    start = np.where(lead_ok, t_lead + 30 * DAY, np.inf)
    stop = np.fmin(
        np.fmin(_nan_to(p.t_mql1[sl], np.inf), _nan_to(p.t_rec1[sl], np.inf)),
        np.fmin(_nan_to(p.t_dq[sl], np.inf), cust_start),
    )
    add_block("EDU", start[:, None] + np.arange(6)[None, :] * 10.0 * DAY, start, stop)
    # Re-engagement: recycled leads until reopened
    start = _nan_to(p.t_rec1[sl], np.inf) + 2 * DAY
    stop = np.fmin(_nan_to(p.t_reopen[sl], np.inf), cust_start)
    add_block("REN", start[:, None] + np.arange(6)[None, :] * 14.0 * DAY, start, stop)
    # Monthly newsletter for opted-in prospects
    start = np.where(p.nl_optin[sl], t_create, np.inf)
    add_block("NL", np.broadcast_to(st.nl_times, (m, N_MONTHS)), start, cust_start)
    # Customer programs
    cs, ce = p.cust_start[sl], _nan_to(p.cust_end[sl], np.inf)
    has_c = ~np.isnan(cs)
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


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


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
