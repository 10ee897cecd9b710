with

email_events as (

    select * from {{ ref('stg_map__email_events') }}

),

email_persons as (

    select * from {{ ref('int_email_persons') }}

),

campaigns as (

    select * from {{ ref('stg_crm__campaigns') }}

),

sends as (

    -- one row per send, however many times an event was exported or repeated (re-opens, re-clicks)
    select
        email_send_id,
        min(campaign_id) as campaign_id,
        min(email_id) as email_id,
        min(email) as email,
        min(case when event_type = 'sent' then occurred_at end) as first_sent_at,
        min(occurred_at) as first_event_at,
        max(case when event_type = 'bounce' then 1 else 0 end) as has_bounce,
        max(case when event_type = 'open' then 1 else 0 end) as has_open,
        max(case when event_type = 'click' then 1 else 0 end) as has_click,
        max(case when event_type = 'unsubscribe' then 1 else 0 end) as has_unsubscribe,
        max(case when event_type = 'spam_report' then 1 else 0 end) as has_spam_report
    from email_events
    where email_send_id is not null
    group by email_send_id

),

final as (

    select
        sends.email_send_id,
        sends.campaign_id,
        sends.email_id,
        email_persons.person_id,
        campaigns.audience,
        campaigns.is_automated,
        coalesce(sends.first_sent_at, sends.first_event_at) as sent_at,
        {{ month_start('coalesce(sends.first_sent_at, sends.first_event_at)') }} as send_month,
        true as is_sent,
        sends.has_bounce = 1 as is_bounced,
        sends.has_bounce = 0 as is_delivered,
        sends.has_open = 1 as is_opened,
        sends.has_click = 1 as is_clicked,
        sends.has_unsubscribe = 1 as is_unsubscribed,
        sends.has_spam_report = 1 as is_spam_report
    from sends
    left join email_persons
        on sends.email = email_persons.email
    left join campaigns
        on sends.campaign_id = campaigns.campaign_id

)

select * from final
