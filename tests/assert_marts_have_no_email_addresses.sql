-- PII: no text value of any mart (schema marts) contains an email address: local part, '@', a domain with a dot
-- and a top-level domain of 2+ letters (no raw address reaches BI tools; dim_persons carries only email_hash).
-- An '@' alone passes: 'Booth @ SaaStr 2025', '@handle', 'a@b'; 'Write to ann@acme.com' fails.
-- The text columns are read from the warehouse at run time; the regular expression is matched by the
-- dispatched macro regexp_first_match (portable). One failing row per mart and column holding addresses:
-- mart, column_name, matching_values (how many values hold one), and an example: key_column (the grain: the
-- column or expression of the mart's `unique` test), example_key (its value for the matching row with the
-- smallest key) and example_value (that row's first address masked: a***@acme.com; a key holding an address
-- is masked the same way). No full address is ever printed or stored.
-- `lifecycle build`/`run` print the first failing rows of a failed test; with plain dbt, use --store-failures.
{%- set email_pattern = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}' -%}
{%- set marts = [
    'dim_accounts', 'dim_campaigns', 'dim_channels', 'dim_persons',
    'fct_account_mrr_monthly', 'fct_attribution', 'fct_email_events', 'fct_marketing_spend', 'fct_nps_responses',
    'fct_opportunities', 'fct_stage_transitions', 'fct_touches', 'fct_web_activities',
    'attract_monthly', 'attribution_monthly', 'campaign_roi', 'capture_monthly', 'channel_performance', 'churn_periodic',
    'content_performance', 'convert_monthly', 'cta_performance', 'email_program_performance', 'expand_monthly',
    'funnel_cohorts', 'lead_score_profile', 'lead_source_value', 'lifecycle_kpis_monthly', 'nps_by_segment',
    'nurture_lift', 'nurture_monthly', 'program_outcomes', 'score_activity_lift', 'speed_to_lead', 'stall_points',
    'touches_to_close',
] -%}
{#- grain of each model: the column (or expression) of the first `unique` test attached to it -#}
{%- set grains = {} -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- set test = node.get('test_metadata') or {} -%}
        {%- if test.get('name') == 'unique' and node.get('attached_node') and node.attached_node not in grains -%}
            {%- do grains.update({node.attached_node: test.get('kwargs', {}).get('column_name')}) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- set checks = [] -%}
{%- for mart in marts -%}
    {%- set relation = ref(mart) -%}
    {%- if execute -%}
        {%- set grain = grains.get('model.' ~ project_name ~ '.' ~ mart) -%}
        {%- for column in adapter.get_columns_in_relation(relation) if column.is_string() -%}
            {%- do checks.append((mart, relation, column.name, grain)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endfor -%}
{#- masked[c]: the address in column c masked (first character of the local part, ***@, domain); null stays null -#}
{%- set masked = {} -%}
{%- for address in ['address', 'key_address'] -%}
    {%- set parts = ['substring(' ~ address ~ ', 1, 1)', "'***@'", dbt.split_part(address, "'@'", 2)] -%}
    {%- do masked.update({address: 'case when ' ~ address ~ ' is not null then ' ~ dbt.concat(parts) ~ ' end'}) -%}
{%- endfor %}

{% if checks -%}
    {%- for mart, relation, column, grain in checks %}
        {%- set key_column = "'" ~ grain | replace("'", "''") ~ "'" if grain else 'null' %}
        select
            '{{ mart }}' as mart,
            '{{ column }}' as column_name,
            matching_values,
            cast({{ key_column }} as {{ dbt.type_string() }}) as key_column,
            coalesce({{ masked.key_address }}, example_key) as example_key,
            {{ masked.address }} as example_value
        from (
            select
                example_key,
                address,
                {{ regexp_first_match('example_key', email_pattern) }} as key_address,
                count(*) over () as matching_values,
                row_number() over (order by example_key, address) as example_rank
            from (
                select
                    cast({{ grain or 'null' }} as {{ dbt.type_string() }}) as example_key,
                    {{ regexp_first_match(column, email_pattern) }} as address
                from {{ relation }}
            ) as mart_values
            where address is not null
        ) as matches
        where example_rank = 1
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- else -%}
    -- nothing built yet (parsing): no column to check
    select
        cast(null as {{ dbt.type_string() }}) as mart,
        cast(null as {{ dbt.type_string() }}) as column_name,
        0 as matching_values,
        cast(null as {{ dbt.type_string() }}) as key_column,
        cast(null as {{ dbt.type_string() }}) as example_key,
        cast(null as {{ dbt.type_string() }}) as example_value
    where 1 = 0
{%- endif %}
