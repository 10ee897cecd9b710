with

months as (

    select * from {{ ref('int_months') }}

),

channels as (

    select * from {{ ref('dim_channels') }}

),

cost_allocated as (

    select * from {{ ref('int_marketing_cost_allocated') }}

),

channel_visitors as (

    select * from {{ ref('int_web_visitors_aggregated_to_channel_months') }}

),

web_months as (

    select * from {{ ref('int_web_activities_aggregated_to_months') }}

),

persons_identified as (

    select * from {{ ref('int_persons_identified') }}

),

stage_entries as (

    select * from {{ ref('int_stage_entries_aggregated_to_channel_months') }}

),

opportunities as (

    select * from {{ ref('int_opportunities_aggregated_to_channels') }}

),

channel_costs as (

    select
        channel,
        report_month,
        sum(impressions) as impressions,
        sum(clicks) as ad_clicks,
        sum(marketing_cost) as marketing_cost
    from cost_allocated
    group by channel, report_month

),

-- known: first identified by any activity (email events in channel email); captured: first identified on the web
channel_known as (

    select
        channel,
        first_identified_month as report_month,
        count(*) as new_known_persons,
        count(case when is_identified_on_web = true then 1 end) as captured_persons
    from persons_identified
    group by channel, first_identified_month

),

-- spine + left joins + ratios; without marketing cost in the channel and month, cost per MQL and ROI are null
final as (

    select
        channels.channel,
        months.report_month,
        cast(coalesce(channel_costs.impressions, 0) as {{ dbt.type_bigint() }}) as impressions,
        cast(coalesce(channel_costs.ad_clicks, 0) as {{ dbt.type_bigint() }}) as ad_clicks,
        coalesce(channel_visitors.unique_visitors, 0) as unique_visitors,
        {{ safe_divide('coalesce(channel_visitors.unique_visitors, 0)', 'web_months.unique_visitors') }}
            as visitor_share,
        coalesce(channel_known.new_known_persons, 0) as new_known_persons,
        coalesce(channel_known.captured_persons, 0) as captured_persons,
        {{ safe_divide('coalesce(channel_known.captured_persons, 0)', 'channel_visitors.unique_visitors') }}
            as channel_capture_rate,
        coalesce(stage_entries.new_leads, 0) as new_leads,
        coalesce(stage_entries.mqls, 0) as mqls,
        coalesce(stage_entries.sqls, 0) as sqls,
        coalesce(opportunities.new_customers, 0) as new_customers,
        cast(coalesce(channel_costs.marketing_cost, 0) as {{ dbt.type_numeric() }}) as marketing_cost,
        {{ safe_divide('nullif(channel_costs.marketing_cost, 0)', 'stage_entries.mqls') }} as cost_per_mql,
        cast(coalesce(opportunities.bookings, 0) as {{ dbt.type_numeric() }}) as bookings,
        {{ safe_divide(
            'coalesce(opportunities.bookings, 0) - channel_costs.marketing_cost', 'channel_costs.marketing_cost'
        ) }} as channel_roi
    from channels
    cross join months
    left join channel_costs
        on channels.channel = channel_costs.channel and months.report_month = channel_costs.report_month
    left join channel_visitors
        on channels.channel = channel_visitors.channel and months.report_month = channel_visitors.report_month
    left join web_months
        on months.report_month = web_months.report_month
    left join channel_known
        on channels.channel = channel_known.channel and months.report_month = channel_known.report_month
    left join stage_entries
        on channels.channel = stage_entries.channel and months.report_month = stage_entries.report_month
    left join opportunities
        on channels.channel = opportunities.channel and months.report_month = opportunities.report_month

)

select * from final
