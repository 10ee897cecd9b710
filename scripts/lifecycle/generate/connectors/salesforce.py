"""Salesforce tables as Fivetran lands them, from the projected contract files: the inverse of
docs/design/connectors.md §1.2.

The contact of a deal a lead converted into comes from that lead (no contact role), as the adapter's
fallback reads it. Extras the adapters must remove: deleted rows flagged by `_fivetran_deleted` instead
of `is_deleted`, an older inactive history-mode version (`_fivetran_active = false`) of every closed
opportunity, deleted campaign members and tasks, tasks on no lead or contact, and LeadHistory rows of
fields that are no stage.
"""

from __future__ import annotations

from pathlib import Path

from . import World

# custom fields (Fivetran lower-cases `Loss_Reason__c` to `loss_reason_c`) named for the adapters
COLUMNS = {
    "campaign": {"channel": "channel_c", "audience": "audience_c", "is_automated": "is_automated_c"},
    "opportunity": {"loss_reason": "loss_reason_c"},
}
CONTACT_STAGE_FIELD = "Lifecycle_Stage__c"
VARS = {
    "lifecycle__salesforce_columns": COLUMNS,
    "lifecycle__salesforce_contact_stage_field": CONTACT_STAGE_FIELD,
    # the planted passthrough fields (generate/formats.py PASSTHROUGH) under Fivetran's var names
    "salesforce__lead_pass_through_columns": [{"name": "persona_c", "alias": "persona"}],
    "salesforce__contact_pass_through_columns": [{"name": "persona_c", "alias": "persona"}],
    "salesforce__account_pass_through_columns": [{"name": "tier_c", "alias": "tier", "data_type": "bigint"}],
}

# a deleted record is flagged either way Fivetran does it: is_deleted (soft delete) or _fivetran_deleted
DELETED = """
    bool_text(truthy({flag}) and not pick({key}, {seed}, 500)) as is_deleted,
    bool_text(truthy({flag}) and pick({key}, {seed}, 500)) as _fivetran_deleted"""


def _deleted(key: str, flag: str = "is_deleted") -> str:
    return DELETED.replace("{flag}", flag).replace("{key}", key)


