{{ config(enabled=adapter_enabled('marketo', 'map_email_events') or adapter_enabled('marketo', 'map_score_changes')) }}
{#-
    One row per Marketo lead id that activities may name: the lead it was merged into, followed to the end of
    the chain (docs/design/connectors.md §1.4.1), and the email of that canonical lead, else the lead's own
    email. Activities stay keyed by the lead that did them, which may since have been merged away (Marketo
    removes the loser), so events and score changes take their email from here. Deleted leads keep their email:
    their past activity is still a fact. _batch_id = the newest batch of the rows used (lead rows and merges),
    so a changed lead re-processes its events downstream (§3.6).
-#}
{#- Merge chains are followed this many links (as int_person_records propagates identities). -#}
{%- set merge_steps = 4 -%}

with

lead_columns as (

    {{ connector_columns('marketo', 'lead') }}

),

current_lead as (

    {{ connector_current('marketo', 'lead_columns', ['id']) }}

),

merge_columns as (

    {{ connector_columns('marketo', 'activity_merge_leads') }}

),

merge_rows as (

    {{ connector_events('merge_columns', ['id']) }}

),

-- lead_id of a merge is the winner; merge_ids lists the merged-away leads ('[123,456]')
merge_lists as (

    select
        lead_id as winner_id,
        activity_date,
        _batch_id,
        replace(replace(replace(merge_ids, '[', ''), ']', ''), ' ', '') as merge_list
    from merge_rows

),

merged_away as (

    {{ split_to_rows('merge_lists', 'merge_list', ',', 'loser_id') }}

),

-- one winner per merged-away lead (a removed lead is not merged again; the latest merge wins if data says so)
merge_links as (

    select
        loser_id,
        winner_id,
        _batch_id
    from (
        select
            loser_id,
            winner_id,
            _batch_id,
            row_number() over (
                partition by loser_id order by activity_date desc, winner_id asc
            ) as link_rank
        from merged_away
        where loser_id <> winner_id
    ) as ranked_links
    where link_rank = 1

),

lead_ids as (

    select id as lead_id from current_lead
    union
    select loser_id as lead_id from merge_links
    union
    select winner_id as lead_id from merge_links

),

steps_0 as (

    select
        lead_id,
        lead_id as canonical_lead_id,
        cast(null as {{ dbt.type_bigint() }}) as merge_batch_id
    from lead_ids

),

{% for step in range(1, merge_steps + 1) %}
    steps_{{ step }} as (

        select
            previous_step.lead_id,
            coalesce(merge_links.winner_id, previous_step.canonical_lead_id) as canonical_lead_id,
            greatest(previous_step.merge_batch_id, merge_links._batch_id) as merge_batch_id
        from steps_{{ step - 1 }} as previous_step
        left join merge_links
            on previous_step.canonical_lead_id = merge_links.loser_id

    ),
{% endfor %}

final as (

    select
        identities.lead_id,
        identities.canonical_lead_id,
        coalesce(canonical_lead.email, own_lead.email) as email,
        -- greatest ignores nulls (DuckDB, PostgreSQL, Spark): a lead known only from a merge has no lead row
        greatest(identities.merge_batch_id, own_lead._batch_id, canonical_lead._batch_id) as _batch_id
    from steps_{{ merge_steps }} as identities
    left join current_lead as own_lead
        on identities.lead_id = own_lead.id
    left join current_lead as canonical_lead
        on identities.canonical_lead_id = canonical_lead.id

)

select * from final
