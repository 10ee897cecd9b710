{%- set window_days = var('conversion_window_days', 90) -%}
{#- (cohort stage, the next stage it converts to) -#}
{%- set cohort_stages = [('lead', 'mql'), ('mql', 'sql'), ('sql', 'customer')] -%}

with

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

first_entries as (

    {% for cohort_stage, next_stage in cohort_stages %}
        select
            person_id,
            '{{ cohort_stage }}' as cohort_stage,
            '{{ next_stage }}' as next_stage,
            entered_at as first_entered_at,
            entered_month as cohort_month,
            {{ dbt.dateadd('day', window_days, 'entered_at') }} as window_ends_at
        from stage_transitions
        where stage = '{{ cohort_stage }}' and is_first_entry = true
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- every entry at or after the first entry of the cohort stage
later_entries as (

    select
        first_entries.person_id,
        first_entries.cohort_stage,
        max(
            case
                when later.stage = first_entries.next_stage and first_entries.window_ends_at >= later.entered_at
                    then 1
                else 0
            end
        ) as reached_next_stage_in_window,
        -- entering a stage or any later funnel stage reaches it (a skipped stage was passed)
        max(case when later.stage in ('mql', 'sql', 'opportunity', 'customer') then 1 else 0 end) as reached_mql,
        max(case when later.stage in ('sql', 'opportunity', 'customer') then 1 else 0 end) as reached_sql,
        max(case when later.stage in ('opportunity', 'customer') then 1 else 0 end) as reached_opportunity,
        max(case when later.stage = 'customer' then 1 else 0 end) as reached_customer,
        max(case when later.stage in ('recycled', 'disqualified') then 1 else 0 end) as was_dropped
    from first_entries
    inner join stage_transitions as later
        on
            first_entries.person_id = later.person_id
            and first_entries.first_entered_at <= later.entered_at
    group by
        first_entries.person_id,
        first_entries.cohort_stage

),

final as (

    select
        first_entries.person_id,
        first_entries.cohort_stage,
        first_entries.next_stage,
        first_entries.first_entered_at,
        first_entries.cohort_month,
        first_entries.window_ends_at,
        later_entries.reached_next_stage_in_window = 1 as reached_next_stage_in_window,
        later_entries.reached_mql = 1 as reached_mql_to_date,
        later_entries.reached_sql = 1 as reached_sql_to_date,
        later_entries.reached_opportunity = 1 as reached_opportunity_to_date,
        later_entries.reached_customer = 1 as reached_customer_to_date,
        -- a customer is no drop, whatever happened on the way
        later_entries.was_dropped = 1 and later_entries.reached_customer = 0 as is_dropped
    from first_entries
    inner join later_entries
        on
            first_entries.person_id = later_entries.person_id
            and first_entries.cohort_stage = later_entries.cohort_stage

)

select * from final
