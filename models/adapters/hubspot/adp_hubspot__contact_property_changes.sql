{%- set stage_property = var('lifecycle__hubspot_stage_property', 'lifecyclestage') -%}
{%- set score_property = var('lifecycle__hubspot_score_property', 'hubspotscore') -%}
{{ config(enabled=adapter_enabled('hubspot', 'crm_stage_history') or adapter_enabled('hubspot', 'map_score_changes')) }}
{%- set changed_at = adapter.quote('timestamp') -%}
{#-
    The changes of the contact properties the contract needs (lifecycle stage: var
    lifecycle__hubspot_stage_property; score: var lifecycle__hubspot_score_property) on canonical contacts
    (docs/design/connectors.md §1.3.2): a change of a merged-away contact belongs to the contact it was merged
    into. HubSpot has no id for a change: one per contact, property and millisecond (changed_ms), the canonical
    contact's own change before one moved from a merged-away contact. Every history-mode row is a change.
-#}
with

history as (

    {{ connector_columns('hubspot', 'contact_property_history', 'hubspot_contact_property_history_enabled') }}

),

changes as (

    {{ connector_events('history', ['contact_id', 'name', changed_at]) }}

),

contact_merges as (

    select * from {{ ref('adp_hubspot__contact_merges') }}

),

rekeyed as (

    select
        coalesce(contact_merges.canonical_contact_id, changes.contact_id) as contact_id,
        changes.name as property_name,
        changes.{{ adapter.quote('value') }} as property_value,
        changes.source as change_source,
        changes.{{ changed_at }} as changed_at,
        {{ epoch_ms('changes.' ~ changed_at) }} as changed_ms,
        greatest(changes._batch_id, coalesce(contact_merges._batch_id, changes._batch_id)) as _batch_id,
        changes._loaded_at,
        changes._file_name,
        changes._line_number,
        case when contact_merges.canonical_contact_id is null then 0 else 1 end as merged_rank
    from changes
    left join contact_merges
        on changes.contact_id = contact_merges.loser_contact_id
    where
        changes.name in ('{{ stage_property }}', '{{ score_property }}')
        and changes.{{ adapter.quote('value') }} is not null
        and changes.{{ changed_at }} is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by contact_id, property_name, changed_ms
            order by merged_rank asc, _batch_id desc, property_value asc
        ) as change_rank
    from rekeyed

),

final as (

    select
        contact_id,
        property_name,
        property_value,
        change_source,
        changed_at,
        changed_ms,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from ranked
    where change_rank = 1

)

select * from final
