with

cta_activities as (

    select * from {{ ref('int_cta_activities_aggregated_to_segments') }}

),

final as (

    select
        asset_id,
        industry,
        job_level,
        report_month,
        asset_name,
        cta_views,
        form_submits,
        cast({{ safe_divide('form_submits', 'cta_views') }} as {{ dbt.type_numeric() }}) as cta_conversion_rate
    from cta_activities

)

select * from final
