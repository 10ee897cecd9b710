with

campaign_members as (

    select * from {{ ref('stg_crm__campaign_members') }}

),

person_records as (

    select * from {{ ref('int_person_records') }}

),

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

-- a membership belongs to its contact's person, else its lead's
member_touches as (

    select
        coalesce(contact_records.person_id, lead_records.person_id) as person_id,
        campaign_members.campaign_id,
        campaign_members.created_at as touched_at,
        'campaign_member' as touch_source,
        campaign_members.campaign_member_id as touch_id
    from campaign_members
    left join person_records as lead_records
        on
            lead_records.record_type = 'lead'
            and campaign_members.lead_id = lead_records.record_id
    left join person_records as contact_records
        on
            contact_records.record_type = 'contact'
            and campaign_members.contact_id = contact_records.record_id
    where campaign_members.campaign_id is not null

),

-- campaign-tagged visits of the person's identified visitors, anonymous ones before identification included
-- (fct_web_activities.person_id: the row's own email's person, else the visitor's person)
web_touches as (

    select
        person_id,
        campaign_id,
        occurred_at as touched_at,
        'web_activity' as touch_source,
        activity_id as touch_id
    from web_activities
    where campaign_id is not null and person_id is not null

),

final as (

    select * from member_touches
    where person_id is not null

    union all

    select * from web_touches

)

select * from final
