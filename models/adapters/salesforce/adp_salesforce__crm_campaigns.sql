{{ config(enabled=adapter_enabled('salesforce', 'crm_campaigns')) }}
{#- crm_campaigns from Salesforce Campaign (docs/design/connectors.md §1.2). Salesforce has no standard field for
    the contract's channel, audience and automation flag: custom fields named in var lifecycle__salesforce_columns
    fill them; without such a field, or where it is empty: channel = type (mapped by the seed channel_mapping in
    staging), audience = var lifecycle__default_campaign_audience, is_automated = false (a value that is no
    boolean stays null, for staging's tests to report). Deleted campaigns are dropped (the contract file has no
    is_deleted). -#}
{%- set channel = salesforce_override('campaign', 'channel') -%}
{%- set audience = salesforce_override('campaign', 'audience') -%}
{%- set is_automated = salesforce_override('campaign', 'is_automated') %}
with

campaign as (

    {{ connector_columns('salesforce', 'campaign', extra_columns=salesforce_overrides('campaign')) }}

),

current_campaign as (

    {{ connector_current('salesforce', 'campaign', ['id']) }}

),

renamed as (

    select
        id as campaign_id,
        name as campaign_name,
        {% if channel -%}
            coalesce({{ adapter.quote(channel) }}, {{ adapter.quote('type') }})
        {%- else -%}
            {{ adapter.quote('type') }}
        {%- endif %} as channel,
        {{ adapter.quote('type') }} as campaign_type,
        coalesce(
            {%- if audience %} {{ adapter.quote(audience) }},{% endif %}
            {{ dbt.string_literal(var('lifecycle__default_campaign_audience', 'prospect')) }}
        ) as audience,
        {% if is_automated -%}
            {#- a custom checkbox arrives as text (extra columns are read as text) -#}
            case
                when coalesce(trim({{ adapter.quote(is_automated) }}), '') = '' then false
                when lower(trim({{ adapter.quote(is_automated) }})) in ('true', 't', '1', 'yes', 'y') then true
                when lower(trim({{ adapter.quote(is_automated) }})) in ('false', 'f', '0', 'no', 'n') then false
            end
        {%- else -%}
            false
        {%- endif %} as is_automated,
        parent_id as parent_campaign_id,
        start_date,
        end_date,
        budgeted_cost,
        actual_cost,
        coalesce(currency_iso_code, {{ salesforce_currency() }}) as currency,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from current_campaign
    where not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}

)

{{ contract_select('crm', 'campaigns', 'renamed') }}
