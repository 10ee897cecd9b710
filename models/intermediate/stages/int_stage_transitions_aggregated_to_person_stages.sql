{%- set stall_days = var('stall_days', 60) -%}
{#- the funnel stages a person can stall in or drop from, before customer (stall_points reports each) -#}
{%- set stages = ['lead', 'mql', 'sql', 'opportunity'] -%}

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

-- the data's as-of instant, as int_stage_cohorts_aggregated_to_months defines it: the end of the last month
data_end as (

    select max(month_ends_at) as data_ends_at
    from months

),

stages as (

    {% for stage in stages %}
        select '{{ stage }}' as stage  -- noqa: RF04
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- reached: entered the stage at least once (a skipped stage is not reached)
reached as (

    select distinct
        stage_transitions.person_id,
        stage_transitions.stage
    from stage_transitions
    inner join stages
        on stage_transitions.stage = stages.stage

),

-- stalled (funnel_cohorts' rule, for each stage): the person's current spell is the stage and started more than
-- stall_days before the data end
stalled as (

    select
        stage_spells.person_id,
        stage_spells.stage
    from stage_spells
    cross join data_end
    inner join stages
        on stage_spells.stage = stages.stage
    where
        stage_spells.is_current = true
        and stage_spells.started_at < {{ dbt.dateadd('day', -stall_days, 'data_end.data_ends_at') }}

),

customers as (

    select distinct person_id
    from stage_transitions
    where stage = 'customer'

),

-- dropped there: entered recycled or disqualified straight from the stage (previous_stage), and never a customer
-- (int_person_stage_cohorts' drop: a customer is no drop)
dropped as (

    select distinct
        stage_transitions.person_id,
        stage_transitions.previous_stage as stage  -- noqa: RF04
    from stage_transitions
    inner join stages
        on stage_transitions.previous_stage = stages.stage
    left join customers
        on stage_transitions.person_id = customers.person_id
    where stage_transitions.stage in ('recycled', 'disqualified') and customers.person_id is null

),

final as (

    select
        reached.person_id,
        reached.stage,
        stalled.person_id is not null as is_stalled,
        dropped.person_id is not null as is_dropped
    from reached
    left join stalled
        on
            reached.person_id = stalled.person_id
            and reached.stage = stalled.stage
    left join dropped
        on
            reached.person_id = dropped.person_id
            and reached.stage = dropped.stage

)

select * from final
