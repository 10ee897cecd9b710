{%- set counts = ['new_leads', 'mqls', 'first_time_mqls', 'repeat_mqls', 'sqls', 'reopened_leads', 'dropped_leads',
                  'stalled_leads'] -%}

with

channel_months as (

    select * from {{ ref('int_stage_entries_aggregated_to_channel_months') }}

),

-- every person has one acquisition channel: the channels sum to the month
final as (

    select
        report_month,
        {% for column in counts %}
            cast(sum({{ column }}) as {{ dbt.type_bigint() }}) as {{ column }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from channel_months
    group by report_month

)

select * from final
