"""The world projection of docs/design/connectors.md §4: rewrite the contract files to what the chosen
connectors can express, so that the contract shape and the connector shape of one world hold the same facts.

Each rule is a fact about what a connector cannot carry (e.g. Salesforce keeps close dates as dates,
HubSpot has no leads). Rules also normalise values the adapters emit in one spelling only (an event type
comes from the table an activity is in, so ` Open ` becomes `open`). Helper tables named `_<connector>_*`
stay in the World for the writers (ids a connector needs that the contract files do not hold).
"""

from __future__ import annotations

from .connectors import World


def project(world: World, connectors: list[str]) -> None:
    if "salesforce" in connectors:
        _salesforce(world)
    if "marketo" in connectors:
        _marketo(world)
    if "hubspot" in connectors:
        _hubspot(world)


def _salesforce(w: World) -> None:
    # close, conversion and first response dates are DATEs in Salesforce: T(date) = midnight UTC (§3.7);
    # an open deal's close_date is its expected close, never a closed_at
    w.replace("crm_opportunities", """
        select * replace (case when truthy(is_closed) then midnight(closed_at) end as closed_at)
        from crm_opportunities""")
    w.replace("crm_leads", """
        select * replace (
            midnight(converted_at) as converted_at,
            case when converted_at is not null then converted_contact_id end as converted_contact_id,
            case when converted_at is not null then converted_account_id end as converted_account_id,
            case when converted_at is not null then converted_opportunity_id end as converted_opportunity_id)
        from crm_leads""")
    w.replace("crm_campaign_members", """
        select * replace (midnight(first_responded_at) as first_responded_at) from crm_campaign_members""")
    # a campaign without a channel value falls back to its type (the adapter's coalesce)
    w.replace("crm_campaigns", "select * replace (coalesce(channel, campaign_type) as channel) from crm_campaigns")
    # an activity's record type is known from the record (who_id) alone; others cannot be expressed
    w.replace("crm_sales_activities", """
        select a.* replace (
            case when l.lead_id is not null then 'lead' else 'contact' end as record_type,
            case when o.opportunity_id is not null then a.opportunity_id end as opportunity_id)
        from crm_sales_activities as a
        left join (select distinct lead_id from crm_leads) as l on a.record_id = l.lead_id
        left join (select distinct contact_id from crm_contacts) as c on a.record_id = c.contact_id
        left join (select distinct opportunity_id from crm_opportunities) as o on a.opportunity_id = o.opportunity_id
        where l.lead_id is not null or c.contact_id is not null""")
    # field history only logs changes: a lead without any stage row gets its creation row from its status
    w.replace("crm_stage_history", """
        select stage_event_id, record_id, lower(trim(record_type)) as record_type, stage, entered_at
        from crm_stage_history
        where stage is not null
        union all
        select 'sf-created:' || lead_id, lead_id, 'lead', status, created_at
        from crm_leads
        where status is not null and lead_id not in (
            select record_id from crm_stage_history where lower(trim(record_type)) = 'lead' and stage is not null)""")


def _marketo(w: World) -> None:
    # Marketo activities need a lead (so an email); it has no spam-report activity; event types come from
    # the activity table; activity, lead, template, smart campaign and run ids are integers
    w.replace("map_email_events", """
        select * replace (lower(trim(event_type)) as event_type)
        from map_email_events
        where email is not null and lower(trim(event_type)) in
            ('sent', 'delivered', 'open', 'click', 'bounce', 'unsubscribe')""")
    w.replace("map_score_changes", "select * from map_score_changes where email is not null")
    w.sql("""
        create table _marketo_lead as
        select email, 1000000 + row_number() over (order by email) as lead_id
        from (select email from map_email_events union select email from map_score_changes) as e;
        create table _marketo_template as
        select email_id, 1000 + row_number() over (order by email_id) as template_id
        from (select distinct email_id from map_email_events where email_id is not null) as t;
        create table _marketo_campaign as
        select campaign_id, 5000 + row_number() over (order by campaign_id) as smart_campaign_id,
            7000 + row_number() over (order by campaign_id) as program_id
        from (select distinct campaign_id from map_email_events where campaign_id is not null) as c""")
    # the adapter's send id: template, smart campaign, run (the world's send) and canonical lead (§1.4.2)
    w.replace("map_email_events", """
        select e.* replace (
            cast(digits(e.event_id) as varchar) as event_id,
            'mkto-send:' || t.template_id || ':' || c.smart_campaign_id || ':' || digits(e.email_send_id)
                || ':' || l.lead_id as email_send_id,
            cast(t.template_id as varchar) as email_id,
            case when e.event_type = 'click' then e.link_url end as link_url)
        from map_email_events as e
        join _marketo_lead as l on e.email = l.email
        left join _marketo_template as t on e.email_id = t.email_id
        left join _marketo_campaign as c on e.campaign_id = c.campaign_id""")
    # score activity ids after the email activity ids: Marketo ids are unique across activity types
    w.replace("map_score_changes", """
        select * replace (cast(9000000000 + digits(score_event_id) as varchar) as score_event_id)
        from map_score_changes""")


