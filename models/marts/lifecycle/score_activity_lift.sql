with

score_changes as (

    select * from {{ ref('int_score_changes_resolved_to_persons') }}

),

stage_spells as (

    select * from {{ ref('int_stage_spells') }}

),

-- each person's first score change of each reason
first_changes as (

    select
        person_id,
        score_reason,
        min(occurred_at) as changed_at
    from score_changes
    where person_id is not null
    group by
        person_id,
        score_reason

),

-- the spell the person was in at the change (none before their first stage entry) and the spell after it:
-- the next stage change is the start of that next spell (spells change stage by definition)
person_outcomes as (

    select
        first_changes.score_reason,
        case when next_spells.person_id is not null then 1 else 0 end as has_next_stage_change,
        case
            when next_spells.stage_rank > coalesce(current_spells.stage_rank, 0) then 1 else 0
        end as moved_forward
    from first_changes
    left join stage_spells as current_spells
        on
            first_changes.person_id = current_spells.person_id
            and first_changes.changed_at >= current_spells.started_at
            and (current_spells.ended_at is null or first_changes.changed_at < current_spells.ended_at)
    left join stage_spells as next_spells
        on
            first_changes.person_id = next_spells.person_id
            and next_spells.spell_number = coalesce(current_spells.spell_number, 0) + 1

),

reason_changes as (

    select
        score_reason,
        count(*) as score_changes,
        count(distinct person_id) as persons,
        avg(cast(score_delta as {{ dbt.type_float() }})) as mean_score_delta
    from score_changes
    group by score_reason

),

reason_outcomes as (

    select
        score_reason,
        count(case when has_next_stage_change = 1 then 1 end) as persons_with_next_stage_change,
        count(case when moved_forward = 1 then 1 end) as persons_moved_forward
    from person_outcomes
    group by score_reason

),

final as (

    select
        reason_changes.score_reason,
        reason_changes.score_changes,
        reason_changes.persons,
        cast(reason_changes.mean_score_delta as {{ dbt.type_numeric() }}) as mean_score_delta,
        coalesce(reason_outcomes.persons_with_next_stage_change, 0) as persons_with_next_stage_change,
        -- persons without a later stage change did not move forward
        {{ safe_divide('reason_outcomes.persons_moved_forward', 'reason_changes.persons') }} as next_stage_forward_share
    from reason_changes
    left join reason_outcomes
        on reason_changes.score_reason = reason_outcomes.score_reason

)

select * from final
