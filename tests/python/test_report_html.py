"""`lifecycle report --html` and the Great Expectations data docs, opened in headless Chromium with the
network off (tests/python/browser.py): the charts and tables render and no request leaves the page. Also the
effects the generator plants for the report to show (nurture lift, touches to close, referral premium)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.errors import LifecycleError
from lifecycle.manifest import load_manifest
from lifecycle.report import ATTRIBUTION_MODELS, HEADLINES, _format, complete_months, fetch
from lifecycle.report_html import MONTHS, render, write_report
from lifecycle.targets import target_settings
from lifecycle.validate import read_marts

from browser import visit
from conftest import copy_warehouse

runner = CliRunner()


@pytest.fixture
def settings(built_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(built_warehouse))
    return target_settings("duckdb")


def kpi_rows(dom: str) -> tuple[list[str], dict[str, list[str]]]:
    """(month headers, {metric column: cell texts}) of the page's KPI table."""
    table = re.search(r'<table id="kpis">(.*?)</table>', dom, re.DOTALL).group(1)
    months = re.findall(r"<th>(\d{4}-\d\d)</th>", table)
    rows = {metric: re.findall(r"<td>([^<]*)</td>", cells)
            for metric, cells in re.findall(r'<tr data-metric="([^"]+)">(.*?)</tr>', table, re.DOTALL)}
    return months, rows


def test_html_report_renders_offline_with_charts_and_the_kpi_table(settings, tmp_path):
    page = tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["report", "--html", str(page)])
    assert result.exit_code == 0, result.output[-4000:] + repr(result.exception)
    assert page.is_file() and str(page) in "".join(result.output.split())  # (a long path wraps)

    seen = visit(page)
    assert seen.outside() == [], "the page asked the network for something"
    assert "<script" not in page.read_text()  # self-contained: inline SVG, no script to fail offline
    charts = seen.dom.count('<svg class="chart"')
    nps_charts = len({kind for (kind,) in fetch(settings, "select distinct segment_type from marts.nps_by_segment")})
    # funnel + one trend per headline + channel cost and ROI + NPS per segment type of the last month
    assert len(HEADLINES) + 3 < charts <= len(HEADLINES) + 3 + nps_charts
    assert seen.dom.count('class="line"') >= len(HEADLINES) - 1  # NPS may miss every other month
    assert seen.dom.count('<rect class="bar') >= 5 + 2  # funnel stages + channels

    months, rows = kpi_rows(seen.dom)
    expected = complete_months(settings, count=MONTHS)
    assert months == [f"{m:%Y-%m}" for m in expected] and len(months) == MONTHS
    assert list(rows) == [h[2] for h in HEADLINES]
    in_list = ", ".join(f"'{m.isoformat()}'" for m in expected)
    for mart, column, kind in (("nurture_monthly", "mqls", "count"), ("convert_monthly", "win_rate", "rate"),
                               ("expand_monthly", "nps", "nps")):
        values = dict(fetch(settings, f"select report_month, {column} from marts.{mart} "
                                      f"where report_month in ({in_list})"))
        assert rows[column] == [_format(values.get(m), kind) for m in expected], column


def test_html_report_escapes_warehouse_values(built_warehouse, tmp_path, monkeypatch):
    path = copy_warehouse(built_warehouse, tmp_path / "copy.duckdb")
    hostile = '<img src=x onerror="alert(1)">'
    with duckdb.connect(str(path)) as con:
        con.execute("update marts.nps_by_segment set segment_value = ? where segment_type = 'industry'", [hostile])
        con.execute("update marts.channel_performance set channel = ? || channel", [hostile])
        con.execute("update marts.attribution_monthly set channel = ? || channel", [hostile])
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    page = write_report(target_settings("duckdb"), tmp_path / "report.html").read_text()
    assert "<img" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 3  # channels twice, NPS
    attribution = re.search(r'<table id="attribution">(.*?)</table>', page, re.DOTALL).group(1)
    assert 'data-channel="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;' in attribution


def test_html_report_without_a_complete_month_is_one_line(settings):
    with pytest.raises(LifecycleError, match="no complete month"):
        render(settings, today=complete_months(settings, count=1000)[0])


