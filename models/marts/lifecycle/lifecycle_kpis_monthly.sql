{#- headline metrics: (column, source CTE, is_additive, type). Additive counts/amounts get quarter-to-date pacing. -#}
{%- set count_type = dbt.type_bigint() -%}
{%- set numeric = dbt.type_numeric() -%}
{%- set metrics = [
    ('unique_visitors', 'attract_kpis', true, count_type),
    ('new_known_persons', 'capture_kpis', true, count_type),
    ('new_leads', 'nurture_kpis', true, count_type),
    ('mqls', 'nurture_kpis', true, count_type),
    ('sqls', 'convert_kpis', true, count_type),
    ('new_customers', 'convert_kpis', true, count_type),
    ('churn_rate', 'expand_kpis', false, numeric),
    ('nps', 'expand_kpis', false, numeric),
    ('marketing_cost', 'convert_kpis', true, numeric),
    ('cost_per_mql', 'nurture_kpis', false, numeric),
    ('bookings', 'convert_kpis', true, numeric),
] -%}
{%- set additive_metrics = metrics | selectattr(2) | list -%}
{%- set stage_marts = ['attract', 'capture', 'nurture', 'convert', 'expand'] -%}

with

months as (

    select * from {{ ref('int_months') }}

),

{#- one import CTE per stage mart: <stage>_kpis -#}
{% for stage in stage_marts %}
    {{ stage }}_kpis as (

        select * from {{ ref(stage ~ '_monthly') }}

    ),
{% endfor %}

headlines as (

    -- a month missing from a stage mart counts 0 for counts and amounts, null for rates
    select
        months.report_month,
        months.quarter_start,
        {% for column, source, is_additive, column_type in metrics %}
            {% if is_additive %}
                cast(coalesce({{ source }}.{{ column }}, 0) as {{ column_type }}) as {{ column }}
            {%- else %}
                cast({{ source }}.{{ column }} as {{ column_type }}) as {{ column }}
            {%- endif %}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from months
    {%- for stage in stage_marts %}
    left join {{ stage }}_kpis
        on months.report_month = {{ stage }}_kpis.report_month
    {%- endfor %}

),

changes as (

    select
        headlines.*,
        {% for column, source, is_additive, column_type in metrics %}
            cast(
                headlines.{{ column }} - lag(headlines.{{ column }}) over (order by headlines.report_month)
                as {{ column_type }}
            ) as {{ column }}_mom_change,
        {% endfor %}
        {% for column, source, is_additive, column_type in additive_metrics %}
            cast(sum(headlines.{{ column }}) over (
                partition by headlines.quarter_start
                order by headlines.report_month
                rows between unbounded preceding and current row
            ) as {{ column_type }}) as {{ column }}_qtd
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from headlines

),

-- previous quarter to date: the quarter-to-date of the same month of the previous quarter, three months back
-- (months are contiguous; null when the data does not reach back that far)
previous_quarter as (

    select
        changes.*,
        {% for column, source, is_additive, column_type in additive_metrics %}
            cast(lag(changes.{{ column }}_qtd, 3) over (order by changes.report_month) as {{ column_type }})
                as {{ column }}_prev_qtd
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from changes

),

final as (

    select
        report_month,
        quarter_start,
        {% for column, source, is_additive, column_type in metrics %}
            {{ column }},
            {% if is_additive %}
                {{ column }}_qtd,
                {{ column }}_prev_qtd,
                cast({{ safe_divide(column ~ '_qtd', column ~ '_prev_qtd') }} as {{ numeric }})
                    as {{ column }}_qtd_pacing,
            {% endif %}
            {{ column }}_mom_change
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from previous_quarter

)

select * from final
