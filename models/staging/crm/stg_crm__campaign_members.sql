with

source as (

    select * from {{ contract_source('crm', 'campaign_members') }}

),

latest as (

    {{ latest_version('source', ['campaign_member_id']) }}

),

final as (

    select
        campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        member_status,
        has_responded,
        created_at,
        first_responded_at
    from latest

)

select * from final
