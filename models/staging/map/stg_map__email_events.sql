{#-
    Incremental (the model YAML gives the reasoning): an incremental build ranks only the raw versions loaded
    after the table's newest _batch_id and replaces the events they name (delete+insert on event_id).
-#}
with

source as (

    select * from {{ contract_source('map', 'email_events') }}
    {{ newer_batches_only() }}

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
        link_url,
        _batch_id
    from latest

)

select * from final
