"""`lifecycle report`: the headline KPIs of the last complete months, one column per month."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.table import Table

from .targets import fetch

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
