{#- Helpers of the Marketo adapters (models/adapters/marketo/, docs/design/connectors.md §1.4). -#}

{#-
    The items of a Marketo id list landed as text (activity_merge_leads.merge_ids: '[123,456]'), as a
    set-returning select expression: a select with it yields one row per item (brackets and blanks removed;
    an empty list yields '' or no row: filter empty items). Targets split strings differently, hence dispatch.
-#}
{% macro marketo_list_items(column) -%}
    {{ return(adapter.dispatch('marketo_list_items', 'lifecycle')(marketo_list_text(column))) }}
{%- endmacro %}

{% macro marketo_list_text(column) -%}
    replace(replace(replace({{ column }}, '[', ''), ']', ''), ' ', '')
{%- endmacro %}

{% macro default__marketo_list_items(text) -%}
    unnest(string_to_array({{ text }}, ','))
{%- endmacro %}

{% macro duckdb__marketo_list_items(text) -%}
    unnest(string_split({{ text }}, ','))
{%- endmacro %}

{% macro spark__marketo_list_items(text) -%}
    explode(split({{ text }}, ','))
{%- endmacro %}


{#-
    connector_columns of Marketo's campaign or program table. Fivetran's package syncs neither by default
    (vars marketo__enable_campaigns / marketo__enable_programs, false: the API is slow), so synced tables are
    read only when the var says so; loaded ones always (`lifecycle load` creates every declared table).
-#}
{% macro marketo_lookup_columns(table, enabled_var) -%}
    {{ return(connector_columns('marketo', table, enabled_var=enabled_var,
                                enabled_default=marketo_lookup_enabled(enabled_var))) }}
{%- endmacro %}

{% macro marketo_lookup_enabled(enabled_var) -%}
    {{ return(var(enabled_var, lifecycle_input('marketo') == 'loaded')) }}
{%- endmacro %}


{#-
    The contract campaign_id of a Marketo program: its linked Salesforce campaign, else 'mkto-program:<id>'.
    Email events and the programs-as-campaigns adapter both use it, so their ids match.
-#}
{% macro marketo_program_campaign_id(sfdc_id, program_id) -%}
    coalesce({{ sfdc_id }}, {{ dbt.concat(["'mkto-program:'", program_id]) }})
{%- endmacro %}
