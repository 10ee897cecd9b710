{{ config(enabled=adapter_enabled('salesforce', 'crm_leads')) }}
{#- crm_leads from Salesforce Lead (docs/design/connectors.md §1.2). The converted_* links and the conversion
    date only count once is_converted is true: a lead can carry stale links (e.g. an undone conversion), and
    the identity layer joins lead to contact on converted_contact_id. -#}
with

lead as (

    {{ connector_columns('salesforce', 'lead') }}

),

current_lead as (

    {{ connector_current('salesforce', 'lead', ['id']) }}

),

renamed as (

    select
        id as lead_id,
        email,
        company,
        title,
        industry,
        country,
        lead_source,
        status,
        created_date as created_at,
        case when coalesce(is_converted, false) then {{ date_to_utc('converted_date') }} end as converted_at,
        case when coalesce(is_converted, false) then converted_contact_id end as converted_contact_id,
        case when coalesce(is_converted, false) then converted_account_id end as converted_account_id,
        case when coalesce(is_converted, false) then converted_opportunity_id end as converted_opportunity_id,
        owner_id,
        {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }} as is_deleted,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
        {{ passthrough_select('crm_leads', reading='fields') }}  -- noqa: LT02
    from current_lead

)

{{ contract_select('crm', 'leads', 'renamed') }}
