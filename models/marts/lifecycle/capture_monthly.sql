with

months as (

    select * from {{ ref('int_months') }}

),

web_months as (

    select * from {{ ref('int_web_activities_aggregated_to_months') }}

),

persons_identified as (

    select * from {{ ref('int_persons_identified') }}

),

content_consumers as (

    select * from {{ ref('int_content_consumers_aggregated_to_months') }}

),

new_known_by_month as (

    select
        first_identified_month as report_month,
        count(*) as new_known_persons
    from persons_identified
    group by first_identified_month

),

-- consumers identified before the end of the 30 days following the month (UTC instants on both sides)
known_consumers_by_month as (

    select
        months.report_month,
        count(*) as known_content_consumers
    from content_consumers
    inner join months
        on content_consumers.consumed_month = months.report_month
    where content_consumers.visitor_identified_at < {{ dbt.dateadd('day', 30, 'months.month_ends_at') }}
    group by months.report_month

),

monthly as (

    select
        months.report_month,
        coalesce(web_months.unique_visitors, 0) as unique_visitors,
        coalesce(web_months.content_consumers, 0) as content_consumers,
        coalesce(new_known_by_month.new_known_persons, 0) as new_known_persons,
        coalesce(known_consumers_by_month.known_content_consumers, 0) as known_content_consumers,
        coalesce(web_months.cta_views, 0) as cta_views,
        coalesce(web_months.form_submits, 0) as form_submits,
        coalesce(web_months.cta_form_submits, 0) as cta_form_submits
    from months
    left join web_months
        on months.report_month = web_months.report_month
    left join new_known_by_month
        on months.report_month = new_known_by_month.report_month
    left join known_consumers_by_month
        on months.report_month = known_consumers_by_month.report_month

),

final as (

    select
        report_month,
        unique_visitors,
        content_consumers,
        new_known_persons,
        known_content_consumers,
        cast({{ safe_divide('known_content_consumers', 'content_consumers') }} as {{ dbt.type_numeric() }})
            as known_visitor_rate,
        cta_views,
        form_submits,
        cta_form_submits,
        cast({{ safe_divide('cta_form_submits', 'cta_views') }} as {{ dbt.type_numeric() }}) as cta_conversion_rate,
        cast({{ safe_divide('new_known_persons', 'unique_visitors') }} as {{ dbt.type_numeric() }}) as capture_rate
    from monthly

)

select * from final
