{{ config(enabled=adapter_enabled('hubspot', 'crm_stage_history')) }}
{%- set changed_at = adapter.quote('timestamp') -%}
{#-
    crm_stage_history from the history of the contact property lifecyclestage (var
    lifecycle__hubspot_stage_property; docs/design/connectors.md §1.3.2): every change is a stage entered,
    keyed 'hs-stage:<contact>:<epoch ms>' (HubSpot has no id for a property change). Changes of a merged-away
    contact belong to the contact it was merged into; two changes of one contact in the same millisecond
    (a loser's and its winner's) are one stage entry, the winner's own.
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
        changes.{{ adapter.quote("value") }} as stage,  -- noqa: RF04
        changes.{{ changed_at }} as entered_at,
        greatest(changes._batch_id, coalesce(contact_merges._batch_id, changes._batch_id)) as _batch_id,
        changes._loaded_at,
        changes._file_name,
        changes._line_number,
        case when contact_merges.canonical_contact_id is null then 0 else 1 end as merged_rank
    from changes
    left join contact_merges
        on changes.contact_id = contact_merges.loser_contact_id
    where
        changes.name = '{{ var("lifecycle__hubspot_stage_property", "lifecyclestage") }}'
        and changes.{{ adapter.quote("value") }} is not null
        and changes.{{ changed_at }} is not null

),

keyed as (

    select
        *,
        {{ epoch_ms('entered_at') }} as entered_ms
    from rekeyed

),

ranked as (

    select
        *,
        row_number() over (
            partition by contact_id, entered_ms
            order by merged_rank asc, _batch_id desc, stage asc
        ) as change_rank
    from keyed

),

renamed as (

    select
        'hs-stage:' || contact_id || ':' || cast(entered_ms as {{ dbt.type_string() }}) as stage_event_id,
        contact_id as record_id,
        'contact' as record_type,
        stage,
        entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from ranked
    where change_rank = 1

)

{{ contract_select('crm', 'stage_history', 'renamed') }}
