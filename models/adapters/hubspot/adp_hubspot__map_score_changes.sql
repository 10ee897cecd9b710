{{ config(enabled=adapter_enabled('hubspot', 'map_score_changes')) }}
{%- set changed_at = adapter.quote('timestamp') -%}
{#-
    map_score_changes from the history of the contact property hubspotscore (var
    lifecycle__hubspot_score_property; docs/design/connectors.md §1.3.2): HubSpot keeps each new score, so the
    delta is the difference to the contact's previous score (the first change: the score itself). Changes of a
    merged-away contact belong to the contact it was merged into, keyed 'hs-score:<contact>:<epoch ms>' (two
    changes in one millisecond: the winner's own); the email is that contact's. Values that are not whole
    numbers are left out.
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

contact as (

    {{ connector_columns('hubspot', 'contact') }}

),

current_contact as (

    {{ connector_current('hubspot', 'contact', ['id']) }}

),

rekeyed as (

    select
        coalesce(contact_merges.canonical_contact_id, changes.contact_id) as contact_id,
        cast(trim(changes.value) as {{ dbt.type_bigint() }}) as new_score,
        changes.source as reason,
        changes.{{ changed_at }} as occurred_at,
        {{ epoch_ms('changes.' ~ changed_at) }} as occurred_ms,
        greatest(changes._batch_id, coalesce(contact_merges._batch_id, changes._batch_id)) as _batch_id,
        changes._loaded_at,
        changes._file_name,
        changes._line_number,
        case when contact_merges.canonical_contact_id is null then 0 else 1 end as merged_rank
    from changes
    left join contact_merges
        on changes.contact_id = contact_merges.loser_contact_id
    where
        changes.name = '{{ var("lifecycle__hubspot_score_property", "hubspotscore") }}'
        and {{ regexp_first_match('trim(changes.value)', '^-?[0-9]{1,18}$') }} is not null
        and changes.{{ changed_at }} is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by contact_id, occurred_ms
            order by merged_rank asc, _batch_id desc, new_score asc
        ) as change_rank
    from rekeyed

),

scored as (

    select
        *,
        new_score - coalesce(lag(new_score) over (partition by contact_id order by occurred_at), 0) as score_delta
    from ranked
    where change_rank = 1

),

renamed as (

    select
        'hs-score:' || scored.contact_id || ':' || cast(scored.occurred_ms as {{ dbt.type_string() }})
            as score_event_id,
        current_contact.property_email as email,
        scored.score_delta,
        scored.new_score,
        scored.reason,
        scored.occurred_at,
        greatest(scored._batch_id, coalesce(current_contact._batch_id, scored._batch_id)) as _batch_id,
        scored._loaded_at,
        scored._file_name,
        scored._line_number
    from scored
    left join current_contact
        on scored.contact_id = current_contact.id

)

{{ contract_select('map', 'score_changes', 'renamed') }}
