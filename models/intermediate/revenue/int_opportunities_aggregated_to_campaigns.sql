with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

final as (

    select
        campaign_id,
        closed_month as report_month,
        count(*) as won_deals,
        sum(amount) as attributed_bookings
    from opportunities
    where is_won = true and campaign_id is not null and closed_month is not null
    group by
        campaign_id,
        closed_month

)

select * from final
