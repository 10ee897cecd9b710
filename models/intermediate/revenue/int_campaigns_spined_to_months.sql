with

months as (

    select * from {{ ref('int_months') }}

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

-- a campaign's first activity: its start date, its first cost or its first attributed win
activity_months as (

    select
        campaign_id,
        {{ month_start('start_date', is_date=true) }} as activity_month
    from campaigns
    where start_date is not null

    union all

    select
        campaign_id,
        report_month as activity_month
    from campaign_costs

    union all

    select
        campaign_id,
        report_month as activity_month
    from campaign_bookings

),

first_months as (

    select
        campaign_id,
        min(activity_month) as first_month
    from activity_months
    group by campaign_id

),

final as (

    select
        first_months.campaign_id,
        months.report_month
    from first_months
    inner join months
        on first_months.first_month <= months.report_month

)

select * from final
