{%- set segments = [('industry', 'industry'), ('size_band', 'size_band'), ('survey', 'survey_name')] -%}

with

nps_responses as (

    select * from {{ ref('fct_nps_responses') }}

),

segmented as (

    {% for segment_type, column in segments %}
        select
            response_month as report_month,
            '{{ segment_type }}' as segment_type,
            coalesce({{ column }}, 'unknown') as segment_value,
            nps_category,
            case when trim(comment) <> '' then 1 else 0 end as has_comment
        from nps_responses
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

aggregated as (

    select
        report_month,
        segment_type,
        segment_value,
        count(*) as responses,
        count(case when nps_category = 'promoter' then 1 end) as promoters,
        count(case when nps_category = 'passive' then 1 end) as passives,
        count(case when nps_category = 'detractor' then 1 end) as detractors,
        count(case when has_comment = 1 then 1 end) as comments  -- noqa: RF04
    from segmented
    group by
        report_month,
        segment_type,
        segment_value

),

final as (

    select
        report_month,
        segment_type,
        segment_value,
        responses,
        promoters,
        passives,
        detractors,
        cast({{ safe_divide('100 * (promoters - detractors)', 'responses') }} as {{ dbt.type_numeric() }}) as nps,
        comments
    from aggregated

)

select * from final
