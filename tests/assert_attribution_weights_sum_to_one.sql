-- Every attribution model credits each opportunity exactly once: for every opportunity of fct_opportunities and
-- each of the six models, the weights of its fct_attribution rows sum to 1 (within 1e-9; no rows: a failure).
-- Returns the opportunity-model pairs that do not.
{%- set models = attribution_models() %}
with

opportunities as (

    select opportunity_id from {{ ref('fct_opportunities') }}

),

attribution_models as (

    {% for model in models %}
        select '{{ model }}' as attribution_model
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

weights as (

    select
        opportunity_id,
        attribution_model,
        sum(weight) as weight_sum
    from {{ ref('fct_attribution') }}
    group by
        opportunity_id,
        attribution_model

),

compared as (

    select
        opportunities.opportunity_id,
        attribution_models.attribution_model,
        weights.weight_sum
    from opportunities
    cross join attribution_models
    left join weights
        on
            opportunities.opportunity_id = weights.opportunity_id
            and attribution_models.attribution_model = weights.attribution_model

)

select
    opportunity_id,
    attribution_model,
    weight_sum
from compared
where
    weight_sum is null
    or abs(weight_sum - 1) > 0.000000001
