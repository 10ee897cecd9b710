{#-
    Latest version of each primary key across appended load batches.

    Returns a select (use it as the body of a CTE) of every column of `relation`
    plus `_version_rank`, keeping one row per key: the row of the latest
    `_batch_id` (tie: the latest `_line_number`). When `deleted_column` is given,
    keys whose latest version is deleted (a tombstone) are dropped; a null flag
    counts as not deleted. Portable: row_number() in a subquery, no QUALIFY.
-#}
{% macro latest_version(relation, key_columns, deleted_column=none) -%}
    {%- if key_columns is string -%}{%- set key_columns = [key_columns] -%}{%- endif -%}
    select ranked.*
    from (
        select
            versions.*,
            row_number() over (
                partition by {{ key_columns | join(', ') }}
                order by versions._batch_id desc, versions._line_number desc
            ) as _version_rank
        from {{ relation }} as versions
    ) as ranked
    where
        ranked._version_rank = 1
        {%- if deleted_column %}
        and coalesce(ranked.{{ deleted_column }}, false) = false
        {%- endif %}
{%- endmacro %}


{#-
    The where clause of an incremental staging model's raw read: on an incremental run, only the raw versions
    loaded in a batch newer than the newest `_batch_id` of the model's table (raw batches are numbered in load
    order, so every version at or below it is in the table already, or was replaced there by a newer one).
    Empty on a full build. The model keeps the current version's `_batch_id` as a column.
-#}
{% macro newer_batches_only() -%}
    {%- if is_incremental() -%}
        where _batch_id > (select coalesce(max(existing._batch_id), 0) from {{ this }} as existing)
    {%- endif -%}
{%- endmacro %}
