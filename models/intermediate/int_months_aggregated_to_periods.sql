with

months as (

    select * from {{ ref('int_months') }}

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

final as (

    select
        period_type,
        period_start,
        last_month,
        cast({{ dbt.dateadd('month', 1, 'last_month') }} as date) as period_end,
        months_in_data
    from periods

)

select * from final
