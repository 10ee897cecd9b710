-- Customer counts of expand_monthly roll forward: for every month M but the last,
-- customers_at_start(M + 1) = customers_at_start(M) - customers_lost(M) + new_billing_customers(M)
-- + reactivated_customers(M), since the customers at the end of M are the customers at the start of M + 1.
-- Returns the months that break it.
with

customer_months as (

    select
        report_month,
        customers_at_start,
        customers_lost,
        new_billing_customers,
        reactivated_customers,
        lead(report_month) over (order by report_month) as next_report_month,
        lead(customers_at_start) over (order by report_month) as next_customers_at_start
    from {{ ref('expand_monthly') }}

)

select
    report_month,
    customers_at_start,
    customers_lost,
    new_billing_customers,
    reactivated_customers,
    next_report_month,
    next_customers_at_start
from customer_months
where
    next_report_month is not null
    and next_customers_at_start
    <> customers_at_start - customers_lost + new_billing_customers + reactivated_customers
