{%- set stall_days = var('stall_days', 60) -%}

with

months as (

    select * from {{ ref('int_months') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

stage_spells as (

    select * from {{ ref('int_stage_spells') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

-- one row per person and month with a stage entry: what the person did in the month
entry_person_months as (

    select
        person_id,
        entered_month as report_month,
        max(case when stage = 'lead' and is_first_entry = true then 1 else 0 end) as is_new_lead,
        max(case when stage = 'mql' then 1 else 0 end) as is_mql,
        -- first-time when one of the month's mql entries is the person's first
        max(case when stage = 'mql' and is_first_entry = true then 1 else 0 end) as is_first_time_mql,
        max(case when stage = 'sql' then 1 else 0 end) as is_sql,
        max(case when is_reopen = true then 1 else 0 end) as is_reopened_lead,
        max(case when stage in ('recycled', 'disqualified') then 1 else 0 end) as is_dropped_lead,
        0 as is_stalled_lead
    from stage_transitions
    group by
        person_id,
        entered_month

),

-- at the month end (a UTC instant): in a lead spell that started more than stall_days before and had not ended
stalled_person_months as (

    select distinct
        stage_spells.person_id,
        months.report_month,
        0 as is_new_lead,
        0 as is_mql,
        0 as is_first_time_mql,
        0 as is_sql,
        0 as is_reopened_lead,
        0 as is_dropped_lead,
        1 as is_stalled_lead
    from months
    inner join stage_spells
        on
            stage_spells.stage = 'lead'
            and stage_spells.started_at < {{ dbt.dateadd('day', -stall_days, 'months.month_ends_at') }}
            and (stage_spells.ended_at is null or months.month_ends_at <= stage_spells.ended_at)

),

person_months as (

    select * from entry_person_months
    union all
    select * from stalled_person_months

),

final as (

    select
        person_months.report_month,
        persons.acquisition_channel as channel,
        count(case when person_months.is_new_lead = 1 then 1 end) as new_leads,
        count(case when person_months.is_mql = 1 then 1 end) as mqls,
        count(case when person_months.is_first_time_mql = 1 then 1 end) as first_time_mqls,
        count(case when person_months.is_mql = 1 and person_months.is_first_time_mql = 0 then 1 end) as repeat_mqls,
        count(case when person_months.is_sql = 1 then 1 end) as sqls,
        count(case when person_months.is_reopened_lead = 1 then 1 end) as reopened_leads,
        count(case when person_months.is_dropped_lead = 1 then 1 end) as dropped_leads,
        count(case when person_months.is_stalled_lead = 1 then 1 end) as stalled_leads
    from person_months
    inner join persons
        on person_months.person_id = persons.person_id
    group by
        person_months.report_month,
        persons.acquisition_channel

)

select * from final
