{#-
    Use the custom schema name as is (raw, staging, intermediate, marts) on every target.
    `lifecycle` sets LIFECYCLE_SCHEMA_SUFFIX (e.g. `__next`) while it builds a PostgreSQL target into shadow
    schemas, which it swaps with the live ones only after the build and its checks pass (scripts/lifecycle/publish.py).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ env_var('LIFECYCLE_SCHEMA_SUFFIX', '') | trim }}
    {%- endif -%}
{%- endmacro %}
