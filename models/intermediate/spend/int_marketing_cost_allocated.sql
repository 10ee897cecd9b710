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

spend_costs as (

    select
        spend_month,
        channel,
        campaign_id,
        sum(coalesce(impressions, 0)) as impressions,
        sum(coalesce(clicks, 0)) as clicks,
        sum(case when is_program_cost = true then marketing_cost else 0 end) as program_cost
    from marketing_spend
    group by
        spend_month,
        channel,
        campaign_id

),

final as (

    select
        spend_costs.spend_month as report_month,
        spend_costs.channel,
        spend_costs.campaign_id,
        cast(spend_costs.impressions as {{ dbt.type_bigint() }}) as impressions,
        cast(spend_costs.clicks as {{ dbt.type_bigint() }}) as clicks,
        cast(spend_costs.program_cost as {{ numeric }}) as program_cost,
        cast(coalesce(
            {{ safe_divide('month_costs.overhead_cost * spend_costs.program_cost', 'month_costs.program_cost') }}, 0
        ) as {{ numeric }}) as allocated_overhead,
        cast(spend_costs.program_cost + coalesce(
            {{ safe_divide('month_costs.overhead_cost * spend_costs.program_cost', 'month_costs.program_cost') }}, 0
        ) as {{ numeric }}) as marketing_cost
    from spend_costs
    left join month_costs
        on spend_costs.spend_month = month_costs.spend_month

)

select * from final
