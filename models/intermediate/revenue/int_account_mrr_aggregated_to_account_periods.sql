with

periods as (

    select * from {{ ref('int_months_aggregated_to_periods') }}

),

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

-- each account in each period, from the monthly MRR chain (the monthly definitions, not new ones): a customer at
-- the period's start = customer at the start of its first month; at its end = customer at the end of its last
-- month (the next period's first day); a churned month inside the period (lost and possibly regained)
account_periods as (

    select
        periods.period_type,
        periods.period_start,
        account_months.account_id,
        max(
            case
                when account_months.report_month = periods.period_start and account_months.is_customer_at_start = true
                    then 1
                else 0
            end
        ) = 1 as is_customer_at_start,
        max(
            case
                when account_months.report_month = periods.last_month and account_months.is_customer_at_end = true
                    then 1
                else 0
            end
        ) = 1 as is_customer_at_end,
        max(case when account_months.movement = 'churned' then 1 else 0 end) = 1 as has_churned_month,
        sum(
            case when account_months.report_month = periods.period_start then account_months.mrr_at_start else 0 end
        ) as mrr_at_start
    from periods
    inner join account_months
        on
            periods.period_start <= account_months.report_month
            and periods.last_month >= account_months.report_month
    group by
        periods.period_type,
        periods.period_start,
        account_months.account_id

),

-- lost = a customer at the start and not at the end; one lost and regained within the period (churned in a
-- month of it, a customer again at its end) is not lost, and is counted apart
final as (

    select
        period_type,
        period_start,
        account_id,
        is_customer_at_start,
        is_customer_at_end,
        has_churned_month,
        mrr_at_start,
        is_customer_at_start = true and is_customer_at_end = false as is_lost,
        is_customer_at_start = true and is_customer_at_end = true and has_churned_month = true as is_lost_and_regained
    from account_periods

)

select * from final
