with

source as (

    select * from {{ source('map', 'email_events') }}

),

latest as (

    {{ latest_version('source', ['event_id']) }}

),

final as (

    select
        event_id,
        email_send_id,
        campaign_id,
        email_id,
        {{ normalize_email('email') }} as email,
        lower(trim(event_type)) as event_type,
        occurred_at,
        link_url
    from latest

)

select * from final
