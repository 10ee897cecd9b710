with

source as (

    select * from {{ source('crm', 'campaign_members') }}

),

latest as (

    {{ latest_version('source', ['campaign_member_id']) }}

),

final as (

    select
        campaign_member_id as campaign_member_id,
        campaign_id as campaign_id,
        lead_id as lead_id,
        contact_id as contact_id,
        member_status as member_status,
        has_responded as has_responded,
        created_at as created_at,
        first_responded_at as first_responded_at,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

)

select * from final
