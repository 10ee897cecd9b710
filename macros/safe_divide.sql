{#- numerator / denominator as a decimal; null when the denominator is 0 or null (never an error). -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ dbt.type_numeric() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}
