{#-
    Incremental (the model YAML gives the reasoning): rebuilds events with a new version (staging's _batch_id
    newer than the table's newest source_batch_id) and every event of the send such an event joins or leaves
    (its send in this table), or whose person or audience in int_email_sends no longer matches the table.
-#}
{%- set send_columns = ['person_id', 'audience'] %}

with

email_events as (

    select * from {{ ref('stg_map__email_events') }}

),

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

{%- if is_incremental() %}

    existing_events as (

        select
            event_id,
            email_send_id,
            {{ send_columns | join(', ') }},
            source_batch_id
        from {{ this }}

    ),

    -- staging keeps the batch of each event's current version: an event loaded later has a newer one
    new_events as (

        select
            email_events.event_id,
            email_events.email_send_id
        from email_events
        where email_events._batch_id > (
            select coalesce(max(existing_events.source_batch_id), 0) from existing_events
        )

    ),

    changed_sends as (

        -- the send a new version joins and the send its previous version left (this table's): its sent_at,
        -- campaign or email may have changed (they roll up its events) ...
        select new_events.email_send_id
        from new_events
        union
        select existing_events.email_send_id
        from existing_events
        inner join new_events
            on existing_events.event_id = new_events.event_id
        union
        -- ... and sends whose person (identity) or audience (campaigns) changed
        select existing_events.email_send_id
        from existing_events
        inner join email_sends
            on existing_events.email_send_id = email_sends.email_send_id
        where
            {%- for column in send_columns %}
                {% if not loop.first %}or {% endif %}{{ is_distinct_from('existing_events.' ~ column, 'email_sends.' ~ column) }}
            {%- endfor %}

    ),

{%- endif %}

events_to_build as (

    select email_events.*
    from email_events
    {%- if is_incremental() %}
        where
            email_events.event_id in (select new_events.event_id from new_events)
            or email_events.email_send_id in (select changed_sends.email_send_id from changed_sends)
    {%- endif %}

),

final as (

    select
        events_to_build.event_id,
        events_to_build.email_send_id,
        coalesce(events_to_build.campaign_id, email_sends.campaign_id) as campaign_id,
        coalesce(events_to_build.email_id, email_sends.email_id) as email_id,
        email_sends.person_id,
        events_to_build.event_type,
        events_to_build.occurred_at,
        {{ month_start('events_to_build.occurred_at') }} as event_month,
        email_sends.sent_at,
        email_sends.send_month,
        email_sends.audience,
        -- the load batch of the event's current version
        events_to_build._batch_id as source_batch_id
    from events_to_build
    left join email_sends
        on events_to_build.email_send_id = email_sends.email_send_id

)

select * from final
