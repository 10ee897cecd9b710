"""`lifecycle report --html FILE`: the report as one self-contained HTML page.

The page loads nothing: its style is inline and its charts are inline SVG drawn here (no script, no
font, no CDN), so it opens offline, from a mail attachment or a file share. It shows the monthly KPI
table (report.HEADLINES over the last complete months, formatted as the terminal report), a funnel
of the lead cohorts of those months, one trend chart per headline grouped by stage, the channel
and NPS breakdowns of the last complete month, bookings by channel under each attribution model over the
report's months, and the nurture lift. Every value from the warehouse is escaped.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from html import escape
from pathlib import Path
from typing import Any

from .errors import LifecycleError
from .report import (
    ATTRIBUTION_MODELS, HEADLINES, _format, attribution_bookings, complete_months, fetch, nurture_lift, nurture_rows,
)

MONTHS = 12  # months in the table and the trend charts
FUNNEL = (  # funnel_cohorts columns, in stage order
    ("leads", "leads"), ("reached_mql_to_date", "MQL"), ("reached_sql_to_date", "SQL"),
    ("reached_opportunity_to_date", "opportunity"), ("reached_customer_to_date", "customer"),
)
SEGMENTS = ("industry", "size_band", "survey")  # nps_by_segment.segment_type

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; color: #222; margin: 2em auto; max-width: 1240px; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #666; margin-top: .2em; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { padding: .25em .5em; border-bottom: 1px solid #eee; text-align: right; white-space: nowrap; }
th:nth-child(-n+2), td.metric { text-align: left; } td.stage { font-weight: 600; text-align: left; }
#attribution th:nth-child(2), #nurture-lift th:nth-child(2) { text-align: right; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .2em; }
svg text { font: 11px system-ui, sans-serif; fill: #444; }
.bar { fill: #4e79a7; } .bar.negative { fill: #e15759; } .line { fill: none; stroke: #4e79a7; stroke-width: 2; }
.dot { fill: #4e79a7; } .axis { stroke: #999; }
"""


def _month(value: Any) -> date:
    return value if type(value) is date else date.fromisoformat(str(value)[:10])


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _in_list(months: list[date]) -> str:
    return ", ".join(f"'{m.isoformat()}'" for m in months)


def hbars(rows: list[tuple[str, float | None, str]], width: int = 520) -> str:
    """A horizontal bar chart as inline SVG: one (label, value, value as text) per bar; negative values
    grow left of a zero line; a missing value draws no bar."""
    label_w, text_w, bar_h, gap = 150, 130, 18, 6
    area = width - label_w - text_w
    values = [v for _, v, _ in rows if v is not None]
    low, high = min([0.0, *values]), max([0.0, *values])
    scale = area / (high - low) if high > low else 0.0
    zero = label_w + (-low) * scale
    height = len(rows) * (bar_h + gap) + gap
    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">']
    for i, (label, value, text) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        if value is not None:
            x, w = (zero, value * scale) if value >= 0 else (zero + value * scale, -value * scale)
            kind = "bar negative" if value < 0 else "bar"
            parts.append(f'<rect class="{kind}" x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{bar_h}">'
                         f'<title>{escape(label)}: {escape(text)}</title></rect>')
        parts.append(f'<text x="{width - text_w + 6}" y="{y + 13}">{escape(text)}</text>')
    parts.append(f'<line class="axis" x1="{zero:.1f}" x2="{zero:.1f}" y1="0" y2="{height}"/></svg>')
    return "".join(parts)


def trend(points: list[tuple[date, float | None]], kind: str, width: int = 340, height: int = 140) -> str:
    """A line chart as inline SVG over months; the first and last month and the lowest and highest
    value are labelled; a missing value breaks the line."""
    left, right, top, bottom = 58, 10, 10, 22
    values = [v for _, v in points if v is not None]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    span = (high - low) or 1.0
    step = (width - left - right) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return top + (high - v) / span * (height - top - bottom)

    parts = [f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}"/>',
             f'<line class="axis" x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}"/>']
    for v in {low, high}:
        parts.append(f'<text x="{left - 4}" y="{y(v) + 4:.1f}" text-anchor="end">{escape(_format(v, kind))}</text>')
    segments: list[list[str]] = [[]]
    for i, (month, value) in enumerate(points):
        if value is None:
            segments.append([])
            continue
        x = left + i * step
        segments[-1].append(f"{x:.1f},{y(value):.1f}")
        parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y(value):.1f}" r="2.5">'
                     f'<title>{month:%Y-%m}: {escape(_format(value, kind))}</title></circle>')
    parts.extend(f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments if len(s) > 1)
    if points:
        parts.append(f'<text x="{left}" y="{height - 6}">{points[0][0]:%Y-%m}</text>')
        parts.append(f'<text x="{width - right}" y="{height - 6}" text-anchor="end">{points[-1][0]:%Y-%m}</text>')
    parts.append("</svg>")
    return "".join(parts)


