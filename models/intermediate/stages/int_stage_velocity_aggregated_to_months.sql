{%- set steps = [
    ('lead_to_mql', 'lead', 'mql'),
    ('mql_to_sql', 'mql', 'sql'),
    ('sql_to_customer', 'sql', 'customer'),
    ('lead_to_customer', 'lead', 'customer'),
] -%}

with

persons as (

    select * from {{ ref('dim_persons') }}

),

-- persons reaching the step's later stage for the first time, days since their first entry of the earlier
-- stage (only when that entry came first)
step_days as (

    {% for step, from_stage, to_stage in steps %}
        select
            '{{ step }}' as step,
            {{ month_start('first_' ~ to_stage ~ '_at') }} as report_month,
            {{ dbt.datediff('first_' ~ from_stage ~ '_at', 'first_' ~ to_stage ~ '_at', 'day') }}
                as days_between
        from persons
        where first_{{ from_stage }}_at <= first_{{ to_stage }}_at
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

steps_by_month as (

    select
        report_month,
        step,
        {{ percentile('days_between', 0.5) }} as median_days,
        {{ percentile('days_between', 0.75) }} as p75_days
    from step_days
    group by
        report_month,
        step

),

final as (

    select
        report_month,
        {% for step, from_stage, to_stage in steps %}
            cast(max(case when step = '{{ step }}' then median_days end) as {{ dbt.type_numeric() }})
                as median_days_{{ step }},
            cast(max(case when step = '{{ step }}' then p75_days end) as {{ dbt.type_numeric() }})
                as p75_days_{{ step }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from steps_by_month
    group by report_month

)

select * from final
