{#- An email address normalized for identity matching: trimmed, lower-cased, empty = null. -#}
{% macro normalize_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}
