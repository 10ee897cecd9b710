{%- set numeric = dbt.type_numeric() -%}

with

spine as (

    select * from {{ ref('int_campaigns_spined_to_months') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

campaign_costs as (

    select * from {{ ref('int_marketing_cost_aggregated_to_campaigns') }}

),

campaign_bookings as (

    select * from {{ ref('int_opportunities_aggregated_to_campaigns') }}

),

monthly as (

    select
        spine.campaign_id,
        spine.report_month,
        cast({{ dbt.date_trunc('year', 'spine.report_month') }} as date) as year_start,
        campaigns.campaign_name,
        coalesce(campaigns.channel, 'other') as channel,
        coalesce(campaign_bookings.attributed_bookings, 0) as attributed_bookings,
        coalesce(campaign_bookings.won_deals, 0) as won_deals,
        coalesce(campaign_costs.campaign_cost, 0) as campaign_cost
    from spine
    left join campaigns
        on spine.campaign_id = campaigns.campaign_id
    left join campaign_bookings
        on
            spine.campaign_id = campaign_bookings.campaign_id
            and spine.report_month = campaign_bookings.report_month
    left join campaign_costs
        on
            spine.campaign_id = campaign_costs.campaign_id
            and spine.report_month = campaign_costs.report_month

),

year_to_date as (

    select
        monthly.*,
        sum(monthly.attributed_bookings) over (
            partition by monthly.campaign_id, monthly.year_start
            order by monthly.report_month
            rows between unbounded preceding and current row
        ) as bookings_ytd,
        sum(monthly.campaign_cost) over (
            partition by monthly.campaign_id, monthly.year_start
            order by monthly.report_month
            rows between unbounded preceding and current row
        ) as cost_ytd
    from monthly

),

final as (

    select
        campaign_id,
        report_month,
        campaign_name,
        channel,
        cast(attributed_bookings as {{ numeric }}) as attributed_bookings,
        won_deals,
        cast(campaign_cost as {{ numeric }}) as campaign_cost,
        cast({{ safe_divide('attributed_bookings - campaign_cost', 'campaign_cost') }} as {{ numeric }})
            as campaign_roi,
        year_start,
        cast(bookings_ytd as {{ numeric }}) as bookings_ytd,
        cast(cost_ytd as {{ numeric }}) as cost_ytd,
        cast({{ safe_divide('bookings_ytd - cost_ytd', 'cost_ytd') }} as {{ numeric }}) as campaign_roi_ytd
    from year_to_date

)

select * from final
