"""The world's fixed vocabulary: timeline, lifecycle stages and acquisition channels with
their CRM spellings, deal types and reasons, firmographics, names and titles, web pages and
assets, email and score terms, products and NPS comments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

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
# Planted effects. Leads enrolled in the automated prospect (nurture) programs get an
# opportunity NURTURE_OPP_LIFT times as often as the other leads, and their won deals are
# NURTURE_DEAL_LIFT times as large on average: both calibrated on the world drawn, so they show at
# any scale; the MQL rate and the bookings of all persons stay as they were. Referral leads are
# worth about 5x the bookings per lead of the other sources through the referral channel's
# propensities above; customers have about ten touches before their first won deal (crm_files:
# few sales activities).
NURTURE_SHARE = 0.85  # of marketing-sourced persons (sales-created contacts are never enrolled)
NURTURE_OPP_LIFT = 1.20
NURTURE_DEAL_LIFT = 1.47

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
