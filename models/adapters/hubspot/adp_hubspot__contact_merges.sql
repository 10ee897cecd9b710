{%- set users = ['crm_contacts', 'crm_opportunities', 'crm_stage_history', 'map_score_changes', 'map_web_activities'] -%}
{%- set needed = [] -%}
{%- for file in users if adapter_enabled('hubspot', file) -%}{%- do needed.append(file) -%}{%- endfor -%}
{{ config(enabled=needed | length > 0) }}
{#-
    HubSpot merged contacts (docs/design/connectors.md §1.3.1): one row per merged-away (loser) contact id with
    the contact it was merged into. HubSpot keeps the loser as a contact of its own, neither deleted nor
    inactive (fivetran/dbt_hubspot#46); the winner lists every id merged into it, chains included, in
    property_hs_merged_object_ids. property_hs_calculated_merged_vids is not read: it misses ids
    (fivetran/dbt_hubspot#168). Old connectors also have contact_merge_audit (var
    hubspot_contact_merge_audit_enabled, default false as in Fivetran's package). Winners that are deleted
    still count: their losers stay gone.
-#}
with

contact as (

    {{ connector_columns('hubspot', 'contact') }}

),

current_contact as (

    {{ connector_current('hubspot', 'contact', ['id']) }}

),

listed as (

    {{ split_to_rows('current_contact', 'property_hs_merged_object_ids', ';', 'merged_id') }}

),

-- switched off (the default), it reads as no rows
merge_audit_rows as (

    {{ connector_columns('hubspot', 'contact_merge_audit', 'hubspot_contact_merge_audit_enabled', false) }}

),

merge_audit as (

    {{ connector_events('merge_audit_rows', ['canonical_vid', 'vid_to_merge']) }}

),

merge_pairs as (

    select
        merged_id as loser_contact_id,
        id as canonical_contact_id,
        1 as merge_source,
        _batch_id,
        _loaded_at
    from listed
    where merged_id <> id

    union all

    select
        vid_to_merge as loser_contact_id,
        canonical_vid as canonical_contact_id,
        2 as merge_source,
        _batch_id,
        _loaded_at
    from merge_audit
    where not coalesce(is_reverted, false) and vid_to_merge <> canonical_vid

),

merged_away as (

    select distinct loser_contact_id
    from merge_pairs

),

-- a loser listed by several contacts (the winner and an intermediate of a chain): the one that is not itself
-- merged away, then the contact's own list before the audit, then the smallest id
ranked as (

    select
        merge_pairs.loser_contact_id,
        merge_pairs.canonical_contact_id,
        merge_pairs._batch_id,
        merge_pairs._loaded_at,
        row_number() over (
            partition by merge_pairs.loser_contact_id
            order by
                case when merged_away.loser_contact_id is null then 0 else 1 end,
                merge_pairs.merge_source,
                merge_pairs.canonical_contact_id
        ) as merge_rank
    from merge_pairs
    left join merged_away
        on merge_pairs.canonical_contact_id = merged_away.loser_contact_id

),

final as (

    select
        loser_contact_id,
        canonical_contact_id,
        _batch_id,
        _loaded_at
    from ranked
    where merge_rank = 1

)

select * from final
