with

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}
    where account_id is not null and started_on is not null

),

months as (

    select * from {{ ref('int_months') }}

),

account_first_month as (

    -- the spine starts the month before the first active first-of-month, so a subscription starting on
    -- the 1st shows as `new` in the previous month (active at that month's end, not at its start)
    select
        account_id,
        {{ month_start(dbt.dateadd('day', -1, 'min(started_on)'), is_date=true) }} as first_month
    from subscriptions
    group by account_id

),

spine as (

    select
        account_first_month.account_id,
        months.report_month,
        months.month_end
    from account_first_month
    inner join months
        on account_first_month.first_month <= months.report_month

),

-- active on day d: started_on <= d < ended_on (null ended_on = still active); d is the month's first day
-- (start) and the next month's first day (end), both local dates
subscription_days as (

    select
        spine.account_id,
        spine.report_month,
        subscriptions.subscription_id,
        subscriptions.mrr_amount,
        coalesce(
            subscriptions.started_on <= spine.report_month
            and (subscriptions.ended_on is null or subscriptions.ended_on > spine.report_month),
            false
        ) as is_active_at_start,
        coalesce(
            subscriptions.started_on <= spine.month_end
            and (subscriptions.ended_on is null or subscriptions.ended_on > spine.month_end),
            false
        ) as is_active_at_end
    from spine
    left join subscriptions
        on
            spine.account_id = subscriptions.account_id
            and spine.month_end >= subscriptions.started_on

),

final as (

    select
        account_id,
        report_month,
        coalesce(sum(case when is_active_at_start = true then mrr_amount end), 0) as mrr_at_start,
        coalesce(sum(case when is_active_at_end = true then mrr_amount end), 0) as mrr_at_end,
        count(case when is_active_at_start = true then subscription_id end) > 0 as is_customer_at_start,
        count(case when is_active_at_end = true then subscription_id end) > 0 as is_customer_at_end
    from subscription_days
    group by
        account_id,
        report_month

)

select * from final
