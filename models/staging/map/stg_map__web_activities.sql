with

source as (

    select * from {{ source('map', 'web_activities') }}

),

latest as (

    {{ latest_version('source', ['activity_id']) }}

),

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
        occurred_at
    from latest

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
        occurred_at
    from mapped

)

select * from final
