{%- set numeric = dbt.type_numeric() -%}

with

-- every calendar quarter and year of the month spine, cut to the months of the data
periods as (

    select * from {{ ref('int_months_aggregated_to_periods') }}

),

-- each account in each period: customer at its start and on the day after it, lost, lost and regained
account_periods as (

    select * from {{ ref('int_account_mrr_aggregated_to_account_periods') }}

),

-- accounts that become customers during the period (not customers at its start) are in no number
retention as (

    select
        period_type,
        period_start,
        count(case when is_customer_at_start = true then 1 end) as customers_at_start,
        count(case when is_lost = true then 1 end) as customers_lost,
        count(case when is_lost_and_regained = true then 1 end) as customers_lost_and_regained,
        sum(case when is_customer_at_start = true then mrr_at_start else 0 end) as mrr_at_start,
        sum(case when is_lost = true then mrr_at_start else 0 end) as churned_mrr
    from account_periods
    group by
        period_type,
        period_start

),

final as (

    select
        periods.period_type,
        periods.period_start,
        periods.period_end,
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
