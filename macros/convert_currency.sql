{#-
    Convert amounts to the reporting currency (var reporting_currency, default USD).

    Returns a select (use it as the body of a CTE): every column of `relation` plus
    `fx_rate` and, for each name in `amount_columns`, that name computed from
    `<name>_original` (which `relation` must provide) times the rate. The rate is the
    one in force on `date_column` for `currency_column`, from the rate spells of
    stg_finance__fx_rates (latest rate_date <= the date; before the first rate, the
    first rate). A null currency or the reporting currency itself has rate 1. No rate
    for the currency => fx_rate and the converted amounts are null (a warn test reports it).
-#}
{% macro convert_currency(relation, amount_columns, date_column, currency_column='currency') -%}
    {%- if amount_columns is string -%}{%- set amount_columns = [amount_columns] -%}{%- endif -%}
    {%- set reporting_currency = var('reporting_currency', 'USD') | upper -%}
    {%- set rate -%}
        cast(
            case
                when base.{{ currency_column }} is null or base.{{ currency_column }} = '{{ reporting_currency }}' then 1
                else fx.rate_to_reporting
            end as decimal(18, 8)
        )
    {%- endset -%}
    select
        base.*,
        {{ rate }} as fx_rate
        {%- for column in amount_columns %},
        cast(cast(base.{{ column }}_original as {{ dbt.type_numeric() }}) * {{ rate }} as {{ dbt.type_numeric() }}) as {{ column }}
        {%- endfor %}
    from {{ relation }} as base
    left join {{ ref('stg_finance__fx_rates') }} as fx
        on
            base.{{ currency_column }} = fx.currency
            and base.{{ currency_column }} <> '{{ reporting_currency }}'
            and (fx.valid_from <= cast(base.{{ date_column }} as date) or fx.is_first_rate = true)
            and (cast(base.{{ date_column }} as date) < fx.valid_to or fx.valid_to is null)
{%- endmacro %}
