with

months as (

    select * from {{ ref('int_months') }}

),

marketing_spend as (

    select * from {{ ref('fct_marketing_spend') }}

),

web_months as (

    select * from {{ ref('int_web_activities_aggregated_to_months') }}

),

spend_by_month as (

    select
        spend_month as report_month,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as ad_clicks
    from marketing_spend
    group by spend_month

),

monthly as (

    select
        months.report_month,
        coalesce(spend_by_month.impressions, 0) as impressions,
        coalesce(spend_by_month.ad_clicks, 0) as ad_clicks,
        coalesce(web_months.visits, 0) as visits,
        coalesce(web_months.unique_visitors, 0) as unique_visitors,
        coalesce(web_months.content_consumers, 0) as content_consumers,
        coalesce(web_months.content_consumption, 0) as content_consumption,
        coalesce(web_months.content_sharers, 0) as content_sharers
    from months
    left join spend_by_month
        on months.report_month = spend_by_month.report_month
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
