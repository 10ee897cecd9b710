with

score_changes as (

    select * from {{ ref('stg_map__score_changes') }}

),

email_persons as (

    select * from {{ ref('int_email_persons') }}

),

stage_transitions as (

    select * from {{ ref('fct_stage_transitions') }}

),

person_score_changes as (

    select
        score_changes.score_event_id,
        coalesce(score_changes.reason, 'unknown') as score_reason,
        score_changes.score_delta,
        score_changes.occurred_at,
        email_persons.person_id
    from score_changes
    left join email_persons
        on score_changes.email = email_persons.email

),

-- funnel order; recycled and disqualified rank below every funnel stage (moving there is backward)
ranked_transitions as (

    select
        person_id,
        stage,
        entered_at,
        stage_event_id,
        case stage
            when 'subscriber' then 1
            when 'lead' then 2
            when 'mql' then 3
            when 'sql' then 4
            when 'opportunity' then 5
            when 'customer' then 6
            when 'recycled' then 0
            when 'disqualified' then 0
        end as stage_rank
    from stage_transitions

),

-- each person's first score change of each reason
first_changes as (

    select
        person_id,
        score_reason,
        min(occurred_at) as changed_at
    from person_score_changes
    where person_id is not null
    group by
        person_id,
        score_reason

),

stages_before as (

    select
        first_changes.person_id,
        first_changes.score_reason,
        ranked_transitions.stage,
        ranked_transitions.stage_rank,
        row_number() over (
            partition by first_changes.person_id, first_changes.score_reason
            order by ranked_transitions.entered_at desc, ranked_transitions.stage_event_id desc
        ) as recency
    from first_changes
    inner join ranked_transitions
        on
            first_changes.person_id = ranked_transitions.person_id
            and first_changes.changed_at >= ranked_transitions.entered_at

),

-- the first entry after the score change into a stage other than the one the person was in
next_changes as (

    select
        first_changes.person_id,
        first_changes.score_reason,
        ranked_transitions.stage_rank,
        row_number() over (
            partition by first_changes.person_id, first_changes.score_reason
            order by ranked_transitions.entered_at, ranked_transitions.stage_event_id
        ) as sequence_number
    from first_changes
    left join stages_before
        on
            first_changes.person_id = stages_before.person_id
            and first_changes.score_reason = stages_before.score_reason
            and stages_before.recency = 1
    inner join ranked_transitions
        on
            first_changes.person_id = ranked_transitions.person_id
            and first_changes.changed_at < ranked_transitions.entered_at
            and (stages_before.stage is null or stages_before.stage <> ranked_transitions.stage)

),

person_outcomes as (

    select
        first_changes.score_reason,
        case when next_changes.person_id is not null then 1 else 0 end as has_next_stage_change,
        case
            when next_changes.stage_rank > coalesce(stages_before.stage_rank, 0) then 1 else 0
        end as moved_forward
    from first_changes
    left join stages_before
        on
            first_changes.person_id = stages_before.person_id
            and first_changes.score_reason = stages_before.score_reason
            and stages_before.recency = 1
    left join next_changes
        on
            first_changes.person_id = next_changes.person_id
            and first_changes.score_reason = next_changes.score_reason
            and next_changes.sequence_number = 1

),

reason_changes as (

    select
        score_reason,
        count(*) as score_changes,
        count(distinct person_id) as persons,
        avg(cast(score_delta as {{ dbt.type_float() }})) as mean_score_delta
    from person_score_changes
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
