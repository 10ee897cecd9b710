{{ config(enabled=adapter_enabled('hubspot', 'map_score_changes')) }}
{#-
    map_score_changes from the changes of the contact property hubspotscore (var lifecycle__hubspot_score_property;
    docs/design/connectors.md §1.3.2), on canonical contacts, keyed 'hs-score:<contact>:<epoch ms>'. HubSpot keeps
    each new score, so the delta is the difference to the contact's previous score (the first change: the score
    itself); the email is the contact's. Values that are not whole numbers are left out.
-#}
with

changes as (

    select * from {{ ref('adp_hubspot__contact_property_changes') }}
    where
        property_name = '{{ var("lifecycle__hubspot_score_property", "hubspotscore") }}'
        and {{ regexp_first_match('trim(property_value)', '^-?[0-9]{1,18}$') }} is not null

),

contact as (

    {{ connector_columns('hubspot', 'contact') }}

),

current_contact as (

    {{ connector_current('hubspot', 'contact', ['id']) }}

),

scored as (

    select
        *,
        cast(trim(property_value) as {{ dbt.type_bigint() }}) as new_score
    from changes

),

renamed as (

    select
        'hs-score:' || scored.contact_id || ':' || cast(scored.changed_ms as {{ dbt.type_string() }})
            as score_event_id,
        current_contact.property_email as email,
        scored.new_score - coalesce(
            lag(scored.new_score) over (partition by scored.contact_id order by scored.changed_at), 0
        ) as score_delta,
        scored.new_score,
        scored.change_source as reason,
        scored.changed_at as occurred_at,
        greatest(scored._batch_id, coalesce(current_contact._batch_id, scored._batch_id)) as _batch_id,
        scored._loaded_at,
        scored._file_name,
        scored._line_number
    from scored
    left join current_contact
        on scored.contact_id = current_contact.id

)

{{ contract_select('map', 'score_changes', 'renamed') }}
