with

score_changes as (

    select * from {{ ref('stg_map__score_changes') }}

),

email_persons as (

    select * from {{ ref('int_email_persons') }}

),

-- int_email_persons has one row per email, so the join never fans out; unknown emails keep a null person
final as (

    select
        score_changes.score_event_id,
        email_persons.person_id,
        coalesce(score_changes.reason, 'unknown') as score_reason,
        score_changes.score_delta,
        score_changes.new_score,
        score_changes.occurred_at,
        {{ month_start('score_changes.occurred_at') }} as occurred_month
    from score_changes
    left join email_persons
        on score_changes.email = email_persons.email

)

select * from final
