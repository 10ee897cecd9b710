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
        min(occurred_at) as identified_at
    from identified_activities
    group by visitor_id

),

-- the person of the visitor's earliest email that resolves to a person (an email unknown to the CRM
-- identifies the visitor but gives no person)
ranked_persons as (

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

final as (

    select
        visitors.visitor_id,
        ranked_persons.person_id,
        visitors.identified_at
    from visitors
    left join ranked_persons
        on
            visitors.visitor_id = ranked_persons.visitor_id
            and ranked_persons.person_rank = 1

)

select * from final
