with

months as (

    select * from {{ ref('int_months') }}

),

cost_months as (

    select * from {{ ref('int_marketing_cost_aggregated_to_months') }}

),

web_months as (

    select * from {{ ref('int_web_activities_aggregated_to_months') }}

),

monthly as (

    select
        months.report_month,
        coalesce(cost_months.impressions, 0) as impressions,
        coalesce(cost_months.ad_clicks, 0) as ad_clicks,
        coalesce(web_months.visits, 0) as visits,
        coalesce(web_months.unique_visitors, 0) as unique_visitors,
        coalesce(web_months.content_consumers, 0) as content_consumers,
        coalesce(web_months.content_consumption, 0) as content_consumption,
        coalesce(web_months.content_sharers, 0) as content_sharers
    from months
    left join cost_months
        on months.report_month = cost_months.report_month
    left join web_months
        on months.report_month = web_months.report_month

),

final as (

    select
        report_month,
        impressions,
        ad_clicks,
        visits,
        unique_visitors,
        content_consumers,
        content_consumption,
        content_sharers,
        cast({{ safe_divide('content_sharers', 'content_consumers') }} as {{ dbt.type_numeric() }})
            as content_share_rate
    from monthly

)

select * from final
