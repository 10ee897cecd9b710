-- sqlfluff:indentation:template_blocks_indent:False
{{ config(enabled=adapter_enabled('salesforce', 'crm_stage_history')) }}
{#- crm_stage_history from Salesforce field history (docs/design/connectors.md §1.2): LeadHistory rows of the lead
    stage field (var lifecycle__salesforce_lead_stage_field, default Status) and ContactHistory rows of the contact
    stage field (var lifecycle__salesforce_contact_stage_field; unset = no contact rows). Field history only logs
    changes, so each lead also gets a synthetic creation row: the old value of its first stage change, or its
    current status when its stage never changed, entered at the lead's creation. -#}
{%- set lead_field = var('lifecycle__salesforce_lead_stage_field', 'Status') -%}
{%- set contact_field = var('lifecycle__salesforce_contact_stage_field', none) %}
with

lead_history as (

    {{ connector_columns('salesforce', 'lead_history') }}

),

current_lead_history as (

    {{ connector_current('salesforce', 'lead_history', ['id']) }}

),

lead_changes as (

    select
        id as stage_event_id,
        lead_id as record_id,
        'lead' as record_type,
        old_value,
        new_value as stage,  -- noqa: RF04
        created_date as entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from current_lead_history
    where
        lower(field) = lower({{ dbt.string_literal(lead_field) }})
        and not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}

),

{% if contact_field -%}
contact_history as (

    {{ connector_columns('salesforce', 'contact_history') }}

),

current_contact_history as (

    {{ connector_current('salesforce', 'contact_history', ['id']) }}

),

contact_changes as (

    select
        id as stage_event_id,
        contact_id as record_id,
        'contact' as record_type,
        new_value as stage,  -- noqa: RF04
        created_date as entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from current_contact_history
    where
        lower(field) = lower({{ dbt.string_literal(contact_field) }})
        and not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}

),

{% else -%}
-- no contact stage field: no contact rows, and the contact_history table is not read
contact_changes as (

    select
        cast(null as {{ dbt.type_string() }}) as stage_event_id,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as {{ dbt.type_string() }}) as record_type,
        cast(null as {{ dbt.type_string() }}) as stage,  -- noqa: RF04
        cast(null as {{ dbt.type_timestamp() }}) as entered_at,
        cast(null as {{ dbt.type_bigint() }}) as _batch_id,
        cast(null as {{ dbt.type_timestamp() }}) as _loaded_at,
        cast(null as {{ dbt.type_string() }}) as _file_name,
        cast(null as {{ dbt.type_bigint() }}) as _line_number
    where 1 = 0

),

{% endif -%}
lead as (

    {{ connector_columns('salesforce', 'lead') }}

),

current_lead as (

    {{ connector_current('salesforce', 'lead', ['id']) }}

),

first_lead_changes as (

    select
        ranked.record_id,
        ranked.old_value,
        ranked._batch_id,
        ranked._loaded_at
    from (
        select
            lead_changes.*,
            row_number() over (
                partition by lead_changes.record_id
                order by lead_changes.entered_at, lead_changes.stage_event_id
            ) as change_rank
        from lead_changes
    ) as ranked
    where ranked.change_rank = 1

),

-- deleted leads keep their rows (staging's person join drops them, as for contract files)
lead_creations as (

    select
        {{ dbt.concat(["'sf-created:'", 'current_lead.id']) }} as stage_event_id,
        current_lead.id as record_id,
        'lead' as record_type,
        case
            when first_lead_changes.record_id is null then current_lead.status
            else first_lead_changes.old_value
        end as stage,  -- noqa: RF04
        current_lead.created_date as entered_at,
        greatest(current_lead._batch_id, coalesce(first_lead_changes._batch_id, current_lead._batch_id)) as _batch_id,
        greatest(current_lead._loaded_at, coalesce(first_lead_changes._loaded_at, current_lead._loaded_at))
            as _loaded_at,
        current_lead._file_name,
        current_lead._line_number
    from current_lead
    left join first_lead_changes
        on current_lead.id = first_lead_changes.record_id

),

stage_events as (

    select
        stage_event_id,
        record_id,
        record_type,
        stage,
        entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from lead_changes
    union all
    select
        stage_event_id,
        record_id,
        record_type,
        stage,
        entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from contact_changes
    union all
    -- a first change from nothing (null old value) is itself the creation: no synthetic row
    select
        stage_event_id,
        record_id,
        record_type,
        stage,
        entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from lead_creations
    where stage is not null

)

{{ contract_select('crm', 'stage_history', 'stage_events') }}
