{%- set segments = [('industry', 'industry'), ('size_band', 'size_band'), ('survey', 'survey_name')] -%}

with

nps_segments as (

    select * from {{ ref('int_nps_responses_aggregated_to_segments') }}

),

-- each segment type is a cut of the same responses
segmented as (

    {% for segment_type, column in segments %}
        select
            report_month,
            '{{ segment_type }}' as segment_type,
            coalesce({{ column }}, 'unknown') as segment_value,
            sum(responses) as responses,
            sum(promoters) as promoters,
            sum(passives) as passives,
            sum(detractors) as detractors,
            sum(comments) as comments  -- noqa: RF04
        from nps_segments
        group by
            report_month,
            coalesce({{ column }}, 'unknown')
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        report_month,
        segment_type,
        segment_value,
        cast(responses as {{ dbt.type_bigint() }}) as responses,
        cast(promoters as {{ dbt.type_bigint() }}) as promoters,
        cast(passives as {{ dbt.type_bigint() }}) as passives,
        cast(detractors as {{ dbt.type_bigint() }}) as detractors,
        cast({{ safe_divide('100 * (promoters - detractors)', 'responses') }} as {{ dbt.type_numeric() }}) as nps,
        cast(comments as {{ dbt.type_bigint() }}) as comments  -- noqa: RF04
    from segmented

)

select * from final
