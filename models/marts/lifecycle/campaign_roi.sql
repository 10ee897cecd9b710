{%- set numeric = dbt.type_numeric() -%}

with

months as (

    select * from {{ ref('int_months') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

marketing_spend as (

    select * from {{ ref('fct_marketing_spend') }}

),

-- the month's overhead (0 unless var include_overhead) is allocated by share of the month's program cost
month_costs as (

    select
        spend_month,
        sum(case when is_program_cost = true then marketing_cost else 0 end) as program_cost,
        sum(case when is_overhead = true then marketing_cost else 0 end) as overhead_cost
    from marketing_spend
    group by spend_month

),

campaign_program_costs as (

    select
        campaign_id,
        spend_month as report_month,
        sum(marketing_cost) as program_cost
    from marketing_spend
    where is_program_cost = true and campaign_id is not null
    group by
        campaign_id,
        spend_month

),

campaign_costs as (

    select
        campaign_program_costs.campaign_id,
        campaign_program_costs.report_month,
        campaign_program_costs.program_cost
        + coalesce(
            {{ safe_divide(
                'month_costs.overhead_cost * campaign_program_costs.program_cost', 'month_costs.program_cost'
            ) }},
            0
        ) as campaign_cost
    from campaign_program_costs
    left join month_costs
        on campaign_program_costs.report_month = month_costs.spend_month

),

campaign_bookings as (

    select
        campaign_id,
        closed_month as report_month,
        sum(amount) as attributed_bookings,
        count(*) as won_deals
    from opportunities
    where is_won = true and campaign_id is not null and closed_month is not null
    group by
        campaign_id,
        closed_month

),

campaign_activity_months as (

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

campaign_first_months as (

    select
        campaign_id,
        min(activity_month) as first_month
    from campaign_activity_months
    group by campaign_id

),

spine as (

    select
        campaign_first_months.campaign_id,
        months.report_month
    from campaign_first_months
    inner join months
        on campaign_first_months.first_month <= months.report_month

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
