with

email_events as (

    select * from {{ ref('stg_map__email_events') }}

),

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

final as (

    select
        email_events.event_id,
        email_events.email_send_id,
        coalesce(email_events.campaign_id, email_sends.campaign_id) as campaign_id,
        coalesce(email_events.email_id, email_sends.email_id) as email_id,
        email_sends.person_id,
        email_events.event_type,
        email_events.occurred_at,
        {{ month_start('email_events.occurred_at') }} as event_month,
        email_sends.sent_at,
        email_sends.send_month,
        email_sends.audience
    from email_events
    left join email_sends
        on email_events.email_send_id = email_sends.email_send_id

)

select * from final