def _hubspot(w: World) -> None:
    # no leads: a converted lead folds into its contact, any other lead becomes a contact (lead-only
    # attributes such as company, industry, country dropped)
    w.sql("""
        create table _hubspot_lead_contact as
        select l.lead_id, coalesce(c.contact_id, l.lead_id) as contact_id, c.contact_id is not null as folded
        from crm_leads as l
        left join crm_contacts as c on l.converted_contact_id = c.contact_id""")
    w.sql("""
        insert into crm_contacts
        select l.lead_id, l.converted_account_id, l.email, l.title, l.lead_source, l.created_at, l.owner_id,
            l.is_deleted
        from crm_leads as l join _hubspot_lead_contact as m using (lead_id)
        where not m.folded""")
    w.sql("delete from crm_leads")
    # merged-away duplicates (the writer lists them in the winner's property_hs_merged_object_ids): a
    # merged-away contact is a tombstone in both shapes
    w.sql("""
        create table _hubspot_merge as
        select 'M' || contact_id as loser_id, contact_id as winner_id
        from crm_contacts
        where not truthy(is_deleted) and pick(contact_id, {seed}, 40)""")
    w.sql("""
        insert into crm_contacts
        select m.loser_id, c.account_id, c.email, c.title, c.lead_source, c.created_at, c.owner_id, 'true'
        from crm_contacts as c join _hubspot_merge as m on c.contact_id = m.winner_id""")
    # stage history: per contact, keyed by the millisecond of the change (contact_property_history)
    w.replace("crm_stage_history", """
        select 'hs-stage:' || record_id || ':' || ms(entered_at) as stage_event_id, record_id,
            'contact' as record_type, stage, entered_at
        from (
            select coalesce(m.contact_id, h.record_id) as record_id, h.stage, h.entered_at,
                row_number() over (partition by coalesce(m.contact_id, h.record_id), ms(h.entered_at)
                                   order by h.stage_event_id desc) as nth
            from crm_stage_history as h
            left join _hubspot_lead_contact as m on h.record_id = m.lead_id and lower(trim(h.record_type)) = 'lead'
            where h.stage is not null
        ) as s
        where nth = 1""")
    # score changes: a HubSpot score is a contact property, so the email must be a (live) contact's
    w.sql("""
        create table _hubspot_email_contact as
        select email, min(contact_id) as contact_id
        from crm_contacts where not truthy(is_deleted) and email is not null group by email""")
    w.replace("map_score_changes", """
        select 'hs-score:' || contact_id || ':' || ms(occurred_at) as score_event_id, email,
            cast(cast(new_score as bigint)
                 - coalesce(lag(cast(new_score as bigint)) over (partition by contact_id order by ms(occurred_at)), 0)
                 as varchar) as score_delta,
            new_score, reason, occurred_at
        from (
            select s.*, e.contact_id,
                row_number() over (partition by e.contact_id, ms(s.occurred_at) order by s.score_event_id desc) as nth
            from map_score_changes as s join _hubspot_email_contact as e on s.email = e.email
        ) as s
        where nth = 1""")
    # email events: types from the event type, the send is its SENT event, one creative per campaign
    w.replace("map_email_events", """
        select e.* replace (
            lower(trim(e.event_type)) as event_type,
            coalesce(s.sent_id, e.email_send_id) as email_send_id,
            e.campaign_id as email_id,
            case when lower(trim(e.event_type)) = 'click' then e.link_url end as link_url)
        from map_email_events as e
        left join (
            select email_send_id, min(event_id) as sent_id from map_email_events
            where lower(trim(event_type)) = 'sent' group by email_send_id
        ) as s using (email_send_id)""")
    # campaigns: email campaigns only, dated by their first and last send; HubSpot's type tells automation
    w.replace("crm_campaigns", """
        select c.campaign_id, c.campaign_name, 'email' as channel,
            case when truthy(c.is_automated) then 'AUTOMATED' else 'BATCH' end as campaign_type,
            'prospect' as audience, bool_text(truthy(c.is_automated)) as is_automated,
            null as parent_campaign_id, s.start_date, s.end_date,
            null as budgeted_cost, null as actual_cost, null as currency
        from crm_campaigns as c
        join (select distinct campaign_id from map_email_events) as used using (campaign_id)
        left join (
            select campaign_id, day_text(min(ts(occurred_at))) as start_date, day_text(max(ts(occurred_at))) as end_date
            from map_email_events where event_type = 'sent' group by campaign_id
        ) as s using (campaign_id)""")
    # deals: the stage tells closed and won; no deal -> campaign field
    w.replace("crm_opportunities", """
        select * replace (
            bool_text(truthy(is_closed)) as is_closed,
            bool_text(truthy(is_closed) and truthy(is_won)) as is_won,
            case when truthy(is_closed) then closed_at end as closed_at,
            null as campaign_id)
        from crm_opportunities""")
    w.sql("delete from crm_campaign_members; delete from crm_sales_activities")
