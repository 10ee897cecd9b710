-- MetricFlow's time spine (models/semantic/): every day of the months of int_months. The semantic models
-- are at month grain, but MetricFlow requires a spine at day grain or finer.
with

months as (

    select * from {{ ref('int_months') }}

),

digits as (

    select digit_values.digit
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digit_values (digit)

),

-- 0..39 days: more than any month
day_numbers as (

    select tens.digit * 10 + ones.digit as day_number
    from digits as ones
    cross join digits as tens
    where tens.digit < 4

),

final as (

    select cast({{ dbt.dateadd('day', 'day_numbers.day_number', 'months.report_month') }} as date) as date_day
    from months
    inner join day_numbers
        on day_numbers.day_number < {{ dbt.datediff('months.report_month', 'months.month_end', 'day') }}

)

select * from final