def headline_values(settings: dict[str, Any], months: list[date]) -> dict[tuple[str, str], dict[date, Any]]:
    """{(mart, column): {month: value}} for every headline."""
    values: dict[tuple[str, str], dict[date, Any]] = {}
    for mart in dict.fromkeys(h[1] for h in HEADLINES):
        columns = [h[2] for h in HEADLINES if h[1] == mart]
        for row in fetch(settings, f"select report_month, {', '.join(columns)} from marts.{mart} "
                                   f"where report_month in ({_in_list(months)})"):
            for column, value in zip(columns, row[1:]):
                values.setdefault((mart, column), {})[_month(row[0])] = value
    return values


def _kpi_table(values: dict[tuple[str, str], dict[date, Any]], months: list[date], currency: str) -> str:
    head = "".join(f"<th>{m:%Y-%m}</th>" for m in months)
    rows, previous = [], None
    for stage, mart, column, label, kind in HEADLINES:
        if kind == "money" and currency:
            label = f"{label} ({currency})"
        cells = "".join(f"<td>{escape(_format(values.get((mart, column), {}).get(m), kind))}</td>" for m in months)
        rows.append(f'<tr data-metric="{escape(column)}"><td class="stage">{escape(stage) if stage != previous else ""}'
                    f'</td><td class="metric">{escape(label)}</td>{cells}</tr>')
        previous = stage
    return (f'<table id="kpis"><thead><tr><th>stage</th><th>metric</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _funnel(settings: dict[str, Any], months: list[date]) -> str:
    sums = fetch(settings, f"select {', '.join(f'sum({c})' for c, _ in FUNNEL)} from marts.funnel_cohorts "
                           f"where cohort_month in ({_in_list(months)})")[0]
    leads = _number(sums[0]) or 0.0
    rows = []
    for (_, label), value in zip(FUNNEL, sums):
        count = _number(value) or 0.0
        share = f" ({_format(count / leads, 'rate')})" if leads else ""
        rows.append((label, count, _format(count, "count") + share))
    return (f"<figure><figcaption>Lead cohorts {months[0]:%Y-%m} to {months[-1]:%Y-%m}: persons reaching each "
            f"stage to date (share of leads)</figcaption>{hbars(rows, width=640)}</figure>")


def _trends(values: dict[tuple[str, str], dict[date, Any]], months: list[date], currency: str) -> str:
    sections = []
    for stage in dict.fromkeys(h[0] for h in HEADLINES):
        figures = []
        for _, mart, column, label, kind in (h for h in HEADLINES if h[0] == stage):
            if kind == "money" and currency:
                label = f"{label} ({currency})"
            points = [(m, _number(values.get((mart, column), {}).get(m))) for m in months]
            figures.append(f"<figure><figcaption>{escape(label)}</figcaption>{trend(points, kind)}</figure>")
        sections.append(f'<h3>{escape(stage)}</h3><div class="charts">{"".join(figures)}</div>')
    return "".join(sections)


def _channels(settings: dict[str, Any], month: date, currency: str) -> str:
    rows = fetch(settings, "select channel, marketing_cost, bookings, channel_roi from marts.channel_performance "
                           f"where report_month = '{month.isoformat()}' order by marketing_cost desc, channel")
    cost = [(str(c), _number(m), _format(m, "money")) for c, m, _, _ in rows]
    roi = [(str(c), _number(r), _format(r, "rate")) for c, _, _, r in rows]
    unit = f" ({escape(currency)})" if currency else ""
    return (f'<div class="charts"><figure><figcaption>marketing cost{unit}</figcaption>{hbars(cost)}</figure>'
            f"<figure><figcaption>channel ROI ((bookings − cost) / cost; – without cost)</figcaption>"
            f"{hbars(roi)}</figure></div>")


def _nps(settings: dict[str, Any], month: date) -> str:
    rows = fetch(settings, "select segment_type, segment_value, nps, responses from marts.nps_by_segment "
                           f"where report_month = '{month.isoformat()}' order by segment_type, segment_value")
    figures = []
    for segment in SEGMENTS:
        bars = [(str(value), _number(nps), f"{_format(nps, 'nps')} (n={_format(n, 'count')})")
                for kind, value, nps, n in rows if kind == segment]
        if bars:
            figures.append(f"<figure><figcaption>by {escape(segment.replace('_', ' '))}</figcaption>"
                           f"{hbars(bars)}</figure>")
    return f'<div class="charts">{"".join(figures)}</div>' if figures else "<p>no NPS responses this month</p>"


def _attribution(settings: dict[str, Any], months: list[date], currency: str) -> str:
    head = "".join(f"<th>{escape(m.replace('_', ' '))}</th>" for m in ATTRIBUTION_MODELS)
    rows = "".join(
        f'<tr data-channel="{escape(channel)}"><td class="metric">{escape(channel)}</td>'
        + "".join(f"<td>{escape(_format(models.get(m), 'money'))}</td>" for m in ATTRIBUTION_MODELS) + "</tr>"
        for channel, models in attribution_bookings(settings, months).items())
    unit = f" ({escape(currency)})" if currency else ""
    return (f"<p>Bookings{unit} of the deals closed in these months credited to each channel by each attribution "
            f"model (attribution_monthly).</p><table id=\"attribution\"><thead><tr><th>channel</th>{head}</tr>"
            f"</thead><tbody>{rows}</tbody></table>")


def _nurture(settings: dict[str, Any], currency: str) -> str:
    lift = nurture_lift(settings)
    if lift is None:
        return "<p>This warehouse has no mart nurture_lift yet (<code>lifecycle build</code> makes it).</p>"
    rows = "".join(f'<tr><td class="metric">{escape(label)}</td><td>{escape(yes)}</td><td>{escape(no)}</td>'
                   f"<td>{escape(ratio)}</td></tr>" for label, yes, no, ratio in nurture_rows(lift, currency))
    return ("<p>Leads of all cohorts to date, nurtured (an email of an automated prospect program before their "
            "first opportunity) or not (nurture_lift); lift = nurtured / not nurtured − 1.</p>"
            '<table id="nurture-lift"><thead><tr><th>metric</th><th>nurtured</th><th>not nurtured</th>'
            f"<th>lift</th></tr></thead><tbody>{rows}</tbody></table>")


def render(settings: dict[str, Any], currency: str = "", today: date | None = None) -> str:
    """The report page as HTML text."""
    months = complete_months(settings, today=today, count=MONTHS)
    if not months:
        raise LifecycleError("no complete month of data to report yet: no HTML report written")
    values = headline_values(settings, months)
    last = months[-1]
    generated = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lifecycle report {last:%Y-%m}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>
<body><h1>Lifecycle report</h1>
<p class="meta">{months[0]:%Y-%m} to {last:%Y-%m}, last complete months · target {escape(str(settings["name"]))}
· generated {generated}</p>
<h2>Monthly KPIs</h2>{_kpi_table(values, months, currency)}
<h2>Funnel</h2>{_funnel(settings, months)}
<h2>Trends by stage</h2>{_trends(values, months, currency)}
<h2>Channels, {last:%Y-%m}</h2>{_channels(settings, last, currency)}
<h2>NPS by segment, {last:%Y-%m}</h2>{_nps(settings, last)}
<h2>Attribution, {months[0]:%Y-%m} to {last:%Y-%m}</h2>{_attribution(settings, months, currency)}
<h2>Nurture lift</h2>{_nurture(settings, currency)}
</body></html>
"""


def write_report(settings: dict[str, Any], path: Path, currency: str = "", today: date | None = None) -> Path:
    """Write the report page to `path` (its folder is created); returns the path."""
    page = render(settings, currency, today)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise LifecycleError(f"cannot write the HTML report to {path}: {exc.strerror or exc}") from None
    return path
