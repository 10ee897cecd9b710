{{ config(enabled=adapter_enabled('salesforce', 'crm_accounts')) }}
{#- crm_accounts from Salesforce Account (docs/design/connectors.md §1.2): merged-away accounts are deleted
    with master_record_id set, so the deleted rule covers merges. -#}
with

account as (

    {{ connector_columns('salesforce', 'account') }}

),

current_account as (

    {{ connector_current('salesforce', 'account', ['id']) }}

),

renamed as (

    select
        id as account_id,
        name as account_name,
        industry,
        number_of_employees as employee_count,
        coalesce(billing_country, shipping_country) as country,
        created_date as created_at,
        {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }} as is_deleted,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
        {{ passthrough_select('crm_accounts', reading='fields') }}  -- noqa: LT02
    from current_account

)

{{ contract_select('crm', 'accounts', 'renamed') }}
