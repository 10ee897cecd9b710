{#-
    A deterministic hash key over one or more columns (like dbt_utils.generate_surrogate_key):
    each value cast to string, nulls replaced by a marker, joined with '-', then dbt.hash (md5).
-#}
{% macro surrogate_key(columns) -%}
    {%- if columns is string -%}{%- set columns = [columns] -%}{%- endif -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last -%}{%- do parts.append("'-'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}
