{#-
    Salesforce custom fields that fill a contract column (docs/design/connectors.md §3.8): var
    lifecycle__salesforce_columns = {<table>: {<contract column>: <connector column>}}, e.g.
    {opportunity: {loss_reason: loss_reason_c}, campaign: {channel: channel_c, audience: audience_c}}.
-#}

{#- The connector column named for `contract_column` of Salesforce table `table`, or none. -#}
{% macro salesforce_override(table, contract_column) -%}
    {%- set overrides = var('lifecycle__salesforce_columns', {}) or {} -%}
    {%- if overrides is not mapping or (overrides.get(table) or {}) is not mapping -%}
        {{ exceptions.raise_compiler_error(
            "var lifecycle__salesforce_columns must be {table: {contract_column: connector_column}}, got "
            ~ overrides) }}
    {%- endif -%}
    {%- set column = (overrides.get(table) or {}).get(contract_column) -%}
    {{- return(column | lower if column else none) -}}
{%- endmacro %}


{#- Every override column of Salesforce table `table` (connector_columns' extra_columns). -#}
{% macro salesforce_overrides(table) -%}
    {%- set overrides = (var('lifecycle__salesforce_columns', {}) or {}).get(table) or {} -%}
    {{- return(overrides.values() | map('lower') | list) -}}
{%- endmacro %}


{#- The org currency for rows without currency_iso_code (single-currency orgs): var lifecycle__salesforce_currency
    as a SQL literal, else null (= the reporting currency, CONTRACT). -#}
{% macro salesforce_currency() -%}
    {%- set currency = var('lifecycle__salesforce_currency', none) -%}
    {{- dbt.string_literal(currency | string | trim | upper) if currency else 'cast(null as ' ~ dbt.type_string() ~ ')' -}}
{%- endmacro %}
