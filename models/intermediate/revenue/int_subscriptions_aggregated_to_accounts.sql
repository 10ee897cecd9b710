with

subscriptions as (

    select * from {{ ref('stg_billing__subscriptions') }}

),

-- one row per account with a subscription: when billing started, and whether a subscription is still open
final as (

    select
        account_id,
        min(started_on) as first_subscription_started_on,
        max(case when ended_on is null then 1 else 0 end) = 1 as has_open_subscription
    from subscriptions
    where account_id is not null
    group by account_id

)

select * from final
