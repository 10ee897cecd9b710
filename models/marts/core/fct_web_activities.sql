{#-
    Incremental: an incremental build rewrites only the activities that changed since the last
    build, and gives the same rows as a full refresh (see the model YAML for the reasoning):
      - activities with a new version: staging's _batch_id (the batch of the current version) newer
        than the newest source_batch_id already in the table (new, late-arriving or re-sent activities);
      - activities whose derived columns changed: person and identification time depend on the
        visitor's whole history and on identity (int_visitors_identified), the channel on the
        channel_mapping seed, so they are derived again for every activity and compared.
-#}

{%- set derived_columns = ['person_id', 'visitor_identified_at', 'channel'] %}

with

web_activities as (

    select * from {{ ref('stg_map__web_activities') }}

),

email_persons as (

    select * from {{ ref('int_email_persons') }}

),

visitors as (

    select * from {{ ref('int_visitors_identified') }}

),

derived_activities as (

    select
        web_activities.activity_id,
        web_activities.visitor_id,
        coalesce(email_persons.person_id, visitors.person_id) as person_id,
        web_activities.email is not null as is_identified_activity,
        visitors.identified_at as visitor_identified_at,
        web_activities.activity_type,
        -- content consumption (Attract): the one definition every mart counts
        web_activities.activity_type in ('content_view', 'content_download') as is_content_consumption,
        web_activities.asset_id,
        web_activities.asset_name,
        web_activities.page_url,
        web_activities.channel,
        web_activities.campaign_id,
        web_activities.occurred_at,
        {{ month_start('web_activities.occurred_at') }} as activity_month,
        -- the load batch of the activity's current version
        web_activities._batch_id as source_batch_id
    from web_activities
    left join email_persons
        on web_activities.email = email_persons.email
    left join visitors
        on web_activities.visitor_id = visitors.visitor_id

),

{%- if is_incremental() %}

    existing_activities as (

        select * from {{ this }}

    ),

{%- endif %}

final as (

    select derived_activities.*
    from derived_activities
    {%- if is_incremental() %}
        left join existing_activities
            on derived_activities.activity_id = existing_activities.activity_id
        where
            derived_activities.source_batch_id > (
                select coalesce(max(newest.source_batch_id), 0) from existing_activities as newest
            )
            {%- for column in derived_columns %}
                or {{ is_distinct_from('derived_activities.' ~ column, 'existing_activities.' ~ column) }}
            {%- endfor %}
    {%- endif %}

)

select * from final
