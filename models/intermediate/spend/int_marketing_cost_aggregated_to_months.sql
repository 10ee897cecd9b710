with

cost_allocated as (

    select * from {{ ref('int_marketing_cost_allocated') }}

),

final as (

    select
        report_month,
        cast(sum(impressions) as {{ dbt.type_bigint() }}) as impressions,
        cast(sum(clicks) as {{ dbt.type_bigint() }}) as ad_clicks,
        cast(sum(program_cost) as {{ dbt.type_numeric() }}) as program_cost,
        cast(sum(allocated_overhead) as {{ dbt.type_numeric() }}) as overhead_cost,
        cast(sum(marketing_cost) as {{ dbt.type_numeric() }}) as marketing_cost
    from cost_allocated
    group by report_month

)

select * from final
