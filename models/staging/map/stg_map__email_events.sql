with

source as (

    select * from {{ source('map', 'email_events') }}

),

latest as (

    {{ latest_version('source', ['event_id']) }}

),

final as (

    select
        event_id as event_id,
        email_send_id as email_send_id,
        campaign_id as campaign_id,
        email_id as email_id,
        {{ normalize_email('email') }} as email,
        lower(trim(event_type)) as event_type,
        occurred_at as occurred_at,
        link_url as link_url,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

)

select * from final
