{#- the stages of int_stage_transitions_aggregated_to_person_stages: every one gets a row, reached or not -#}
{%- set stages = ['lead', 'mql', 'sql', 'opportunity'] -%}

with

-- each person and stage reached (lead, mql, sql, opportunity): stalled there at the data end, dropped from there
person_stages as (

    select * from {{ ref('int_stage_transitions_aggregated_to_person_stages') }}

),

participants as (

    select * from {{ ref('int_program_participants_unioned') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

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
    where {{ program_type('audience', 'is_automated') }} = 'nurture'

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

-- a person in several nurture programs counts in each; in none, under 'none'
person_stage_programs as (

    select
        person_stages.stage,
        coalesce(nurtured_persons.program, 'none') as program,  -- noqa: RF04
        person_stages.person_id,
        case when person_stages.is_stalled = true then 1 else 0 end as is_stalled,
        case when person_stages.is_dropped = true then 1 else 0 end as is_dropped
    from person_stages
    left join nurtured_persons
        on person_stages.person_id = nurtured_persons.person_id

),

counts as (

    select
        stage,
        program,
        count(*) as persons_reached,
        sum(is_stalled) as persons_stalled,
        sum(is_dropped) as persons_dropped
    from person_stage_programs
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
