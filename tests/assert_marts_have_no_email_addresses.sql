-- PII: no text column of any mart (schema marts) holds a value containing '@', so no raw email address is
-- exposed to BI tools (dim_persons carries only email_hash). The text columns are read from the warehouse at
-- run time. Returns, per mart and column, how many values contain '@'.
{%- set marts = [
    'dim_accounts', 'dim_campaigns', 'dim_channels', 'dim_persons',
    'fct_account_mrr_monthly', 'fct_email_events', 'fct_marketing_spend', 'fct_nps_responses',
    'fct_opportunities', 'fct_stage_transitions', 'fct_web_activities',
    'attract_monthly', 'campaign_roi', 'capture_monthly', 'channel_performance', 'content_performance',
    'convert_monthly', 'cta_performance', 'email_program_performance', 'expand_monthly', 'funnel_cohorts',
    'lead_score_profile', 'lifecycle_kpis_monthly', 'nps_by_segment', 'nurture_monthly', 'score_activity_lift',
] -%}
{%- set checks = [] -%}
{%- for mart in marts -%}
    {%- set relation = ref(mart) -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(relation) if column.is_string() -%}
            {%- do checks.append((mart, relation, column.name)) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endfor %}

{% if checks -%}
    {%- for mart, relation, column in checks %}
        select
            '{{ mart }}' as mart,
            '{{ column }}' as column_name,
            count(*) as values_with_at
        from {{ relation }}
        where {{ column }} like '%@%'
        having count(*) > 0
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
{%- else -%}
    -- nothing built yet (parsing): no column to check
    select
        cast(null as {{ dbt.type_string() }}) as mart,
        cast(null as {{ dbt.type_string() }}) as column_name,
        0 as values_with_at
    where 1 = 0
{%- endif %}