def write(w: World, out: Path) -> dict[str, int]:
    tables = {
        "account": f"""
            select account_id as id, account_name as name, industry, employee_count as number_of_employees,
                country as billing_country, ts_text(created_at) as created_date, tier as tier_c,
                {_deleted('account_id')}
            from crm_accounts""",
        "lead": f"""
            select lead_id as id, email, company, title, industry, country, lead_source, status, owner_id,
                ts_text(created_at) as created_date, bool_text(converted_at is not null) as is_converted,
                day_text(converted_at) as converted_date, converted_contact_id, converted_account_id,
                converted_opportunity_id, persona as persona_c, {_deleted('lead_id')}
            from crm_leads""",
        "contact": f"""
            select contact_id as id, account_id, email, title, lead_source, owner_id,
                ts_text(created_at) as created_date, persona as persona_c, {_deleted('contact_id')}
            from crm_contacts""",
        # history mode: a closed deal also has its earlier open version, inactive since it closed
        "opportunity": f"""
            select * exclude (nth) from (
                select opportunity_id as id, account_id, opportunity_type as type, stage_name, amount,
                    currency as currency_iso_code, ts_text(created_at) as created_date,
                    coalesce(day_text(closed_at), day_text(ts(created_at) + interval 60 day)) as close_date,
                    bool_text(truthy(is_closed)) as is_closed, bool_text(truthy(is_won)) as is_won,
                    loss_reason as loss_reason_c, lead_source, campaign_id, owner_id, {_deleted('opportunity_id')},
                    'true' as _fivetran_active, ts_text(created_at) as _fivetran_start,
                    '9999-12-31 23:59:59' as _fivetran_end, 1 as nth
                from crm_opportunities
                union all
                select opportunity_id, account_id, opportunity_type, 'Prospecting', amount, currency,
                    ts_text(created_at), day_text(ts(created_at) + interval 60 day), 'false', 'false', null,
                    lead_source, campaign_id, owner_id, 'false', 'false', 'false',
                    ts_text(ts(created_at) - interval 1 day), ts_text(ts(created_at) - interval 1 second), 0
                from crm_opportunities
                where truthy(is_closed)
            ) as o
            order by id, nth""",
        # the deal's contact: a primary contact role, except where the lead converted into the deal names it
        "opportunity_contact_role": """
            select 'OCR' || o.opportunity_id as id, o.opportunity_id, o.contact_id, 'true' as is_primary,
                'false' as is_deleted
            from crm_opportunities as o
            where o.contact_id is not null and not exists (
                select 1 from crm_leads as l
                where l.converted_opportunity_id = o.opportunity_id and l.converted_contact_id = o.contact_id)""",
        "campaign": """
            select campaign_id as id, campaign_name as name, campaign_type as type, parent_campaign_id as parent_id,
                start_date, end_date, budgeted_cost, actual_cost, currency as currency_iso_code,
                channel as channel_c, audience as audience_c,
                case when is_automated is not null then bool_text(truthy(is_automated)) end as is_automated_c,
                'false' as is_deleted
            from crm_campaigns""",
        # deleted members are dropped by the adapter (the contract file has no is_deleted)
        "campaign_member": """
            select campaign_member_id as id, campaign_id, lead_id, contact_id, member_status as status,
                bool_text(truthy(has_responded)) as has_responded, ts_text(created_at) as created_date,
                day_text(first_responded_at) as first_responded_date, 'false' as is_deleted
            from crm_campaign_members
            union all
            select 'DEL' || campaign_member_id, campaign_id, lead_id, contact_id, 'Sent', 'false',
                ts_text(created_at), null, 'true'
            from crm_campaign_members where pick(campaign_member_id, {seed}, 20)""",
        # the stage field's changes: old value = the previous stage (none before the first row)
        "lead_history": _history("lead", "Status"),
        "contact_history": _history("contact", CONTACT_STAGE_FIELD),
        # meetings and demos are events, everything else a task
        "task": """
            select activity_id as id, record_id as who_id, opportunity_id as what_id, activity_type as type,
                case when activity_type ilike '%call%' then 'Call' when activity_type ilike '%email%' then 'Email'
                    else 'Task' end as task_subtype,
                owner_id, day_text(occurred_at) as activity_date, ts_text(occurred_at) as completed_date_time,
                ts_text(occurred_at) as created_date, 'false' as is_deleted
            from crm_sales_activities where not (activity_type ilike '%meeting%' or activity_type ilike '%demo%')
            union all
            select 'DEL' || activity_id, record_id, opportunity_id, activity_type, 'Task', owner_id,
                day_text(occurred_at), ts_text(occurred_at), ts_text(occurred_at), 'true'
            from crm_sales_activities where pick(activity_id, {seed}, 20)
            union all
            select 'NOWHO' || activity_id, null, opportunity_id, activity_type, 'Task', owner_id,
                day_text(occurred_at), ts_text(occurred_at), ts_text(occurred_at), 'false'
            from crm_sales_activities where pick(activity_id, {seed} + 1, 20)""",
        "event": """
            select activity_id as id, record_id as who_id, opportunity_id as what_id, activity_type as type,
                'Event' as event_subtype, owner_id, day_text(occurred_at) as activity_date,
                ts_text(occurred_at) as activity_date_time, ts_text(occurred_at) as start_date_time,
                ts_text(occurred_at) as created_date, 'false' as is_deleted
            from crm_sales_activities where activity_type ilike '%meeting%' or activity_type ilike '%demo%'""",
    }
    return {f"salesforce/{name}": w.write_table(query, out / f"{name}.csv") for name, query in tables.items()}


def _history(record: str, field: str) -> str:
    """Field history of the stage field (+ a change of another field that is no stage)."""
    return f"""
        select id, {record}_id, field, old_value, new_value, created_date, 'false' as is_deleted from (
            select stage_event_id as id, record_id as {record}_id, '{field}' as field,
                lag(stage) over (partition by record_id order by ts(entered_at), stage_event_id) as old_value,
                stage as new_value, ts_text(entered_at) as created_date, entered_at, stage_event_id
            from crm_stage_history
            where record_type = '{record}' and stage_event_id not like 'sf-created:%'
            union all
            select 'RATING' || stage_event_id, record_id, 'Rating', null, 'Warm', ts_text(entered_at),
                entered_at, stage_event_id
            from crm_stage_history
            where record_type = '{record}' and pick(stage_event_id, {{seed}}, 30)
        ) as h
        order by ts(entered_at), stage_event_id"""
