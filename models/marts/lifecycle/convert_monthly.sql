{%- set window_days = var('conversion_window_days', 90) -%}
{%- set numeric = dbt.type_numeric() -%}
{%- set velocity_steps = [
    ('lead_to_mql', 'lead', 'mql'),
    ('mql_to_sql', 'mql', 'sql'),
    ('sql_to_customer', 'sql', 'customer'),
    ('lead_to_customer', 'lead', 'customer'),
] -%}

with

months as (

    select * from {{ ref('int_months') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

marketing_spend as (

    select * from {{ ref('fct_marketing_spend') }}

),

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

sqls_by_month as (

    select
        entered_month as report_month,
        count(distinct person_id) as sqls
    from stage_transitions
    where stage = 'sql'
    group by entered_month

),

opportunities_created_by_month as (

    select
        created_month as report_month,
        count(*) as opportunities_created,
        count(case when opportunity_type = 'new_business' then 1 end) as new_business_opportunities,
        count(case when opportunity_type = 'upsell' then 1 end) as upsell_opportunities,
        count(case when opportunity_type = 'cross_sell' then 1 end) as cross_sell_opportunities,
        count(case when opportunity_type = 'renewal' then 1 end) as renewal_opportunities
    from opportunities
    group by created_month

),

closed_by_month as (

    select
        closed_month as report_month,
        count(*) as closed_deals,
        count(case when outcome = 'won' then 1 end) as won_deals,
        count(case when outcome = 'lost' then 1 end) as lost_deals,
        count(case when outcome = 'no_decision' then 1 end) as no_decision_deals,
        count(distinct case when is_first_win_of_account = true then account_id end) as new_customers,
        sum(case when outcome = 'won' then amount end) as bookings,
        sum(case when outcome = 'won' and campaign_id is null then amount end) as unattributed_bookings
    from opportunities
    where is_closed = true and closed_month is not null
    group by closed_month

),

cost_by_month as (

    select
        spend_month as report_month,
        sum(marketing_cost) as marketing_cost
    from marketing_spend
    group by spend_month

),

-- cohort rates: persons whose first entry of a stage falls in the month, and whether they reach the next
-- stage at or after that entry and within the conversion window
first_entries as (

    select
        person_id,
        stage,
        entered_at,
        entered_month
    from stage_transitions
    where is_first_entry = true and stage in ('mql', 'sql')

),

cohort_members as (

    select
        first_entries.entered_month as report_month,
        first_entries.stage,
        first_entries.person_id,
        max(case when later_entries.person_id is not null then 1 else 0 end) as converted
    from first_entries
    left join stage_transitions as later_entries
        on
            first_entries.person_id = later_entries.person_id
            and case first_entries.stage when 'mql' then 'sql' else 'customer' end = later_entries.stage
            and first_entries.entered_at <= later_entries.entered_at
            and {{ dbt.dateadd('day', window_days, 'first_entries.entered_at') }} >= later_entries.entered_at
    group by
        first_entries.entered_month,
        first_entries.stage,
        first_entries.person_id

),

cohorts_by_month as (

    select
        report_month,
        count(case when stage = 'mql' then 1 end) as mqls_cohort,
        count(case when stage = 'mql' and converted = 1 then 1 end) as mqls_cohort_reaching_sql,
        count(case when stage = 'sql' then 1 end) as sqls_cohort,
        count(case when stage = 'sql' and converted = 1 then 1 end) as sqls_cohort_reaching_customer
    from cohort_members
    group by report_month

),

-- velocity: persons reaching the later stage for the first time in the month, days since their first
-- entry of the earlier stage (only when that entry came first)
velocity_days as (

    {% for step, from_stage, to_stage in velocity_steps %}
        select
            '{{ step }}' as step,
            {{ month_start('first_' ~ to_stage ~ '_at') }} as report_month,
            {{ dbt.datediff('first_' ~ from_stage ~ '_at', 'first_' ~ to_stage ~ '_at', 'day') }}
                as days_between
        from persons
        where first_{{ from_stage }}_at <= first_{{ to_stage }}_at
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

velocity_by_step as (

    select
        report_month,
        step,
        {{ percentile('days_between', 0.5) }} as median_days,
        {{ percentile('days_between', 0.75) }} as p75_days
    from velocity_days
    group by
        report_month,
        step

),

velocity_by_month as (

    select
        report_month,
        {% for step, from_stage, to_stage in velocity_steps %}
            max(case when step = '{{ step }}' then median_days end) as median_days_{{ step }},
            max(case when step = '{{ step }}' then p75_days end) as p75_days_{{ step }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from velocity_by_step
    group by report_month

),

-- content to customer: visitors who consumed content by the month end, and of those the ones whose
-- (resolved person's) account had its first win by the month end
content_consumers as (

    select
        visitor_id,
        min(occurred_at) as first_consumed_at
    from web_activities
    where activity_type in ('content_view', 'content_download') and visitor_id is not null
    group by visitor_id

),

visitor_customers as (

    select
        web_activities.visitor_id,
        min(accounts.first_won_at) as customer_at
    from web_activities
    inner join persons
        on web_activities.person_id = persons.person_id
    inner join accounts
        on persons.account_id = accounts.account_id
    where web_activities.visitor_id is not null
    group by web_activities.visitor_id

),

content_to_customer_by_month as (

    select
        months.report_month,
        count(*) as content_consumers_to_date,
        count(
            case when visitor_customers.customer_at < months.month_end then 1 end
        ) as content_consumers_became_customers
    from months
    inner join content_consumers
        on months.month_end > content_consumers.first_consumed_at
    left join visitor_customers
        on content_consumers.visitor_id = visitor_customers.visitor_id
    group by months.report_month

),

joined as (

    select
        months.report_month,
        coalesce(sqls_by_month.sqls, 0) as sqls,
        coalesce(opportunities_created_by_month.opportunities_created, 0) as opportunities_created,
        coalesce(opportunities_created_by_month.new_business_opportunities, 0) as new_business_opportunities,
        coalesce(opportunities_created_by_month.upsell_opportunities, 0) as upsell_opportunities,
        coalesce(opportunities_created_by_month.cross_sell_opportunities, 0) as cross_sell_opportunities,
        coalesce(opportunities_created_by_month.renewal_opportunities, 0) as renewal_opportunities,
        coalesce(closed_by_month.new_customers, 0) as new_customers,
        coalesce(cost_by_month.marketing_cost, 0) as marketing_cost,
        coalesce(cohorts_by_month.mqls_cohort, 0) as mqls_cohort,
        coalesce(cohorts_by_month.mqls_cohort_reaching_sql, 0) as mqls_cohort_reaching_sql,
        coalesce(cohorts_by_month.sqls_cohort, 0) as sqls_cohort,
        coalesce(cohorts_by_month.sqls_cohort_reaching_customer, 0) as sqls_cohort_reaching_customer,
        coalesce(closed_by_month.closed_deals, 0) as closed_deals,
        coalesce(closed_by_month.won_deals, 0) as won_deals,
        coalesce(closed_by_month.lost_deals, 0) as lost_deals,
        coalesce(closed_by_month.no_decision_deals, 0) as no_decision_deals,
        coalesce(closed_by_month.bookings, 0) as bookings,
        coalesce(closed_by_month.unattributed_bookings, 0) as unattributed_bookings,
        {% for step, from_stage, to_stage in velocity_steps %}
            velocity_by_month.median_days_{{ step }},
            velocity_by_month.p75_days_{{ step }},
        {% endfor %}
        coalesce(content_to_customer_by_month.content_consumers_to_date, 0) as content_consumers_to_date,
        coalesce(content_to_customer_by_month.content_consumers_became_customers, 0)
            as content_consumers_became_customers
    from months
    left join sqls_by_month
        on months.report_month = sqls_by_month.report_month
    left join opportunities_created_by_month
        on months.report_month = opportunities_created_by_month.report_month
    left join closed_by_month
        on months.report_month = closed_by_month.report_month
    left join cost_by_month
        on months.report_month = cost_by_month.report_month
    left join cohorts_by_month
        on months.report_month = cohorts_by_month.report_month
    left join velocity_by_month
        on months.report_month = velocity_by_month.report_month
    left join content_to_customer_by_month
        on months.report_month = content_to_customer_by_month.report_month

),

final as (

    select
        report_month,
        sqls,
        opportunities_created,
        new_business_opportunities,
        upsell_opportunities,
        cross_sell_opportunities,
        renewal_opportunities,
        new_customers,
        cast(marketing_cost as {{ numeric }}) as marketing_cost,
        cast({{ safe_divide('marketing_cost', 'sqls') }} as {{ numeric }}) as cost_per_sql,
        cast({{ safe_divide('marketing_cost', 'new_customers') }} as {{ numeric }}) as cost_per_new_customer,
        mqls_cohort,
        cast({{ safe_divide('mqls_cohort_reaching_sql', 'mqls_cohort') }} as {{ numeric }}) as mql_to_sql_rate,
        sqls_cohort,
        cast({{ safe_divide('sqls_cohort_reaching_customer', 'sqls_cohort') }} as {{ numeric }}) as sql_to_won_rate,
        closed_deals,
        won_deals,
        lost_deals,
        no_decision_deals,
        cast({{ safe_divide('won_deals', 'closed_deals') }} as {{ numeric }}) as win_rate,
        cast({{ safe_divide('no_decision_deals', 'closed_deals') }} as {{ numeric }}) as no_decision_rate,
        cast(bookings as {{ numeric }}) as bookings,
        cast(unattributed_bookings as {{ numeric }}) as unattributed_bookings,
        {% for step, from_stage, to_stage in velocity_steps %}
            cast(median_days_{{ step }} as {{ numeric }}) as median_days_{{ step }},
            cast(p75_days_{{ step }} as {{ numeric }}) as p75_days_{{ step }},
        {% endfor %}
        content_consumers_to_date,
        content_consumers_became_customers,
        cast({{ safe_divide('content_consumers_became_customers', 'content_consumers_to_date') }} as {{ numeric }})
            as content_to_customer_rate
    from joined

)

select * from final
