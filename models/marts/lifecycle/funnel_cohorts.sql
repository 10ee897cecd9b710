with

months as (

    select * from {{ ref('int_months') }}

),

stage_cohorts as (

    select * from {{ ref('int_stage_cohorts_aggregated_to_months') }}

),

lead_cohorts as (

    select * from stage_cohorts
    where cohort_stage = 'lead'

),

joined as (

    select
        months.report_month as cohort_month,
        coalesce(lead_cohorts.members, 0) as leads,
        coalesce(lead_cohorts.members_reaching_mql_to_date, 0) as reached_mql_to_date,
        coalesce(lead_cohorts.members_reaching_sql_to_date, 0) as reached_sql_to_date,
        coalesce(lead_cohorts.members_reaching_opportunity_to_date, 0) as reached_opportunity_to_date,
        coalesce(lead_cohorts.members_reaching_customer_to_date, 0) as reached_customer_to_date,
        coalesce(lead_cohorts.members_stalled_at_data_end, 0) as stalled_at_data_end,
        coalesce(lead_cohorts.members_dropped_to_date, 0) as dropped_to_date,
        lead_cohorts.is_cohort_complete
    from months
    left join lead_cohorts
        on months.report_month = lead_cohorts.cohort_month

),

final as (

    select
        cohort_month,
        leads,
        reached_mql_to_date,
        reached_sql_to_date,
        reached_opportunity_to_date,
        reached_customer_to_date,
        {{ safe_divide('reached_mql_to_date', 'leads') }} as lead_to_mql_rate_to_date,
        {{ safe_divide('reached_sql_to_date', 'reached_mql_to_date') }} as mql_to_sql_rate_to_date,
        {{ safe_divide('reached_opportunity_to_date', 'reached_sql_to_date') }} as sql_to_opportunity_rate_to_date,
        {{ safe_divide('reached_customer_to_date', 'reached_opportunity_to_date') }}
            as opportunity_to_customer_rate_to_date,
        {{ safe_divide('reached_customer_to_date', 'leads') }} as lead_to_customer_rate_to_date,
        stalled_at_data_end,
        dropped_to_date,
        is_cohort_complete
    from joined

)

select * from final
