with

source as (

    select * from {{ contract_source('crm', 'sales_activities') }}

),

latest as (

    {{ latest_version('source', ['activity_id']) }}

),

final as (

    select
        activity_id,
        record_id,
        lower(trim(record_type)) as record_type,
        opportunity_id,
        lower(trim(activity_type)) as activity_type,
        occurred_at,
        owner_id
    from latest

)

select * from final
