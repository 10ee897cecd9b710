{#-
    The attribution weights: every opportunity's touches (fct_touches) in the lookback window before its creation,
    one row per opportunity x touch x attribution model with the touch's weight under the model (the formulas are
    in int_touches_weighted.yml). Opportunities without a touch in the window have no row here (fct_attribution
    gives them one 'no touch' row per model).
    Weights are computed in double precision (a decimal division would round 1/3 to 6 places on Spark) and stored
    as numeric(38,15), rounded to 15 places: the same value on every target (0.3, not the double nearest it), and
    the weights of an opportunity still sum to 1 within 1e-9.
-#}
{%- set lookback_days = var('lifecycle__attribution_lookback_days', 90) | int -%}
{%- set half_life_days = var('lifecycle__attribution_half_life_days', 7) -%}
{%- set double = type_double() -%}
{%- set models = attribution_models() -%}

with

opportunities as (

    select * from {{ ref('fct_opportunities') }}

),

touches as (

    select * from {{ ref('fct_touches') }}

),

person_records as (

    select * from {{ ref('int_person_records') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

-- whose touches count: the opportunity's contact's person and every person with a CRM record on its account
opportunity_persons as (

    select
        opportunity_id,
        person_id
    from opportunities
    where person_id is not null

    union

    select
        opportunities.opportunity_id,
        person_records.person_id
    from opportunities
    inner join person_records
        on opportunities.account_id = person_records.account_id

),

-- the buying group's MQL time: the earliest first MQL entry of the opportunity's persons
opportunity_mqls as (

    select
        opportunity_persons.opportunity_id,
        min(persons.first_mql_at) as mql_at
    from opportunity_persons
    inner join persons
        on opportunity_persons.person_id = persons.person_id
    group by opportunity_persons.opportunity_id

),

-- touches at or before the opportunity's creation and no more than the lookback before it
windowed as (

    select
        opportunities.opportunity_id,
        opportunity_mqls.mql_at,
        touches.touch_key,
        touches.person_id,
        touches.touched_at,
        touches.touch_kind,
        touches.campaign_id,
        touches.channel,
        {%- set seconds_before = dbt.datediff('touches.touched_at', 'opportunities.created_at', 'second') %}
        cast({{ seconds_before }} as {{ double }}) / 86400 as days_before_opportunity
    from opportunities
    inner join opportunity_persons
        on opportunities.opportunity_id = opportunity_persons.opportunity_id
    inner join touches
        on opportunity_persons.person_id = touches.person_id
    left join opportunity_mqls
        on opportunities.opportunity_id = opportunity_mqls.opportunity_id
    where
        touches.touched_at <= opportunities.created_at
        and touches.touched_at >= {{ dbt.dateadd('day', -lookback_days, 'opportunities.created_at') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by opportunity_id order by touched_at, touch_key
        ) as touch_position,
        count(*) over (partition by opportunity_id) as touch_count,
        power(cast(2 as {{ double }}), -days_before_opportunity / {{ half_life_days }}) as decay_factor
    from windowed

),

-- the MQL touch: the last touch at or before the MQL time (none without an MQL or a touch before it)
positioned as (

    select
        *,
        max(case when touched_at <= mql_at then touch_position end) over (
            partition by opportunity_id
        ) as mql_touch_position,
        sum(decay_factor) over (partition by opportunity_id) as decay_total
    from ranked

),

-- W-shaped key touches: first, MQL and opportunity-creation (last) touch, counted once each when they coincide
keyed as (

    select
        *,
        touch_position = 1
        or touch_position = touch_count
        or coalesce(touch_position = mql_touch_position, false) as is_key_touch,
        1
        + case when touch_count > 1 then 1 else 0 end
        + case
            when mql_touch_position is not null and mql_touch_position > 1 and mql_touch_position < touch_count
                then 1
            else 0
        end as key_touch_count
    from positioned

),

weighted as (

    select
        *,
        case when touch_position = 1 then 1 else 0 end as first_touch_weight,
        case when touch_position = touch_count then 1 else 0 end as last_touch_weight,
        cast(1 as {{ double }}) / touch_count as linear_weight,
        case
            when touch_count = 1 then 1
            when touch_count = 2 then 0.5
            when touch_position = 1 or touch_position = touch_count then 0.4
            else cast(0.2 as {{ double }}) / (touch_count - 2)
        end as u_shaped_weight,
        case
            when is_key_touch and touch_count = key_touch_count then cast(1 as {{ double }}) / key_touch_count
            when is_key_touch then cast(0.9 as {{ double }}) / key_touch_count
            else cast(0.1 as {{ double }}) / (touch_count - key_touch_count)
        end as w_shaped_weight,
        decay_factor / decay_total as time_decay_weight
    from keyed

),

-- one row per model
final as (

    {% for model in models %}
        select
            opportunity_id,
            '{{ model }}' as attribution_model,
            touch_key,
            person_id,
            touched_at,
            touch_kind,
            campaign_id,
            channel,
            touch_position,
            touch_count,
            days_before_opportunity,
            cast(cast({{ model }}_weight as {{ double }}) as numeric(38, 15)) as weight
        from weighted
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
