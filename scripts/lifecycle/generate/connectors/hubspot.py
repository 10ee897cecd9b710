"""HubSpot tables as Fivetran lands them, from the projected contract files: the inverse of
docs/design/connectors.md §1.3 (companies, contacts and their property history, deals with pipeline stages
and associations, email campaigns and email events).

Extras the adapters must remove: merged-away contacts (listed in the winner's
`property_hs_merged_object_ids`, neither deleted nor inactive, carrying the winner's first stage and score
changes), deleted rows flagged by `_fivetran_deleted`, a deleted pipeline stage that still labels deals,
`PROCESSED` and `DROPPED` email events and status changes that are no unsubscribe.
"""

from __future__ import annotations

from pathlib import Path

from . import World

# the planted passthrough fields (generate/formats.py PASSTHROUGH) under Fivetran's var names
VARS: dict = {
    "hubspot__contact_pass_through_columns": [{"name": "property_hs_persona", "alias": "persona"}],
    "hubspot__company_pass_through_columns": [{"name": "property_tier", "alias": "tier", "data_type": "bigint"}],
}

EVENT_TYPES = {"sent": "SENT", "delivered": "DELIVERED", "open": "OPEN", "click": "CLICK", "bounce": "BOUNCE",
               "spam_report": "SPAMREPORT", "unsubscribe": "STATUSCHANGE"}


def write(w: World, out: Path) -> dict[str, int]:
    event_type = "case lower(trim(event_type)) " + " ".join(
        f"when '{k}' then '{v}'" for k, v in EVENT_TYPES.items()) + " end"
    # the first stage and score change of a merged contact happened on the duplicate merged into it
    w.sql("""
        create or replace table _hubspot_history as
        select record_id as contact_id, 'lifecyclestage' as name, 'CRM_UI' as source, ms(entered_at) as at_ms,
            stage as value
        from crm_stage_history
        union all
        select email_contact.contact_id, 'hubspotscore', reason, ms(occurred_at), new_score
        from map_score_changes as s
        join _hubspot_email_contact as email_contact using (email);
        create or replace table _hubspot_history as
        select coalesce(m.loser_id, h.contact_id) as contact_id, h.name, h.source, h.at_ms, h.value
        from (
            select *, row_number() over (partition by contact_id, name order by at_ms) as nth from _hubspot_history
        ) as h
        left join _hubspot_merge as m on h.contact_id = m.winner_id and h.nth = 1""")
    tables = {
        "company": """
            select account_id as id, account_name as property_name, industry as property_industry,
                employee_count as property_numberofemployees, country as property_country,
                ts_text(created_at) as property_createdate, tier as property_tier, 'false' as is_deleted,
                bool_text(truthy(is_deleted)) as _fivetran_deleted
            from crm_accounts""",
        # merged-away duplicates are plain contacts: only the winner's list says they are gone
        "contact": """
            select c.contact_id as id, c.email as property_email, c.title as property_jobtitle,
                ts_text(c.created_at) as property_createdate, c.account_id as property_associatedcompanyid,
                c.lead_source as property_hs_analytics_source, c.owner_id as property_hubspot_owner_id,
                m.loser_id as property_hs_merged_object_ids, c.persona as property_hs_persona,
                bool_text(truthy(c.is_deleted) and l.loser_id is null) as _fivetran_deleted
            from crm_contacts as c
            left join _hubspot_merge as m on c.contact_id = m.winner_id
            left join _hubspot_merge as l on c.contact_id = l.loser_id""",
        "contact_property_history": f"""
            select contact_id, name, source, strftime(make_timestamp(at_ms * 1000), '%Y-%m-%d %H:%M:%S.%g')
                as {'"timestamp"'}, value, 'false' as _fivetran_deleted
            from _hubspot_history order by contact_id, name, at_ms""",
        "deal": """
            select o.opportunity_id as deal_id, 'default' as deal_pipeline_id, s.stage_id as deal_pipeline_stage_id,
                o.owner_id, o.opportunity_type as property_dealtype, o.amount as property_amount,
                o.currency as property_deal_currency_code, ts_text(o.created_at) as property_createdate,
                coalesce(ts_text(o.closed_at), ts_text(ts(o.created_at) + interval 60 day)) as property_closedate,
                o.loss_reason as property_closed_lost_reason, o.lead_source as property_hs_analytics_source,
                bool_text(truthy(o.is_deleted) and not pick(o.opportunity_id, {seed}, 500)) as is_deleted,
                bool_text(truthy(o.is_deleted) and pick(o.opportunity_id, {seed}, 500)) as _fivetran_deleted
            from crm_opportunities as o
            join _hubspot_stage as s
                on o.stage_name is not distinct from s.stage_name and o.is_closed = s.is_closed
                and o.is_won = s.is_won""",
        "deal_pipeline": "select 'default' as pipeline_id, 'Sales Pipeline' as label",
        # the first stage is deleted: its deals keep their label
        "deal_pipeline_stage": """
            select stage_id, 'default' as pipeline_id, stage_name as label, is_closed,
                is_won as closed_won, case when is_won = 'true' then '1.0' else '0.5' end as probability,
                bool_text(stage_id = 'stage-1') as _fivetran_deleted
            from _hubspot_stage""",
        "deal_company": """
            select opportunity_id as deal_id, account_id as company_id, 5 as type_id
            from crm_opportunities where account_id is not null""",
        "deal_contact": """
            select opportunity_id as deal_id, contact_id, 3 as type_id
            from crm_opportunities where contact_id is not null""",
        "email_campaign": """
            select campaign_id as id, campaign_name as name, campaign_type as type, 'email' as sub_type
            from crm_campaigns""",
        "email_event": f"""
            select event_id as id, {event_type} as type, ts_text(occurred_at) as created, email as recipient,
                campaign_id as email_campaign_id, email_send_id as sent_by_id, 'false' as filtered_event
            from map_email_events
            union all
            select 'X' || event_id, case when pick(event_id, {{seed}}, 500) then 'PROCESSED' else 'DROPPED' end,
                ts_text(occurred_at), email, campaign_id, email_send_id, 'false'
            from map_email_events where event_type = 'sent' and pick(event_id, {{seed}} + 1, 40)
            union all
            select 'R' || event_id, 'STATUSCHANGE', ts_text(occurred_at), email, campaign_id, email_send_id,
                'false'
            from map_email_events where event_type = 'unsubscribe'""",
        "email_event_click": "select event_id as id, link_url as url from map_email_events where event_type = 'click'",
        "email_event_status_change": """
            select event_id as id, 'UNSUBSCRIBED' as portal_subscription_status, 'SOURCE_RECIPIENT' as source
            from map_email_events where event_type = 'unsubscribe'
            union all
            select 'R' || event_id, 'SUBSCRIBED', 'SOURCE_RESUBSCRIBE'
            from map_email_events where event_type = 'unsubscribe'""",
    }
    # one pipeline stage per label and closed/won pair the deals use
    w.sql("""
        create or replace table _hubspot_stage as
        select 'stage-' || row_number() over (order by stage_name, is_closed, is_won) as stage_id, *
        from (select distinct stage_name, is_closed, is_won from crm_opportunities) as s""")
    return {f"hubspot/{name}": w.write_table(query, out / f"{name}.csv") for name, query in tables.items()}
