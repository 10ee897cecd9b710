with

attribution as (

    select * from {{ ref('fct_attribution') }}

),

-- opportunities and pipeline in the month the opportunity was created
created as (

    select
        attribution_model,
        created_month as report_month,
        campaign_id,
        channel,
        sum(weight) as attributed_opportunities,
        sum(attributed_pipeline) as attributed_pipeline,
        0 as attributed_won_deals,
        0 as attributed_bookings
    from attribution
    group by
        attribution_model,
        created_month,
        campaign_id,
        channel

),

-- won deals and bookings in the month the opportunity closed
won as (

    select
        attribution_model,
        closed_month as report_month,
        campaign_id,
        channel,
        0 as attributed_opportunities,
        0 as attributed_pipeline,
        sum(weight) as attributed_won_deals,
        sum(attributed_bookings) as attributed_bookings
    from attribution
    where outcome = 'won' and closed_month is not null
    group by
        attribution_model,
        closed_month,
        campaign_id,
        channel

),

unioned as (

    select * from created
    union all
    select * from won

),

final as (

    select
        attribution_model,
        report_month,
        campaign_id,
        channel,
        sum(attributed_opportunities) as attributed_opportunities,
        sum(attributed_pipeline) as attributed_pipeline,
        sum(attributed_won_deals) as attributed_won_deals,
        sum(attributed_bookings) as attributed_bookings
    from unioned
    group by
        attribution_model,
        report_month,
        campaign_id,
        channel

)

select * from final
