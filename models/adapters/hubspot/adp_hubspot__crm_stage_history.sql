{{ config(enabled=adapter_enabled('hubspot', 'crm_stage_history')) }}
{#-
    crm_stage_history from the changes of the contact property lifecyclestage (var
    lifecycle__hubspot_stage_property; docs/design/connectors.md §1.3.2), on canonical contacts: every change is a
    stage entered, keyed 'hs-stage:<contact>:<epoch ms>'.
-#}
with

changes as (

    select * from {{ ref('adp_hubspot__contact_property_changes') }}
    where property_name = '{{ var("lifecycle__hubspot_stage_property", "lifecyclestage") }}'

),

renamed as (

    select
        'hs-stage:' || contact_id || ':' || cast(changed_ms as {{ dbt.type_string() }}) as stage_event_id,
        contact_id as record_id,
        'contact' as record_type,
        property_value as stage,  -- noqa: RF04
        changed_at as entered_at,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from changes

)

{{ contract_select('crm', 'stage_history', 'renamed') }}
