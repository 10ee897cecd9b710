{%- set numeric = dbt.type_numeric() -%}

with

months as (

    select * from {{ ref('int_months') }}

),

account_months as (

    select * from {{ ref('fct_account_mrr_monthly') }}

),

-- every month of the spine in its calendar quarter and its calendar year
period_months as (

    select
        'quarter' as period_type,
        quarter_start as calendar_start,
        report_month
    from months

    union all

    select
        'year' as period_type,
        cast({{ dbt.date_trunc('year', 'report_month') }} as date) as calendar_start,
        report_month
    from months

),

-- a period as far as the data reaches: its first and last month of the spine (the month spine is contiguous,
-- so only the first and the last period can be cut short)
periods as (

    select
        period_type,
        calendar_start,
        min(report_month) as period_start,
        max(report_month) as last_month,
        count(*) as months_in_data
    from period_months
    group by
        period_type,
        calendar_start

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
        ) as is_customer_at_start,
        max(
            case
                when account_months.report_month = periods.last_month and account_months.is_customer_at_end = true
                    then 1
                else 0
            end
        ) as is_customer_at_end,
        max(case when account_months.movement = 'churned' then 1 else 0 end) as has_churned_month,
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
retention as (

    select
        period_type,
        period_start,
        count(case when is_customer_at_start = 1 then 1 end) as customers_at_start,
        count(case when is_customer_at_start = 1 and is_customer_at_end = 0 then 1 end) as customers_lost,
        count(case when is_customer_at_start = 1 and is_customer_at_end = 1 and has_churned_month = 1 then 1 end)
            as customers_lost_and_regained,
        sum(case when is_customer_at_start = 1 then mrr_at_start else 0 end) as mrr_at_start,
        sum(case when is_customer_at_start = 1 and is_customer_at_end = 0 then mrr_at_start else 0 end)
            as churned_mrr
    from account_periods
    group by
        period_type,
        period_start

),

final as (

    select
        periods.period_type,
        periods.period_start,
        cast({{ dbt.dateadd('month', 1, 'periods.last_month') }} as date) as period_end,
        cast(periods.months_in_data as {{ dbt.type_bigint() }}) as months_in_data,
        periods.months_in_data = case when periods.period_type = 'quarter' then 3 else 12 end as is_period_complete,
        cast(coalesce(retention.customers_at_start, 0) as {{ dbt.type_bigint() }}) as customers_at_start,
        cast(coalesce(retention.customers_lost, 0) as {{ dbt.type_bigint() }}) as customers_lost,
        cast(coalesce(retention.customers_lost_and_regained, 0) as {{ dbt.type_bigint() }})
            as customers_lost_and_regained,
        {{ safe_divide('retention.customers_lost', 'retention.customers_at_start') }} as churn_rate,
        cast(coalesce(retention.mrr_at_start, 0) as {{ numeric }}) as mrr_at_start,
        cast(coalesce(retention.churned_mrr, 0) as {{ numeric }}) as churned_mrr,
        {{ safe_divide('retention.churned_mrr', 'retention.mrr_at_start') }} as revenue_churn_rate
    from periods
    left join retention
        on
            periods.period_type = retention.period_type
            and periods.period_start = retention.period_start

)

select * from final
