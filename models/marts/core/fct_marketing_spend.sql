{%- set include_overhead = var('include_overhead', false) | string | lower in ('true', '1', 'yes') -%}

with

spend as (

    select * from {{ ref('stg_finance__marketing_spend') }}

),

classified as (

    select
        spend_line_id,
        spend_date,
        {{ month_start('spend_date', is_date=true) }} as spend_month,
        coalesce(channel, 'other') as channel,
        campaign_id,
        cost_type,
        amount,
        impressions,
        clicks,
        coalesce(cost_type in ('media', 'program'), false) as is_program_cost,
        coalesce(cost_type in ('labor', 'technology'), false) as is_overhead
    from spend

),

final as (

    select
        spend_line_id,
        spend_date,
        spend_month,
        channel,
        campaign_id,
        cost_type,
        amount,
        impressions,
        clicks,
        is_program_cost,
        is_overhead,
        cast(
            case
                when is_program_cost = true then amount
                {%- if include_overhead %}
                when is_overhead = true then amount
                {%- endif %}
                else 0
            end as {{ dbt.type_numeric() }}
        ) as marketing_cost
    from classified

)

select * from final
