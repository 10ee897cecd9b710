{#-
    Milliseconds since 1970-01-01 of a timestamp, as bigint (dispatched). HubSpot property history keeps
    milliseconds, and two changes of one contact within a second are two changes: stage and score event ids
    are built from it ('hs-stage:<contact>:<epoch_ms>', docs/design/connectors.md §1.3.2).
-#}
{% macro epoch_ms(column) -%}
    {{ return(adapter.dispatch('epoch_ms', 'lifecycle')(column)) }}
{%- endmacro %}

{% macro default__epoch_ms(column) -%}
    cast({{ dbt.datediff("cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")", column, 'millisecond') }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro duckdb__epoch_ms(column) -%}
    epoch_ms(cast({{ column }} as timestamp))
{%- endmacro %}

{% macro postgres__epoch_ms(column) -%}
    cast(floor(extract(epoch from {{ column }}) * 1000) as bigint)
{%- endmacro %}

{% macro spark__epoch_ms(column) -%}
    unix_millis(cast({{ column }} as timestamp))
{%- endmacro %}
