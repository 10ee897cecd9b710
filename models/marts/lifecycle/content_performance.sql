with

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

content_consumers as (

    select * from {{ ref('int_content_consumers_aggregated_to_months') }}

),

content_activities as (

    select
        web_activities.asset_id,
        web_activities.asset_name,
        web_activities.activity_month,
        web_activities.activity_type,
        web_activities.is_content_consumption,
        web_activities.visitor_id,
        -- a consumer whose person's account ever won (before or after the consumption)
        case
            when content_consumers.became_customer_at is not null then web_activities.visitor_id
        end as customer_visitor_id
    from web_activities
    left join content_consumers
        on
            web_activities.visitor_id = content_consumers.visitor_id
            and web_activities.activity_month = content_consumers.consumed_month
    where web_activities.is_content_consumption = true or web_activities.activity_type = 'content_share'

),

asset_names as (

    select
        asset_id,
        max(asset_name) as asset_name
    from content_activities
    group by asset_id

),

content_by_asset_month as (

    select
        asset_id,
        activity_month as report_month,
        count(case when is_content_consumption = true then 1 end) as content_consumption,
        count(distinct case when is_content_consumption = true then visitor_id end) as content_consumers,
        count(distinct case when activity_type = 'content_share' then visitor_id end) as content_sharers,
        count(distinct case when is_content_consumption = true then customer_visitor_id end)
            as consumers_became_customers
    from content_activities
    group by
        asset_id,
        activity_month

),

final as (

    select
        content_by_asset_month.asset_id,
        content_by_asset_month.report_month,
        asset_names.asset_name,
        content_by_asset_month.content_consumption,
        content_by_asset_month.content_consumers,
        content_by_asset_month.content_sharers,
        cast(
            {{ safe_divide('content_by_asset_month.content_sharers', 'content_by_asset_month.content_consumers') }}
            as {{ dbt.type_numeric() }}
        ) as content_share_rate,
        content_by_asset_month.consumers_became_customers,
        cast(
            {{ safe_divide(
                'content_by_asset_month.consumers_became_customers', 'content_by_asset_month.content_consumers'
            ) }} as {{ dbt.type_numeric() }}
        ) as content_to_customer_rate
    from content_by_asset_month
    left join asset_names
        on content_by_asset_month.asset_id = asset_names.asset_id

)

select * from final
