with

source as (

    select * from {{ source('crm', 'accounts') }}

),

latest as (

    {{ latest_version('source', ['account_id'], deleted_column='is_deleted') }}

),

final as (

    select
        account_id as account_id,
        account_name as account_name,
        industry as industry,
        employee_count as employee_count,
        country as country,
        created_at as created_at,
        _batch_id as batch_id,
        _loaded_at as loaded_at
    from latest

)

select * from final
