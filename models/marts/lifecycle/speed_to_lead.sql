{%- set sla_hours = var('lifecycle__speed_to_lead_sla_hours', 24) -%}

with

months as (

    select * from {{ ref('int_months') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

touches as (

    select * from {{ ref('fct_touches') }}

),

-- one MQL per person and month (as nurture_monthly's mqls): the person's first mql entry of the month
mqls as (

    select
        person_id,
        entered_month as report_month,
        min(entered_at) as mql_at
    from stage_transitions
    where stage = 'mql'
    group by
        person_id,
        entered_month

),

-- the person's first sales activity at or after the MQL entry (null when none)
first_activities as (

    select
        mqls.person_id,
        mqls.report_month,
        mqls.mql_at,
        min(touches.touched_at) as first_activity_at
    from mqls
    left join touches
        on
            mqls.person_id = touches.person_id
            and mqls.mql_at <= touches.touched_at
            and touches.touch_kind = 'sales_activity'
    group by
        mqls.person_id,
        mqls.report_month,
        mqls.mql_at

),

response_hours as (

    select
        report_month,
        -- exact milliseconds as numeric (DuckDB's float is single precision)
        cast({{ epoch_ms('first_activity_at') }} - {{ epoch_ms('mql_at') }} as {{ dbt.type_numeric() }}) / 3600000
            as hours_to_first_activity
    from first_activities

),

month_stats as (

    select
        report_month,
        count(*) as mqls,
        count(hours_to_first_activity) as mqls_with_sales_activity,
        {{ percentile('hours_to_first_activity', 0.5) }} as median_hours_to_first_activity,
        {{ percentile('hours_to_first_activity', 0.75) }} as p75_hours_to_first_activity,
        count(case when hours_to_first_activity <= {{ sla_hours }} then 1 end) as mqls_within_sla
    from response_hours
    group by report_month

),

-- spine + left join + ratio
final as (

    select
        months.report_month,
        cast(coalesce(month_stats.mqls, 0) as {{ dbt.type_bigint() }}) as mqls,
        cast(coalesce(month_stats.mqls_with_sales_activity, 0) as {{ dbt.type_bigint() }})
            as mqls_with_sales_activity,
        cast(month_stats.median_hours_to_first_activity as {{ dbt.type_numeric() }})
            as median_hours_to_first_activity,
        cast(month_stats.p75_hours_to_first_activity as {{ dbt.type_numeric() }}) as p75_hours_to_first_activity,
        cast(coalesce(month_stats.mqls_within_sla, 0) as {{ dbt.type_bigint() }}) as mqls_within_sla,
        {{ safe_divide('month_stats.mqls_within_sla', 'month_stats.mqls') }} as share_within_sla
    from months
    left join month_stats
        on months.report_month = month_stats.report_month

)

select * from final
