{#-
    numerator / denominator as numeric(28, 6) (dbt.type_numeric) on every target; null when the
    denominator is 0 or null (never an error). One fixed type keeps rates comparable across targets.
-#}
{% macro safe_divide(numerator, denominator) -%}
    cast(cast({{ numerator }} as {{ dbt.type_numeric() }}) / nullif({{ denominator }}, 0) as {{ dbt.type_numeric() }})
{%- endmacro %}
