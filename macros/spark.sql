{#-
    What Spark (dbt-spark, Parquet tables) needs in its own form; every other target keeps dbt's.

    Types: model contracts declare `text` (DuckDB and PostgreSQL); Spark calls it `string`. dbt casts every
    contract column with dbt.cast (its empty-schema check), so that is where the name is translated.
-#}
{% macro spark__cast(field, type) -%}
    {%- set spark_types = {'text': 'string'} -%}
    cast({{ field }} as {{ spark_types.get(type | trim | lower, type) }})
{%- endmacro %}

{#-
    Incremental models replace rows by unique_key (delete+insert on DuckDB and PostgreSQL). Parquet tables
    have no DELETE or MERGE (those need Delta, Iceberg or Hudi), so on Spark these models use dbt-spark's
    insert_overwrite strategy with partition_by (the load batch column), and this overrides dbt-spark's
    get_insert_overwrite_sql to give delete+insert's result: every partition that receives a new row or
    holds a replaced one is rewritten (dynamic partition overwrite) with the new rows plus its rows whose key
    is not among them. Partitions no new row touches are not read. A model without unique_key or
    partition_by gets dbt-spark's statement unchanged.

    Dynamic overwrite rewrites only the partitions the insert writes a row to: a partition all of whose rows
    are replaced by rows of other partitions (a re-loaded batch: every row moves to the new batch) would keep
    its old rows. Those partitions are found first (emptied_partitions) and dropped right after the insert.
    They cannot be dropped before it: the new rows (a view over the model's SQL) are computed from the
    table itself (is_incremental()), so dropping first would change them. dbt runs one statement as the
    model's `main`: when a partition is emptied, the insert runs here and the drop is the `main` statement.
-#}
{% macro get_insert_overwrite_sql(source_relation, target_relation, existing_relation) %}
    {%- set dest_columns = adapter.get_columns_in_relation(target_relation) -%}
    {%- set dest_cols_csv = dest_columns | map(attribute='quoted') | join(', ') -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set partition_by = config.get('partition_by') -%}
    {%- if existing_relation.is_iceberg %}
    insert overwrite {{ target_relation }}
    select {{ dest_cols_csv }} from {{ source_relation }}
    {%- elif unique_key and partition_by -%}
        {%- set keys = [unique_key] if unique_key is string else unique_key -%}
        {%- set parts = [partition_by] if partition_by is string else partition_by -%}
        {%- set insert_sql %}
    insert overwrite table {{ target_relation }}
    {{ partition_cols(label="partition") }}
    select {{ dest_cols_csv }} from {{ source_relation }}
    union all
    select {% for column in dest_columns %}kept.{{ column.quoted }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ target_relation }} as kept
    left semi join (
        select {{ parts | join(', ') }} from {{ source_relation }}
        union
        select {% for p in parts %}existing.{{ p }}{{ ', ' if not loop.last }}{% endfor %}
        from {{ target_relation }} as existing
        left semi join {{ source_relation }} as replacing
            on {% for k in keys %}existing.{{ k }} = replacing.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
    ) as touched
        on {% for p in parts %}kept.{{ p }} <=> touched.{{ p }}{{ ' and ' if not loop.last }}{% endfor %}
    left anti join {{ source_relation }} as replacing
        on {% for k in keys %}kept.{{ k }} = replacing.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
        {%- endset -%}
        {%- set emptied = emptied_partitions(source_relation, target_relation, keys, parts) if execute else [] -%}
        {%- if emptied | length == 0 -%}
            {{ insert_sql }}
        {%- else -%}
            {%- do run_query(insert_sql) %}
    alter table {{ target_relation }} drop if exists
        {%- for values in emptied %}
        partition (
            {%- for p in parts -%}
                {{ p }} = {{ "'" ~ (values[loop.index0] | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'"
                             if values[loop.index0] is string else values[loop.index0] }}{{ ', ' if not loop.last }}
            {%- endfor -%}
        ){{ ',' if not loop.last }}
        {%- endfor %}
        {%- endif %}
    {%- else %}
    insert overwrite table {{ target_relation }}
    {{ partition_cols(label="partition") }}
    select {{ dest_cols_csv }} from {{ source_relation }}
    {%- endif %}
{% endmacro %}

{#-
    The partitions of target_relation (their values, a list of rows) that an insert_overwrite of
    source_relation's rows leaves empty: every row's key is among the new rows, and no new row belongs to the
    partition. Partitions with a null value are not listed: `partition (c = null)` names none in Spark; no
    model leaves one in its table (int_email_sends' rows with a null batch are deleted by its post-hook).
-#}
{% macro emptied_partitions(source_relation, target_relation, keys, parts) %}
    {%- set query %}
    select {% for p in parts %}partitions.{{ p }}{{ ', ' if not loop.last }}{% endfor %}
    from (
        select
            {% for p in parts %}existing.{{ p }},{% endfor %}
            count(*) as row_count,
            count(replacing.{{ keys[0] }}) as replaced_count
        from {{ target_relation }} as existing
        left join (select distinct {{ keys | join(', ') }} from {{ source_relation }}) as replacing
            on {% for k in keys %}existing.{{ k }} = replacing.{{ k }}{{ ' and ' if not loop.last }}{% endfor %}
        where {% for p in parts %}existing.{{ p }} is not null{{ ' and ' if not loop.last }}{% endfor %}
        group by {% for p in parts %}existing.{{ p }}{{ ', ' if not loop.last }}{% endfor %}
    ) as partitions
    left anti join {{ source_relation }} as written
        on {% for p in parts %}partitions.{{ p }} <=> written.{{ p }}{{ ' and ' if not loop.last }}{% endfor %}
    where partitions.replaced_count = partitions.row_count
    {%- endset -%}
    {{ return(run_query(query).rows | list) }}
{% endmacro %}

{#-
    `delete from relation where condition` (a post-hook), on every target. Spark's Parquet tables have no
    DELETE: the rows to keep are copied aside and written back (only when a row matches).
-#}
{% macro delete_where(relation, condition) -%}
    {{ return(adapter.dispatch('delete_where', 'lifecycle')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_where(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__delete_where(relation, condition) -%}
    {%- if execute -%}
        {%- set matching = run_query('select count(*) from ' ~ relation ~ ' where ' ~ condition).columns[0].values()[0] -%}
        {%- if matching > 0 -%}
            {%- set kept = relation.incorporate(path={'identifier': relation.identifier ~ '__dbt_kept'}) -%}
            {%- do run_query('drop table if exists ' ~ kept) -%}
            {%- do run_query('create table ' ~ kept ~ ' using parquet as select * from ' ~ relation
                             ~ ' where not (' ~ condition ~ ')') -%}
            {%- do run_query('set spark.sql.sources.partitionOverwriteMode = STATIC') -%}
            {%- do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ kept) -%}
            {%- do run_query('drop table ' ~ kept) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
