{%- set stall_days = var('stall_days', 60) -%}
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

participants as (

    select * from {{ ref('int_program_participants_unioned') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

-- the data's as-of instant, as int_stage_cohorts_aggregated_to_months defines it: the end of the last month
data_end as (

    select max(month_ends_at) as data_ends_at
    from months

),

-- the funnel stages a person can stall in or drop from, before customer
stages as (

    {% for stage in stages %}
        select '{{ stage }}' as stage  -- noqa: RF04
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- every nurture program (automated prospect campaign), and 'none' for persons in none
programs as (

    select campaign_id as program  -- noqa: RF04
    from campaigns
    where audience = 'prospect' and is_automated = true

    union all

    select 'none' as program  -- noqa: RF04

),

nurtured_persons as (

    select
        person_id,
        program
    from participants
    where program_type = 'nurture'

),

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

-- a person in several nurture programs counts in each; in none, under 'none'
person_stages as (

    select
        reached.stage,
        coalesce(nurtured_persons.program, 'none') as program,  -- noqa: RF04
        reached.person_id,
        case when stalled.person_id is not null then 1 else 0 end as is_stalled,
        case when dropped.person_id is not null then 1 else 0 end as is_dropped
    from reached
    left join stalled
        on
            reached.person_id = stalled.person_id
            and reached.stage = stalled.stage
    left join dropped
        on
            reached.person_id = dropped.person_id
            and reached.stage = dropped.stage
    left join nurtured_persons
        on reached.person_id = nurtured_persons.person_id

),

counts as (

    select
        stage,
        program,
        count(*) as persons_reached,
        sum(is_stalled) as persons_stalled,
        sum(is_dropped) as persons_dropped
    from person_stages
    group by
        stage,
        program

),

final as (

    select
        stages.stage,
        programs.program,
        cast(coalesce(counts.persons_reached, 0) as {{ dbt.type_bigint() }}) as persons_reached,
        cast(coalesce(counts.persons_stalled, 0) as {{ dbt.type_bigint() }}) as persons_stalled,
        cast(coalesce(counts.persons_dropped, 0) as {{ dbt.type_bigint() }}) as persons_dropped,
        {{ safe_divide('counts.persons_stalled', 'counts.persons_reached') }} as stall_rate,
        {{ safe_divide('counts.persons_dropped', 'counts.persons_reached') }} as drop_rate
    from stages
    cross join programs
    left join counts
        on
            stages.stage = counts.stage
            and programs.program = counts.program

)

select * from final
