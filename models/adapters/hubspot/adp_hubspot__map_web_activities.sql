{{ config(enabled=adapter_enabled('hubspot', 'map_web_activities')) }}
{%- set submitted_at = adapter.quote('timestamp') -%}
{#-
    map_web_activities from HubSpot form submissions (on request: lifecycle__providers: {map_web_activities:
    hubspot}; docs/design/connectors.md §1.3.2). A submission of a merged-away contact belongs to the contact it
    was merged into; the visitor is that contact. Forms are a lookup: deleted forms still name their
    submissions. HubSpot's submission row carries no source: channel is null (staging maps it to other).
-#}
with

contact_form_submission as (

    {{ connector_columns('hubspot', 'contact_form_submission', 'hubspot_contact_form_enabled') }}

),

submissions as (

    {{ connector_events('contact_form_submission', ['conversion_id']) }}

),

form as (

    {{ connector_columns('hubspot', 'form', 'hubspot_contact_form_enabled') }}

),

forms as (

    {{ connector_current('hubspot', 'form', ['guid']) }}

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
        submissions.*,
        coalesce(contact_merges.canonical_contact_id, submissions.contact_id) as canonical_contact_id,
        contact_merges._batch_id as merge_batch_id
    from submissions
    left join contact_merges
        on submissions.contact_id = contact_merges.loser_contact_id

),

renamed as (

    select
        rekeyed.conversion_id as activity_id,
        coalesce(
            'hubspot-contact:' || rekeyed.canonical_contact_id, 'hubspot-conversion:' || rekeyed.conversion_id
        ) as visitor_id,
        current_contact.property_email as email,
        'form_submit' as activity_type,
        rekeyed.form_id as asset_id,
        forms.name as asset_name,
        rekeyed.page_url,
        cast(null as {{ dbt.type_string() }}) as channel,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        rekeyed.{{ submitted_at }} as occurred_at,
        greatest(
            rekeyed._batch_id,
            coalesce(rekeyed.merge_batch_id, rekeyed._batch_id),
            coalesce(current_contact._batch_id, rekeyed._batch_id)
        ) as _batch_id,
        rekeyed._loaded_at,
        rekeyed._file_name,
        rekeyed._line_number
    from rekeyed
    left join current_contact
        on rekeyed.canonical_contact_id = current_contact.id
    left join forms
        on rekeyed.form_id = forms.guid

)

{{ contract_select('map', 'web_activities', 'renamed') }}
