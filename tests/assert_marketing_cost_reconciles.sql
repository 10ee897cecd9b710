-- Marketing cost reconciles per month: nurture_monthly.marketing_cost, the sum over channels of
-- channel_performance.marketing_cost, the sum of the allocation (int_marketing_cost_allocated, overhead of a month
-- without program cost included) and the sum of fct_marketing_spend.marketing_cost by spend_month agree within
-- 0.01 (reporting currency). Returns the months that do not.
with

nurture as (

    select
        report_month,
        marketing_cost
    from {{ ref('nurture_monthly') }}

),

channels as (

    select
        report_month,
        sum(marketing_cost) as marketing_cost
    from {{ ref('channel_performance') }}
    group by report_month

),

allocated as (

    select
        report_month,
        sum(marketing_cost) as marketing_cost
    from {{ ref('int_marketing_cost_allocated') }}
    group by report_month

),

spend as (

    select
        spend_month as report_month,
        sum(marketing_cost) as marketing_cost
    from {{ ref('fct_marketing_spend') }}
    group by spend_month

),

months as (

    select report_month from nurture
    union
    select report_month from channels
    union
    select report_month from allocated
    union
    select report_month from spend

),

compared as (

    select
        months.report_month,
        coalesce(nurture.marketing_cost, 0) as nurture_cost,
        coalesce(channels.marketing_cost, 0) as channel_cost,
        coalesce(allocated.marketing_cost, 0) as allocated_cost,
        coalesce(spend.marketing_cost, 0) as spend_cost
    from months
    left join nurture
        on months.report_month = nurture.report_month
    left join channels
        on months.report_month = channels.report_month
    left join allocated
        on months.report_month = allocated.report_month
    left join spend
        on months.report_month = spend.report_month

)

select
    report_month,
    nurture_cost,
    channel_cost,
    allocated_cost,
    spend_cost
from compared
where
    abs(nurture_cost - spend_cost) > 0.01
    or abs(channel_cost - spend_cost) > 0.01
    or abs(allocated_cost - spend_cost) > 0.01
