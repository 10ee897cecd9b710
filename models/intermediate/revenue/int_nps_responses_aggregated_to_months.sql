with

nps_segments as (

    select * from {{ ref('int_nps_responses_aggregated_to_segments') }}

),

final as (

    select
        report_month,
        cast(sum(responses) as {{ dbt.type_bigint() }}) as responses,
        cast(sum(promoters) as {{ dbt.type_bigint() }}) as promoters,
        cast(sum(passives) as {{ dbt.type_bigint() }}) as passives,
        cast(sum(detractors) as {{ dbt.type_bigint() }}) as detractors,
        cast(sum(comments) as {{ dbt.type_bigint() }}) as comments  -- noqa: RF04
    from nps_segments
    group by report_month

)

select * from final
