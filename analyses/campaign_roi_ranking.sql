-- Which campaigns paid back, which did not? Campaigns ranked by ROI over the months from var `analysis_since`
-- (default: all data), with their type and audience, cost, attributed bookings and won deals. Campaigns that
-- spent money and won nothing are listed too (ROI -1); campaigns with neither cost nor bookings are left out.
-- Bookings are attributed to the opportunity's primary campaign (campaign_roi), in the reporting currency.
-- Run: dbt compile --select campaign_roi_ranking, then the SQL in target/compiled/ in a SQL client.
with

campaign_months as (

    select * from {{ ref('campaign_roi') }}
    where report_month >= cast('{{ var("analysis_since", "1900-01-01") }}' as date)

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

totals as (

    select
        campaign_id,
        sum(campaign_cost) as campaign_cost,
        sum(attributed_bookings) as attributed_bookings,
        sum(won_deals) as won_deals
    from campaign_months
    group by campaign_id

),

final as (

    select
        campaigns.campaign_name,
        campaigns.channel,
        campaigns.campaign_type,
        campaigns.audience,
        totals.campaign_cost,
        totals.attributed_bookings,
        totals.won_deals,
        {{ safe_divide('totals.attributed_bookings - totals.campaign_cost', 'totals.campaign_cost') }} as campaign_roi,
        {{ safe_divide('totals.campaign_cost', 'totals.won_deals') }} as cost_per_won_deal
    from totals
    inner join campaigns
        on totals.campaign_id = campaigns.campaign_id
    where totals.campaign_cost > 0 or totals.attributed_bookings > 0

)

select * from final
order by campaign_roi desc nulls last, attributed_bookings desc
