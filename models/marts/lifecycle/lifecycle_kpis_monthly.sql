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

with

months as (

    select * from {{ ref('int_months') }}

),

attract_kpis as (

    select * from {{ ref('attract_monthly') }}

),

capture_kpis as (

    select * from {{ ref('capture_monthly') }}

),

nurture_kpis as (

    select * from {{ ref('nurture_monthly') }}

),

convert_kpis as (

    select * from {{ ref('convert_monthly') }}

),

expand_kpis as (

    select * from {{ ref('expand_monthly') }}

),

headlines as (

    -- a month missing from a stage mart counts 0 for counts and amounts, null for rates
    select
        months.report_month,
        months.quarter_start,
        cast({{ dbt.dateadd('month', -3, 'months.report_month') }} as date) as same_month_previous_quarter,
        cast({{ dbt.dateadd('month', -3, 'months.quarter_start') }} as date) as previous_quarter_start,
        {% for column, source, is_additive, column_type in metrics %}
            {% if is_additive %}
                cast(coalesce({{ source }}.{{ column }}, 0) as {{ column_type }}) as {{ column }}
            {%- else %}
                cast({{ source }}.{{ column }} as {{ column_type }}) as {{ column }}
            {%- endif %}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from months
    left join attract_kpis
        on months.report_month = attract_kpis.report_month
    left join capture_kpis
        on months.report_month = capture_kpis.report_month
    left join nurture_kpis
        on months.report_month = nurture_kpis.report_month
    left join convert_kpis
        on months.report_month = convert_kpis.report_month
    left join expand_kpis
        on months.report_month = expand_kpis.report_month

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

-- previous quarter to date: the previous quarter's months up to the same month of that quarter
-- (no row, hence null, when the data has no month in the previous quarter)
previous_quarter as (

    select
        current_months.report_month,
        {% for column, source, is_additive, column_type in additive_metrics %}
            cast(sum(previous_months.{{ column }}) as {{ column_type }}) as {{ column }}_prev_qtd
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from headlines as current_months
    inner join headlines as previous_months
        on
            current_months.previous_quarter_start = previous_months.quarter_start
            and current_months.same_month_previous_quarter >= previous_months.report_month
    group by current_months.report_month

),

final as (

    select
        changes.report_month,
        changes.quarter_start,
        {% for column, source, is_additive, column_type in metrics %}
            changes.{{ column }},
            {% if is_additive %}
                changes.{{ column }}_qtd,
                previous_quarter.{{ column }}_prev_qtd,
                cast(
                    {{ safe_divide('changes.' ~ column ~ '_qtd', 'previous_quarter.' ~ column ~ '_prev_qtd') }}
                    as {{ numeric }}
                ) as {{ column }}_qtd_pacing,
            {% endif %}
            changes.{{ column }}_mom_change
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from changes
    left join previous_quarter
        on changes.report_month = previous_quarter.report_month

)

select * from final
