{%- set window_days = var('conversion_window_days', 90) -%}
{%- set stall_days = var('stall_days', 60) -%}

with

months as (

    select * from {{ ref('int_months') }}

),

person_cohorts as (

    select * from {{ ref('int_person_stage_cohorts') }}

),

stage_spells as (

    select * from {{ ref('int_stage_spells') }}

),

-- the data's as-of instant, defined here once: the end of the last month of the month spine (a UTC instant)
data_end as (

    select max(month_ends_at) as data_ends_at
    from months

),

cohort_stages as (

    select
        'lead' as cohort_stage,
        'mql' as next_stage
    union all
    select
        'mql' as cohort_stage,
        'sql' as next_stage
    union all
    select
        'sql' as cohort_stage,
        'customer' as next_stage

),

-- persons whose current spell is lead or mql and started more than stall_days before the data end
stalled_persons as (

    select stage_spells.person_id
    from stage_spells
    cross join data_end
    where
        stage_spells.is_current = true
        and stage_spells.stage in ('lead', 'mql')
        and stage_spells.started_at < {{ dbt.dateadd('day', -stall_days, 'data_end.data_ends_at') }}

),

cohorts as (

    select
        person_cohorts.cohort_month,
        person_cohorts.cohort_stage,
        count(*) as members,
        count(case when person_cohorts.reached_next_stage_in_window = true then 1 end)
            as members_reaching_next_stage_in_window,
        count(case when person_cohorts.reached_mql_to_date = true then 1 end) as members_reaching_mql_to_date,
        count(case when person_cohorts.reached_sql_to_date = true then 1 end) as members_reaching_sql_to_date,
        count(case when person_cohorts.reached_opportunity_to_date = true then 1 end)
            as members_reaching_opportunity_to_date,
        count(case when person_cohorts.reached_customer_to_date = true then 1 end)
            as members_reaching_customer_to_date,
        count(stalled_persons.person_id) as members_stalled_at_data_end,
        count(case when person_cohorts.is_dropped = true then 1 end) as members_dropped_to_date
    from person_cohorts
    left join stalled_persons
        on person_cohorts.person_id = stalled_persons.person_id
    group by
        person_cohorts.cohort_month,
        person_cohorts.cohort_stage

),

final as (

    select
        months.report_month as cohort_month,
        cohort_stages.cohort_stage,
        cohort_stages.next_stage,
        coalesce(cohorts.members, 0) as members,
        coalesce(cohorts.members_reaching_next_stage_in_window, 0) as members_reaching_next_stage_in_window,
        coalesce(cohorts.members_reaching_mql_to_date, 0) as members_reaching_mql_to_date,
        coalesce(cohorts.members_reaching_sql_to_date, 0) as members_reaching_sql_to_date,
        coalesce(cohorts.members_reaching_opportunity_to_date, 0) as members_reaching_opportunity_to_date,
        coalesce(cohorts.members_reaching_customer_to_date, 0) as members_reaching_customer_to_date,
        coalesce(cohorts.members_stalled_at_data_end, 0) as members_stalled_at_data_end,
        coalesce(cohorts.members_dropped_to_date, 0) as members_dropped_to_date,
        -- the window of the month's last possible member (entering just before the month end)
        {{ dbt.dateadd('day', window_days, 'months.month_ends_at') }} as cohort_window_ends_at,
        data_end.data_ends_at,
        {{ dbt.dateadd('day', window_days, 'months.month_ends_at') }} <= data_end.data_ends_at as is_cohort_complete
    from months
    cross join cohort_stages
    cross join data_end
    left join cohorts
        on
            months.report_month = cohorts.cohort_month
            and cohort_stages.cohort_stage = cohorts.cohort_stage

)

select * from final
