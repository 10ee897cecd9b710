with

account_months as (

    select * from {{ ref('int_subscriptions_aggregated_to_account_months') }}

),

final as (

    select
        account_id,
        report_month,
        mrr_at_start,
        mrr_at_end,
        is_customer_at_start,
        is_customer_at_end,
        -- a customer at this or an earlier month's start: a comeback is reactivated, not new
        max(case when is_customer_at_start = true then 1 else 0 end) over (
            partition by account_id
            order by report_month
            rows between unbounded preceding and current row
        ) = 1 as was_customer_before
    from account_months

)

select * from final
