{#-
    First day of the month (a DATE) of a UTC timestamp, in the reporting time zone
    (var reporting_timezone, default UTC). Pass is_date=true for a DATE column
    (a calendar day already, no time zone shift). Targets differ only in how a UTC
    timestamp is shifted to local time, hence adapter.dispatch.
-#}
{% macro month_start(expression, is_date=false) -%}
    {%- set timezone = reporting_timezone() -%}
    {%- if is_date or timezone == 'UTC' -%}
        cast({{ dbt.date_trunc('month', expression) }} as date)
    {%- else -%}
        cast({{ dbt.date_trunc('month', to_reporting_timezone(expression, timezone)) }} as date)
    {%- endif -%}
{%- endmacro %}

{#- A UTC timestamp (without time zone) as local wall-clock time in `timezone`. -#}
{% macro to_reporting_timezone(expression, timezone) -%}
    {{ return(adapter.dispatch('to_reporting_timezone', 'lifecycle')(expression, timezone)) }}
{%- endmacro %}

{% macro default__to_reporting_timezone(expression, timezone) -%}
    (({{ expression }}) at time zone 'UTC') at time zone '{{ timezone }}'
{%- endmacro %}

{% macro duckdb__to_reporting_timezone(expression, timezone) -%}
    cast(timezone('{{ timezone }}', timezone('UTC', {{ expression }})) as timestamp)
{%- endmacro %}

{% macro postgres__to_reporting_timezone(expression, timezone) -%}
    (({{ expression }}) at time zone 'UTC') at time zone '{{ timezone }}'
{%- endmacro %}

{% macro spark__to_reporting_timezone(expression, timezone) -%}
    from_utc_timestamp({{ expression }}, '{{ timezone }}')
{%- endmacro %}

{#-
    The UTC instant (timestamp without time zone) of a local wall-clock time in the reporting time zone:
    the inverse of to_reporting_timezone. Used to turn local month boundaries into UTC instants that can be
    compared with the UTC timestamps of the facts.
-#}
{% macro utc_instant(expression) -%}
    {%- set timezone = reporting_timezone() -%}
    {%- if timezone == 'UTC' -%}
        cast({{ expression }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        {{ return(adapter.dispatch('from_reporting_timezone', 'lifecycle')(expression, timezone)) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__from_reporting_timezone(expression, timezone) -%}
    ((cast({{ expression }} as timestamp)) at time zone '{{ timezone }}') at time zone 'UTC'
{%- endmacro %}

{% macro duckdb__from_reporting_timezone(expression, timezone) -%}
    cast(timezone('UTC', timezone('{{ timezone }}', cast({{ expression }} as timestamp))) as timestamp)
{%- endmacro %}

{% macro spark__from_reporting_timezone(expression, timezone) -%}
    to_utc_timestamp(cast({{ expression }} as timestamp), '{{ timezone }}')
{%- endmacro %}

{#-
    var reporting_timezone, checked: 'UTC' for any spelling of UTC, else an IANA region name (Area/Location, such
    as Europe/Berlin). Abbreviations and offsets (CET, EST, UTC+3, +03:00) stop the build: DuckDB, PostgreSQL and
    Spark read them differently (PostgreSQL takes CET as a fixed UTC+1 and reverses the sign of UTC+3).
-#}
{% macro reporting_timezone() -%}
    {%- set timezone = var('reporting_timezone', 'UTC') | string | trim -%}
    {%- if timezone | upper in ('UTC', 'ETC/UTC', 'Z', 'GMT', 'ETC/GMT') -%}
        {{ return('UTC') }}
    {%- elif modules.re.match('^[A-Za-z]+(/[A-Za-z0-9_+-]+)+$', timezone) and not timezone.upper().startswith('ETC/') -%}
        {{ return(timezone) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "var reporting_timezone: '" ~ timezone ~ "' is not an IANA time zone name such as 'Europe/Berlin' or "
            ~ "'America/New_York' (or 'UTC'); abbreviations and offsets are read differently by the targets"
        ) }}
    {%- endif -%}
{%- endmacro %}
