{#- Helpers of the Marketo adapters (models/adapters/marketo/, docs/design/connectors.md §1.4). -#}

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


{#-
    Warn test on activity_change_data_value: rows of a score field (var lifecycle__marketo_score_fields) whose new
    value is not an integer. adp_marketo__map_score_changes leaves them out (a score is a whole number); the
    test says how many, so none is lost in silence. It reads the table as the adapter does (connector_columns: a
    table switched off by its var or a column not synced reads as no rows / nulls), not `model` itself.
-#}
{% test marketo_score_values_are_integers(model, column_name) -%}
    select *
    from ({{ connector_columns('marketo', 'activity_change_data_value') }}) as data_values
    where
        primary_attribute_value in {{ marketo_score_fields() }}
        and {{ marketo_integer(column_name) }} is null
{%- endtest %}


{#- The integer in a text value (Change Data Value's old_value / new_value), else null. -#}
{% macro marketo_integer(column) -%}
    cast({{ regexp_first_match('trim(' ~ column ~ ')', '^[+-]?[0-9]{1,18}$') }} as {{ dbt.type_bigint() }})
{%- endmacro %}


{#- The score fields' display names (var lifecycle__marketo_score_fields) as a SQL list: ('Lead Score', ...). -#}
{% macro marketo_score_fields() -%}
    ({%- for field in var('lifecycle__marketo_score_fields', ['Lead Score']) -%}
        '{{ field | replace("'", "''") }}'{{ ', ' if not loop.last }}
    {%- endfor -%})
{%- endmacro %}
