"""Marketo tables as Fivetran lands them, from the projected contract files: the inverse of
docs/design/connectors.md §1.4 (email activities, score changes, leads, programs and smart campaigns).

Extras the adapters must remove: merged-away leads (`activity_merge_leads`; the loser has its own,
upper-cased email and carries the winner's activities with odd ids), skipped sends (`action_result =
'skipped'`) and soft-deleted activity rows (`_fivetran_deleted`).
"""

from __future__ import annotations

from pathlib import Path

from . import World

VARS: dict = {"marketo__enable_campaigns": True, "marketo__enable_programs": True}

ACTIVITY_TABLES = {
    "sent": "activity_send_email",
    "delivered": "activity_email_delivered",
    "open": "activity_open_email",
    "click": "activity_click_email",
    "bounce": "activity_email_bounced",
    "unsubscribe": "activity_unsubscribe_email",
}


def write(w: World, out: Path) -> dict[str, int]:
    # one lead in 25 was merged: its loser keeps the activities with odd ids
    w.sql("""
        create or replace table _marketo_merge as
        select lead_id as winner_id, 3000000 + row_number() over (order by lead_id) as loser_id, email
        from _marketo_lead where pick(email, {seed}, 40);
        create or replace table _marketo_activity as
        select e.*, t.template_id, c.smart_campaign_id,
            case when m.loser_id is not null and digits(e.event_id) % 2 = 1 then m.loser_id else l.lead_id end
                as activity_lead_id
        from map_email_events as e
        join _marketo_lead as l on e.email = l.email
        left join _marketo_merge as m on l.lead_id = m.winner_id
        left join _marketo_template as t on e.email_id = cast(t.template_id as varchar)
        left join _marketo_campaign as c on e.campaign_id = c.campaign_id""")
    counts = {"marketo/lead": w.write_table("""
        select lead_id as id, email, min_at as created_at, min_at as updated_at, 'false' as _fivetran_deleted
        from _marketo_lead join (
            select email, ts_text(min(ts(seen_at))) as min_at from (
                select email, occurred_at as seen_at from map_email_events
                union all select email, occurred_at from map_score_changes
            ) as a group by email
        ) as first using (email)
        union all
        select loser_id, upper(email), null, null, 'false' from _marketo_merge
        order by id""", out / "lead.csv")}
    counts["marketo/activity_merge_leads"] = w.write_table("""
        select 8000000000 + winner_id as id, winner_id as lead_id, '2025-12-31 12:00:00' as activity_date,
            '[' || loser_id || ']' as merge_ids
        from _marketo_merge order by id""", out / "activity_merge_leads.csv")
    for event_type, table in ACTIVITY_TABLES.items():
        extra = {"click": ", link_url as link", "bounce": ", email"}.get(event_type, "")
        query = f"""
            select event_id as id, activity_lead_id as lead_id, ts_text(occurred_at) as activity_date,
                smart_campaign_id as campaign_id, digits(email_send_id_run) as campaign_run_id,
                template_id as email_template_id{extra}
                {", 'succeeded' as action_result" if event_type == "sent" else ""},
                'false' as _fivetran_deleted
            from (select *, split_part(email_send_id, ':', 4) as email_send_id_run from _marketo_activity) as a
            where event_type = '{event_type}'"""
        if event_type == "sent":  # sends Marketo skipped (not counted as sends)
            query += """
            union all
            select 7000000000 + digits(event_id), activity_lead_id, ts_text(occurred_at), smart_campaign_id,
                digits(split_part(email_send_id, ':', 4)), template_id, 'skipped', 'false'
            from _marketo_activity where event_type = 'sent' and pick(event_id, {seed}, 30)"""
        if event_type == "open":  # rows deleted in the source after the sync
            query += """
            union all
            select 6000000000 + digits(event_id), activity_lead_id, ts_text(occurred_at), smart_campaign_id,
                digits(split_part(email_send_id, ':', 4)), template_id, 'true'
            from _marketo_activity where event_type = 'open' and pick(event_id, {seed}, 30)"""
        counts[f"marketo/{table}"] = w.write_table(query, out / f"{table}.csv")
    counts["marketo/activity_change_score"] = w.write_table("""
        select s.score_event_id as id,
            case when m.loser_id is not null and digits(s.score_event_id) % 2 = 1 then m.loser_id else l.lead_id end
                as lead_id,
            ts_text(s.occurred_at) as activity_date, 'Lead Score' as primary_attribute_value,
            cast(s.new_score as bigint) - cast(s.score_delta as bigint) as old_value, s.new_score as new_value,
            case when cast(s.score_delta as bigint) >= 0 then '+' else '' end || s.score_delta as change_value,
            s.reason, 'false' as _fivetran_deleted
        from map_score_changes as s
        join _marketo_lead as l on s.email = l.email
        left join _marketo_merge as m on l.lead_id = m.winner_id""", out / "activity_change_score.csv")
    # the program of each send is the contract's campaign (linked Salesforce campaign: sfdc_id)
    counts["marketo/program"] = w.write_table("""
        select c.program_id as id, coalesce(k.campaign_name, c.campaign_id) as name, 'Email' as channel,
            'Email' as type, c.campaign_id as sfdc_id
        from _marketo_campaign as c left join crm_campaigns as k using (campaign_id)
        order by id""", out / "program.csv")
    counts["marketo/campaign"] = w.write_table("""
        select smart_campaign_id as id, 'Send ' || campaign_id as name, program_id
        from _marketo_campaign order by id""", out / "campaign.csv")
    return counts
