with

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

-- the audience segment is the visitor's resolved person (attached to its anonymous history once identified);
-- visitors never identified are 'unknown'. A CTA is an asset with a cta_view (in any month): forms without
-- one (webinar registrations) are not CTAs.
cta_activities as (

    select
        web_activities.asset_id,
        max(web_activities.asset_name) over (partition by web_activities.asset_id) as asset_name,
        max(case when web_activities.activity_type = 'cta_view' then 1 else 0 end)
            over (partition by web_activities.asset_id) as has_cta_view,
        web_activities.activity_month,
        web_activities.activity_type,
        coalesce(persons.industry, 'unknown') as industry,
        coalesce(persons.job_level, 'unknown') as job_level
    from web_activities
    left join persons
        on web_activities.person_id = persons.person_id
    where web_activities.activity_type in ('cta_view', 'form_submit')

),

final as (

    select
        asset_id,
        industry,
        job_level,
        activity_month as report_month,
        asset_name,
        has_cta_view = 1 as is_cta_asset,
        count(case when activity_type = 'cta_view' then 1 end) as cta_views,
        count(case when activity_type = 'form_submit' then 1 end) as form_submits
    from cta_activities
    group by
        asset_id,
        industry,
        job_level,
        activity_month,
        asset_name,
        has_cta_view

)

select * from final
