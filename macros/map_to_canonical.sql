{#-
    Map raw values to canonical ones through mapping seeds (one left join per mapping).

    Returns a select (use it as the body of a CTE): every column of `relation` plus
    one canonical column per mapping. Each mapping is a dict:
      column  - the raw column of `relation` to map
      seed    - the mapping seed (columns source_value, <value>)
      value   - the seed's canonical column
      as      - output column name (default: `value`)
    Matching is case- and whitespace-insensitive: lower(trim(raw)) = lower(trim(source_value)).
    A raw value with no match becomes 'other'; a null raw value stays null (nothing to map).
    The seed is grouped by its normalized key first, so a value listed twice never fans out
    rows (conflicting duplicates are caught by the seed's `consistent_mapping` test).
-#}
{% macro map_to_canonical(relation, mappings) -%}
    select
        base.*
        {%- for mapping in mappings %}
        {%- set alias = 'mapping_' ~ loop.index %},
        case
            when base.{{ mapping.column }} is null then null
            else coalesce({{ alias }}.canonical_value, 'other')
        end as {{ mapping.get('as', mapping.value) }}
        {%- endfor %}
    from {{ relation }} as base
    {%- for mapping in mappings %}
    {%- set alias = 'mapping_' ~ loop.index %}
    left join (
        select
            lower(trim(source_value)) as source_key,
            max({{ mapping.value }}) as canonical_value
        from {{ ref(mapping.seed) }}
        group by lower(trim(source_value))
    ) as {{ alias }}
        on lower(trim(base.{{ mapping.column }})) = {{ alias }}.source_key
    {%- endfor %}
{%- endmacro %}
