{#-
    One row per element of the delimited text `column` of `relation` (a CTE name): a select of `relation`'s
    columns plus `as_column`, the trimmed element; empty elements and null lists give no row. HubSpot keeps
    merged contact ids as '76340251;46897301' (docs/design/connectors.md §1.3.1). Targets turn a list into rows
    differently (the same split as fivetran/dbt_hubspot macros/merge_contacts.sql), hence adapter.dispatch.
-#}
{% macro split_to_rows(relation, column, delimiter, as_column) -%}
    select * from (
        {{ adapter.dispatch('split_to_rows', 'lifecycle')(relation, column, delimiter, as_column) }}
    ) as split_rows
    where {{ as_column }} <> ''
{%- endmacro %}

{% macro default__split_to_rows(relation, column, delimiter, as_column) -%}
    {{ exceptions.raise_compiler_error("split_to_rows has no form for target type " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__split_to_rows(relation, column, delimiter, as_column) -%}
        select listed.*, trim(elements.element) as {{ as_column }}
        from {{ relation }} as listed
        cross join unnest(string_split(listed.{{ column }}, '{{ delimiter }}')) as elements (element)
{%- endmacro %}

{% macro postgres__split_to_rows(relation, column, delimiter, as_column) -%}
        select listed.*, trim(elements.element) as {{ as_column }}
        from {{ relation }} as listed
        cross join lateral unnest(string_to_array(listed.{{ column }}, '{{ delimiter }}')) as elements (element)
{%- endmacro %}

{#- Spark's split takes a regular expression: the delimiter is quoted for it. -#}
{% macro spark__split_to_rows(relation, column, delimiter, as_column) -%}
        select listed.*, trim(elements.element) as {{ as_column }}
        from {{ relation }} as listed
        lateral view explode(split(listed.{{ column }}, '\\Q{{ delimiter }}\\E')) elements as element
{%- endmacro %}
