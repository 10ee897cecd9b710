{%- set numeric = dbt.type_numeric() -%}

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

account_months as (

    -- active on day d: started_on <= d < ended_on (null ended_on = still active)
    select
        spine.account_id,
        spine.report_month,
        spine.month_end,
        coalesce(sum(
            case
                when
                    subscriptions.started_on <= spine.report_month
                    and (subscriptions.ended_on is null or subscriptions.ended_on > spine.report_month)
                    then subscriptions.mrr_amount
            end
        ), 0) as mrr_at_start,
        coalesce(sum(
            case
                when
                    subscriptions.started_on <= spine.month_end
                    and (subscriptions.ended_on is null or subscriptions.ended_on > spine.month_end)
                    then subscriptions.mrr_amount
            end
        ), 0) as mrr_at_end,
        count(
            case
                when
                    subscriptions.started_on <= spine.report_month
                    and (subscriptions.ended_on is null or subscriptions.ended_on > spine.report_month)
                    then subscriptions.subscription_id
            end
        ) as subscriptions_at_start,
        count(
            case
                when
                    subscriptions.started_on <= spine.month_end
                    and (subscriptions.ended_on is null or subscriptions.ended_on > spine.month_end)
                    then subscriptions.subscription_id
            end
        ) as subscriptions_at_end
    from spine
    left join subscriptions
        on
            spine.account_id = subscriptions.account_id
            and spine.month_end >= subscriptions.started_on
    group by
        spine.account_id,
        spine.report_month,
        spine.month_end

),

flagged as (

    select
        account_id,
        report_month,
        mrr_at_start,
        mrr_at_end,
        subscriptions_at_start > 0 as is_customer_at_start,
        subscriptions_at_end > 0 as is_customer_at_end,
        max(case when subscriptions_at_start > 0 then 1 else 0 end) over (
            partition by account_id
            order by report_month
            rows between unbounded preceding and current row
        ) as was_customer_before
    from account_months

),

classified as (

    select
        account_id,
        report_month,
        mrr_at_start,
        mrr_at_end,
        is_customer_at_start,
        is_customer_at_end,
        case
            when is_customer_at_start = false and is_customer_at_end = true and was_customer_before = 1
                then 'reactivated'
            when is_customer_at_start = false and is_customer_at_end = true then 'new'
            when is_customer_at_start = true and is_customer_at_end = false then 'churned'
            when is_customer_at_start = true and mrr_at_end > mrr_at_start then 'expansion'
            when is_customer_at_start = true and mrr_at_end < mrr_at_start then 'contraction'
            when is_customer_at_start = true then 'unchanged'
            else 'none'
        end as movement
    from flagged

),

final as (

    select
        account_id,
        report_month,
        cast(mrr_at_start as {{ numeric }}) as mrr_at_start,
        cast(mrr_at_end as {{ numeric }}) as mrr_at_end,
        is_customer_at_start,
        is_customer_at_end,
        movement,
        cast(case when movement = 'new' then mrr_at_end else 0 end as {{ numeric }}) as new_mrr,
        cast(case when movement = 'expansion' then mrr_at_end - mrr_at_start else 0 end as {{ numeric }})
            as expansion_mrr,
        cast(case when movement = 'contraction' then mrr_at_start - mrr_at_end else 0 end as {{ numeric }})
            as contraction_mrr,
        cast(case when movement = 'churned' then mrr_at_start else 0 end as {{ numeric }}) as churned_mrr,
        cast(case when movement = 'reactivated' then mrr_at_end else 0 end as {{ numeric }}) as reactivated_mrr
    from classified

)

select * from final
