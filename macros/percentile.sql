{#-
    The p-th percentile (0..1, linear interpolation) of `column` as an aggregate (use with group by).
    Ordered-set aggregate percentile_cont on DuckDB and PostgreSQL; Spark spells it percentile().
-#}
{% macro percentile(column, p) -%}
    {{ return(adapter.dispatch('percentile', 'lifecycle')(column, p)) }}
{%- endmacro %}

{% macro default__percentile(column, p) -%}
    percentile_cont({{ p }}) within group (order by {{ column }})
{%- endmacro %}

{% macro spark__percentile(column, p) -%}
    percentile({{ column }}, {{ p }})
{%- endmacro %}
