with

source as (

    select * from {{ source('crm', 'sales_activities') }}

),

latest as (

    {{ latest_version('source', ['activity_id']) }}

),

final as (

    select
        activity_id as activity_id,
        record_id as record_id,
        lower(trim(record_type)) as record_type,
        opportunity_id as opportunity_id,
        lower(trim(activity_type)) as activity_type,
        occurred_at as occurred_at,
        owner_id as owner_id,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

)

select * from final
