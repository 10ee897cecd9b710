{#-
    True when two values differ, treating two nulls as equal (SQL's `is distinct from`, which not every target
    supports): used by the incremental facts to find rows whose derived columns changed.
-#}
{% macro is_distinct_from(left, right) -%}
    not (coalesce({{ left }} = {{ right }}, false) or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}
