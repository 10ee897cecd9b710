"""`lifecycle report --html` and the Great Expectations data docs, opened in headless Chromium with the
network off (tests/python/browser.py): the charts and tables render and no request leaves the page."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.errors import LifecycleError
from lifecycle.manifest import load_manifest
from lifecycle.report import HEADLINES, _format, complete_months, fetch
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
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    page = write_report(target_settings("duckdb"), tmp_path / "report.html").read_text()
    assert "<img" not in page
    assert page.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;") >= 3  # channels twice, NPS


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
