{#-
    Lists raw values that no mapping seed row matched: rows where the canonical column
    is 'other' while the raw value is present and is not literally 'other'. One failing
    row per distinct raw value, with its row count. Configure with severity warn.
-#}
{% test unmapped_values(model, column_name, raw_column) %}
    select
        {{ raw_column }} as unmapped_value,
        count(*) as row_count
    from {{ model }}
    where
        {{ column_name }} = 'other'
        and {{ raw_column }} is not null
        and lower(trim({{ raw_column }})) <> 'other'
    group by {{ raw_column }}
{% endtest %}
