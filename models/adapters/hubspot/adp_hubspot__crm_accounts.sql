{{ config(enabled=adapter_enabled('hubspot', 'crm_accounts')) }}
{#- crm_accounts from HubSpot companies (docs/design/connectors.md §1.3.2): merged-away companies are flagged
    deleted by HubSpot (fivetran/dbt_hubspot#134), so the deleted rule covers merges. -#}
with

company as (

    {{ connector_columns('hubspot', 'company') }}

),

current_company as (

    {{ connector_current('hubspot', 'company', ['id']) }}

),

renamed as (

    select
        id as account_id,
        property_name as account_name,
        property_industry as industry,
        property_numberofemployees as employee_count,
        property_country as country,
        property_createdate as created_at,
        {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }} as is_deleted,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
        {{ passthrough_select('crm_accounts', reading='fields') }}  -- noqa: LT02
    from current_company

)

{{ contract_select('crm', 'accounts', 'renamed') }}
