with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

campaign_bookings as (

    select * from {{ ref('int_opportunities_aggregated_to_campaigns') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

-- new customers by the channel of the deal (its lead source)
new_customers as (

    select
        channel,
        closed_month as report_month,
        count(*) as new_customers
    from opportunities
    where is_first_win_of_account = true and closed_month is not null
    group by
        channel,
        closed_month

),

-- bookings by the channel of the deal's campaign (attributed bookings only)
bookings as (

    select
        coalesce(campaigns.channel, 'other') as channel,
        campaign_bookings.report_month,
        sum(campaign_bookings.attributed_bookings) as bookings
    from campaign_bookings
    left join campaigns
        on campaign_bookings.campaign_id = campaigns.campaign_id
    group by
        coalesce(campaigns.channel, 'other'),
        campaign_bookings.report_month

),

channel_months as (

    select
        channel,
        report_month
    from new_customers
    union
    select
        channel,
        report_month
    from bookings

),

final as (

    select
        channel_months.channel,
        channel_months.report_month,
        coalesce(new_customers.new_customers, 0) as new_customers,
        coalesce(bookings.bookings, 0) as bookings
    from channel_months
    left join new_customers
        on channel_months.channel = new_customers.channel and channel_months.report_month = new_customers.report_month
    left join bookings
        on channel_months.channel = bookings.channel and channel_months.report_month = bookings.report_month

)

select * from final
