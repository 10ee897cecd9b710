-- churn_periodic keeps expand_monthly's definitions: a period starts with the customers and the MRR that
-- expand_monthly has at the start of the period's first month, and every customer it counts as lost, or as lost
-- and regained, churned in one of the period's months, so together they are at most the sum of the months'
-- customers_lost (less when a customer churns twice in the period). Returns the periods that break it.
with

periods as (

    select * from {{ ref('churn_periodic') }}

),

months as (

    select * from {{ ref('expand_monthly') }}

),

period_months as (

    select
        periods.period_type,
        periods.period_start,
        sum(months.customers_lost) as monthly_customers_lost,
        sum(case when months.report_month = periods.period_start then months.customers_at_start end)
            as first_month_customers_at_start,
        sum(case when months.report_month = periods.period_start then months.mrr_at_start end)
            as first_month_mrr_at_start
    from periods
    inner join months
        on
            periods.period_start <= months.report_month
            and periods.period_end > months.report_month
    group by
        periods.period_type,
        periods.period_start

)

select
    periods.period_type,
    periods.period_start,
    periods.customers_at_start,
    period_months.first_month_customers_at_start,
    periods.mrr_at_start,
    period_months.first_month_mrr_at_start,
    periods.customers_lost,
    periods.customers_lost_and_regained,
    period_months.monthly_customers_lost
from periods
left join period_months
    on
        periods.period_type = period_months.period_type
        and periods.period_start = period_months.period_start
where
    period_months.period_start is null
    or periods.customers_at_start <> period_months.first_month_customers_at_start
    or abs(periods.mrr_at_start - period_months.first_month_mrr_at_start) > 0.01
    or periods.customers_lost + periods.customers_lost_and_regained > period_months.monthly_customers_lost
