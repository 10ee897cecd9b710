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


# Marts whose grain is not report_month: (mart, grain, column): value, the grain the (column, value)
# pairs that pick exactly one row (None: the column is null); data/handmade/README.md, "Cross-stage
# marts", works each out.
Grain = tuple[tuple[str, object], ...]


def grain(**columns: object) -> Grain:
    return tuple(columns.items())


def touch(opportunity: str, model: str, touch_key: str) -> Grain:
    """The fct_attribution row of an opportunity, model and touch."""
    return grain(opportunity_id=opportunity, attribution_model=model, touch_key=touch_key)


def credit(model: str, month: date, campaign: str | None, channel: str) -> Grain:
    """The attribution_monthly row of a model, month, campaign and channel."""
    return grain(attribution_model=model, report_month=month, campaign_id=campaign, channel=channel)


ATTRIBUTION = "attribution_monthly"
W01, W02, E05 = "web_activity:W01", "web_activity:W02", "email_event:E05"
SA1, SA2 = "sales_activity:SA1", "sales_activity:SA2"
NURTURED_JAN = grain(cohort_month=JAN, is_nurtured=True)
OTHERS_JAN = grain(cohort_month=JAN, is_nurtured=False)
NURTURED_FEB = grain(cohort_month=FEB, is_nurtured=True)
OTHERS_FEB = grain(cohort_month=FEB, is_nurtured=False)
Q1 = grain(period_type="quarter", period_start=JAN)
Q2 = grain(period_type="quarter", period_start=APR)
YEAR = grain(period_type="year", period_start=JAN)

