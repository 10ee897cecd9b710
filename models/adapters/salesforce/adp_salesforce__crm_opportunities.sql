{{ config(enabled=adapter_enabled('salesforce', 'crm_opportunities')) }}
{#- crm_opportunities from Salesforce Opportunity (docs/design/connectors.md §1.2). The deal's contact is the
    first of: opportunity.contact_id (newer API versions only), the primary contact role, the contact of the lead
    converted into the deal. close_date of an open deal is the expected close, so only closed deals get closed_at.
    An output row built from several connector rows takes the newest _batch_id / _loaded_at of them (§3.6). -#}
{%- set loss_reason = salesforce_override('opportunity', 'loss_reason') %}
with

opportunity as (

    {{ connector_columns('salesforce', 'opportunity', extra_columns=salesforce_overrides('opportunity')) }}

),

current_opportunity as (

    {{ connector_current('salesforce', 'opportunity', ['id']) }}

),

contact_role as (

    {{ connector_columns('salesforce', 'opportunity_contact_role') }}

),

current_contact_role as (

    {{ connector_current('salesforce', 'contact_role', ['id']) }}

),

primary_contact as (

    select
        opportunity_id,
        min(contact_id) as contact_id,
        max(_batch_id) as _batch_id,
        max(_loaded_at) as _loaded_at
    from current_contact_role
    where
        coalesce(is_primary, false)
        and contact_id is not null
        and not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}
    group by opportunity_id

),

lead as (

    {{ connector_columns('salesforce', 'lead') }}

),

current_lead as (

    {{ connector_current('salesforce', 'lead', ['id']) }}

),

converted_lead_contact as (

    select
        converted_opportunity_id as opportunity_id,
        min(converted_contact_id) as contact_id,
        max(_batch_id) as _batch_id,
        max(_loaded_at) as _loaded_at
    from current_lead
    where coalesce(is_converted, false) and converted_opportunity_id is not null and converted_contact_id is not null
    group by converted_opportunity_id

),

renamed as (

    select
        opportunity.id as opportunity_id,
        opportunity.account_id,
        coalesce(opportunity.contact_id, primary_contact.contact_id, converted_lead_contact.contact_id) as contact_id,
        opportunity.{{ adapter.quote('type') }} as opportunity_type,
        opportunity.stage_name,
        opportunity.amount,
        coalesce(opportunity.currency_iso_code, {{ salesforce_currency() }}) as currency,
        opportunity.created_date as created_at,
        case
            when coalesce(opportunity.is_closed, false) then {{ date_to_utc('opportunity.close_date') }}
        end as closed_at,
        opportunity.is_closed,
        opportunity.is_won,
        {% if loss_reason -%}
            opportunity.{{ adapter.quote(loss_reason) }}
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif %} as loss_reason,
        opportunity.lead_source,
        opportunity.campaign_id,
        opportunity.owner_id,
        {{ any_flag(['opportunity.is_deleted', 'opportunity._fivetran_deleted', 'opportunity._fivetran_tombstone']) }}
            as is_deleted,
        greatest(
            opportunity._batch_id,
            coalesce(primary_contact._batch_id, opportunity._batch_id),
            coalesce(converted_lead_contact._batch_id, opportunity._batch_id)
        ) as _batch_id,
        greatest(
            opportunity._loaded_at,
            coalesce(primary_contact._loaded_at, opportunity._loaded_at),
            coalesce(converted_lead_contact._loaded_at, opportunity._loaded_at)
        ) as _loaded_at,
        opportunity._file_name,
        opportunity._line_number
    from current_opportunity as opportunity
    left join primary_contact
        on opportunity.id = primary_contact.opportunity_id
    left join converted_lead_contact
        on opportunity.id = converted_lead_contact.opportunity_id

)

{{ contract_select('crm', 'opportunities', 'renamed') }}
