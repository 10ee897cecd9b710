-- Where does each acquisition channel lose people on the way to customer? Per channel, over the months from
-- var `analysis_since` (default: all data; e.g. --vars '{analysis_since: "2025-01-01"}'): persons entering
-- each stage, the step rates and the share lost at each step, worst lead-to-customer rate first (channels
-- that spent money and brought no lead first of all; channels with neither are left out).
-- Volumes of the same months, not cohorts (a lead of December may become an MQL in January): for cohort
-- rates use funnel_cohorts (all channels). Marketing cost per customer shows what a leaky channel costs.
-- Run: dbt compile --select funnel_drop_off_by_channel, then the SQL in target/compiled/ in a SQL client.
with

channel_months as (

    select * from {{ ref('channel_performance') }}
    where report_month >= cast('{{ var("analysis_since", "1900-01-01") }}' as date)

),

channels as (

    select
        channel,
        sum(new_leads) as new_leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(new_customers) as new_customers,
        sum(marketing_cost) as marketing_cost
    from channel_months
    group by channel
    having sum(new_leads) > 0 or sum(marketing_cost) > 0

),

final as (

    select
        channel,
        new_leads,
        mqls,
        sqls,
        new_customers,
        {{ safe_divide('mqls', 'new_leads') }} as lead_to_mql_rate,
        {{ safe_divide('sqls', 'mqls') }} as mql_to_sql_rate,
        {{ safe_divide('new_customers', 'sqls') }} as sql_to_customer_rate,
        {{ safe_divide('new_customers', 'new_leads') }} as lead_to_customer_rate,
        1 - {{ safe_divide('mqls', 'new_leads') }} as lost_before_mql,
        1 - {{ safe_divide('sqls', 'mqls') }} as lost_before_sql,
        1 - {{ safe_divide('new_customers', 'sqls') }} as lost_before_customer,
        {{ safe_divide('marketing_cost', 'new_customers') }} as cost_per_new_customer
    from channels

)

select * from final
order by lead_to_customer_rate asc nulls first, new_leads desc