def test_data_docs_render_offline_with_the_validation_results(built_warehouse):
    docs = built_warehouse.parent / "data_docs"
    index = visit(docs / "index.html")
    assert index.outside() == [], "the data docs index asked the network for something"
    results = re.findall(r'<tr class="clickable-row"', index.dom)
    assert len(results) == len(read_marts(load_manifest("duckdb")))  # one validation result per mart, listed by the page's script
    assert 'href="static/offline/bootstrap.min.css"' in index.dom
    page = next((docs / "validations").rglob("*.html"))
    shown = visit(page)
    assert shown.outside() == [], "a validation page asked the network for something"
    assert shown.dom.count("fa-check-circle") > 0 and "static/offline/bootstrap.min.css" in shown.dom


def test_the_report_credits_bookings_to_channels_under_every_attribution_model(settings, tmp_path):
    months = complete_months(settings, count=MONTHS)
    in_list = ", ".join(f"'{m.isoformat()}'" for m in months)
    expected: dict[str, dict[str, float]] = {}
    for channel, model, bookings in fetch(settings, "select channel, attribution_model, sum(attributed_bookings) "
                                                    f"from marts.attribution_monthly where report_month in ({in_list}) "
                                                    "group by channel, attribution_model"):
        if bookings:
            expected.setdefault(channel, {})[model] = float(bookings)
    (won,) = fetch(settings, "select sum(amount) from marts.fct_opportunities "
                             f"where is_won and closed_month in ({in_list})")[0]
    assert len(expected) >= 5 and won
    for model in ATTRIBUTION_MODELS:  # every model credits all the bookings of the months to some channel
        assert sum(m.get(model, 0.0) for m in expected.values()) == pytest.approx(float(won), rel=1e-6), model

    page = write_report(settings, tmp_path / "report.html").read_text()
    table = re.search(r'<table id="attribution">(.*?)</table>', page, re.DOTALL).group(1)
    assert re.findall(r"<th>([^<]*)</th>", table) == ["channel", *(m.replace("_", " ") for m in ATTRIBUTION_MODELS)]
    rows = dict(re.findall(r'<tr data-channel="([^"]+)">(.*?)</tr>', table, re.DOTALL))
    assert set(rows) == set(expected)
    for channel, cells in rows.items():
        assert re.findall(r"<td>([^<]*)</td>", cells) == [
            _format(expected[channel].get(m), "money") for m in ATTRIBUTION_MODELS], channel
    top = max(expected, key=lambda c: expected[c].get("linear", 0.0))
    assert next(iter(rows)) == top  # the channel with the most linear-model bookings first

    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0, result.output[-4000:] + repr(result.exception)
    line = next(line for line in result.output.splitlines() if line.startswith(f"│ {top} "))
    assert [cell.strip() for cell in line.strip("│ ").split("│")][1:] == [
        _format(None if expected[top].get(m) is None else expected[top][m] / 1000, "count") for m in ATTRIBUTION_MODELS]


# The effects the generator plants (lifecycle/generate/vocab.py NURTURE_*, the referral channel's propensities,
# crm_files' sales activities), read from the marts that answer them: nurture_lift (all lead cohorts together),
# touches_to_close (channel 'all') and lead_source_value.
NURTURE_SQL = """
select is_nurtured, sum(leads), sum(opportunities), sum(won_deals), sum(bookings)
from marts.nurture_lift group by is_nurtured
"""


def test_the_generator_plants_nurture_lift_touches_to_close_and_a_referral_premium(settings):
    groups = {flag: (leads, opportunities, won, float(bookings))
              for flag, leads, opportunities, won, bookings in fetch(settings, NURTURE_SQL)}
    (leads, opps, won, bookings), (other_leads, other_opps, other_won, other_bookings) = groups[True], groups[False]
    assert other_leads >= 100 and other_won >= 5
    # nurtured leads: +20% opportunity rate (planted exactly, up to rounding), +47% average won deal (to 2%)
    assert opps / leads / (other_opps / other_leads) == pytest.approx(1.20, abs=0.06)
    assert bookings / won / (other_bookings / other_won) == pytest.approx(1.47, abs=0.10)
    # customers: about ten touches before the first won deal
    ((customers, median),) = fetch(settings, "select customers, median_touches from marts.touches_to_close "
                                             "where channel = 'all'")
    assert customers >= 20 and 8 <= float(median) <= 12
    # referral leads: several times the bookings per lead of the other sources (about 5x on average)
    per_lead = {referral: float(bookings) / leads for referral, leads, bookings in fetch(
        settings, "select lead_source = 'referral', sum(leads), sum(bookings) from marts.lead_source_value group by 1")}
    assert per_lead[True] >= 2.5 * per_lead[False]
