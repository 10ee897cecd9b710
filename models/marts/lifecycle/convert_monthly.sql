with

months as (

    select * from {{ ref('int_months') }}

),

stage_entries as (

    select * from {{ ref('int_stage_entries_aggregated_to_months') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_aggregated_to_months') }}

),

marketing_cost as (

    select * from {{ ref('int_marketing_cost_aggregated_to_months') }}

),

stage_cohorts as (

    select * from {{ ref('int_stage_cohorts_aggregated_to_months') }}

),

stage_velocity as (

    select * from {{ ref('int_stage_velocity_aggregated_to_months') }}

),

content_consumers as (

    select * from {{ ref('int_content_consumers_aggregated_to_months') }}

),

-- visitors whose first consumption is before the month end, cumulative (UTC instants on both sides)
content_to_customer as (

    select
        months.report_month,
        count(*) as content_consumers_to_date,
        count(case when content_consumers.became_customer_at < months.month_ends_at then 1 end)
            as content_consumers_became_customers
    from months
    inner join content_consumers
        on months.month_ends_at > content_consumers.first_consumed_at
    where content_consumers.is_first_consumption_month = true
    group by months.report_month

),

final as (

    select
        months.report_month,
        coalesce(stage_entries.sqls, 0) as sqls,
        coalesce(opportunities.opportunities_created, 0) as opportunities_created,
        {% for type in ['new_business', 'upsell', 'cross_sell', 'renewal'] %}
            coalesce(opportunities.{{ type }}_opportunities_created, 0) as {{ type }}_opportunities,
        {% endfor %}
        coalesce(opportunities.first_wins, 0) as new_customers,
        cast(coalesce(marketing_cost.marketing_cost, 0) as {{ dbt.type_numeric() }}) as marketing_cost,
        {{ safe_divide('nullif(marketing_cost.marketing_cost, 0)', 'stage_entries.sqls') }} as cost_per_sql,
        {{ safe_divide('nullif(marketing_cost.marketing_cost, 0)', 'opportunities.first_wins') }}
            as cost_per_new_customer,
        coalesce(mql_cohorts.members, 0) as mqls_cohort,
        {{ safe_divide('mql_cohorts.members_reaching_next_stage_in_window', 'mql_cohorts.members') }}
            as mql_to_sql_rate,
        coalesce(sql_cohorts.members, 0) as sqls_cohort,
        {{ safe_divide('sql_cohorts.members_reaching_next_stage_in_window', 'sql_cohorts.members') }}
            as sql_to_won_rate,
        -- the month's mql and sql cohorts share the window end: one flag for both rates
        mql_cohorts.is_cohort_complete,
        {% for column in ['closed_deals', 'won_deals', 'lost_deals', 'no_decision_deals'] %}
            coalesce(opportunities.{{ column }}, 0) as {{ column }},
        {% endfor %}
        {{ safe_divide('opportunities.won_deals', 'opportunities.closed_deals') }} as win_rate,
        {{ safe_divide('opportunities.no_decision_deals', 'opportunities.closed_deals') }} as no_decision_rate,
        cast(coalesce(opportunities.bookings, 0) as {{ dbt.type_numeric() }}) as bookings,
        cast(coalesce(opportunities.unattributed_bookings, 0) as {{ dbt.type_numeric() }}) as unattributed_bookings,
        {% for step in ['lead_to_mql', 'mql_to_sql', 'sql_to_customer', 'lead_to_customer'] %}
            stage_velocity.median_days_{{ step }},
            stage_velocity.p75_days_{{ step }},
        {% endfor %}
        coalesce(content_to_customer.content_consumers_to_date, 0) as content_consumers_to_date,
        coalesce(content_to_customer.content_consumers_became_customers, 0) as content_consumers_became_customers,
        {{ safe_divide('content_to_customer.content_consumers_became_customers',
                       'content_to_customer.content_consumers_to_date') }} as content_to_customer_rate
    from months
    left join stage_cohorts as mql_cohorts
        on months.report_month = mql_cohorts.cohort_month and mql_cohorts.cohort_stage = 'mql'
    left join stage_cohorts as sql_cohorts
        on months.report_month = sql_cohorts.cohort_month and sql_cohorts.cohort_stage = 'sql'
    left join stage_entries
        on months.report_month = stage_entries.report_month
    left join opportunities
        on months.report_month = opportunities.report_month
    left join marketing_cost
        on months.report_month = marketing_cost.report_month
    left join stage_velocity
        on months.report_month = stage_velocity.report_month
    left join content_to_customer
        on months.report_month = content_to_customer.report_month

)

select * from final
