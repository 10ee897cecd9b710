with

web_activities as (

    select * from {{ ref('stg_map__web_activities') }}

),

email_persons as (

    select * from {{ ref('int_email_persons') }}

),

identified_activities as (

    select
        web_activities.visitor_id,
        web_activities.occurred_at,
        web_activities.activity_id,
        email_persons.person_id
    from web_activities
    left join email_persons
        on web_activities.email = email_persons.email
    where
        web_activities.email is not null
        and web_activities.visitor_id is not null

),

visitors as (

    select
        visitor_id,
        min(occurred_at) as visitor_identified_at
    from identified_activities
    group by visitor_id

),

ranked_visitor_persons as (

    select
        visitor_id,
        person_id,
        row_number() over (
            partition by visitor_id
            order by occurred_at, activity_id
        ) as person_rank
    from identified_activities
    where person_id is not null

),

visitor_persons as (

    -- the person of the visitor's earliest email that resolves to a person
    select
        visitor_id,
        person_id
    from ranked_visitor_persons
    where person_rank = 1

),

final as (

    select
        web_activities.activity_id,
        web_activities.visitor_id,
        coalesce(email_persons.person_id, visitor_persons.person_id) as person_id,
        web_activities.email is not null as is_identified_activity,
        visitors.visitor_identified_at,
        web_activities.activity_type,
        web_activities.asset_id,
        web_activities.asset_name,
        web_activities.page_url,
        web_activities.channel,
        web_activities.campaign_id,
        web_activities.occurred_at,
        {{ month_start('web_activities.occurred_at') }} as activity_month
    from web_activities
    left join email_persons
        on web_activities.email = email_persons.email
    left join visitors
        on web_activities.visitor_id = visitors.visitor_id
    left join visitor_persons
        on web_activities.visitor_id = visitor_persons.visitor_id

)

select * from final
