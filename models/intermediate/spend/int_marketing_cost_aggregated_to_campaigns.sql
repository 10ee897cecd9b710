with

cost_allocated as (

    select * from {{ ref('int_marketing_cost_allocated') }}

),

final as (

    select
        campaign_id,
        report_month,
        sum(program_cost) as program_cost,
        sum(allocated_overhead) as allocated_overhead,
        sum(marketing_cost) as campaign_cost
    from cost_allocated
    where campaign_id is not null
    group by
        campaign_id,
        report_month

)

select * from final
