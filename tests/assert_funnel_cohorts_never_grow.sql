-- Funnel cohort counts never exceed the cohort and never grow down the funnel: for every cohort month of
-- funnel_cohorts, 0 <= reached_customer <= reached_opportunity <= reached_sql <= reached_mql <= leads, and
-- stalled and dropped are between 0 and leads. Returns the cohort months that break this.
select
    cohort_month,
    leads,
    reached_mql,
    reached_sql,
    reached_opportunity,
    reached_customer,
    stalled,
    dropped
from {{ ref('funnel_cohorts') }}
where
    reached_mql > leads
    or reached_sql > reached_mql
    or reached_opportunity > reached_sql
    or reached_customer > reached_opportunity
    or reached_customer < 0
    or stalled < 0
    or stalled > leads
    or dropped < 0
    or dropped > leads
