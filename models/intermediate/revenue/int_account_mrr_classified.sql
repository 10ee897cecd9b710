with

account_months as (

    select * from {{ ref('int_account_mrr_lagged') }}

),

final as (

    select
        account_id,
        report_month,
        mrr_at_start,
        mrr_at_end,
        is_customer_at_start,
        is_customer_at_end,
        case
            when is_customer_at_start = false and is_customer_at_end = true and was_customer_before = true
                then 'reactivated'
            when is_customer_at_start = false and is_customer_at_end = true then 'new'
            when is_customer_at_start = true and is_customer_at_end = false then 'churned'
            when is_customer_at_start = true and mrr_at_end > mrr_at_start then 'expansion'
            when is_customer_at_start = true and mrr_at_end < mrr_at_start then 'contraction'
            when is_customer_at_start = true then 'unchanged'
            else 'none'
        end as movement
    from account_months

)

select * from final
