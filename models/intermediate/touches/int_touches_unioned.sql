with

campaign_members as (

    select * from {{ ref('stg_crm__campaign_members') }}

),

person_records as (

    select * from {{ ref('int_person_records') }}

),

email_events as (

    select * from {{ ref('fct_email_events') }}

),

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

sales_activities as (

    select * from {{ ref('stg_crm__sales_activities') }}

),

-- a response to a campaign (has_responded) belongs to its contact's person, else its lead's (as in
-- int_campaign_touches_unioned); its time is the first response, else the membership's creation
campaign_responses as (

    select
        coalesce(contact_records.person_id, lead_records.person_id) as person_id,
        coalesce(campaign_members.first_responded_at, campaign_members.created_at) as touched_at,
        'campaign_response' as touch_kind,
        'campaign_member' as touch_source,
        campaign_members.campaign_member_id as source_id,
        campaign_members.campaign_id,
        cast(null as {{ dbt.type_string() }}) as source_channel
    from campaign_members
    left join person_records as lead_records
        on
            lead_records.record_type = 'lead'
            and campaign_members.lead_id = lead_records.record_id
    left join person_records as contact_records
        on
            contact_records.record_type = 'contact'
            and campaign_members.contact_id = contact_records.record_id
    where campaign_members.has_responded = true

),

-- every click on an email (the event's person as fct_email_events resolves it); an email is its own channel
email_clicks as (

    select
        person_id,
        occurred_at as touched_at,
        'email_click' as touch_kind,
        'email_event' as touch_source,
        event_id as source_id,
        campaign_id,
        'email' as source_channel
    from email_events
    where event_type = 'click' and person_id is not null

),

-- form submits and content consumption (fct_web_activities.is_content_consumption) with or without a
-- campaign, and any other web activity that carries a campaign (UTM): a visit with a campaign
web_touches as (

    select
        person_id,
        occurred_at as touched_at,
        case
            when activity_type = 'form_submit' then 'form_submit'
            when is_content_consumption then 'content_consumption'
            else 'web_visit'
        end as touch_kind,
        'web_activity' as touch_source,
        activity_id as source_id,
        campaign_id,
        channel as source_channel
    from web_activities
    where
        person_id is not null
        and (campaign_id is not null or activity_type = 'form_submit' or is_content_consumption)

),

-- a sales activity (call, email, meeting, ...) logged on a lead or contact belongs to that record's person
sales_touches as (

    select
        person_records.person_id,
        sales_activities.occurred_at as touched_at,
        'sales_activity' as touch_kind,
        'sales_activity' as touch_source,
        sales_activities.activity_id as source_id,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as source_channel
    from sales_activities
    inner join person_records
        on
            sales_activities.record_type = person_records.record_type
            and sales_activities.record_id = person_records.record_id

),

unioned as (

    select * from campaign_responses
    where person_id is not null

    union all

    select * from email_clicks

    union all

    select * from web_touches

    union all

    select * from sales_touches

),

final as (

    select
        {{ dbt.concat(['touch_source', "':'", 'source_id']) }} as touch_key,
        person_id,
        touched_at,
        touch_kind,
        touch_source,
        source_id,
        campaign_id,
        source_channel
    from unioned
    where touched_at is not null

)

select * from final
