with

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

cta_activities as (

    -- the audience segment is the visitor's resolved person (attached to its anonymous history once identified);
    -- visitors never identified are 'unknown'
    select
        web_activities.asset_id,
        web_activities.asset_name,
        web_activities.activity_month,
        web_activities.activity_type,
        coalesce(persons.industry, 'unknown') as industry,
        coalesce(persons.job_level, 'unknown') as job_level
    from web_activities
    left join persons
        on web_activities.person_id = persons.person_id
    where web_activities.activity_type in ('cta_view', 'form_submit')

),

asset_names as (

    select
        asset_id,
        max(asset_name) as asset_name
    from cta_activities
    group by asset_id

),

cta_by_segment_month as (

    select
        asset_id,
        industry,
        job_level,
        activity_month as report_month,
        count(case when activity_type = 'cta_view' then 1 end) as cta_views,
        count(case when activity_type = 'form_submit' then 1 end) as form_submits
    from cta_activities
    group by
        asset_id,
        industry,
        job_level,
        activity_month

),

final as (

    select
        cta_by_segment_month.asset_id,
        cta_by_segment_month.industry,
        cta_by_segment_month.job_level,
        cta_by_segment_month.report_month,
        asset_names.asset_name,
        cta_by_segment_month.cta_views,
        cta_by_segment_month.form_submits,
        cast(
            {{ safe_divide('cta_by_segment_month.form_submits', 'cta_by_segment_month.cta_views') }}
            as {{ dbt.type_numeric() }}
        ) as cta_conversion_rate
    from cta_by_segment_month
    left join asset_names
        on cta_by_segment_month.asset_id = asset_names.asset_id

)

select * from final
