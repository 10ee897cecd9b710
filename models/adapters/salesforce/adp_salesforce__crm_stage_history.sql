-- sqlfluff:indentation:template_blocks_indent:False
{{ config(enabled=adapter_enabled('salesforce', 'crm_stage_history')) }}
{#- crm_stage_history from Salesforce field history (docs/design/connectors.md §1.2): LeadHistory rows of the lead
    stage field (var lifecycle__salesforce_lead_stage_field, default Status) and ContactHistory rows of the contact
    stage field (var lifecycle__salesforce_contact_stage_field; unset = no contact rows, contact_history not read).
    Field history only logs changes, so each lead also gets a synthetic creation row: the old value of its first
    stage change, or its current status when its stage never changed, entered at the lead's creation. -#}
{%- set stage_fields = {'lead': var('lifecycle__salesforce_lead_stage_field', 'Status')} -%}
{%- if var('lifecycle__salesforce_contact_stage_field', none) -%}
{%- do stage_fields.update({'contact': var('lifecycle__salesforce_contact_stage_field')}) -%}
{%- endif %}
with
{% for record_type, stage_field in stage_fields.items() %}
{{ record_type }}_history as (

    {{ connector_columns('salesforce', record_type ~ '_history') }}

),

current_{{ record_type }}_history as (

    {{ connector_current('salesforce', record_type ~ '_history', ['id']) }}

),

{{ record_type }}_changes as (

    select
        id as stage_event_id,
        {{ record_type }}_id as record_id,
        '{{ record_type }}' as record_type,
        old_value,
        new_value as stage,  -- noqa: RF04
        created_date as entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from current_{{ record_type }}_history
    where
        lower(field) = lower({{ dbt.string_literal(stage_field) }})
        and not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}

),
{% endfor %}
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
        cast(null as {{ dbt.type_string() }}) as old_value,
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
    {% for record_type in stage_fields %}
    select * from {{ record_type }}_changes
    union all
    {% endfor %}
    -- a first change from nothing (null old value) is itself the creation: no synthetic row
    select * from lead_creations
    where stage is not null

)

{{ contract_select('crm', 'stage_history', 'stage_events') }}
