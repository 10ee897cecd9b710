{#-
    A mapping seed maps each source value (compared trimmed and case-insensitively, as the
    mapping macro does) to a single canonical value. Fails with one row per source value
    listed with conflicting canonical values.
-#}
{% test consistent_mapping(model, column_name, canonical_column) %}
    select
        lower(trim({{ column_name }})) as source_key,
        count(distinct {{ canonical_column }}) as canonical_values
    from {{ model }}
    group by lower(trim({{ column_name }}))
    having count(distinct {{ canonical_column }}) > 1
{% endtest %}
