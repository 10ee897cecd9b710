with

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

-- consecutive entries of the same stage are one spell: a new spell starts whenever the stage changes
numbered as (

    select
        person_id,
        stage,
        entered_at,
        cast(sum(case when previous_stage = stage then 0 else 1 end) over (
            partition by person_id
            order by entered_at, stage_event_id
            rows between unbounded preceding and current row
        ) as {{ dbt.type_bigint() }}) as spell_number
    from stage_transitions

),

spells as (

    select
        person_id,
        spell_number,
        stage,
        min(entered_at) as started_at,
        count(*) as entries
    from numbered
    group by
        person_id,
        spell_number,
        stage

),

final as (

    select
        {{ surrogate_key(['person_id', 'spell_number']) }} as stage_spell_id,
        person_id,
        spell_number,
        stage,
        -- funnel order; recycled and disqualified rank below every funnel stage (moving there is backward)
        case stage
            when 'subscriber' then 1
            when 'lead' then 2
            when 'mql' then 3
            when 'sql' then 4
            when 'opportunity' then 5
            when 'customer' then 6
            when 'recycled' then 0
            when 'disqualified' then 0
        end as stage_rank,
        started_at,
        lead(started_at) over (partition by person_id order by spell_number) as ended_at,
        entries,
        spell_number = max(spell_number) over (partition by person_id) as is_current
    from spells

)

select * from final
