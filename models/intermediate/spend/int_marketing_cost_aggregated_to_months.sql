with

cost_allocated as (

    select * from {{ ref('int_marketing_cost_allocated') }}

),

final as (

    select
        report_month,
        sum(impressions) as impressions,
        sum(clicks) as ad_clicks,
        sum(program_cost) as program_cost,
        sum(allocated_overhead) as overhead_cost,
        sum(marketing_cost) as marketing_cost
    from cost_allocated
    group by report_month

)

select * from final
