{%- set window_days = var('conversion_window_days', 90) -%}
{#- (cohort stage, the next stage it converts to) -#}
{%- set cohort_stages = [('lead', 'mql'), ('mql', 'sql'), ('sql', 'customer')] -%}
{#- (stage, it and the later funnel stages: entering any of them reaches the stage, a skipped stage was passed) -#}
{%- set reach_stages = [
    ('mql', ['mql', 'sql', 'opportunity', 'customer']),
    ('sql', ['sql', 'opportunity', 'customer']),
    ('opportunity', ['opportunity', 'customer']),
    ('customer', ['customer']),
] -%}

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
            entered_month as cohort_month
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
                when
                    stage_transitions.stage = first_entries.next_stage
                    and {{ dbt.dateadd('day', window_days, 'first_entries.first_entered_at') }}
                    >= stage_transitions.entered_at
                    then 1
                else 0
            end
        ) as reached_next_stage_in_window,
        {% for stage, stages in reach_stages %}
            max(case when stage_transitions.stage in ('{{ stages | join("', '") }}') then 1 else 0 end)
                as reached_{{ stage }}_to_date,
        {% endfor %}
        max(case when stage_transitions.stage in ('recycled', 'disqualified') then 1 else 0 end) as was_dropped
    from first_entries
    inner join stage_transitions
        on
            first_entries.person_id = stage_transitions.person_id
            and first_entries.first_entered_at <= stage_transitions.entered_at
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
        {{ dbt.dateadd('day', window_days, 'first_entries.first_entered_at') }} as window_ends_at,
        later_entries.reached_next_stage_in_window = 1 as reached_next_stage_in_window,
        {% for stage, stages in reach_stages %}
            later_entries.reached_{{ stage }}_to_date = 1 as reached_{{ stage }}_to_date,
        {% endfor %}
        -- a customer is no drop, whatever happened on the way
        later_entries.was_dropped = 1 and later_entries.reached_customer_to_date = 0 as is_dropped
    from first_entries
    inner join later_entries
        on
            first_entries.person_id = later_entries.person_id
            and first_entries.cohort_stage = later_entries.cohort_stage

)

select * from final
