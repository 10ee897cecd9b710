{{ config(enabled=adapter_enabled('salesforce', 'crm_contacts')) }}
{#- crm_contacts from Salesforce Contact (docs/design/connectors.md §1.2): merged-away contacts are deleted with
    master_record_id set, so the deleted rule covers merges. -#}
with

contact as (

    {{ connector_columns('salesforce', 'contact') }}

),

current_contact as (

    {{ connector_current('salesforce', 'contact', ['id']) }}

),

renamed as (

    select
        id as contact_id,
        account_id,
        email,
        title,
        lead_source,
        created_date as created_at,
        owner_id,
        {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }} as is_deleted,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
        {{ passthrough_select('crm_contacts', reading='fields') }}  -- noqa: LT02
    from current_contact

)

{{ contract_select('crm', 'contacts', 'renamed') }}
