{{ config(enabled=adapter_enabled('hubspot', 'crm_contacts')) }}
{#- crm_contacts from HubSpot contacts (docs/design/connectors.md §1.3.2): a contact merged into another is
    tombstoned (it stays a contact of its own in HubSpot, fivetran/dbt_hubspot#46). -#}
with

contact as (

    {{ connector_columns('hubspot', 'contact') }}

),

current_contact as (

    {{ connector_current('hubspot', 'contact', ['id']) }}

),

contact_merges as (

    select * from {{ ref('adp_hubspot__contact_merges') }}

),

renamed as (

    select
        current_contact.id as contact_id,
        current_contact.property_associatedcompanyid as account_id,
        current_contact.property_email as email,
        current_contact.property_jobtitle as title,
        current_contact.property_hs_analytics_source as lead_source,
        current_contact.property_createdate as created_at,
        current_contact.property_hubspot_owner_id as owner_id,
        (
            {{ any_flag(['current_contact._fivetran_deleted', 'current_contact._fivetran_tombstone']) }}
            or contact_merges.loser_contact_id is not null
        ) as is_deleted,
        -- a merge seen in a later batch than the contact row is a newer version of the contact
        greatest(
            current_contact._batch_id, coalesce(contact_merges._batch_id, current_contact._batch_id)
        ) as _batch_id,
        greatest(
            current_contact._loaded_at, coalesce(contact_merges._loaded_at, current_contact._loaded_at)
        ) as _loaded_at,
        current_contact._file_name,
        current_contact._line_number
        {{ passthrough_select('crm_contacts', reading='fields', prefix='current_contact.') }}  -- noqa: LT02
    from current_contact
    left join contact_merges
        on current_contact.id = contact_merges.loser_contact_id

)

{{ contract_select('crm', 'contacts', 'renamed') }}
