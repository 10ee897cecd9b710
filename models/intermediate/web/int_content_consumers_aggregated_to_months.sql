with

web_activities as (

    select * from {{ ref('fct_web_activities') }}

),

persons as (

    select * from {{ ref('dim_persons') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

consumer_months as (

    select
        visitor_id,
        activity_month as consumed_month,
        min(occurred_at) as first_consumed_at,
        count(*) as content_consumption,
        min(visitor_identified_at) as visitor_identified_at
    from web_activities
    where is_content_consumption = true and visitor_id is not null
    group by
        visitor_id,
        activity_month

),

-- the first win of any account of the visitor's person(s), before or after the consumption
visitor_customers as (

    select
        web_activities.visitor_id,
        min(accounts.first_won_at) as became_customer_at
    from web_activities
    inner join persons
        on web_activities.person_id = persons.person_id
    inner join accounts
        on persons.account_id = accounts.account_id
    where web_activities.visitor_id is not null
    group by web_activities.visitor_id

),

final as (

    select
        consumer_months.visitor_id,
        consumer_months.consumed_month,
        consumer_months.first_consumed_at,
        consumer_months.content_consumption,
        consumer_months.consumed_month = min(consumer_months.consumed_month)
            over (partition by consumer_months.visitor_id) as is_first_consumption_month,
        consumer_months.visitor_identified_at,
        visitor_customers.became_customer_at
    from consumer_months
    left join visitor_customers
        on consumer_months.visitor_id = visitor_customers.visitor_id

)

select * from final
