-- Funnel cohort counts never exceed the cohort and never grow down the funnel: for every cohort month of
-- funnel_cohorts, 0 <= reached_customer_to_date <= reached_opportunity_to_date <= reached_sql_to_date
-- <= reached_mql_to_date <= leads, and stalled_at_data_end and dropped_to_date are between 0 and leads.
-- Returns the cohort months that break this.
select
    cohort_month,
    leads,
    reached_mql_to_date,
    reached_sql_to_date,
    reached_opportunity_to_date,
    reached_customer_to_date,
    stalled_at_data_end,
    dropped_to_date
from {{ ref('funnel_cohorts') }}
where
    reached_mql_to_date > leads
    or reached_sql_to_date > reached_mql_to_date
    or reached_opportunity_to_date > reached_sql_to_date
    or reached_customer_to_date > reached_opportunity_to_date
    or reached_customer_to_date < 0
    or stalled_at_data_end < 0
    or stalled_at_data_end > leads
    or dropped_to_date < 0
    or dropped_to_date > leads
