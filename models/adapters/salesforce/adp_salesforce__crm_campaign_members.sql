{{ config(enabled=adapter_enabled('salesforce', 'crm_campaign_members')) }}
{#- crm_campaign_members from Salesforce CampaignMember (docs/design/connectors.md §1.2); first_responded_date is
    a date (date_to_utc). Deleted members are dropped (the contract file has no is_deleted). -#}
with

campaign_member as (

    {{ connector_columns('salesforce', 'campaign_member') }}

),

current_campaign_member as (

    {{ connector_current('salesforce', 'campaign_member', ['id']) }}

),

renamed as (

    select
        id as campaign_member_id,
        campaign_id,
        lead_id,
        contact_id,
        status as member_status,
        has_responded,
        created_date as created_at,
        {{ date_to_utc('first_responded_date') }} as first_responded_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from current_campaign_member
    where not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}

)

{{ contract_select('crm', 'campaign_members', 'renamed') }}
