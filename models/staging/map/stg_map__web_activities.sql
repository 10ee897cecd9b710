{#-
    Incremental (the model YAML gives the reasoning): an incremental build ranks only the raw versions loaded
    after the table's newest _batch_id, and maps again the table's activities whose channel the channel_mapping
    seed now maps differently; it replaces the activities either names (delete+insert on activity_id).
-#}
{%- set renamed_columns = ['activity_id', 'visitor_id', 'email', 'activity_type', 'asset_id', 'asset_name',
    'page_url', 'channel_raw', 'campaign_id', 'occurred_at', '_batch_id'] %}

with

source as (

    select * from {{ contract_source('map', 'web_activities') }}
    {{ newer_batches_only() }}

),

latest as (

    {{ latest_version('source', ['activity_id']) }}

),

{%- if is_incremental() %}

    existing as (

        select * from {{ this }}

    ),

    existing_mapped as (

        {{ map_to_canonical('existing', [
            {'column': 'channel_raw', 'seed': 'channel_mapping', 'value': 'channel', 'as': 'mapped_channel'},
        ]) }}

    ),

{%- endif %}

renamed as (

    select
        activity_id,
        visitor_id,
        {{ normalize_email('email') }} as email,
        lower(trim(activity_type)) as activity_type,
        asset_id,
        asset_name,
        page_url,
        channel as channel_raw,
        campaign_id,
        occurred_at,
        _batch_id
    from latest
    {%- if is_incremental() %}
        union all
        -- a changed seed changes the channel of activities without a new version
        select {{ renamed_columns | join(', ') }}
        from existing_mapped
        where
            {{ is_distinct_from('channel', 'mapped_channel') }}
            -- (not exists, not `not in`: Spark runs a `not in` subquery as a nested-loop join)
            and not exists (
                select 1
                from latest
                where latest.activity_id = existing_mapped.activity_id
            )
    {%- endif %}

),

mapped as (

    {{ map_to_canonical('renamed', [
        {'column': 'channel_raw', 'seed': 'channel_mapping', 'value': 'channel'},
    ]) }}

),

final as (

    select
        activity_id,
        visitor_id,
        email,
        activity_type,
        asset_id,
        asset_name,
        page_url,
        channel_raw,
        channel,
        campaign_id,
        occurred_at,
        _batch_id
    from mapped

)

select * from final
