with

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

email_events as (

    select * from {{ ref('fct_email_events') }}

),

-- activities carrying the person's email: web activities with an email (form submits, identified visits) and
-- email events (the address is known to marketing automation)
identifying_activities as (

    select
        person_id,
        occurred_at,
        'web_activity' as identified_by,
        coalesce(channel, 'other') as channel,
        1 as source_order,
        activity_id as activity_key
    from web_activities
    where is_identified_activity = true and person_id is not null

    union all

    select
        person_id,
        occurred_at,
        'email_event' as identified_by,
        'email' as channel,
        2 as source_order,
        event_id as activity_key
    from email_events
    where person_id is not null

),

-- one tie-break: earliest, a web activity before an email event at the same time, then the activity key
ranked_activities as (

    select
        person_id,
        occurred_at,
        identified_by,
        channel,
        activity_key,
        row_number() over (
            partition by person_id
            order by occurred_at, source_order, activity_key
        ) as activity_rank
    from identifying_activities

),

final as (

    select
        person_id,
        occurred_at as first_identified_at,
        {{ month_start('occurred_at') }} as first_identified_month,
        identified_by,
        identified_by = 'web_activity' as is_identified_on_web,
        channel,
        activity_key as identifying_activity_id
    from ranked_activities
    where activity_rank = 1

)

select * from final
