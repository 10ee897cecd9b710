with

source as (

    select * from {{ contract_source('crm', 'accounts') }}

),

latest as (

    {{ latest_version('source', ['account_id'], deleted_column='is_deleted') }}

),

final as (

    select
        account_id,
        account_name,
        industry,
        employee_count,
        country,
        created_at
        {{ passthrough_select('crm_accounts', reading='contract_source') }}  -- noqa: LT02
    from latest

)

select * from final
