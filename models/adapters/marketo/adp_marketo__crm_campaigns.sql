{{ config(enabled=adapter_enabled('marketo', 'crm_campaigns')) }}
{#-
    crm_campaigns from Marketo programs, on request only (lifecycle__providers: {crm_campaigns: marketo};
    docs/design/connectors.md end of §1.4): a program is what sends emails, so its id is the one the Marketo
    email events name (marketo_program_campaign_id: the linked Salesforce campaign, else 'mkto-program:<id>').
    Nurture and engagement programs are the automated ones. Marketo holds no costs (they come from
    marketing_spend) and no audience (var lifecycle__default_campaign_audience). Deleted programs are left out.
-#}
{%- if not marketo_lookup_enabled('marketo__enable_programs') -%}
    {{ exceptions.raise_compiler_error(
        "crm_campaigns from marketo needs its program table: set var marketo__enable_programs: true") }}
{%- endif %}
with

program_rows as (

    {{ marketo_lookup_columns('program', 'marketo__enable_programs') }}

),

programs as (

    {{ connector_current('marketo', 'program_rows', ['id']) }}

),

campaigns as (

    select
        {{ marketo_program_campaign_id('sfdc_id', 'id') }} as campaign_id,
        name as campaign_name,
        channel,
        {{ adapter.quote('type') }} as campaign_type,
        '{{ var("lifecycle__default_campaign_audience", "prospect") }}' as audience,
        coalesce(lower({{ adapter.quote('type') }}) in ('nurture', 'engagement'), false) as is_automated,
        cast(null as {{ dbt.type_string() }}) as parent_campaign_id,
        start_date,
        end_date,
        cast(null as {{ dbt.type_numeric() }}) as budgeted_cost,
        cast(null as {{ dbt.type_numeric() }}) as actual_cost,
        cast(null as {{ dbt.type_string() }}) as currency,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from programs
    where not {{ any_flag(['_fivetran_deleted', '_fivetran_tombstone']) }}

)

{{ contract_select('crm', 'campaigns', 'campaigns') }}
