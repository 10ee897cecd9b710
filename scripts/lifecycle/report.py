"""`lifecycle report`: the headline KPIs of the last complete months, one column per month; bookings by channel
under each attribution model; the nurture lift."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.table import Table

from .targets import fetch, tables_in

# (stage, mart, column, label, format)
HEADLINES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Attract", "attract_monthly", "unique_visitors", "unique visitors", "count"),
    ("Attract", "attract_monthly", "content_consumers", "content consumers", "count"),
    ("Capture", "capture_monthly", "new_known_persons", "new known persons", "count"),
    ("Capture", "capture_monthly", "known_visitor_rate", "known visitor rate", "rate"),
    ("Nurture", "nurture_monthly", "new_leads", "new leads", "count"),
    ("Nurture", "nurture_monthly", "open_rate", "email open rate", "rate"),
    ("Nurture", "nurture_monthly", "click_rate", "email click rate", "rate"),
    ("Nurture", "nurture_monthly", "mqls", "MQLs", "count"),
    ("Nurture", "nurture_monthly", "cost_per_mql", "cost per MQL", "money"),
    ("Convert", "convert_monthly", "sqls", "SQLs", "count"),
    ("Convert", "convert_monthly", "new_customers", "new customers", "count"),
    ("Convert", "convert_monthly", "cost_per_new_customer", "cost per new customer", "money"),
    ("Convert", "convert_monthly", "win_rate", "win rate", "rate"),
    ("Convert", "convert_monthly", "bookings", "bookings", "money"),
    ("Expand", "expand_monthly", "churn_rate", "churn rate", "rate"),
    ("Expand", "expand_monthly", "upsell_share", "upsell share", "rate"),
    ("Expand", "expand_monthly", "nps", "NPS", "nps"),
)


def _format(value: Any, kind: str) -> str:
    if value is None:
        return "–"
    number = float(value)
    return {
        "count": f"{number:,.0f}",
        "rate": f"{number:.1%}",
        "money": f"{number:,.0f}",
        "nps": f"{number:+.0f}",
    }[kind]


def complete_months(settings: dict[str, Any], today: date | None = None, count: int = 3) -> list[date]:
    """The last `count` months of data that ended before the current month."""
    today = today or date.today()
    current = date(today.year, today.month, 1)
    months = [m for (m,) in fetch(settings, "select report_month from marts.lifecycle_kpis_monthly")]
    months = sorted({m if isinstance(m, date) else date.fromisoformat(str(m)[:10]) for m in months})
    return [m for m in months if m < current][-count:]


def kpi_table(settings: dict[str, Any], months: list[date], currency: str = "") -> Table:
    table = Table(title="Lifecycle KPIs, last complete months", title_justify="left")
    table.add_column("stage")
    table.add_column("metric")
    for month in months:
        table.add_column(f"{month:%Y-%m}", justify="right")
    values: dict[tuple[str, str], dict[date, Any]] = {}
    in_list = ", ".join(f"'{m.isoformat()}'" for m in months)
    for mart in dict.fromkeys(h[1] for h in HEADLINES):
        columns = [h[2] for h in HEADLINES if h[1] == mart]
        rows = fetch(settings, f"select report_month, {', '.join(columns)} from marts.{mart} "
                               f"where report_month in ({in_list})")
        for row in rows:
            month = row[0] if isinstance(row[0], date) else date.fromisoformat(str(row[0])[:10])
            for column, value in zip(columns, row[1:]):
                values.setdefault((mart, column), {})[month] = value
    previous_stage = None
    for stage, mart, column, label, kind in HEADLINES:
        if kind == "money" and currency:
            label = f"{label} ({currency})"
        cells = [_format(values.get((mart, column), {}).get(m), kind) for m in months]
        table.add_row(stage if stage != previous_stage else "", label, *cells,
                      end_section=False)
        previous_stage = stage
    return table


ATTRIBUTION_MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
ATTRIBUTION_MONTHS = 12  # complete months the attribution section adds up


def _in_list(months: list[date]) -> str:
    return ", ".join(f"'{m.isoformat()}'" for m in months)


def attribution_bookings(settings: dict[str, Any], months: list[date]) -> dict[str, dict[str, Any]]:
    """{channel: {attribution model: bookings}}: attribution_monthly's attributed_bookings summed over `months`
    (deals closed in them), channels with bookings only, the most by the linear model first."""
    if not months:
        return {}
    rows = fetch(settings, "select channel, attribution_model, sum(attributed_bookings) from marts.attribution_monthly "
                           f"where report_month in ({_in_list(months)}) group by channel, attribution_model")
    by_channel: dict[str, dict[str, Any]] = {}
    for channel, model, bookings in rows:
        if bookings:
            by_channel.setdefault(str(channel), {})[str(model)] = bookings
    return dict(sorted(by_channel.items(), key=lambda kv: (-float(kv[1].get("linear") or 0), kv[0])))


def attribution_table(settings: dict[str, Any], months: list[date], currency: str = "") -> Table:
    """attribution_bookings as a table, in thousands (seven columns fit a terminal's 80 characters)."""
    unit = f"thousand {currency}" if currency else "thousands"
    span = f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}" if months else "no complete month"
    table = Table(title=f"Bookings ({unit}) by channel and attribution model, {span}", title_justify="left")
    bookings = attribution_bookings(settings, months)
    table.add_column("channel", no_wrap=True, min_width=max([7, *map(len, bookings)]))
    for model in ATTRIBUTION_MODELS:
        table.add_column(model.replace("_", " "), justify="right")
    for channel, models in bookings.items():
        table.add_row(channel, *(_format(None if models.get(model) is None else float(models[model]) / 1000, "count")
                                 for model in ATTRIBUTION_MODELS))
    return table


