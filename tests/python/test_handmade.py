"""`lifecycle run` on the hand-made exports gives the hand-worked values of data/handmade/README.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app

HANDMADE = Path(__file__).parent / "data" / "handmade"
JAN, FEB, MAR, APR = (date(2024, m, 1) for m in (1, 2, 3, 4))

# (mart, month, column): value — see data/handmade/README.md for how each was worked out.
EXPECTED = {
    ("nurture_monthly", JAN, "new_leads"): 2,
    ("nurture_monthly", FEB, "new_leads"): 1,
    ("nurture_monthly", MAR, "new_leads"): 0,
    ("nurture_monthly", MAR, "reopened_leads"): 1,
    ("nurture_monthly", JAN, "mqls"): 2,
    ("nurture_monthly", JAN, "first_time_mqls"): 2,
    ("nurture_monthly", MAR, "mqls"): 1,
    ("nurture_monthly", MAR, "repeat_mqls"): 1,
    ("nurture_monthly", FEB, "dropped_leads"): 1,
    ("nurture_monthly", MAR, "stalled_leads"): 0,
    ("nurture_monthly", APR, "stalled_leads"): 1,
    ("nurture_monthly", JAN, "is_cohort_complete"): True,
    ("nurture_monthly", FEB, "is_cohort_complete"): False,
    ("nurture_monthly", JAN, "emails_sent"): 3,
    ("nurture_monthly", JAN, "emails_delivered"): 2,
    ("nurture_monthly", JAN, "unique_opens"): 1,
    ("nurture_monthly", JAN, "unique_clicks"): 1,
    ("nurture_monthly", JAN, "open_rate"): 0.5,
    ("nurture_monthly", JAN, "click_rate"): 0.5,
    ("nurture_monthly", JAN, "click_to_open_rate"): 1.0,
    ("nurture_monthly", JAN, "bounce_rate"): 0.333333,
    ("nurture_monthly", MAR, "open_rate"): 1.0,
    ("nurture_monthly", JAN, "marketing_cost"): 1200,
    ("nurture_monthly", FEB, "marketing_cost"): 990,
    ("nurture_monthly", MAR, "marketing_cost"): 500,
    ("nurture_monthly", JAN, "cost_per_mql"): 600,
    ("nurture_monthly", FEB, "cost_per_mql"): None,
    ("nurture_monthly", MAR, "cost_per_mql"): 500,
    ("convert_monthly", FEB, "sqls"): 1,
    ("convert_monthly", FEB, "cost_per_sql"): 990,
    ("convert_monthly", JAN, "cost_per_sql"): None,
    ("convert_monthly", MAR, "new_customers"): 1,
    ("convert_monthly", MAR, "cost_per_new_customer"): 500,
    ("convert_monthly", JAN, "mql_to_sql_rate"): 0.5,
    ("convert_monthly", JAN, "is_cohort_complete"): True,
    ("convert_monthly", FEB, "is_cohort_complete"): False,
    ("convert_monthly", MAR, "closed_deals"): 3,
    ("convert_monthly", MAR, "won_deals"): 2,
    ("convert_monthly", MAR, "no_decision_deals"): 1,
    ("convert_monthly", MAR, "win_rate"): 0.666667,
    ("convert_monthly", MAR, "no_decision_rate"): 0.333333,
    ("convert_monthly", MAR, "bookings"): 12200,
    ("convert_monthly", JAN, "median_days_lead_to_mql"): 11.5,
    ("convert_monthly", MAR, "median_days_sql_to_customer"): 43,
    ("expand_monthly", JAN, "customers_at_start"): 1,
    ("expand_monthly", JAN, "customers_lost"): 0,
    ("expand_monthly", FEB, "customers_at_start"): 3,
    ("expand_monthly", FEB, "customers_lost"): 2,
    ("expand_monthly", FEB, "churn_rate"): 0.666667,
    ("expand_monthly", MAR, "customers_at_start"): 1,
    ("expand_monthly", MAR, "customers_lost"): 0,
    ("expand_monthly", MAR, "churn_rate"): 0,
    ("expand_monthly", MAR, "upsell_share"): 0.180328,
    ("expand_monthly", FEB, "nps"): 0,
    ("expand_monthly", MAR, "nps"): 33.333333,
    ("expand_monthly", MAR, "nps_responses"): 3,
    ("expand_monthly", JAN, "nps"): None,
    ("attract_monthly", JAN, "impressions"): 50000,
    ("attract_monthly", JAN, "ad_clicks"): 900,
    ("attract_monthly", JAN, "visits"): 3,
    ("attract_monthly", JAN, "unique_visitors"): 2,
    ("attract_monthly", JAN, "content_consumers"): 2,
    ("attract_monthly", JAN, "content_share_rate"): 0.5,
    ("attract_monthly", APR, "visits"): 0,
    ("attract_monthly", APR, "content_share_rate"): None,
    ("capture_monthly", JAN, "known_visitor_rate"): 0.5,
    ("capture_monthly", JAN, "cta_conversion_rate"): 0.5,
}


@pytest.fixture(scope="module")
def marts(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, date, str], object]:
    path = tmp_path_factory.mktemp("handmade") / "warehouse.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    try:
        result = CliRunner().invoke(app, ["run", "--exports", str(HANDMADE), "--target", "duckdb"])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output[-5000:]
    values: dict[tuple[str, date, str], object] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for mart in {m for m, _, _ in EXPECTED}:
            cursor = con.execute(f"select * from marts.{mart}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(columns, row))
                for column, value in record.items():
                    values[(mart, record["report_month"], column)] = value
    return values


def test_months_run_from_first_to_last_month_of_data(marts):
    months = sorted({month for (mart, month, _) in marts if mart == "nurture_monthly"})
    assert months == [JAN, FEB, MAR, APR]


@pytest.mark.parametrize("key", sorted(EXPECTED, key=repr), ids=lambda k: f"{k[0]}-{k[1]:%b}-{k[2]}")
def test_mart_value_matches_the_hand_worked_value(marts, key):
    assert key in marts, f"{key} missing from the marts"
    actual, expected = marts[key], EXPECTED[key]
    if expected is None:
        assert actual is None
    else:
        assert actual is not None and float(actual) == pytest.approx(float(expected), abs=1e-6)
