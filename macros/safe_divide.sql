{#-
    numerator / denominator as numeric(28, 6) (dbt.type_numeric) on every target; null when the
    denominator is 0 or null (never an error). One fixed type keeps rates comparable across targets, and the
    quotient is rounded half away from zero from its exact value on every target (dispatched).
-#}
{% macro safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('safe_divide', 'lifecycle')(numerator, denominator)) }}
{%- endmacro %}

{#- PostgreSQL and Spark divide decimals exactly (to more places than 6) and round half away from zero. -#}
{% macro default__safe_divide(numerator, denominator) -%}
    cast(cast({{ numerator }} as {{ dbt.type_numeric() }}) / nullif({{ denominator }}, 0) as {{ dbt.type_numeric() }})
{%- endmacro %}

{#-
    DuckDB divides decimals in double precision, so a quotient exactly halfway between two 6-place values
    (143005.502085 / 6 = 23834.2503475) could round either way. Here both operands are taken at 6 places as
    integers (hugeint, x * 10^6) and the quotient rounded half away from zero in integer arithmetic:
    q = sign(n) * sign(d) * floor((2 |n| 10^6 + |d|) / (2 |d|)), then q * 10^-6.
-#}
{% macro duckdb__safe_divide(numerator, denominator) -%}
    {%- set n = 'cast(cast(' ~ numerator ~ ' as decimal(28, 6)) * 1000000 as hugeint)' -%}
    {%- set d = 'nullif(cast(cast(' ~ denominator ~ ' as decimal(28, 6)) * 1000000 as hugeint), 0)' -%}
    cast(
        cast(sign({{ n }}) * sign({{ d }}) * ((2 * abs({{ n }}) * 1000000 + abs({{ d }})) // (2 * abs({{ d }})))
            as decimal(38, 0))
        * 0.000001
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