# (nurture_lift column summed over the lead cohorts, label, format); rates and the average are recomputed
NURTURE = (("leads", "leads", "count"), ("opportunities", "opportunities", "count"),
           ("opportunity_rate", "opportunity rate", "rate"), ("won_deals", "won deals", "count"),
           ("bookings", "bookings", "money"), ("average_deal_size", "average deal size", "money"))


def nurture_lift(settings: dict[str, Any]) -> dict[bool, dict[str, float | None]] | None:
    """Nurtured and other leads of every lead cohort to date (mart nurture_lift): {is_nurtured: {column: value}}
    with opportunity_rate = opportunities / leads and average_deal_size = bookings / won_deals over all cohorts;
    None when the warehouse has no nurture_lift (built by an older version)."""
    if "nurture_lift" not in tables_in(settings, "marts"):
        return None
    rows = fetch(settings, "select is_nurtured, sum(leads), sum(opportunities), sum(won_deals), sum(bookings) "
                           "from marts.nurture_lift group by is_nurtured")
    out: dict[bool, dict[str, float | None]] = {}
    for flag, leads, opportunities, won, bookings in rows:
        leads, opportunities, won, bookings = (float(v or 0) for v in (leads, opportunities, won, bookings))
        out[bool(flag)] = {"leads": leads, "opportunities": opportunities, "won_deals": won, "bookings": bookings,
                           "opportunity_rate": opportunities / leads if leads else None,
                           "average_deal_size": bookings / won if won else None}
    return out


def nurture_rows(lift: dict[bool, dict[str, float | None]], currency: str = "") -> list[tuple[str, str, str, str]]:
    """(label, nurtured, not nurtured, lift = nurtured / not nurtured - 1 for the rates and the average)."""
    rows = []
    for column, label, kind in NURTURE:
        yes, no = lift.get(True, {}).get(column), lift.get(False, {}).get(column)
        ratio = "" if kind == "count" or column == "bookings" else (
            f"{yes / no - 1:+.0%}" if yes is not None and no else "–")
        rows.append((f"{label} ({currency})" if kind == "money" and currency else label,
                     _format(yes, kind), _format(no, kind), ratio))
    return rows


def nurture_table(settings: dict[str, Any], currency: str = "") -> Table | str:
    lift = nurture_lift(settings)
    if lift is None:
        return "nurture lift: this warehouse has no mart nurture_lift yet (`lifecycle build` makes it)"
    table = Table(title="Nurture lift: leads of all cohorts, nurtured before their first opportunity or not",
                  title_justify="left")
    for name in ("metric", "nurtured", "not nurtured", "lift"):
        table.add_column(name, justify="left" if name == "metric" else "right")
    for row in nurture_rows(lift, currency):
        table.add_row(*row)
    return table
