-- Attribution adds up, per model and month: attribution_monthly's attributed pipeline (by month of creation)
-- equals the amount of the opportunities created in the month, and its attributed bookings (by month of close)
-- the won amount closed in the month (fct_opportunities), within 0.01 (reporting currency); its cost equals
-- the campaigns' cost of the month (int_marketing_cost_aggregated_to_campaigns). Returns the model-months
-- that do not.
{%- set models = attribution_models() %}
with

attribution_models as (

    {% for model in models %}
        select '{{ model }}' as attribution_model
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

pipeline as (

    select
        created_month as report_month,
        sum(amount) as pipeline,
        0 as bookings,
        0 as campaign_cost
    from {{ ref('fct_opportunities') }}
    group by created_month

),

bookings as (

    select
        closed_month as report_month,
        0 as pipeline,
        sum(amount) as bookings,
        0 as campaign_cost
    from {{ ref('fct_opportunities') }}
    where is_won = true and closed_month is not null
    group by closed_month

),

costs as (

    select
        report_month,
        0 as pipeline,
        0 as bookings,
        sum(campaign_cost) as campaign_cost
    from {{ ref('int_marketing_cost_aggregated_to_campaigns') }}
    group by report_month

),

actual_unioned as (

    select * from pipeline
    union all
    select * from bookings
    union all
    select * from costs

),

actual as (

    select
        attribution_models.attribution_model,
        actual_unioned.report_month,
        sum(actual_unioned.pipeline) as pipeline,
        sum(actual_unioned.bookings) as bookings,
        sum(actual_unioned.campaign_cost) as campaign_cost
    from actual_unioned
    cross join attribution_models
    group by
        attribution_models.attribution_model,
        actual_unioned.report_month

),

attributed as (

    select
        attribution_model,
        report_month,
        sum(attributed_pipeline) as pipeline,
        sum(attributed_bookings) as bookings,
        sum(campaign_cost) as campaign_cost
    from {{ ref('attribution_monthly') }}
    group by
        attribution_model,
        report_month

),

compared as (

    select
        coalesce(actual.attribution_model, attributed.attribution_model) as attribution_model,
        coalesce(actual.report_month, attributed.report_month) as report_month,
        coalesce(actual.pipeline, 0) as pipeline,
        coalesce(attributed.pipeline, 0) as attributed_pipeline,
        coalesce(actual.bookings, 0) as bookings,
        coalesce(attributed.bookings, 0) as attributed_bookings,
        coalesce(actual.campaign_cost, 0) as campaign_cost,
        coalesce(attributed.campaign_cost, 0) as attributed_cost
    from actual
    full outer join attributed
        on
            actual.attribution_model = attributed.attribution_model
            and actual.report_month = attributed.report_month

)

select *
from compared
where
    abs(pipeline - attributed_pipeline) > 0.01
    or abs(bookings - attributed_bookings) > 0.01
    or abs(campaign_cost - attributed_cost) > 0.01