EXPECTED_ROWS = {
    ("fct_attribution", touch("O1", "first_touch", W01), "weight"): 1,
    ("fct_attribution", touch("O1", "last_touch", SA1), "weight"): 1,
    ("fct_attribution", touch("O1", "linear", W02), "weight"): 0.142857143,
    ("fct_attribution", touch("O1", "u_shaped", W01), "weight"): 0.4,
    ("fct_attribution", touch("O1", "u_shaped", W02), "weight"): 0.04,
    ("fct_attribution", touch("O1", "u_shaped", SA1), "weight"): 0.4,
    ("fct_attribution", touch("O1", "w_shaped", W01), "weight"): 0.3,
    ("fct_attribution", touch("O1", "w_shaped", W02), "weight"): 0.025,
    ("fct_attribution", touch("O1", "w_shaped", E05), "weight"): 0.3,
    ("fct_attribution", touch("O1", "w_shaped", SA1), "weight"): 0.3,
    ("fct_attribution", touch("O1", "time_decay", W01), "weight"): 0.085196115,
    ("fct_attribution", touch("O1", "time_decay", SA1), "weight"): 0.425833107,
    ("fct_attribution", touch("O1", "time_decay", SA1), "touch_count"): 7,
    ("fct_attribution", touch("O3", "time_decay", SA1), "weight"): 0.425833107,
    ("fct_attribution", touch("O3", "time_decay", SA1), "touch_count"): 7,
    ("fct_attribution", touch("O3", "time_decay", SA1), "attributed_bookings"): 936.832836,
    ("fct_attribution", touch("O2", "linear", SA2), "weight"): 1,
    (ATTRIBUTION, credit("first_touch", MAR, "CMP1", "paid_search"), "attributed_won_deals"): 2,
    (ATTRIBUTION, credit("first_touch", MAR, "CMP1", "paid_search"), "attributed_bookings"): 12200,
    (ATTRIBUTION, credit("first_touch", MAR, "CMP1", "paid_search"), "campaign_cost"): 500,
    (ATTRIBUTION, credit("first_touch", MAR, "CMP1", "paid_search"), "campaign_roi"): 23.4,
    (ATTRIBUTION, credit("first_touch", JAN, "CMP1", "paid_search"), "campaign_cost"): 1000,
    (ATTRIBUTION, credit("first_touch", JAN, "CMP1", "paid_search"), "campaign_roi"): -1,
    (ATTRIBUTION, credit("last_touch", MAR, None, "other"), "attributed_bookings"): 12200,
    (ATTRIBUTION, credit("last_touch", MAR, "CMP1", "paid_search"), "attributed_bookings"): 0,
    (ATTRIBUTION, credit("last_touch", MAR, "CMP1", "paid_search"), "campaign_roi"): -1,
    (ATTRIBUTION, credit("linear", MAR, "CMP2", "email"), "attributed_won_deals"): 0.285714286,
    (ATTRIBUTION, credit("linear", MAR, "CMP2", "email"), "attributed_bookings"): 1742.857143,
    (ATTRIBUTION, credit("linear", MAR, "CMP2", "email"), "campaign_roi"): None,
    (ATTRIBUTION, credit("u_shaped", MAR, "CMP1", "paid_search"), "attributed_opportunities"): 0.56,
    (ATTRIBUTION, credit("u_shaped", MAR, "CMP1", "paid_search"), "attributed_pipeline"): 1232,
    (ATTRIBUTION, credit("u_shaped", MAR, "CMP1", "paid_search"), "attributed_bookings"): 6832,
    (ATTRIBUTION, credit("u_shaped", MAR, "CMP1", "paid_search"), "campaign_roi"): 12.664,
    (ATTRIBUTION, credit("u_shaped", MAR, None, "other"), "attributed_bookings"): 4880,
    (ATTRIBUTION, credit("u_shaped", FEB, None, "other"), "attributed_opportunities"): 2.4,
    (ATTRIBUTION, credit("u_shaped", FEB, None, "other"), "attributed_pipeline"): 10500,
    (ATTRIBUTION, credit("u_shaped", FEB, None, "other"), "attributed_bookings"): 1000,
    (ATTRIBUTION, credit("w_shaped", MAR, "CMP1", "paid_search"), "attributed_bookings"): 4880,
    (ATTRIBUTION, credit("w_shaped", MAR, "CMP1", "paid_search"), "campaign_roi"): 8.76,
    (ATTRIBUTION, credit("w_shaped", MAR, "CMP2", "email"), "attributed_bookings"): 3660,
    (ATTRIBUTION, credit("time_decay", MAR, "CMP1", "paid_search"), "attributed_won_deals"):
        0.869908143,
    (ATTRIBUTION, credit("time_decay", MAR, None, "other"), "attributed_won_deals"): 0.851666214,
    ("nurture_lift", NURTURED_JAN, "leads"): 1,
    ("nurture_lift", NURTURED_JAN, "win_rate"): 1,
    ("nurture_lift", NURTURED_JAN, "bookings"): 12200,
    ("nurture_lift", NURTURED_JAN, "average_deal_size"): 6100,
    ("nurture_lift", OTHERS_JAN, "leads"): 1,
    ("nurture_lift", OTHERS_JAN, "opportunity_rate"): 1,
    ("nurture_lift", OTHERS_JAN, "closed_deals"): 2,
    ("nurture_lift", OTHERS_JAN, "win_rate"): 0.5,
    ("nurture_lift", OTHERS_JAN, "average_deal_size"): 1000,
    ("nurture_lift", NURTURED_FEB, "opportunity_rate"): 0,
    ("nurture_lift", NURTURED_FEB, "win_rate"): None,
    ("nurture_lift", OTHERS_FEB, "leads"): 0,
    ("nurture_lift", OTHERS_FEB, "opportunity_rate"): None,
    ("lead_source_value", grain(lead_source="paid_search"), "leads"): 1,
    ("lead_source_value", grain(lead_source="paid_search"), "win_rate"): 1,
    ("lead_source_value", grain(lead_source="paid_search"), "bookings_per_lead"): 12200,
    ("lead_source_value", grain(lead_source="paid_search"), "marketing_cost"): 2490,
    ("lead_source_value", grain(lead_source="paid_search"), "cost_per_lead"): 2490,
    ("lead_source_value", grain(lead_source="referral"), "mql_rate"): 1,
    ("lead_source_value", grain(lead_source="referral"), "sql_rate"): 0,
    ("lead_source_value", grain(lead_source="referral"), "win_rate"): 0.5,
    ("lead_source_value", grain(lead_source="referral"), "bookings_per_lead"): 1000,
    ("lead_source_value", grain(lead_source="referral"), "cost_per_lead"): None,
    ("lead_source_value", grain(lead_source="organic_search"), "mql_rate"): 0,
    ("lead_source_value", grain(lead_source="organic_search"), "sql_rate"): None,
    ("lead_source_value", grain(lead_source="email"), "leads"): 0,
    ("lead_source_value", grain(lead_source="email"), "marketing_cost"): 200,
    ("lead_source_value", grain(lead_source="email"), "cost_per_lead"): None,
    ("touches_to_close", grain(channel="all"), "customers"): 2,
    ("touches_to_close", grain(channel="all"), "median_touches"): 4,
    ("touches_to_close", grain(channel="all"), "p75_touches"): 5.5,
    ("touches_to_close", grain(channel="all"), "mean_touches"): 4,
    ("touches_to_close", grain(channel="paid_search"), "median_touches"): 7,
    ("touches_to_close", grain(channel="referral"), "median_touches"): 1,
    ("touches_to_close", grain(channel="organic_search"), "customers"): 0,
    ("touches_to_close", grain(channel="organic_search"), "median_touches"): None,
    ("speed_to_lead", grain(report_month=JAN), "mqls"): 2,
    ("speed_to_lead", grain(report_month=JAN), "mqls_with_sales_activity"): 2,
    ("speed_to_lead", grain(report_month=JAN), "median_hours_to_first_activity"): 27,
    ("speed_to_lead", grain(report_month=JAN), "p75_hours_to_first_activity"): 37.5,
    ("speed_to_lead", grain(report_month=JAN), "mqls_within_sla"): 1,
    ("speed_to_lead", grain(report_month=JAN), "share_within_sla"): 0.5,
    ("speed_to_lead", grain(report_month=FEB), "share_within_sla"): None,
    ("speed_to_lead", grain(report_month=MAR), "mqls"): 1,
    ("speed_to_lead", grain(report_month=MAR), "mqls_with_sales_activity"): 0,
    ("speed_to_lead", grain(report_month=MAR), "median_hours_to_first_activity"): None,
    ("speed_to_lead", grain(report_month=MAR), "share_within_sla"): 0,
    ("churn_periodic", Q1, "customers_at_start"): 1,
    ("churn_periodic", Q1, "customers_lost"): 0,
    ("churn_periodic", Q1, "churn_rate"): 0,
    ("churn_periodic", Q1, "mrr_at_start"): 100,
    ("churn_periodic", Q1, "period_end"): APR,
    ("churn_periodic", Q1, "is_period_complete"): True,
    ("churn_periodic", Q2, "months_in_data"): 1,
    ("churn_periodic", Q2, "is_period_complete"): False,
    ("churn_periodic", Q2, "customers_at_start"): 2,
    ("churn_periodic", Q2, "customers_lost"): 1,
    ("churn_periodic", Q2, "churn_rate"): 0.5,
    ("churn_periodic", Q2, "mrr_at_start"): 210,
    ("churn_periodic", Q2, "revenue_churn_rate"): 0.285714,
    ("churn_periodic", YEAR, "months_in_data"): 4,
    ("churn_periodic", YEAR, "customers_lost"): 0,
    ("program_outcomes", grain(program="CMP2"), "participants"): 3,
    ("program_outcomes", grain(program="CMP2"), "participant_mql_rate"): 0.666667,
    ("program_outcomes", grain(program="CMP2"), "participant_opportunity_rate"): 0.333333,
    ("program_outcomes", grain(program="CMP2"), "comparison_leads"): 0,
    ("program_outcomes", grain(program="CMP2"), "comparison_mql_rate"): None,
    ("program_outcomes", grain(program="CMP2"), "participant_customers"): 2,
    ("program_outcomes", grain(program="CMP2"), "participant_retention_rate"): 0.5,
    ("program_outcomes", grain(program="CMP2"), "participant_upsell_rate"): 0.5,
    ("program_outcomes", grain(program="CMP2"), "participant_nps"): 66.666667,
    ("program_outcomes", grain(program="CMP2"), "comparison_customers"): 1,
    ("program_outcomes", grain(program="CMP2"), "comparison_nps"): -100,
    ("program_outcomes", grain(program="CMP3"), "participants"): 1,
    ("program_outcomes", grain(program="CMP3"), "participant_opportunity_rate"): 1,
    ("program_outcomes", grain(program="CMP3"), "comparison_leads"): 1,
    ("program_outcomes", grain(program="CMP3"), "comparison_mql_rate"): 1,
    ("program_outcomes", grain(program="CMP3"), "comparison_opportunity_rate"): 0,
    ("program_outcomes", grain(program="CMP3"), "participant_customers"): 1,
    ("program_outcomes", grain(program="CMP3"), "participant_retention_rate"): 1,
    ("program_outcomes", grain(program="CMP3"), "participant_upsell_rate"): 1,
    ("program_outcomes", grain(program="CMP3"), "participant_nps"): 100,
    ("program_outcomes", grain(program="CMP3"), "comparison_customers"): 2,
    ("program_outcomes", grain(program="CMP3"), "comparison_retention_rate"): 0,
    ("program_outcomes", grain(program="CMP3"), "comparison_nps"): -50,
    ("stall_points", grain(stage="lead", program="CMP2"), "persons_reached"): 3,
    ("stall_points", grain(stage="lead", program="CMP2"), "persons_stalled"): 1,
    ("stall_points", grain(stage="lead", program="CMP2"), "stall_rate"): 0.333333,
    ("stall_points", grain(stage="lead", program="CMP2"), "persons_dropped"): 0,
    ("stall_points", grain(stage="mql", program="CMP2"), "persons_reached"): 2,
    ("stall_points", grain(stage="mql", program="CMP2"), "persons_stalled"): 0,
    ("stall_points", grain(stage="mql", program="CMP2"), "persons_dropped"): 1,
    ("stall_points", grain(stage="mql", program="CMP2"), "drop_rate"): 0.5,
    ("stall_points", grain(stage="sql", program="CMP2"), "persons_reached"): 1,
    ("stall_points", grain(stage="lead", program="none"), "persons_reached"): 0,
    ("stall_points", grain(stage="lead", program="none"), "stall_rate"): None,
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("handmade") / "warehouse.duckdb"
    mp = pytest.MonkeyPatch()
    mp.setenv("LIFECYCLE_DUCKDB_PATH", str(path))
    try:
        result = CliRunner().invoke(app, ["run", "--exports", str(HANDMADE), "--target", "duckdb"])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output[-5000:]
    return path


@pytest.fixture(scope="module")
def marts(warehouse: Path) -> dict[tuple[str, date, str], object]:
    values: dict[tuple[str, date, str], object] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for mart in {m for m, _, _ in EXPECTED}:
            cursor = con.execute(f"select * from marts.{mart}")
            columns = [d[0] for d in cursor.description]
            for row in cursor.fetchall():
                record = dict(zip(columns, row))
                for column, value in record.items():
                    values[(mart, record["report_month"], column)] = value
    return values


@pytest.fixture(scope="module")
def mart_rows(warehouse: Path) -> dict[str, list[dict[str, object]]]:
    """Every row of each mart EXPECTED_ROWS pins, as {column: value}."""
    rows: dict[str, list[dict[str, object]]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for mart in {m for m, _, _ in EXPECTED_ROWS}:
            cursor = con.execute(f"select * from marts.{mart}")
            columns = [d[0] for d in cursor.description]
            rows[mart] = [dict(zip(columns, row)) for row in cursor.fetchall()]
    return rows


def assert_matches(actual: object, expected: object) -> None:
    if expected is None:
        assert actual is None
    elif isinstance(expected, (date, str)):
        assert actual == expected
    else:
        assert actual is not None and float(actual) == pytest.approx(float(expected), abs=1e-6)


def test_months_run_from_first_to_last_month_of_data(marts):
    months = sorted({month for (mart, month, _) in marts if mart == "nurture_monthly"})
    assert months == [JAN, FEB, MAR, APR]


@pytest.mark.parametrize("key", sorted(EXPECTED, key=repr), ids=lambda k: f"{k[0]}-{k[1]:%b}-{k[2]}")
def test_mart_value_matches_the_hand_worked_value(marts, key):
    assert key in marts, f"{key} missing from the marts"
    assert_matches(marts[key], EXPECTED[key])


def row_id(key: tuple[str, Grain, str]) -> str:
    mart, pairs, column = key
    shown = (f"{v:%b}" if isinstance(v, date) else str(v).replace("None", "null") for _, v in pairs)
    return "-".join([mart, *shown, column])


@pytest.mark.parametrize("key", sorted(EXPECTED_ROWS, key=repr), ids=row_id)
def test_mart_row_value_matches_the_hand_worked_value(mart_rows, key):
    mart, pairs, column = key
    found = [row for row in mart_rows[mart] if all(row[c] == v for c, v in pairs)]
    assert len(found) == 1, f"{len(found)} rows of {mart} where {dict(pairs)}"
    assert_matches(found[0][column], EXPECTED_ROWS[key])
