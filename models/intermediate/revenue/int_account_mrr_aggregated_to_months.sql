with

account_mrr as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

-- customers = accounts with an active subscription; at start = active on the month's first day, lost = of
-- those, no active subscription on the next month's first day (accounts starting in the month are in neither)
final as (

    select
        report_month,
        count(case when is_customer_at_start = true then 1 end) as customers_at_start,
        count(case when is_customer_at_start = true and is_customer_at_end = false then 1 end) as customers_lost,
        count(case when movement = 'new' then 1 end) as new_billing_customers,
        count(case when movement = 'reactivated' then 1 end) as reactivated_customers,
        sum(mrr_at_start) as mrr_at_start,
        sum(new_mrr) as new_mrr,
        sum(expansion_mrr) as expansion_mrr,
        sum(contraction_mrr) as contraction_mrr,
        sum(churned_mrr) as churned_mrr,
        sum(reactivated_mrr) as reactivated_mrr
    from account_mrr
    group by report_month

)

select * from final
