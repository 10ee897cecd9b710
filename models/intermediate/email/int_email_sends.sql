{#-
    Incremental (the model YAML gives the reasoning): rebuilds every send that any version of an event with a
    new version (staging's _batch_id newer than the table's newest source_batch_id) names (the send it joins and
    the sends it leaves), and every send whose person (int_email_persons) or campaign attributes no longer match
    the table.
-#}
{%- set derived_columns = ['person_id', 'audience', 'is_automated'] %}

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

{%- if is_incremental() %}

    -- the key a send keeps of its recipient's address, to find its person again without keeping the address
    recipient_persons as (

        select
            {{ dbt.hash('email') }} as recipient_key,
            person_id
        from email_persons

    ),

    existing_sends as (

        select
            email_send_id,
            recipient_key,
            campaign_id,
            {{ derived_columns | join(', ') }},
            source_batch_id
        from {{ this }}

    ),

    -- staging keeps the load batch of each event's current version; raw batches are numbered in load order,
    -- so nothing older than the newest batch built can appear later
    new_events as (

        select email_events.event_id
        from email_events
        where email_events._batch_id > (
            select coalesce(max(existing_sends.source_batch_id), 0) from existing_sends
        )

    ),

    sends_to_build as (

        -- every send any version of a re-loaded event names: the send it joins and the sends it leaves (raw
        -- keeps every version; read only for these events)
        {%- if lifecycle_provider('map_email_events') == 'contract' %}
            select raw_email_events.email_send_id
            from {{ source('map', 'email_events') }} as raw_email_events
            where
                raw_email_events.email_send_id is not null
                and raw_email_events.event_id in (select new_events.event_id from new_events)
        {%- else %}
            -- a connector's adapter holds each event's current version only: the send it joins, and the sends
            -- no event names any more (their events moved, e.g. to the surviving lead of a Marketo merge)
            select email_events.email_send_id
            from email_events
            where email_events.event_id in (select new_events.event_id from new_events)
            union
            select existing_sends.email_send_id
            from existing_sends
            where not exists (
                select 1
                from email_events as current_events
                where current_events.email_send_id = existing_sends.email_send_id
            )
        {%- endif %}
        union
        -- sends whose person (identity) or campaign attributes changed
        select existing_sends.email_send_id
        from existing_sends
        left join recipient_persons
            on existing_sends.recipient_key = recipient_persons.recipient_key
        left join campaigns
            on existing_sends.campaign_id = campaigns.campaign_id
        where
            {{ is_distinct_from('existing_sends.person_id', 'recipient_persons.person_id') }}
            or {{ is_distinct_from('existing_sends.audience', 'campaigns.audience') }}
            or {{ is_distinct_from('existing_sends.is_automated', 'campaigns.is_automated') }}

    ),

{%- endif %}

send_events as (

    select email_events.*
    from email_events
    {%- if is_incremental() %}
        where email_events.email_send_id in (select sends_to_build.email_send_id from sends_to_build)
    {%- else %}
        where email_events.email_send_id is not null
    {%- endif %}

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
        max(case when event_type = 'spam_report' then 1 else 0 end) as has_spam_report,
        -- the newest load batch of the current version of an event of the send
        max(_batch_id) as source_batch_id
    from send_events
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
        sends.has_spam_report = 1 as is_spam_report,
        {{ dbt.hash('sends.email') }} as recipient_key,
        sends.source_batch_id
    from sends
    left join email_persons
        on sends.email = email_persons.email
    left join campaigns
        on sends.campaign_id = campaigns.campaign_id
    {%- if is_incremental() %}
        -- a send whose events all moved to other sends has no row any more: a row with only its id (sent_at
        -- null) replaces the table's, and the post-hook deletes it
        union all
        select
            sends_to_build.email_send_id,
            null as campaign_id,
            null as email_id,
            null as person_id,
            null as audience,
            null as is_automated,
            null as sent_at,
            null as send_month,
            null as is_sent,
            null as is_bounced,
            null as is_delivered,
            null as is_opened,
            null as is_clicked,
            null as is_unsubscribed,
            null as is_spam_report,
            null as recipient_key,
            null as source_batch_id
        from sends_to_build
        -- (not exists, not `not in`: Spark runs a `not in` subquery as a nested-loop join)
        where
            sends_to_build.email_send_id is not null
            and not exists (
                select 1
                from sends
                where sends.email_send_id = sends_to_build.email_send_id
            )
    {%- endif %}

)

select * from final
