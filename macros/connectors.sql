{#-
    Connector sources (models/adapters/, docs/design/connectors.md): which relation a contract file is read
    from, and the helpers every adapter model uses to turn a connector's tables into a contract file's shape.

    A contract file (crm_leads, map_email_events, ...) has one provider: `contract` (the export file, loaded
    into raw.<file>) or a connector (salesforce, hubspot, marketo) whose adapter
    models/adapters/<connector>/adp_<connector>__<file>.sql produces the same columns. Which connector can
    provide which file, in order of precedence, is the var `lifecycle__connector_files` (dbt_project.yml; the
    `lifecycle` command reads the same var); a connector is used when `lifecycle__using_<connector>` is true;
    `lifecycle__providers: {<file>: <provider>}` overrides the choice.
-#}

{#- The provider of a contract file: 'contract' or the name of a connector. -#}
{% macro lifecycle_provider(file) -%}
    {%- set candidates = var('lifecycle__connector_files', {}).get(file, []) -%}
    {%- set on_request = var('lifecycle__connector_files_on_request', {}).get(file, []) -%}
    {%- set chosen = var('lifecycle__providers', {}).get(file) -%}
    {%- if chosen is none -%}
        {%- set enabled = [] -%}
        {%- for connector in candidates if var('lifecycle__using_' ~ connector, false) -%}
            {%- do enabled.append(connector) -%}
        {%- endfor -%}
        {%- set chosen = (enabled + ['contract'])[0] -%}
    {%- elif chosen != 'contract' and chosen not in candidates + on_request -%}
        {{ exceptions.raise_compiler_error(
            "var lifecycle__providers: " ~ chosen ~ " cannot provide " ~ file ~ " (connectors that can: "
            ~ ((candidates + on_request) | join(', ') or 'none') ~ ")") }}
    {%- elif chosen != 'contract' and not var('lifecycle__using_' ~ chosen, false) -%}
        {{ exceptions.raise_compiler_error(
            "var lifecycle__providers names " ~ chosen ~ " for " ~ file ~ " but var lifecycle__using_"
            ~ chosen ~ " is not true") }}
    {%- endif -%}
    {{- return(chosen) -}}
{%- endmacro %}


{#- True when the adapter of `connector` for contract `file` is the file's provider (the adapter's `enabled`). -#}
{% macro adapter_enabled(connector, file) -%}
    {{- return(var('lifecycle__using_' ~ connector, false) and lifecycle_provider(file) == connector) -}}
{%- endmacro %}


{#-
    The relation a staging model reads contract file `<source_name>_<table_name>` from: the raw contract table
    (dbt source) or the adapter model of the connector that provides it. Only crm and map files can come from a
    connector (their identifiers are `<source>_<table>`); others are always the contract file.
-#}
{% macro contract_source(source_name, table_name) -%}
    {%- set provider = lifecycle_provider(source_name ~ '_' ~ table_name) -%}
    {%- if provider == 'contract' -%}
        {{ source(source_name, table_name) }}
    {%- else -%}
        {{ ref('adp_' ~ provider ~ '__' ~ source_name ~ '_' ~ table_name) }}
    {%- endif -%}
{%- endmacro %}


{#-
    How a connector's tables arrive: 'loaded' (files appended by `lifecycle load` into raw_<connector>, with the
    batch columns) or 'synced' (the connector's own tables in the user's warehouse, read in place). Synced when
    var <connector>_schema or <connector>_database is set (Fivetran's var names), unless
    lifecycle__<connector>_input says otherwise.
-#}
{% macro lifecycle_input(connector) -%}
    {%- set explicit = var('lifecycle__' ~ connector ~ '_input', none) -%}
    {%- if explicit is not none -%}{{ return(explicit) }}{%- endif -%}
    {%- if var(connector ~ '_schema', none) is not none or var(connector ~ '_database', none) is not none -%}
        {{- return('synced') -}}
    {%- endif -%}
    {{- return('loaded') -}}
{%- endmacro %}


{#- A declared data_type (the contract's words: varchar, bigint, decimal(p,s), boolean, timestamp, date) as the
    target's type. -#}
{% macro declared_type(data_type) -%}
    {%- set base = data_type.split('(')[0] | trim | lower -%}
    {%- if base in ('varchar', 'text') -%}{{ dbt.type_string() }}
    {%- elif base in ('bigint', 'integer') -%}{{ dbt.type_bigint() }}
    {%- elif base == 'boolean' -%}{{ dbt.type_boolean() }}
    {%- elif base == 'timestamp' -%}{{ dbt.type_timestamp() }}
    {%- else -%}{{ data_type }}
    {%- endif -%}
{%- endmacro %}


{#- The declared columns (name, data_type) of a source table from the graph; [] while parsing; none in a dbt unit
    test, which dbt compiles against a manifest of its own without sources (`graph` is empty there). -#}
{% macro declared_columns(source_name, table_name) -%}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- if 'sources' not in graph -%}{{ return(none) }}{%- endif -%}
    {%- for node in graph.sources.values()
          if node.source_name == source_name and node.name == table_name and node.package_name == model.package_name -%}
        {{- return(node.columns.values() | list) -}}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no source " ~ source_name ~ "." ~ table_name ~ " is declared") }}
{%- endmacro %}


{#-
    A select of connector table `<connector>.<table>` with its declared columns (models/adapters/<connector>/
    _<connector>__sources.yml) cast to their declared types, absent ones as null (Fivetran lands only the
    columns a user syncs), plus the batch columns: as loaded by `lifecycle load`, or, for synced tables,
    _batch_id = epoch seconds of _fivetran_synced, _loaded_at = _fivetran_synced,
    _file_name = '<connector>.<table>', _line_number = 0. Column names are quoted (Fivetran lands columns
    named `timestamp`, `type`, `value`): an adapter quotes such names too. A table switched off by its var
    (`<connector>__<table>_enabled` or the Fivetran name given as `enabled_var`, whose default is
    `enabled_default`: Fivetran switches some tables off unless asked) reads as no rows.
    `extra_columns`: undeclared columns a user names in a var (custom fields that fill a contract column,
    e.g. lifecycle__salesforce_columns), selected as text under their own name, null when absent; the table's
    passthrough fields (macros/passthrough.sql) are added to them.
-#}
{% macro connector_columns(connector, table, enabled_var=none, enabled_default=true, extra_columns=[]) -%}
    {%- set enabled = var(enabled_var or (connector ~ '__' ~ table ~ '_enabled'), enabled_default) -%}
    {%- set extra_columns = extra_columns + passthrough_fields(connector, table) -%}
    {%- set present = [] -%}
    {%- if enabled -%}
        {%- set relation = source(connector, table) -%}
        {%- if execute -%}
            {%- for column in adapter.get_columns_in_relation(relation) -%}
                {%- do present.append(column.name | lower) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {#- a table without columns is not a table of the warehouse but a unit test's fixture, which has them all -#}
    {%- set all_present = enabled and present | length == 0 -%}
    {%- set loaded = lifecycle_input(connector) == 'loaded' -%}
    {%- set declared = declared_columns(connector, table) -%}
    {%- if declared is none and enabled -%}
    {#- a unit test: the declared columns are unknown there, but its fixture has them, typed as the table -#}
    select
        {{ relation }}.*
        {%- if not loaded %},
        {{ epoch_seconds('_fivetran_synced') }} as _batch_id,
        _fivetran_synced as _loaded_at,
        '{{ connector }}.{{ table }}' as _file_name,
        cast(0 as {{ dbt.type_bigint() }}) as _line_number
        {%- endif %}
    from {{ relation }}
    {%- else %}
    {%- set declared = declared or [] %}
    select
        {%- for column in declared %}
        {% if all_present or column.name | lower in present -%}
            cast({{ adapter.quote(column.name) }} as {{ declared_type(column.data_type) }})
        {%- else -%}
            cast(null as {{ declared_type(column.data_type) }})
        {%- endif %} as {{ adapter.quote(column.name) }},
        {%- endfor %}
        {%- for name in extra_columns | map('lower') | unique
              if name not in declared | map(attribute='name') | map('lower') | list %}
        {% if all_present or name in present -%}
            cast({{ adapter.quote(name) }} as {{ dbt.type_string() }})
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as {{ adapter.quote(name) }},
        {%- endfor %}
        {%- if not enabled %}
        cast(null as {{ dbt.type_bigint() }}) as _batch_id,
        cast(null as {{ dbt.type_timestamp() }}) as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _file_name,
        cast(null as {{ dbt.type_bigint() }}) as _line_number
    where 1 = 0
        {%- elif loaded %}
        _batch_id, _loaded_at, _file_name, _line_number
    from {{ relation }}
        {%- elif all_present or '_fivetran_synced' in present %}
        {{ epoch_seconds('_fivetran_synced') }} as _batch_id,
        _fivetran_synced as _loaded_at,
        '{{ connector }}.{{ table }}' as _file_name,
        cast(0 as {{ dbt.type_bigint() }}) as _line_number
    from {{ relation }}
        {%- else %}
        {#- a synced table without _fivetran_synced (not Fivetran's, or a hand-made copy): one undated batch -#}
        cast(0 as {{ dbt.type_bigint() }}) as _batch_id,
        cast(null as {{ dbt.type_timestamp() }}) as _loaded_at,
        '{{ connector }}.{{ table }}' as _file_name,
        cast(0 as {{ dbt.type_bigint() }}) as _line_number
    from {{ relation }}
        {%- endif %}
    {%- endif %}
{%- endmacro %}


{#- Whole seconds since 1970-01-01 of a timestamp, as bigint (dispatched). -#}
{% macro epoch_seconds(column) -%}
    {{ return(adapter.dispatch('epoch_seconds', 'lifecycle')(column)) }}
{%- endmacro %}

{% macro default__epoch_seconds(column) -%}
    cast({{ dbt.datediff("cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")", column, 'second') }} as {{ dbt.type_bigint() }})
{%- endmacro %}

{% macro postgres__epoch_seconds(column) -%}
    cast(floor(extract(epoch from {{ column }})) as bigint)
{%- endmacro %}


{#-
    The current version of each key of a connector table holding current state (accounts, leads, deals, ...),
    as a select of every column of `relation` (a CTE name) plus `_fivetran_tombstone`: true when the chosen
    row is a closed history-mode row (`_fivetran_active` false), i.e. the record is gone.
    loaded: the rows of the latest _batch_id that holds the key, active first, then the latest
    _fivetran_synced and line (filtering inactive rows first would bring back an older active version).
    synced: active rows first, then the latest _fivetran_synced (history mode keeps one active row per key).
-#}
{% macro connector_current(connector, relation, key_columns) -%}
    {%- if key_columns is string -%}{%- set key_columns = [key_columns] -%}{%- endif -%}
    {%- set active = 'coalesce(versions._fivetran_active, true)' -%}
    select ranked.*, not coalesce(ranked._fivetran_active, true) as _fivetran_tombstone
    from (
        select
            versions.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by
                    {%- if lifecycle_input(connector) == 'loaded' %}
                    versions._batch_id desc,
                    case when {{ active }} then 0 else 1 end,
                    {%- else %}
                    case when {{ active }} then 0 else 1 end,
                    {%- endif %}
                    versions._fivetran_synced desc,
                    versions._line_number desc
            ) as _current_rank
        from {{ relation }} as versions
    ) as ranked
    where ranked._current_rank = 1
{%- endmacro %}


{#-
    The rows of an append-only connector table (activities, email events, field history), one per key:
    re-exported files repeat rows, so the latest copy of each key is kept; history-mode inactive copies are
    dropped, deleted rows too (`_fivetran_deleted`, `is_deleted` when declared: pass deleted_column).
-#}
{% macro connector_events(relation, key_columns, deleted_column=none) -%}
    {%- if key_columns is string -%}{%- set key_columns = [key_columns] -%}{%- endif -%}
    select ranked.*
    from (
        select
            versions.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by versions._batch_id desc, versions._fivetran_synced desc, versions._line_number desc
            ) as _current_rank
        from {{ relation }} as versions
        where
            coalesce(versions._fivetran_active, true)
            and not coalesce(versions._fivetran_deleted, false)
            {%- if deleted_column %}
            and not coalesce(versions.{{ deleted_column }}, false)
            {%- endif %}
    ) as ranked
    where ranked._current_rank = 1
{%- endmacro %}


{#- True when any of the given boolean flags is true (null counts as false: fivetran/dbt_hubspot#7). -#}
{% macro any_flag(columns) -%}
    ({%- for column in columns %}coalesce({{ column }}, false){{ ' or ' if not loop.last }}{%- endfor -%})
{%- endmacro %}


{#-
    The final select of an adapter: exactly the columns of contract file `<source_name>.<table_name>`, in the
    contract's order and types (declared once, in models/staging/<source>/_<source>__sources.yml), then its
    passthrough columns (macros/passthrough.sql), then the four batch columns. `relation` (a CTE name) must
    provide every contract column under its contract name, and the passthrough columns under their aliases.
    In a dbt unit test (no declared columns there) every column of `relation`: a test names the ones it checks.
-#}
{% macro contract_select(source_name, table_name, relation) -%}
    {%- set declared = declared_columns(source_name, table_name) -%}
    {%- if declared is none -%}
    {#- a unit test: the relation's columns as they are -#}
    select * from {{ relation }}
    {%- else -%}
    select
        {%- for column in declared %}
        cast({{ column.name }} as {{ declared_type(column.data_type) }}) as {{ column.name }},
        {%- endfor %}
        {%- for column in passthrough_columns(source_name ~ '_' ~ table_name) %}
        {{ column.alias }},
        {%- endfor %}
        cast(_batch_id as {{ dbt.type_bigint() }}) as _batch_id,
        cast(_loaded_at as {{ dbt.type_timestamp() }}) as _loaded_at,
        cast(_file_name as {{ dbt.type_string() }}) as _file_name,
        cast(_line_number as {{ dbt.type_bigint() }}) as _line_number
    from {{ relation }}
    {%- endif %}
{%- endmacro %}


{#- No rows, with the columns and types of contract file `<source_name>.<table_name>` and the batch columns
    (a file a connector has no object for, e.g. HubSpot's crm_leads). -#}
{% macro contract_empty(source_name, table_name) -%}
    select
        {%- for column in declared_columns(source_name, table_name) %}
        cast(null as {{ declared_type(column.data_type) }}) as {{ column.name }},
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as _batch_id,
        cast(null as {{ dbt.type_timestamp() }}) as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _file_name,
        cast(null as {{ dbt.type_bigint() }}) as _line_number
    where 1 = 0
{%- endmacro %}


{#-
    A DATE-only connector field (Salesforce close_date, converted_date, activity_date) as a UTC timestamp:
    midnight of that day in var reporting_timezone (utc_instant; with the default UTC: midnight UTC, CONTRACT's
    rule), so a deal closed on the last day of a month stays in that month of the reporting calendar.
-#}
{% macro date_to_utc(column) -%}
    {{ utc_instant('cast(' ~ column ~ ' as ' ~ dbt.type_timestamp() ~ ')') }}
{%- endmacro %}
