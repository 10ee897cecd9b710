with

months as (

    select * from {{ ref('int_months') }}

),

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

email_events as (

    select * from {{ ref('fct_email_events') }}

),

identifying_activities as (

    -- activities carrying an email: web activities with an email (form submits included) and email events
    select
        person_id,
        occurred_at
    from web_activities
    where
        is_identified_activity = true
        and person_id is not null

    union all

    select
        person_id,
        occurred_at
    from email_events
    where person_id is not null

),

first_identification as (

    select
        person_id,
        min(occurred_at) as first_identified_at
    from identifying_activities
    group by person_id

),

first_identification_months as (

    select
        person_id,
        {{ month_start('first_identified_at') }} as first_identified_month
    from first_identification

),

new_known_by_month as (

    select
        first_identified_month as report_month,
        count(*) as new_known_persons
    from first_identification_months
    group by first_identified_month

),

web_by_month as (

    select
        activity_month as report_month,
        count(distinct case when activity_type = 'page_view' then visitor_id end) as unique_visitors,
        count(
            distinct case when activity_type in ('content_view', 'content_download') then visitor_id end
        ) as content_consumers,
        count(case when activity_type = 'cta_view' then 1 end) as cta_views,
        count(case when activity_type = 'form_submit' then 1 end) as form_submits
    from web_activities
    group by activity_month

),

content_consumers as (

    select distinct
        activity_month,
        visitor_id,
        visitor_identified_at
    from web_activities
    where
        activity_type in ('content_view', 'content_download')
        and visitor_id is not null

),

known_consumers_by_month as (

    -- consumers identified (an activity with an email) before the end of the 30 days following the month
    select
        months.report_month,
        count(*) as known_content_consumers
    from content_consumers
    inner join months
        on content_consumers.activity_month = months.report_month
    where content_consumers.visitor_identified_at < {{ dbt.dateadd('day', 30, 'months.month_end') }}
    group by months.report_month

),

monthly as (

    select
        months.report_month,
        coalesce(web_by_month.unique_visitors, 0) as unique_visitors,
        coalesce(web_by_month.content_consumers, 0) as content_consumers,
        coalesce(new_known_by_month.new_known_persons, 0) as new_known_persons,
        coalesce(known_consumers_by_month.known_content_consumers, 0) as known_content_consumers,
        coalesce(web_by_month.cta_views, 0) as cta_views,
        coalesce(web_by_month.form_submits, 0) as form_submits
    from months
    left join web_by_month
        on months.report_month = web_by_month.report_month
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
        cast({{ safe_divide('form_submits', 'cta_views') }} as {{ dbt.type_numeric() }}) as cta_conversion_rate,
        cast({{ safe_divide('new_known_persons', 'unique_visitors') }} as {{ dbt.type_numeric() }}) as capture_rate
    from monthly

)

select * from final
