{#-
    Multi-touch attribution: the weight of every opportunity's touches in the lookback window under each model
    (int_touches_weighted, where the window and the weight formulas are), one row per opportunity x touch x model;
    an opportunity without a touch in the window gets one 'no touch' row per model with weight 1.
    Attributed amounts are the stored weight (numeric(38,15)) times the amount in decimal arithmetic, rounded to
    6 places (half up on every target; a double product could round a tie either way).
-#}
{%- set weight_type = 'numeric(38,15)' -%}
{%- set models = attribution_models() -%}

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

touches_weighted as (

    select * from {{ ref('int_touches_weighted') }}

),

touched_opportunities as (

    select distinct opportunity_id from touches_weighted

),

-- opportunities without a touch in the window: all credit to one 'no touch' row in the deal's own channel
no_touch_rows as (

    {% for model in models %}
        select
            opportunities.opportunity_id,
            '{{ model }}' as attribution_model,
            cast(null as {{ dbt.type_string() }}) as touch_key,
            cast(null as {{ dbt.type_string() }}) as person_id,
            cast(null as {{ dbt.type_timestamp() }}) as touched_at,
            'no_touch' as touch_kind,
            cast(null as {{ dbt.type_string() }}) as campaign_id,
            opportunities.channel,
            0 as touch_position,
            0 as touch_count,
            cast(1 as {{ weight_type }}) as weight
        from opportunities
        left join touched_opportunities
            on opportunities.opportunity_id = touched_opportunities.opportunity_id
        where touched_opportunities.opportunity_id is null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

-- touch rows and 'no touch' rows (the columns named: a union matches them by position)
attributed as (

    select
        opportunity_id,
        attribution_model,
        touch_key,
        person_id,
        touched_at,
        touch_kind,
        campaign_id,
        channel,
        touch_position,
        touch_count,
        weight
    from touches_weighted
    union all
    select * from no_touch_rows

),

final as (

    select
        {{ dbt.concat([
            'attributed.opportunity_id', "'|'", 'attributed.attribution_model', "'|'",
            "coalesce(attributed.touch_key, 'no_touch')"
        ]) }} as attribution_key,
        attributed.opportunity_id,
        attributed.attribution_model,
        attributed.touch_key,
        attributed.person_id,
        attributed.touched_at,
        attributed.touch_kind,
        attributed.campaign_id,
        attributed.channel,
        cast(attributed.touch_position as {{ dbt.type_bigint() }}) as touch_position,
        cast(attributed.touch_count as {{ dbt.type_bigint() }}) as touch_count,
        -- in days from the seconds, divided exactly (the double of int_touches_weighted could round a value
        -- halfway between two 6-place numbers either way, depending on the target); null on a 'no touch' row
        {{ safe_divide(
            dbt.datediff('attributed.touched_at', 'opportunities.created_at', 'second'), 86400
        ) }} as days_before_opportunity,
        cast(attributed.weight as {{ weight_type }}) as weight,
        opportunities.created_month,
        opportunities.closed_month,
        opportunities.outcome,
        cast(opportunities.amount * cast(attributed.weight as {{ weight_type }}) as {{ dbt.type_numeric() }})
            as attributed_pipeline,
        cast(
            case when opportunities.is_won then opportunities.amount * cast(attributed.weight as {{ weight_type }}) end
            as {{ dbt.type_numeric() }}
        ) as attributed_bookings
    from attributed
    inner join opportunities
        on attributed.opportunity_id = opportunities.opportunity_id

)

select * from final
