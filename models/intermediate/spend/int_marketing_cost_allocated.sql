{%- set numeric = dbt.type_numeric() -%}

with

marketing_spend as (

    select * from {{ ref('fct_marketing_spend') }}

),

-- overhead is 0 in fct_marketing_spend unless var include_overhead
month_costs as (

    select
        spend_month,
        sum(case when is_program_cost = true then marketing_cost else 0 end) as program_cost,
        sum(case when is_overhead = true then marketing_cost else 0 end) as overhead_cost
    from marketing_spend
    group by spend_month

),

-- a month with overhead but no program cost has no share to allocate by: its overhead is kept on one
-- unallocated row (channel 'other', no campaign) so the month's rows still sum to its marketing cost
cost_lines as (

    select
        spend_month,
        channel,
        campaign_id,
        coalesce(impressions, 0) as impressions,
        coalesce(clicks, 0) as clicks,
        case when is_program_cost = true then marketing_cost else 0 end as program_cost,
        0 as unallocated_overhead
    from marketing_spend

    union all

    select
        spend_month,
        'other' as channel,
        null as campaign_id,
        0 as impressions,
        0 as clicks,
        0 as program_cost,
        overhead_cost as unallocated_overhead
    from month_costs
    where coalesce(program_cost, 0) = 0 and overhead_cost <> 0

),

spend_costs as (

    select
        spend_month,
        channel,
        campaign_id,
        sum(impressions) as impressions,
        sum(clicks) as clicks,
        sum(program_cost) as program_cost,
        sum(unallocated_overhead) as unallocated_overhead
    from cost_lines
    group by
        spend_month,
        channel,
        campaign_id

),

allocated as (

    select
        spend_costs.spend_month,
        spend_costs.channel,
        spend_costs.campaign_id,
        spend_costs.impressions,
        spend_costs.clicks,
        spend_costs.program_cost,
        spend_costs.unallocated_overhead + coalesce(
            {{ safe_divide('month_costs.overhead_cost * spend_costs.program_cost', 'month_costs.program_cost') }}, 0
        ) as allocated_overhead
    from spend_costs
    left join month_costs
        on spend_costs.spend_month = month_costs.spend_month

),

final as (

    select
        spend_month as report_month,
        channel,
        campaign_id,
        cast(impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(program_cost as {{ numeric }}) as program_cost,
        cast(allocated_overhead as {{ numeric }}) as allocated_overhead,
        cast(program_cost + allocated_overhead as {{ numeric }}) as marketing_cost
    from allocated

)

select * from final
