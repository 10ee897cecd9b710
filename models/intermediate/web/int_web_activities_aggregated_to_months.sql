with

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

cta_activities as (

    select * from {{ ref('int_cta_activities_aggregated_to_segments') }}

),

web_by_month as (

    select
        activity_month as report_month,
        count(case when activity_type = 'page_view' then 1 end) as visits,
        count(distinct case when activity_type = 'page_view' then visitor_id end) as unique_visitors,
        count(case when is_content_consumption = true then 1 end) as content_consumption,
        count(distinct case when is_content_consumption = true then visitor_id end) as content_consumers,
        count(distinct case when activity_type = 'content_share' then visitor_id end) as content_sharers,
        count(case when activity_type = 'form_submit' then 1 end) as form_submits
    from web_activities
    group by activity_month

),

-- CTA conversion: views and submits of CTA assets only (one definition, see the segment model)
cta_by_month as (

    select
        report_month,
        sum(cta_views) as cta_views,
        sum(form_submits) as cta_form_submits
    from cta_activities
    where is_cta_asset = true
    group by report_month

),

final as (

    select
        web_by_month.report_month,
        web_by_month.visits,
        web_by_month.unique_visitors,
        web_by_month.content_consumption,
        web_by_month.content_consumers,
        web_by_month.content_sharers,
        web_by_month.form_submits,
        cast(coalesce(cta_by_month.cta_views, 0) as {{ dbt.type_bigint() }}) as cta_views,
        cast(coalesce(cta_by_month.cta_form_submits, 0) as {{ dbt.type_bigint() }}) as cta_form_submits
    from web_by_month
    left join cta_by_month
        on web_by_month.report_month = cta_by_month.report_month

)

select * from final
