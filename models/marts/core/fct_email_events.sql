{#-
    Incremental (the model YAML gives the reasoning): rebuilds events with a new version (loaded in a batch
    newer than the table's newest source_batch_id) and every event of a send any version of such an event names
    (raw keeps every version: the send it joins and the sends it leaves), or whose person or audience in
    int_email_sends no longer matches the table.
-#}
{%- set send_columns = ['person_id', 'audience'] %}

with

email_events as (

    select * from {{ ref('stg_map__email_events') }}

),

email_sends as (

    select * from {{ ref('int_email_sends') }}

),

-- the load batch of each event's current version (staging keeps the latest batch's row)
event_versions as (

    select
        event_id,
        max(_batch_id) as source_batch_id
    from {{ source('map', 'email_events') }}
    {%- if is_incremental() %}
        where _batch_id > (select coalesce(max(existing.source_batch_id), 0) from {{ this }} as existing)
    {%- endif %}
    group by event_id

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

    changed_sends as (

        -- every send any version of an event with a new version names: its sent_at, campaign or email may have
        -- changed (they roll up its events) ...
        select raw_email_events.email_send_id
        from {{ source('map', 'email_events') }} as raw_email_events
        where raw_email_events.event_id in (select event_versions.event_id from event_versions)
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
            email_events.event_id in (select event_versions.event_id from event_versions)
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
        {%- if is_incremental() %}
            coalesce(event_versions.source_batch_id, existing_events.source_batch_id) as source_batch_id
        {%- else %}
            event_versions.source_batch_id
        {%- endif %}
    from events_to_build
    left join email_sends
        on events_to_build.email_send_id = email_sends.email_send_id
    left join event_versions
        on events_to_build.event_id = event_versions.event_id
    {%- if is_incremental() %}
        left join existing_events
            on events_to_build.event_id = existing_events.event_id
    {%- endif %}

)

select * from final
