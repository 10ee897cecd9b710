{#-
    Passthrough columns (docs/design/connectors.md §3.8; README "Passthrough columns"): CRM fields a user names
    in a var that reach dim_accounts and dim_persons beside the documented columns.

    Which var lists them depends on the provider of the contract file (macros/connectors.sql): var
    `lifecycle__passthrough_vars` (dbt_project.yml) names it per file and provider: Fivetran's names for the
    connectors (`salesforce__lead_pass_through_columns`, `hubspot__contact_pass_through_columns`, ...) and
    `lifecycle__passthrough_columns: {crm_leads: [...], crm_contacts: [...], crm_accounts: [...]}` for the
    export files. An entry is a column name or `{name: <column>, alias: <output name>, data_type: <type>}`
    (data_type in the contract's words, default varchar; Fivetran's `transform_sql` is not supported). The
    fields are read as text (a file has no types) and cast to data_type where they are first selected.
-#}

{#- The passthrough columns of contract file `file` from its provider: a list of {name, alias, data_type}. -#}
{% macro passthrough_columns(file) -%}
    {%- set provider = lifecycle_provider(file) -%}
    {%- set declaration = var('lifecycle__passthrough_vars', {}).get(file, {}).get(provider) -%}
    {%- if declaration is none -%}{{ return([]) }}{%- endif -%}
    {%- set entries = var(declaration.var, {} if provider == 'contract' else []) -%}
    {%- if provider == 'contract' -%}
        {%- set entries = entries.get(file, []) -%}
    {%- endif -%}
    {%- set taken = declared_column_names(file) -%}
    {%- set columns = [] -%}
    {%- for entry in entries -%}
        {%- set entry = {'name': entry} if entry is string else entry -%}
        {%- set where = 'var ' ~ declaration.var ~ (' (' ~ file ~ ')' if provider == 'contract' else '') -%}
        {%- if entry.get('transform_sql') -%}
            {{ exceptions.raise_compiler_error(where ~ ": transform_sql (" ~ entry.name ~ ") is not supported; "
                ~ "transform the column in a model of your own that reads dim_persons / dim_accounts") }}
        {%- endif -%}
        {%- set column = {
            'name': (entry.get('name') or '') | lower,
            'alias': (entry.get('alias') or entry.get('name') or '') | lower,
            'data_type': entry.get('data_type') or 'varchar'} -%}
        {%- for value in [column.name, column.alias] if not modules.re.fullmatch('[a-z_][a-z0-9_]*', value) -%}
            {{ exceptions.raise_compiler_error(where ~ ": " ~ (value or 'an entry without name') ~ " is not a "
                ~ "column name (letters, digits and _)") }}
        {%- endfor -%}
        {%- if column.alias in taken -%}
            {{ exceptions.raise_compiler_error(where ~ ": " ~ column.alias ~ " is already a column of " ~ file
                ~ " or an earlier entry; give the entry another alias") }}
        {%- endif -%}
        {%- do taken.append(column.alias) -%}
        {%- do columns.append(column) -%}
    {%- endfor -%}
    {{- return(columns) -}}
{%- endmacro %}


{#- The column names of contract file `file` as declared (models/staging/crm/_crm__sources.yml), from the graph;
    [] where there is no graph (parsing, dbt unit tests). -#}
{% macro declared_column_names(file) -%}
    {%- set declared = declared_columns(file.split('_')[0], file.split('_', 1)[1]) or [] -%}
    {{- return(declared | map(attribute='name') | list) -}}
{%- endmacro %}


{#-
    The passthrough columns of `file` as select items, each after a comma: place the call on a line of its own
    after the last column (`-- noqa: LT02` there: sqlfluff cannot indent a tag that renders nothing at the end
    of a select list). `reading`: 'fields' (the provider's field names, cast: an adapter), 'contract_source'
    (what contract_source(file) returns: the export file's fields, else the adapter's aliases: a staging
    model), 'aliases' (already cast). `prefix`: a table alias. `columns` instead of `file`: those columns
    (person_passthrough_columns), by alias.
-#}
{% macro passthrough_select(file=none, reading='aliases', prefix='', columns=none) -%}
    {%- set columns = passthrough_columns(file) if columns is none else columns -%}
    {%- do passthrough_check_model(columns) -%}
    {%- set cast = reading == 'fields' or (reading == 'contract_source' and lifecycle_provider(file) == 'contract') -%}
    {%- for column in columns %},
        {% if cast -%}
            cast({{ prefix }}{{ adapter.quote(column.name) }} as {{ declared_type(column.data_type) }}) as {{ column.alias }}
        {%- else -%}
            {{ prefix }}{{ column.alias }}
        {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- Stops when a passthrough column's alias is a documented column of the model being compiled. -#}
{% macro passthrough_check_model(columns) -%}
    {%- if execute and model is mapping and model.get('columns') -%}
        {%- for column in columns if column.alias in model.columns -%}
            {{ exceptions.raise_compiler_error("passthrough column " ~ column.alias ~ " is already a column of "
                ~ model.name ~ "; give the entry of its var another alias (README \"Passthrough columns\")") }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- The field names the adapter reading `connector`.`table` must select for passthrough (connector_columns). -#}
{% macro passthrough_fields(connector, table) -%}
    {%- set names = [] -%}
    {%- for file, providers in var('lifecycle__passthrough_vars', {}).items()
          if providers.get(connector, {}).get('table') == table and lifecycle_provider(file) == connector -%}
        {%- for column in passthrough_columns(file) -%}{%- do names.append(column.name) -%}{%- endfor -%}
    {%- endfor -%}
    {{- return(names) -}}
{%- endmacro %}


{#-
    A person's passthrough columns (dim_persons): the aliases of crm_contacts' and crm_leads' passthrough
    columns, contact's first, each with the files that have it and its type (the contact's where both have it):
    a list of {alias, data_type, files}. Marketo leads are matched to persons by email only, so
    `marketo__lead_passthrough_columns` cannot reach dim_persons: a warning says so.
-#}
{% macro person_passthrough_columns() -%}
    {%- if execute and var('lifecycle__using_marketo', false) and var('marketo__lead_passthrough_columns', []) -%}
        {%- do exceptions.warn("var marketo__lead_passthrough_columns is not used: Marketo leads are matched to "
            ~ "persons by email only; name the fields in the CRM's passthrough var (README \"Passthrough columns\")") -%}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- set seen = {} -%}
    {%- for file in ['crm_contacts', 'crm_leads'] -%}
        {%- for column in passthrough_columns(file) -%}
            {%- if column.alias in seen -%}
                {%- do seen[column.alias].files.append(file) -%}
            {%- else -%}
                {%- do seen.update({column.alias: {'alias': column.alias, 'data_type': column.data_type, 'files': [file]}}) -%}
                {%- do columns.append(seen[column.alias]) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- do passthrough_check_model(columns) -%}
    {{- return(columns) -}}
{%- endmacro %}
