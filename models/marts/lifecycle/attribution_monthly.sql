{#-
    The credit of each attribution model (int_attribution_aggregated_to_months, from fct_attribution) and the
    campaigns' cost, repeated per model, one row per model x month x campaign and channel.
-#}
{%- set models = attribution_models() -%}
{%- set numeric = dbt.type_numeric() -%}

with

attribution as (

    select * from {{ ref('int_attribution_aggregated_to_months') }}

),

campaigns as (

    select * from {{ ref('dim_campaigns') }}

),

campaign_costs as (

    select * from {{ ref('int_marketing_cost_aggregated_to_campaigns') }}

),

attribution_models as (

    {% for model in models %}
        select '{{ model }}' as attribution_model
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- the campaign's cost in the month of spend (the same for every model), in the campaign's channel
costs as (

    select
        attribution_models.attribution_model,
        campaign_costs.report_month,
        campaign_costs.campaign_id,
        coalesce(campaigns.channel, 'other') as channel,
        0 as attributed_opportunities,
        0 as attributed_pipeline,
        0 as attributed_won_deals,
        0 as attributed_bookings,
        campaign_costs.campaign_cost
    from campaign_costs
    cross join attribution_models
    left join campaigns
        on campaign_costs.campaign_id = campaigns.campaign_id

),

-- the credit (opportunities and pipeline in the month of creation, won deals and bookings in the month of
-- close) and the cost
unioned as (

    select
        attribution_model,
        report_month,
        campaign_id,
        channel,
        attributed_opportunities,
        attributed_pipeline,
        attributed_won_deals,
        attributed_bookings,
        0 as campaign_cost
    from attribution
    union all
    select * from costs

),

aggregated as (

    select
        attribution_model,
        report_month,
        campaign_id,
        channel,
        sum(attributed_opportunities) as attributed_opportunities,
        sum(attributed_pipeline) as attributed_pipeline,
        sum(attributed_won_deals) as attributed_won_deals,
        sum(attributed_bookings) as attributed_bookings,
        sum(campaign_cost) as campaign_cost
    from unioned
    group by
        attribution_model,
        report_month,
        campaign_id,
        channel

),

final as (

    select
        attribution_model,
        report_month,
        campaign_id,
        channel,
        cast(attributed_opportunities as numeric(38, 15)) as attributed_opportunities,
        cast(attributed_pipeline as {{ numeric }}) as attributed_pipeline,
        cast(attributed_won_deals as numeric(38, 15)) as attributed_won_deals,
        cast(attributed_bookings as {{ numeric }}) as attributed_bookings,
        cast(campaign_cost as {{ numeric }}) as campaign_cost,
        cast({{ safe_divide('attributed_bookings - campaign_cost', 'campaign_cost') }} as {{ numeric }})
            as campaign_roi
    from aggregated

)

select * from final
