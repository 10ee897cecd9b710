{{ config(enabled=adapter_enabled('salesforce', 'crm_sales_activities')) }}
{#- crm_sales_activities from Salesforce Task and Event (docs/design/connectors.md §1.2). who_id is a lead or a
    contact: known by a join to the lead and contact rows (deleted ones included), else by Salesforce's key prefix
    (00Q lead, 003 contact); activities on anything else are dropped (the contract has lead and contact only).
    what_id is kept as the opportunity when it is one (join, else prefix 006). Deleted activities are dropped. -#}
with

task as (

    {{ connector_columns('salesforce', 'task') }}

),

current_task as (

    {{ connector_current('salesforce', 'task', ['id']) }}

),

event as (

    {{ connector_columns('salesforce', 'event') }}

),

current_event as (

    {{ connector_current('salesforce', 'event', ['id']) }}

),

activities as (

    select
        id as activity_id,
        who_id,
        what_id,
        coalesce({{ adapter.quote('type') }}, task_subtype) as activity_type,
        coalesce(completed_date_time, {{ date_to_utc('activity_date') }}, created_date) as occurred_at,
        owner_id,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from current_task
    where not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}
    union all
    select
        id as activity_id,
        who_id,
        what_id,
        coalesce({{ adapter.quote('type') }}, event_subtype, 'Meeting') as activity_type,
        coalesce(start_date_time, activity_date_time, {{ date_to_utc('activity_date') }}, created_date) as occurred_at,
        owner_id,
        _batch_id,
        _loaded_at,
        _file_name,
        _line_number
    from current_event
    where not {{ any_flag(['is_deleted', '_fivetran_deleted', '_fivetran_tombstone']) }}

),

lead as (

    {{ connector_columns('salesforce', 'lead') }}

),

lead_ids as (

    select distinct id from lead

),

contact as (

    {{ connector_columns('salesforce', 'contact') }}

),

contact_ids as (

    select distinct id from contact

),

opportunity as (

    {{ connector_columns('salesforce', 'opportunity') }}

),

opportunity_ids as (

    select distinct id from opportunity

),

typed as (

    select
        activities.activity_id,
        activities.who_id as record_id,
        case
            when lead_ids.id is not null then 'lead'
            when contact_ids.id is not null then 'contact'
            when activities.who_id like '00Q%' then 'lead'
            when activities.who_id like '003%' then 'contact'
        end as record_type,
        case
            when opportunity_ids.id is not null or activities.what_id like '006%'
                then activities.what_id
        end as opportunity_id,
        activities.activity_type,
        activities.occurred_at,
        activities.owner_id,
        activities._batch_id,
        activities._loaded_at,
        activities._file_name,
        activities._line_number
    from activities
    left join lead_ids
        on activities.who_id = lead_ids.id
    left join contact_ids
        on activities.who_id = contact_ids.id
    left join opportunity_ids
        on activities.what_id = opportunity_ids.id

),

on_people as (

    select * from typed
    where record_type is not null

)

{{ contract_select('crm', 'sales_activities', 'on_people') }}
