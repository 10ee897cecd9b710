with

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

-- distinct visitors do not add up over channels (the month's total is int_web_activities_aggregated_to_months)
final as (

    select
        activity_month as report_month,
        coalesce(channel, 'other') as channel,
        count(distinct visitor_id) as unique_visitors
    from web_activities
    where activity_type = 'page_view'
    group by
        activity_month,
        coalesce(channel, 'other')

)

select * from final
